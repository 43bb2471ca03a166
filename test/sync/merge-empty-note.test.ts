// A note emptied on one machine while the other changed something else: the merge carries the empty note over,
// it does not delete it (a shard without rows has no file, but an empty note is still a note).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getTask, updateTask } from '../../src/store/tasks';
import { runSync } from '../../src/sync/sync';
import { human } from '../helpers';
import { closeClones, git, readTree, syncedPair } from './fixtures';

describe('sync: an emptied note survives a merge', function () {
  this.timeout(300_000);
  afterEach(closeClones);

  it('A empties a note, B edits a task: after both sync the note is empty on both machines and in the merge commit', async () => {
    const { a, b, ids } = await syncedPair(4, 3);

    fs.writeFileSync(path.join(a.vault, 'f0', 'note 0.md'), '');
    await b.store.write(async (orm) => updateTask(orm, human, ids[0]!, (await getTask(orm, ids[0]!)).version, { title: 'B edit' }));
    assert.equal((await runSync(a.env, {})).status, 'pushed');
    assert.equal((await runSync(b.env, {})).status, 'merged');
    assert.equal(fs.readFileSync(path.join(b.vault, 'f0', 'note 0.md'), 'utf8'), '', 'the note is on B, empty');
    assert.equal(git(b.repo, 'cat-file', '-s', 'HEAD:files/vault/f0/note 0.md'), '0', 'and in the merge commit');
    assert.equal((await runSync(a.env, {})).status, 'fast_forward');
    assert.equal(fs.readFileSync(path.join(a.vault, 'f0', 'note 0.md'), 'utf8'), '', 'A keeps it');
    assert.deepEqual(readTree(a.vault), readTree(b.vault));
  });
});
