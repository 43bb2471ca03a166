// What one backup changed, read from real backups in a real git repository: its rows per table (with the fields
// that changed), its files, and each side of a change as the backup before and this one hold it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createProject } from '../../src/store/projects';
import type { Store } from '../../src/store/store';
import { createTask, updateTask } from '../../src/store/tasks';
import { runBackup } from '../../src/sync/backup';
import { backupChanges, backupItem } from '../../src/sync/backupDiff';
import { backupHistory } from '../../src/sync/history';
import { human, rejectsWith, useTempStore } from '../helpers';
import { envOf } from './fixtures';

describe('backup changes (the Backup History diffs)', function () {
  this.timeout(120_000);
  let store: Store;
  useTempStore((s) => (store = s));
  const vault = () => path.join(store.dir, 'vault');
  const repo = () => path.join(store.dir, 'backup');
  const backup = async () => (await runBackup(envOf(store, vault()), {})).commit!;

  it('lists the rows (fields that changed) and files a backup changed; each side opens as it was', async () => {
    fs.mkdirSync(vault(), { recursive: true });
    fs.writeFileSync(path.join(vault(), 'Plan.md'), '# Plan\n\nFirst draft.\n');
    const project = await store.write((orm) => createProject(orm, human, { name: 'Apollo' }));
    const task = await store.write((orm) => createTask(orm, human, { projectId: project.id, title: 'Launch' }));
    const first = await backup();
    const initial = await backupChanges(repo(), first);
    assert.equal(initial.parent, null);
    assert.deepEqual(initial.rows.filter((r) => r.table === 'tasks').map((r) => [r.change, r.label]), [['added', 'Launch']]);
    assert.deepEqual(initial.files, [{ path: 'files/vault/Plan.md', change: 'added' }]);

    await store.write((orm) => updateTask(orm, human, task.id, task.version, { title: 'Launch day', status: 'in_progress' }));
    fs.writeFileSync(path.join(vault(), 'Plan.md'), '# Plan\n\nSecond draft.\n');
    fs.writeFileSync(path.join(vault(), 'New.md'), '# New\n');
    const second = await backup();
    const c = await backupChanges(repo(), second);
    assert.equal(c.parent, first);
    const taskChange = c.rows.find((r) => r.table === 'tasks')!;
    assert.deepEqual([taskChange.change, taskChange.label, taskChange.key], ['changed', 'Launch day', task.id]);
    assert.ok(taskChange.fields.includes('title') && taskChange.fields.includes('status'), taskChange.fields.join());
    assert.ok(!taskChange.fields.includes('version'), 'bookkeeping is left out');
    assert.equal(c.rows.at(-1)!.table, 'events', 'the event log comes last');
    assert.deepEqual(c.files, [
      { path: 'files/vault/New.md', change: 'added' },
      { path: 'files/vault/Plan.md', change: 'changed' },
    ]);

    const row = (ref: string) => backupItem(repo(), ref, { table: 'tasks', key: task.id });
    assert.match((await row(first))!, /^ {2}"title": "Launch",$/m);
    assert.match((await row(second))!, /^ {2}"title": "Launch day",$/m);
    assert.equal(await backupItem(repo(), first, { table: 'tasks', key: 'no-such-task' }), null);
    assert.equal(await backupItem(repo(), first, { path: 'files/vault/Plan.md' }), '# Plan\n\nFirst draft.\n');
    assert.equal(await backupItem(repo(), first, { path: 'files/vault/New.md' }), null, 'not there yet');

    const history = await backupHistory(repo(), 10);
    assert.deepEqual(history.entries.map((e) => e.pushed), [null, null], 'no remote: nothing to say');
  });

  it('refuses what is no backup item: a path outside files/, a table that is no name, an unknown backup', async () => {
    fs.mkdirSync(vault(), { recursive: true });
    const first = await backup();
    await rejectsWith(backupItem(repo(), first, { path: 'manifest.json' }), 'invalid', /is not a file of a backup/);
    await rejectsWith(backupItem(repo(), first, { path: 'files/../manifest.json' }), 'invalid', /is not a file of a backup/);
    await rejectsWith(backupItem(repo(), first, { table: 'tasks; drop', key: 'x' }), 'invalid', /is not a table name/);
    await rejectsWith(backupChanges(repo(), 'deadbeef'), 'not_found', /There is no backup "deadbeef"/);
  });
});
