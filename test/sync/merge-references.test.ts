// A sync's merge and the rows that refer to other rows (tasks.parent_id, ON DELETE SET NULL), through a real local
// bare remote: a parent deleted on one side while the other made a row point at it comes back as a conflict; a
// parent deleted with its subtask's reference nulled on that side stays deleted. The merge checks references only
// for rows whose line differs between the sides: these cases are exactly those rows.
import * as assert from 'node:assert/strict';
import { deleteTask, getTask, updateTask } from '../../src/store/tasks';
import { runSync } from '../../src/sync/sync';
import { human } from '../helpers';
import { canonicalDump, closeClones, git, syncedPair } from './fixtures';

describe('sync: merged rows and the rows they refer to', function () {
  this.timeout(300_000);
  afterEach(closeClones);

  async function twoClones() {
    return syncedPair(12); // ids[9] is a subtask of ids[7]
  }
  type Side = Awaited<ReturnType<typeof twoClones>>['a'];
  const task = (s: Side, id: string) => s.store.read((orm) => getTask(orm, id));
  const edit = (s: Side, id: string, changes: Parameters<typeof updateTask>[4]) => s.store.write(async (orm) => updateTask(orm, human, id, (await getTask(orm, id)).version, changes));

  it('a task deleted on A while B made another task its subtask comes back, as a conflict; both machines converge', async () => {
    const { a, b, ids } = await twoClones();
    await a.store.write((orm) => deleteTask(orm, human, ids[3]!));
    await edit(b, ids[5]!, { parentId: ids[3]! });
    assert.equal((await runSync(a.env, {})).status, 'pushed');
    const merged = await runSync(b.env, {});
    assert.equal(merged.status, 'merged');
    const back = merged.conflicts.filter((c) => c.table === 'tasks' && c.rowKey === ids[3]);
    assert.equal(back.length, 1, 'the deleted parent is a recorded conflict');
    assert.deepEqual(back[0]!.fields, ['*']);
    assert.equal((await task(b, ids[5]!)).parentId, ids[3], "B's new reference holds");
    assert.equal((await task(b, ids[3]!)).id, ids[3], 'the parent is back on B');
    assert.equal((await runSync(a.env, {})).status, 'fast_forward');
    assert.equal((await task(a, ids[3]!)).id, ids[3], 'and on A');
    assert.deepEqual((await canonicalDump(a.store)).tables, (await canonicalDump(b.store)).tables);
    assert.equal(git(b.repo, 'status', '--porcelain'), '', "B's backup working tree and index are the merge commit");
  });

  it('a task deleted on A (its subtask losing the reference there) while B edited other rows stays deleted, with no conflict', async () => {
    const { a, b, ids } = await twoClones();
    assert.equal((await task(a, ids[9]!)).parentId, ids[7]);
    await a.store.write((orm) => deleteTask(orm, human, ids[7]!));
    await edit(b, ids[0]!, { title: 'B edit' });
    await runSync(a.env, {});
    const merged = await runSync(b.env, {});
    assert.equal(merged.status, 'merged');
    assert.deepEqual(merged.conflicts, []);
    await assert.rejects(task(b, ids[7]!), /No task/);
    assert.equal((await task(b, ids[9]!)).parentId, null, "A's nulled reference is merged in");
    assert.equal((await task(b, ids[0]!)).title, 'B edit');
    await runSync(a.env, {});
    assert.deepEqual((await canonicalDump(a.store)).tables, (await canonicalDump(b.store)).tables);
    assert.equal(git(b.repo, 'status', '--porcelain'), '');
    assert.equal(git(b.repo, 'rev-parse', 'HEAD'), git(a.repo, 'rev-parse', 'HEAD'));
  });
});
