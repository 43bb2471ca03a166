// A restore into an emptied store fills the source tables with the derived indexes' triggers dropped and builds the
// search index and the metrics once (src/store/derivedIndexes.ts). What it builds must be what the triggers build:
// the reference is a second new store given the restored store's very rows, inserted one by one with every trigger
// firing. Derived tables are compared row by row; the triggers must be back afterwards, and after a load that fails.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { recordAgentRun } from '../../src/store/agents/runs';
import { derivedTriggers, withDerivedIndexesRebuilt } from '../../src/store/derivedIndexes';
import { addObservations, createEntities, createRelations } from '../../src/store/graph/graph';
import { remember } from '../../src/store/memory';
import { createProject } from '../../src/store/projects';
import { appendMessages, endSession, startSession } from '../../src/store/sessions';
import { tableCatalog } from '../../src/store/snapshot/tables';
import { Store } from '../../src/store/store';
import { createTask, deleteTask, getTask, updateTask } from '../../src/store/tasks';
import { runBackup } from '../../src/sync/backup';
import { runRestore } from '../../src/sync/restore';
import { CLI, cleanupTempDirs, human, requireBuilt, tempDir } from '../helpers';
import { envOf, writeVault } from './fixtures';

type Row = Record<string, unknown>;
const agent = { actor: 'coder', source: 'agent' as const };

/** A store with every kind of searchable item and a task history the metrics follow (reopened, deleted, moved). */
async function fill(store: Store): Promise<void> {
  await store.write(async (orm) => {
    const p = [await createProject(orm, human, { name: 'Alpha' }), await createProject(orm, human, { name: 'Beta' })];
    for (let i = 0; i < 60; i++) {
      let t = await createTask(orm, human, { projectId: p[i % 2]!.id, title: `Task ${i} about ${['gardens', 'rivers', 'engines'][i % 3]}`, description: i % 4 ? `Details of ${i}` : '', criteria: i % 5 ? [] : ['it works', `case ${i}`] });
      const step = async (fields: Parameters<typeof updateTask>[4]) => (t = await updateTask(orm, human, t.id, t.version, fields));
      if (i % 3 === 0) await step({ status: 'in_progress' });
      if (i % 6 === 0) await step({ status: 'done' });
      if (i % 12 === 0) await step({ status: 'in_progress' }); // reopened
      if (i % 24 === 0) await step({ status: 'done' });
      if (i % 10 === 7) await step({ title: `Renamed ${i}`, estimatedMinutes: 30 });
      if (i % 8 === 5) await recordAgentRun(orm, agent, { agent: i % 16 === 5 ? 'coder' : 'reviewer', taskId: t.id, outcome: i % 3 ? 'success' : 'failure', durationMs: 1000 * i, tokensIn: 10 * i, qualityScore: 0.5 });
      if (i % 11 === 10) await deleteTask(orm, human, t.id, (await getTask(orm, t.id)).version);
    }
    for (let i = 0; i < 5; i++) await remember(orm, agent, { type: 'fact', content: `Memory ${i}: the river floods in spring`, projectId: p[0]!.id });
    const s = await startSession(orm, agent, { agent: 'coder', projectId: p[1]!.id });
    await appendMessages(orm, agent, s.id, [
      { role: 'user', content: 'Fix the engine' },
      { role: 'assistant', content: 'The engine is fixed' },
    ]);
    await endSession(orm, agent, s.id, { summary: 'Fixed the engine' });
  });
  await createEntities(store, human, [
    { name: 'Pump', entityType: 'machine', observations: ['pumps water', 'needs oil'] },
    { name: 'Valve', entityType: 'machine', observations: ['opens'] },
  ]);
  await createRelations(store, human, [{ from: 'Pump', to: 'Valve', relationType: 'feeds' }]);
  await addObservations(store, human, [{ entityName: 'Valve', contents: ['closes too'] }]);
}

const columnsOf = async (store: Store, table: string) => (await store.conn.all<{ name: string }>(`select name from pragma_table_info(?)`, [table])).map((c) => c.name);

/**
 * A new store holding `source`'s rows, inserted one statement per row in the log's order and then table by table
 * (agent runs last: a run is recorded against a task that exists), every trigger firing as on a normal write.
 */
async function replayed(source: Store, dir: string): Promise<Store> {
  const store = await Store.open(dir);
  const { source: specs } = await tableCatalog(source.conn);
  const tables = [...specs.map((s) => s.name).filter((n) => n !== 'events' && n !== 'agent_runs'), 'agent_runs'];
  await store.write(async () => {
    await store.conn.exec('PRAGMA defer_foreign_keys = ON');
    for (const table of ['events', ...tables]) {
      const cols = await columnsOf(source, table);
      const rows = await source.conn.all<Row>(`select ${cols.map((c) => `"${c}"`).join(', ')} from "${table}" order by rowid`);
      const insert = `insert into "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) values (${cols.map(() => '?').join(', ')})`;
      for (const row of rows) await store.conn.run(insert, cols.map((c) => row[c]) as never);
    }
  });
  return store;
}

/**
 * Every derived table the triggers keep, as sorted text rows: search items by kind and id (their row ids are local;
 * whether each has its vector yet is the semantic indexer's, which the restore's re-index runs).
 */
async function derived(store: Store): Promise<Record<string, string[]>> {
  const q = async (sql: string) => (await store.conn.all<Row>(sql)).map((r) => JSON.stringify(r)).sort();
  const out: Record<string, string[]> = {
    search_items: await q('select kind, item_id from search_items'),
    search_items_fts: await q('select s.kind, s.item_id, f.title, f.body from search_items s join search_items_fts f on f.rowid = s.id'),
    fts_rows: await q('select (select count(*) from search_items_fts) as text'),
  };
  for (const { name } of await store.conn.all<{ name: string }>(`select name from sqlite_master where type = 'table' and name like 'metrics\\_%' escape '\\' order by name`)) {
    // A rollup row whose sums are all 0 counts as no row: the triggers leave one behind when a contribution is
    // withdrawn (a task reopened), a build from the finished tables never writes one.
    const where = name === 'metrics_rollup' ? ' where value <> 0' : name === 'metrics_run_rollup' ? ' where runs <> 0' : '';
    out[name] = await q(`select * from "${name}"${where}`);
  }
  return out;
}

/** FTS5's own check of each index against what it holds (and, for the external-content one, its table). */
async function ftsIntact(store: Store): Promise<void> {
  for (const t of ['search_items_fts']) await store.conn.run(`insert into ${t} (${t}) values ('integrity-check')`);
}

const triggersOf = async (store: Store) => (await store.conn.all<Row>(`select name, tbl_name, sql from sqlite_master where type = 'trigger' order by name`)).map((r) => JSON.stringify(r));

describe('restore into an emptied store: derived indexes built once', function () {
  this.timeout(120_000);
  afterEach(cleanupTempDirs);

  it('holds the search index and every metrics table a store built with its triggers firing holds, and its triggers', async () => {
    const root = tempDir();
    const dir = path.join(root, 'store');
    const vault = path.join(dir, 'vault');
    writeVault(vault, 10);
    let store = await Store.open(dir);
    let reference: Store | undefined;
    try {
      await fill(store);
      const backup = await runBackup(envOf(store, vault), {});
      const before = await derived(store);
      await store.close();
      for (const f of fs.readdirSync(dir)) if (f.startsWith('cairn.db')) fs.rmSync(path.join(dir, f));
      store = await Store.open(dir, { forRestore: true });
      const triggers = await triggersOf(store);
      const result = await runRestore(envOf(store, vault), {}, backup.commit!);
      assert.equal(result.newStore, true);

      reference = await replayed(store, path.join(root, 'reference'));
      const [got, want] = [await derived(store), await derived(reference)];
      for (const table of Object.keys(want)) assert.deepEqual(got[table], want[table], `${table}: as the triggers build it`);
      assert.ok(got.search_items!.length > 60 && got.metrics_task_facts!.length === 60 && got.metrics_run_rollup!.length > 0, 'every kind of row is there');
      // The search index is the one the original store had (metrics differ by the restore's own event).
      for (const table of ['search_items', 'search_items_fts']) assert.deepEqual(got[table], before[table], table);
      assert.deepEqual(await triggersOf(store), triggers, 'the same triggers, as they were');
      await ftsIntact(store);
      assert.deepEqual((await store.conn.all<Row>('PRAGMA integrity_check')).map((r) => r.integrity_check), ['ok']);
    } finally {
      await store.close();
      await reference?.close();
    }
  });

  it('a load that fails midway leaves nothing: no rows, no index rows, every trigger back', async () => {
    const store = await Store.open(path.join(tempDir(), 'store'));
    try {
      const triggers = await triggersOf(store);
      assert.ok((await derivedTriggers(store.conn)).length > 20, 'the search and metrics triggers');
      const project = await store.write((orm) => createProject(orm, human, { name: 'Kept' }));
      await assert.rejects(
        store.write(() =>
          withDerivedIndexesRebuilt(store.conn, async () => {
            assert.deepEqual(await derivedTriggers(store.conn), [], 'dropped while the rows go in');
            await store.write((orm) => createTask(orm, human, { projectId: project.id, title: 'Never kept' }));
            throw new Error('the load failed');
          }),
        ),
        /the load failed/,
      );
      assert.deepEqual(await triggersOf(store), triggers);
      assert.equal((await store.conn.get<{ n: number }>('select count(*) as n from tasks'))!.n, 0);
      assert.equal((await store.conn.get<{ n: number }>('select count(*) as n from search_items'))!.n, 0);
      // The triggers work: a task written now is indexed and counted.
      await store.write((orm) => createTask(orm, human, { projectId: project.id, title: 'Written after' }));
      assert.equal((await store.conn.get<{ n: number }>(`select count(*) as n from search_items_fts where search_items_fts match 'written'`))!.n, 1);
      assert.equal((await store.conn.get<{ n: number }>('select count(*) as n from metrics_task_facts'))!.n, 1);
    } finally {
      await store.close();
    }
  });

  it('a restore into an emptied store killed before its transaction commits leaves the empty store with its triggers; the next one completes', async () => {
    requireBuilt();
    const root = tempDir();
    const dir = path.join(root, 'store');
    const vault = path.join(dir, 'vault');
    writeVault(vault, 5);
    let store = await Store.open(dir);
    try {
      await fill(store);
      const commit = (await runBackup(envOf(store, vault), {})).commit!;
      const want = await derived(store);
      await store.close();
      for (const f of fs.readdirSync(dir)) if (f.startsWith('cairn.db')) fs.rmSync(path.join(dir, f));
      store = await Store.open(dir, { forRestore: true });
      const triggers = await triggersOf(store);
      await store.close();

      const restore = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [CLI, '--store', dir, '--agents', path.join(dir, 'no-agents'), 'restore', commit, '--yes'], { encoding: 'utf8', env: { ...process.env, ...env } });
      const killed = restore({ CAIRN_TEST_CRASH_AT: 'restore:swapping' });
      assert.equal(killed.signal, 'SIGKILL', killed.stderr);
      store = await Store.open(dir, { forRestore: true });
      assert.deepEqual(await triggersOf(store), triggers, 'every trigger is there');
      assert.equal((await store.conn.get<{ n: number }>('select count(*) as n from tasks'))!.n, 0, 'nothing of the restore was kept');
      assert.equal((await store.conn.get<{ n: number }>('select count(*) as n from search_items'))!.n, 0);
      await store.close();

      const again = restore({});
      assert.equal(again.status, 0, again.stderr);
      store = await Store.open(dir);
      const got = await derived(store);
      for (const table of ['search_items', 'search_items_fts', 'metrics_task_facts', 'metrics_task_contribs', 'metrics_task_timeline', 'metrics_run_contribs']) assert.deepEqual(got[table], want[table], table);
      assert.deepEqual(await triggersOf(store), triggers);
      await ftsIntact(store);
    } finally {
      await store.close();
    }
  });
});
