// Opening a small store checks it (PRAGMA quick_check) unless neither cairn.db nor its -wal changed since a check
// found it intact (cairn.db.checked): then it is read without checking again, and the check runs before its first
// write, so a write never lands in a damaged database, even one whose damage changed no stamp.
import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stampsOf } from '../../src/store/cleanCheck';
import { StoreError } from '../../src/store/errors';
import { createProject, listProjects } from '../../src/store/projects';
import { Store, type StoreOptions } from '../../src/store/store';
import { createTask } from '../../src/store/tasks';
import { cleanupTempDirs, damageTasks, human, tempDir } from '../helpers';

/**
 * Opens the store, noting every statement it runs (slowQueryMs 0 reports them all). Without sqlite-vec: its version
 * query would be the first statement logged, and the log's write at close would change the database.
 */
async function openNoting(dir: string, options: StoreOptions = {}): Promise<{ store: Store; statements: string[] }> {
  const statements: string[] = [];
  const store = await Store.open(dir, { loadVec: false, ...options, slowQueryMs: 0, onSlowQuery: (q) => statements.push(q.sql) });
  return { store, statements };
}

const checks = (statements: string[]) => statements.filter((s) => /quick_check/.test(s)).length;
const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A closed store with a project of 50 tasks. */
async function storeWithTasks(): Promise<string> {
  const dir = path.join(tempDir(), 'store');
  const store = await Store.open(dir);
  await store.write(async (orm) => {
    const p = await createProject(orm, human, { name: 'Checked' });
    for (let i = 0; i < 50; i++) await createTask(orm, human, { projectId: p.id, title: `Task ${i}` });
  });
  await store.close();
  return dir;
}

describe('the damage check at open, skipped for a store unchanged since a clean one', function () {
  this.timeout(60_000);
  afterEach(cleanupTempDirs);

  it('reads without checking again; the first write checks first; a changed database is checked at the next open', async () => {
    const dir = await storeWithTasks();
    const file = path.join(dir, 'cairn.db');

    const first = await openNoting(dir);
    assert.equal(checks(first.statements), 1, 'the first open checks');
    await first.store.close();
    assert.equal(fs.readFileSync(`${file}.checked`, 'utf8').trim(), stampsOf(file), 'the clean check is recorded with the stamps');

    const second = await openNoting(dir);
    assert.equal(checks(second.statements), 0, 'unchanged since the clean check: not checked at open');
    assert.equal((await second.store.read((orm) => listProjects(orm))).length, 1);
    assert.equal(checks(second.statements), 0, 'reading does not check');
    await second.store.write((orm) => createProject(orm, human, { name: 'Second' }));
    await second.store.write((orm) => createProject(orm, human, { name: 'Third' }));
    assert.equal(checks(second.statements), 1, 'the first write checked first, once');
    const write = second.statements.findIndex((s) => /insert into "projects"/i.test(s));
    assert.ok(second.statements.findIndex((s) => /quick_check/.test(s)) < write, 'checked before writing');
    await second.store.close();

    const third = await openNoting(dir);
    assert.equal(checks(third.statements), 1, 'written since: checked at open again');
    await third.store.close();
  });

  it('a -wal holding changes since the check means checking again', async () => {
    const dir = await storeWithTasks();
    await (await Store.open(dir)).close(); // checked and recorded
    const writer = await Store.open(dir); // another process, keeping the database open: its changes stay in the -wal
    try {
      const before = await openNoting(dir);
      assert.equal(checks(before.statements), 0);
      await before.store.close();
      await writer.write((orm) => createProject(orm, human, { name: 'In the WAL' }));
      const after = await openNoting(dir);
      assert.equal(checks(after.statements), 1, 'the -wal changed: checked');
      await after.store.close();
    } finally {
      await writer.close();
    }
  });

  it('damage that left every stamp as recorded is still caught before a write: refused, nothing written, and the next open checks', async () => {
    const dir = await storeWithTasks();
    const file = path.join(dir, 'cairn.db');
    await (await Store.open(dir)).close(); // checked and recorded
    await damageTasks(file);
    // A fault that changes no stamp (the record rewritten to the damaged file's stamps stands in for one).
    fs.writeFileSync(`${file}.checked`, `${stampsOf(file)}\n`);
    const damaged = sha256(file);

    const store = await Store.open(dir); // not checked: opens
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        await assert.rejects(
          store.write((orm) => createProject(orm, human, { name: 'Never written' })),
          (e: unknown) => e instanceof StoreError && e.kind === 'corrupt' && /is damaged [\s\S]*restore/.test(e.message),
        );
      }
    } finally {
      await store.close();
    }
    assert.equal(sha256(file), damaged, 'the damaged file was not written');
    assert.equal(fs.existsSync(`${file}.checked`), false, 'the record is gone');
    await assert.rejects(Store.open(dir), (e: unknown) => e instanceof StoreError && e.kind === 'corrupt', 'the next open checks and refuses');
  });

  it('checkAtOpen "always" checks whatever the record says', async () => {
    const dir = await storeWithTasks();
    await (await Store.open(dir)).close();
    const always = await openNoting(dir, { checkAtOpen: 'always' });
    assert.equal(checks(always.statements), 1);
    await always.store.close();
  });
});
