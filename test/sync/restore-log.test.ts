// A restore keeps the event log append-only: every event the store held before is still there (same seq, same
// content); the restore adds one `<kind>.restored` event per row it changed, at a version past every version that
// aggregate had (so a client holding an older one is refused), and one backup.restored naming the commit. Checked
// as a user runs it (the CLI), through the backup that follows and an undo, and across a sync to another machine.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { StoreError } from '../../src/store/errors';
import { listEvents, type StoreEvent } from '../../src/store/events';
import { Store } from '../../src/store/store';
import { deleteTask, getTask, updateTask } from '../../src/store/tasks';
import { runBackup } from '../../src/sync/backup';
import { runRestore } from '../../src/sync/restore';
import { runSync } from '../../src/sync/sync';
import { cleanupTempDirs, cli, human, requireBuilt, tempDir } from '../helpers';
import { closeClones, envOf, git, populate, syncedPair } from './fixtures';

const allEvents = (store: Store) => store.read((orm) => listEvents(orm, { limit: 1_000_000, order: 'asc' }));

/** Every task's version equals the newest version its events name (what optimistic concurrency relies on). */
async function assertVersionsFollowLog(store: Store): Promise<void> {
  const off = await store.conn.all<{ id: string; version: number; logged: number | null }>(
    "select t.id, t.version, (select max(e.version) from events e where e.aggregate_type = 'task' and e.aggregate_id = t.id) as logged from tasks t where t.version is not logged",
  );
  assert.deepEqual(off, [], 'every task is at the version of its newest event');
}

/** The events `after` holds that `before` did not; fails unless every event of `before` is still there, unchanged. */
function assertKept(before: StoreEvent[], after: StoreEvent[]): StoreEvent[] {
  const now = new Map(after.map((e) => [e.id, e]));
  for (const e of before) assert.deepEqual(now.get(e.id), e, `event ${e.seq} (${e.type}) is still in the log, unchanged`);
  const old = new Set(before.map((e) => e.id));
  return after.filter((e) => !old.has(e.id));
}

describe('restore: the event log stays append-only', function () {
  this.timeout(120_000);
  before(requireBuilt);
  afterEach(closeClones);

  it('as a user runs it: the deletion and the change after the backup stay logged, the restore logs each row it put back', () => {
    const store = path.join(tempDir(), 'store');
    const run = (...args: string[]) => {
      const r = cli(['--store', store, ...args]);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const json = (...args: string[]) => JSON.parse(run('--json', ...args));
    run('init');
    const project = json('project', 'add', 'P');
    const keep = json('task', 'add', '--project', project.id, 'Keep me');
    const gone = json('task', 'add', '--project', project.id, 'Delete me');
    const backup = json('backup');
    run('task', 'delete', gone.id);
    run('task', 'move', keep.id, 'done');
    const before: StoreEvent[] = json('log', '--limit', '1000').reverse();

    run('restore', backup.commit, '--yes');
    const after: StoreEvent[] = json('log', '--limit', '1000').reverse();
    const added = assertKept(before, after);
    assert.ok(before.some((e) => e.type === 'task.deleted' && e.aggregateId === gone.id), 'the deletion was logged');
    const lastSeq = Math.max(...before.map((e) => e.seq));
    assert.ok(added.every((e) => e.seq > lastSeq), 'new events come after every earlier one');

    const restored = added.filter((e) => e.type === 'task.restored');
    const of = (id: string) => restored.find((e) => e.aggregateId === id)!;
    assert.deepEqual(restored.map((e) => e.aggregateId).sort(), [gone.id, keep.id].sort(), 'one task.restored per task the restore changed');
    const maxVersion = (id: string) => Math.max(...before.filter((e) => e.aggregateType === 'task' && e.aggregateId === id).map((e) => e.version));
    assert.equal(of(gone.id).version, maxVersion(gone.id) + 1, 'past the task.deleted event');
    assert.equal(of(keep.id).version, maxVersion(keep.id) + 1, 'past the status change');
    const keepData = of(keep.id).data as { commit: string; change: string; from: Record<string, unknown>; to: Record<string, unknown> };
    assert.deepEqual([keepData.commit, keepData.change, keepData.from.status, keepData.to.status], [backup.commit, 'changed', 'done', 'pending'], 'the restored fields, from and to');
    assert.ok(!('title' in keepData.to), 'only the fields that changed');
    assert.equal(of(gone.id).data.change, 'added');
    assert.equal((of(gone.id).data.to as Record<string, unknown>).title, 'Delete me');
    const done = added.find((e) => e.type === 'backup.restored')!;
    assert.equal(done.data.commit, backup.commit);
    assert.equal(done.seq, Math.max(...added.map((e) => e.seq)), 'backup.restored closes the restore');

    // Both tasks are at their restored versions and can be changed again.
    assert.equal(json('task', 'show', keep.id).version, of(keep.id).version);
    assert.equal(json('task', 'show', gone.id).version, of(gone.id).version);
    assert.equal(json('task', 'move', keep.id, 'in_progress').status, 'in_progress');
  });

  it('a version read before the restore is refused after it; the backup that follows holds the whole log; an undo keeps it too', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await Store.open(dir);
    try {
      const ids = await populate(store, 30);
      const env = envOf(store, path.join(dir, 'vault'));
      const base = await runBackup(env, {});
      const edited = await store.write(async (orm) => updateTask(orm, human, ids[3]!, (await getTask(orm, ids[3]!)).version, { title: 'after the backup' }));
      await store.write((orm) => deleteTask(orm, human, ids[4]!));
      const before = await allEvents(store);
      const deletion = before.find((e) => e.type === 'task.deleted' && e.aggregateId === ids[4])!;

      const done = await runRestore(env, {}, base.commit!);
      assertKept(before, await allEvents(store));
      await assertVersionsFollowLog(store);
      await assert.rejects(
        store.write((orm) => updateTask(orm, human, ids[3]!, edited.version, { title: 'stale' })),
        (e: StoreError) => e.kind === 'conflict',
        'a client holding the version from before the restore must reload',
      );
      assert.equal((await store.read((orm) => getTask(orm, ids[3]!))).title, 'Task 3 ünï');

      // The commit of the restored state holds every event (the deletion too), and it is complete: a full comparison finds nothing new.
      const repo = path.join(dir, 'backup');
      assert.ok(done.restoreCommit);
      assert.notEqual(git(repo, 'grep', '-l', deletion.id, done.restoreCommit!, '--', 'db/events'), '', 'the deletion is in the backup of the restored state');
      assert.equal((await runBackup(env, {}, { full: true })).status, 'unchanged');

      // Undo: the state before comes back, and the log still grows.
      const beforeUndo = await allEvents(store);
      await runRestore(env, {}, done.safetyCommit!);
      const added = assertKept(beforeUndo, await allEvents(store));
      assert.deepEqual(added.filter((e) => e.type === 'task.restored').map((e) => e.aggregateId).sort(), [ids[3], ids[4]].sort());
      assert.equal((await store.read((orm) => getTask(orm, ids[3]!))).title, 'after the backup');
      await assert.rejects(store.read((orm) => getTask(orm, ids[4]!)), (e: StoreError) => e.kind === 'not_found');
      await assertVersionsFollowLog(store);
      assert.equal((await runBackup(env, {}, { full: true })).status, 'unchanged');
    } finally {
      await store.close();
      cleanupTempDirs();
    }
  });

  it('a sync carries a restore to the other machine without taking any event away there', async () => {
    const { a, b, ids } = await syncedPair(10);
    const base = await runBackup(a.env, {});
    await a.store.write(async (orm) => updateTask(orm, human, ids[0]!, (await getTask(orm, ids[0]!)).version, { title: 'edited on A' }));
    await a.store.write((orm) => deleteTask(orm, human, ids[1]!));
    await runSync(a.env, {});
    await runSync(b.env, {});
    const onB = await allEvents(b.store);

    await runRestore(a.env, {}, base.commit!);
    await runSync(a.env, {});
    await runSync(b.env, {});
    const added = assertKept(onB, await allEvents(b.store));
    assert.deepEqual(added.filter((e) => e.type === 'task.restored').map((e) => e.aggregateId).sort(), [ids[0], ids[1]].sort());
    assert.equal((await b.store.read((orm) => getTask(orm, ids[0]!))).title, (await a.store.read((orm) => getTask(orm, ids[0]!))).title);
    assert.ok(await b.store.read((orm) => getTask(orm, ids[1]!)), 'the deleted task is back on B too');
    await assertVersionsFollowLog(b.store);
  });
});
