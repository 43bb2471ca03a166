// The guard against mass deletion: a backup that would commit, or a sync that would apply (either direction), the
// removal of many rows that no deletion in the event log explains stops and asks (StoreError mass_delete with the
// counts; CLI --allow-mass-delete; RPC allowMassDelete), while deletions the user made — a project with 60 tasks,
// an erase, a graph entity with its observations — go through. Rows are removed behind Cairn's back with a raw
// SQLite connection, as a bug, a bad copy or a damaged disk would.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as sqlite3 from '@vscode/sqlite3';
import { eraseProject } from '../../src/store/erase';
import { StoreError } from '../../src/store/errors';
import { addObservations, createEntities, deleteEntities } from '../../src/store/graph/graph';
import { createProject, deleteProject, listProjects } from '../../src/store/projects';
import { createTask, getTask, listTasks, updateTask } from '../../src/store/tasks';
import { Store } from '../../src/store/store';
import { runBackup, type Progress } from '../../src/sync/backup';
import { listed, type TableRemoval } from '../../src/sync/massDelete';
import { runRestore } from '../../src/sync/restore';
import { runSync } from '../../src/sync/sync';
import { cli, human, requireBuilt, startBackend, tempDir } from '../helpers';
import { clone, closeClones, envOf, git, populate, syncedPair, type Clone } from './fixtures';

/** Deletes rows behind Cairn's back (no events), on a connection of its own. */
function removeBehindCairnsBack(file: string, sql: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READWRITE, (err) => {
      if (err) return reject(err);
      db.exec(`PRAGMA foreign_keys = ON; ${sql}`, (e) => db.close(() => (e ? reject(e) : resolve())));
    });
  });
}

const firstTasks = (n: number) => `delete from tasks where id in (select id from tasks order by id limit ${n})`;
const taskCount = async (store: Store) => (await listTasks(store.orm, {})).length;

async function massDelete(p: Promise<unknown>): Promise<StoreError> {
  const err = await p.then(
    () => assert.fail('expected a mass_delete refusal, but it went through'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof StoreError && err.kind === 'mass_delete', `expected mass_delete, got ${String(err)}`);
  assert.doesNotMatch(err.message, /\n/);
  return err;
}

async function projectWithTasks(store: Store, name: string, tasks: number): Promise<string> {
  return store.write(async (orm) => {
    const p = await createProject(orm, human, { name });
    for (let i = 0; i < tasks; i++) await createTask(orm, human, { projectId: p.id, title: `${name} ${i}` });
    return p.id;
  });
}

describe('the mass deletion guard', function () {
  this.timeout(300_000);
  afterEach(closeClones);

  async function backedUp(tasks: number): Promise<Clone> {
    const c = await clone(tempDir(), 'a', null);
    await populate(c.store, tasks);
    assert.equal((await runBackup(c.env, {})).status, 'committed');
    return c;
  }

  it('backup: 60 of 100 tasks removed with no event → refused with the counts, nothing committed; allowed → committed', async () => {
    const c = await backedUp(100);
    const head = git(c.repo, 'rev-parse', 'HEAD');
    await removeBehindCairnsBack(c.store.file, firstTasks(60));
    const err = await massDelete(runBackup(c.env, {}));
    assert.deepEqual(err.data?.tables, { tasks: { removed: 60, unexplained: 60, held: 100 } });
    assert.deepEqual([err.data?.operation, err.data?.direction], ['backup', 'outgoing']);
    assert.match(err.message, /^The backup would remove 60 of the 100 tasks the last backup held, and no deletion in the event log explains it .* Nothing was committed\. .*--allow-mass-delete/);
    assert.equal(git(c.repo, 'rev-parse', 'HEAD'), head, 'nothing committed');
    assert.equal(git(c.repo, 'status', '--porcelain'), '', 'the working tree is back at HEAD');

    const allowed = await runBackup(c.env, {}, { allowMassDelete: true });
    assert.equal(allowed.status, 'committed');
    assert.equal(allowed.changes.tasks?.removed, 60);
  });

  it('backup: on a small table, more than half removed with no event is refused; less than half is not', async () => {
    const c = await backedUp(4);
    await removeBehindCairnsBack(c.store.file, firstTasks(1));
    assert.equal((await runBackup(c.env, {})).status, 'committed', '1 of 4: not a mass deletion');
    await removeBehindCairnsBack(c.store.file, firstTasks(2));
    const err = await massDelete(runBackup(c.env, {}));
    assert.deepEqual(err.data?.tables, { tasks: { removed: 2, unexplained: 2, held: 3 } });
  });

  it('backup: what the user deleted goes through — a project with 60 tasks, an erased project of 60, an entity with 60 observations', async () => {
    const c = await backedUp(10);
    const deleted = await projectWithTasks(c.store, 'Deleted', 60);
    const erased = await projectWithTasks(c.store, 'Erased', 60);
    await createEntities(c.store, human, [{ name: 'Big', entityType: 'thing', observations: [] }]);
    await addObservations(c.store, human, [{ entityName: 'Big', contents: Array.from({ length: 60 }, (_, i) => `fact ${i}`) }]);
    assert.equal((await runBackup(c.env, {})).status, 'committed');

    await c.store.write((orm) => deleteProject(orm, human, deleted));
    await eraseProject(c.store, human, erased);
    await deleteEntities(c.store, human, ['Big']);
    const r = await runBackup(c.env, {});
    assert.equal(r.status, 'committed');
    assert.equal(r.changes.tasks?.removed, 120);
    assert.equal(r.changes.graph_observations?.removed, 60);
    assert.ok((r.changes.events?.removed ?? 0) >= 60, 'the erase removed the events about its tasks');
    assert.deepEqual((await c.store.read((orm) => listProjects(orm))).map((p) => p.name).sort(), ['Alpha', 'Beta ✨']);
  });

  it('restore into a store that lost its rows: the safety backup is not committed, the database is copied aside, and the warning says why without advising a restore', async () => {
    const c = await backedUp(100);
    const head = git(c.repo, 'rev-parse', 'HEAD');
    await removeBehindCairnsBack(c.store.file, firstTasks(100));
    const r = await runRestore(c.env, {}, head);
    assert.equal(await taskCount(c.store), 100, 'the rows are back');
    assert.ok(r.safetyCopy && r.safetyCommit === undefined, 'the state before was copied aside, not committed');
    const [warning, ...others] = r.warnings.filter((w) => w.startsWith('The safety backup was refused'));
    assert.deepEqual(others, []);
    assert.equal(warning, `The safety backup was refused (the store has lost 100 of the 100 tasks its last backup held, and that is never committed over it); the current database and any replaced files were copied to ${r.safetyCopy} instead.`);
  });

  it('restore into a new store (its database lost): the refusal its safety backup would meet is known without making it, and reads the same', async () => {
    const c = await backedUp(100);
    fs.writeFileSync(path.join(c.vault, 'note.md'), '# A note\n');
    assert.equal((await runBackup(c.env, {})).status, 'committed');
    const head = git(c.repo, 'rev-parse', 'HEAD');
    await c.store.close();
    for (const f of fs.readdirSync(c.dir)) if (f.startsWith('cairn.db')) fs.rmSync(path.join(c.dir, f));
    c.store = await Store.open(c.dir, { forRestore: true });
    c.env = envOf(c.store, c.vault);
    // What the backup itself says about this store: every row of the last backup is gone.
    const refusal = await massDelete(runBackup(c.env, {}));
    const lost = (refusal.data as { tables: Record<string, TableRemoval> }).tables;
    assert.deepEqual(Object.keys(lost), ['events', 'projects', 'sprints', 'tasks']);
    assert.equal(git(c.repo, 'status', '--porcelain'), '');

    const phases: Progress[] = [];
    const r = await runRestore({ ...c.env, onProgress: (p) => phases.push(p) }, {}, head);
    const beforeBuild = phases.slice(0, phases.findIndex((p) => p.phase === 'build'));
    assert.deepEqual(beforeBuild.filter((p) => p.operation === 'backup'), [], 'no backup was started to find that out (nothing exported, no file mirrored)');
    assert.ok(r.newStore && r.safetyCopy && r.safetyCommit === undefined);
    assert.deepEqual(r.warnings, [`The safety backup was refused (the store has lost ${listed(lost, 'the')} its last backup held, and that is never committed over it); the current database and any replaced files were copied to ${r.safetyCopy} instead.`]);
    assert.equal(await taskCount(c.store), 100, 'the rows are back');
    assert.equal(git(c.repo, 'rev-parse', 'HEAD~1'), head, 'no safety commit before the restored state');
  });

  it("sync: our backup removing 60 of 100 tasks with no event is refused before anything is fetched, merged or pushed", async () => {
    const { a, bare } = await syncedPair(100);
    const remoteHead = git(bare, 'rev-parse', 'main');
    await removeBehindCairnsBack(a.store.file, firstTasks(60));
    const err = await massDelete(runSync(a.env, {}));
    assert.deepEqual([err.data?.operation, err.data?.direction], ['sync', 'outgoing']);
    assert.match(err.message, /^The sync's backup would remove 60 of the 100 tasks .*Nothing was committed, merged or pushed\. .*cairn sync --allow-mass-delete/);
    assert.equal(git(bare, 'rev-parse', 'main'), remoteHead);
  });

  it("sync: the other machine's unexplained removal of 60 tasks is not applied here unless allowed", async () => {
    const { a, b } = await syncedPair(100);
    await removeBehindCairnsBack(a.store.file, firstTasks(60));
    assert.equal((await runSync(a.env, { allowMassDelete: true })).pushed, true);
    const headB = git(b.repo, 'rev-parse', 'HEAD');

    const err = await massDelete(runSync(b.env, {}));
    assert.deepEqual([err.data?.operation, err.data?.direction], ['sync', 'incoming']);
    assert.deepEqual(err.data?.tables, { tasks: { removed: 60, unexplained: 60, held: 100 } });
    assert.match(err.message, /^The sync would remove from this store 60 of its 100 tasks, and no deletion logged on the other machines explains it .*Nothing was applied or pushed/);
    assert.equal(await taskCount(b.store), 100, "B's store is untouched");
    assert.equal(git(b.repo, 'rev-parse', 'HEAD'), headB);
    assert.equal(git(b.repo, 'status', '--porcelain'), '', "B's working tree is back at its HEAD");

    await runSync(b.env, { allowMassDelete: true });
    assert.equal(await taskCount(b.store), 40);
  });

  it('sync: a project with 60 tasks deleted on one machine is deleted on the other without asking', async () => {
    const { a, b } = await syncedPair(10);
    const doomed = await projectWithTasks(a.store, 'Doomed', 60);
    await runSync(a.env, {});
    await runSync(b.env, {});
    assert.equal(await taskCount(b.store), 70);
    await a.store.write((orm) => deleteProject(orm, human, doomed));
    await runSync(a.env, {});
    await runSync(b.env, {});
    assert.equal(await taskCount(b.store), 10);
  });

  it('sync: 60 tasks added on B to a project A erased go with the erase, without asking', async () => {
    const { a, b } = await syncedPair(10);
    const doomed = await projectWithTasks(a.store, 'Doomed', 3);
    for (const c of [a, b]) await runSync(c.env, {});
    await eraseProject(a.store, human, doomed); // its log counts the 3 tasks A had
    await b.store.write(async (orm) => {
      for (let i = 0; i < 60; i++) await createTask(orm, human, { projectId: doomed, title: `added on B ${i}` });
    });
    await runSync(a.env, {});
    const r = await runSync(b.env, {});
    assert.deepEqual(r.erased.projects, [doomed]);
    assert.equal(await taskCount(b.store), 10, "the erased project's tasks are gone from B, its own too");
    assert.deepEqual((await b.store.read((orm) => listProjects(orm))).map((p) => p.name).sort(), ['Alpha', 'Beta ✨']);
  });

  it('sync: refused as a mass deletion in a later round, the message says what the earlier round applied', async () => {
    const { root, bare, a, b, ids } = await syncedPair(100);
    const rename = (m: Clone, id: string, title: string) => m.store.write(async (orm) => updateTask(orm, human, id, (await getTask(orm, id)).version, { title }));
    await rename(a, ids[0]!, 'from A');
    await runSync(a.env, {});
    const c = await clone(root, 'c', bare);
    await runSync(c.env, {});
    await removeBehindCairnsBack(c.store.file, firstTasks(60));
    await runBackup(c.env, {}, { allowMassDelete: true }); // C's removals, committed but not yet pushed
    await rename(b, ids[1]!, 'from B');
    // B's first round merges A's rename and applies it; as B pushes, C pushes its removals: B's second round meets them.
    const err = await massDelete(runSync({ ...b.env, onSyncProgress: (p) => p.phase === 'push' && p.attempt === 1 && git(c.repo, 'push', '--quiet', 'origin', 'main') }, {}));
    assert.equal(err.data?.direction, 'incoming');
    assert.doesNotMatch(err.message, /Nothing was applied/);
    assert.match(err.message, /These removals were not applied and nothing was pushed; what an earlier round of this sync merged is applied, and backed up locally with your changes \(commit [0-9a-f]{10}\)\./);
    assert.equal((await b.store.read((orm) => getTask(orm, ids[0]!))).title, 'from A', "the first round's merge is in B's store");
    assert.equal(await taskCount(b.store), 100, 'the removals are not');
  });

  describe('the CLI and the backend (dist/)', () => {
    before(requireBuilt);

    it('cairn backup: refused, one line naming --allow-mass-delete; with the flag, committed', async () => {
      const c = await backedUp(100);
      await c.store.close();
      await removeBehindCairnsBack(c.store.file, firstTasks(60));
      const args = ['--store', c.dir, '--vault', c.vault, 'backup'];
      const r = cli(args);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /^cairn: The backup would remove 60 of the 100 tasks .*--allow-mass-delete.*\n$/);
      const ok = cli([...args, '--allow-mass-delete']);
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(ok.stdout, /60 tasks removed/);
    });

    it('RPC backup.run: MassDelete (-32010) with the counts in data; allowMassDelete: true commits', async () => {
      const c = await backedUp(100);
      await removeBehindCairnsBack(c.store.file, firstTasks(60));
      const backend = startBackend(c.dir, ['--vault', c.vault]);
      try {
        const err = (await backend.rpc.sendRequest('backup.run', {}).then(
          () => assert.fail('backup.run went through'),
          (e: unknown) => e,
        )) as { code: number; data: { kind: string; tables: unknown } };
        assert.equal(err.code, -32010);
        assert.deepEqual(err.data.tables, { tasks: { removed: 60, unexplained: 60, held: 100 } });
        assert.equal(err.data.kind, 'mass_delete');
        const r = (await backend.rpc.sendRequest('backup.run', { allowMassDelete: true })) as { status: string };
        assert.equal(r.status, 'committed');
        await assert.rejects(backend.rpc.sendRequest('sync.run', { allowMassDelete: 'yes' }), /allowMassDelete must be true or false/);
      } finally {
        await backend.stop();
      }
    });
  });
});
