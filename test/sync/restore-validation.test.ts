// Rows read from a backup are checked like a write's params are (the same zod rules): a row with a value of the
// wrong type, beyond the limits a write has, or outside its set is refused with its file and line before anything
// is replaced, whether the restore patches a copy of the store or builds from the whole backup; rows a sync brings
// from the remote are checked the same way. Every exported table has its rules.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { recordAgentRun } from '../../src/store/agents/runs';
import type { StoreError } from '../../src/store/errors';
import { createEntities, createRelations } from '../../src/store/graph/graph';
import { tablesWithoutRules } from '../../src/store/snapshot/rowRules';
import { tableCatalog } from '../../src/store/snapshot/tables';
import { Store } from '../../src/store/store';
import { getTask, updateTask } from '../../src/store/tasks';
import { runBackup, type BackupEnv } from '../../src/sync/backup';
import { runRestore } from '../../src/sync/restore';
import { runSync } from '../../src/sync/sync';
import { cli, human, requireBuilt, tempDir } from '../helpers';
import { canonicalDump, closeClones, envOf, git, populate, syncedPair, tamper, type Tampered } from './fixtures';

type Row = Record<string, unknown>;

/** Bad rows and the column each must be refused for. */
const BAD_ROWS: { table: string; column: string; edit: (row: Row) => Row; pick?: (row: Row) => boolean }[] = [
  { table: 'tasks', column: 'version', edit: (r) => ({ ...r, version: 'one' }) },
  { table: 'tasks', column: 'tags', edit: (r) => ({ ...r, tags: 5 }) },
  { table: 'tasks', column: 'tags', edit: (r) => ({ ...r, tags: '["a", 3]' }) },
  { table: 'tasks', column: 'description', edit: (r) => ({ ...r, description: 'x'.repeat(5_000_000) }) },
  { table: 'tasks', column: 'description', edit: (r) => ({ ...r, description: `enc:v1:${'A'.repeat(5_000_000)}` }) },
  { table: 'tasks', column: 'title', edit: (r) => ({ ...r, title: 'two\nlines' }) },
  { table: 'tasks', column: 'status', edit: (r) => ({ ...r, status: 'someday' }) },
  { table: 'tasks', column: 'quality_score', edit: (r) => ({ ...r, quality_score: 7 }) },
  { table: 'tasks', column: 'notes', edit: (r) => ({ ...r, notes: '{"not":"a list"}' }) },
  { table: 'projects', column: 'name', edit: (r) => ({ ...r, name: '' }) },
  { table: 'sprints', column: 'status', edit: (r) => ({ ...r, status: 'open' }) },
  { table: 'sprints', column: 'ends_on', edit: (r) => ({ ...r, starts_on: '2026-05-02', ends_on: '2026-05-01' }) },
  { table: 'events', column: 'source', edit: (r) => ({ ...r, source: 'robot' }) },
  { table: 'events', column: 'data', edit: (r) => ({ ...r, data: '"not an object"' }) },
  { table: 'agent_runs', column: 'outcome', edit: (r) => ({ ...r, outcome: 'meh' }) },
  { table: 'graph_entities', column: 'entity_type', edit: (r) => ({ ...r, entity_type: '' }) },
  { table: 'graph_relations', column: 'relation_type', edit: (r) => ({ ...r, relation_type: 'line\nbreak' }) },
  { table: 'graph_observations', column: 'content', edit: (r) => ({ ...r, content: 42 }) },
];

async function filledStore(dir: string): Promise<Store> {
  const store = await Store.open(dir);
  const ids = await populate(store, 40);
  await store.write((orm) => recordAgentRun(orm, human, { agent: 'writer', taskId: ids[0], outcome: 'success', qualityScore: 0.5 }));
  await createEntities(store, human, [
    { name: 'Alice', entityType: 'person', observations: ['likes tea'] },
    { name: 'Bob', entityType: 'person', observations: [] },
  ]);
  await createRelations(store, human, [{ from: 'Alice', to: 'Bob', relationType: 'knows' }]);
  return store;
}

const refusal = (t: Tampered, table: string, column: string) => (e: StoreError) => {
  assert.equal(e.kind, 'corrupt', e.message);
  const where = `${t.rel} line ${t.line} is not a valid ${table} row (${column}`;
  assert.ok(e.message.startsWith(where) && /^[.:]/.test(e.message.slice(where.length)), `"${e.message.slice(0, 300)}" starts with "${where}: " (or a place inside it)`);
  assert.match(e.message, /Nothing was changed\.$/);
  assert.doesNotMatch(e.message, /SQLITE|constraint|\n\s+at /);
  return true;
};

/**
 * Each of BAD_ROWS in a commit made on `base`: its restore is refused naming the file, line and column, and the
 * store keeps every row it had. `afterRefusal` checks more after each.
 */
async function refusesEveryBadRow(store: Store, env: BackupEnv, repo: string, base: string, afterRefusal: () => void = () => undefined): Promise<void> {
  const before = await canonicalDump(store);
  for (const bad of BAD_ROWS) {
    const t = tamper(repo, base, bad.table, bad.edit, bad.pick);
    await assert.rejects(runRestore(env, {}, t.commit), refusal(t, bad.table, bad.column), `${bad.table}.${bad.column}`);
    afterRefusal();
    assert.deepEqual((await canonicalDump(store)).tables, before.tables, `nothing changed (${bad.table}.${bad.column})`);
  }
}

describe('restore: every row is checked like a write', function () {
  this.timeout(300_000);
  before(requireBuilt);
  afterEach(closeClones);

  it('a bad row in a changed shard (a patched copy) is refused with its file and line; nothing changes', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await filledStore(dir);
    try {
      const env = envOf(store, path.join(dir, 'vault'));
      const repo = path.join(dir, 'backup');
      const base = (await runBackup(env, {})).commit!;
      await refusesEveryBadRow(store, env, repo, base);
      // The untouched backup still restores.
      await runRestore(env, {}, base);
    } finally {
      await store.close();
    }
  });

  it('a bad row is refused the same way when the database is built from the whole backup (most shards differ)', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await filledStore(dir);
    try {
      const built: number[] = [];
      const env = { ...envOf(store, path.join(dir, 'vault')), onProgress: (p: { phase: string; total?: number }) => p.phase === 'build' && p.total !== undefined && built.push(p.total) };
      const repo = path.join(dir, 'backup');
      const base = (await runBackup(env, {})).commit!;
      await populate(store, 300); // most shards now differ from the backup's: it is loaded whole into a new file
      await refusesEveryBadRow(store, env, repo, base, () => assert.deepEqual(built.splice(0), [], 'refused before anything was built'));
      await runRestore(env, {}, base);
      assert.ok(built.length > 0, 'the untouched backup is built whole');
    } finally {
      await store.close();
    }
  });

  it('a bad row the store already holds does not block a restore: the restore puts it right', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await filledStore(dir);
    try {
      const env = envOf(store, path.join(dir, 'vault'));
      const base = (await runBackup(env, {})).commit!;
      // As a restore made before rows were checked could leave it: a task that no update can name the version of.
      const { id } = (await store.conn.get<{ id: string }>('select id from tasks order by id limit 1'))!;
      const backedUp = await store.read((orm) => getTask(orm, id));
      await store.conn.run("update tasks set version = 'one', tags = '5' where id = ?", [id]);
      await runBackup(env, {}, { full: true }); // (written without an event: only a full comparison sees it)
      await runRestore(env, {}, base);
      const task = await store.read((orm) => getTask(orm, id));
      assert.deepEqual(task.tags, backedUp.tags);
      assert.ok(Number.isInteger(task.version) && task.version > backedUp.version, `version ${task.version}`);
      await store.write((orm) => updateTask(orm, human, id, task.version, { title: 'changeable again' }));
    } finally {
      await store.close();
    }
  });

  it('cairn restore names the file, the line and the field, without a stack trace', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await filledStore(dir);
    const repo = path.join(dir, 'backup');
    const base = (await runBackup(envOf(store, path.join(dir, 'vault')), {})).commit!;
    await store.close();
    const t = tamper(repo, base, 'tasks', (r) => ({ ...r, version: 'one' }));
    const r = cli(['--store', dir, 'restore', t.commit, '--yes']);
    assert.notEqual(r.status, 0);
    assert.ok(r.stderr.includes(`${t.rel} line ${t.line} is not a valid tasks row (version: `), r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at |SQLITE/);
  });

  it('rows a sync brings from the remote are checked too: a bad one stops the sync before the store changes', async () => {
    const { bare, a, b } = await syncedPair(6);
    const t = tamper(bare, git(bare, 'rev-parse', 'main'), 'tasks', (r) => ({ ...r, version: 'one', title: 'edited on the remote' }), () => true, bare);
    git(bare, 'update-ref', 'refs/heads/main', t.commit);
    await populate(a.store, 1); // A has changes of its own: its sync merges (B's fast-forwards)
    for (const c of [b, a]) {
      const before = await canonicalDump(c.store);
      await assert.rejects(runSync(c.env, {}), (e: StoreError) => {
        assert.equal(e.kind, 'corrupt', e.message);
        assert.ok(e.message.includes(`${t.rel} line ${t.line} is not a valid tasks row (version: `), e.message);
        return true;
      });
      assert.deepEqual((await canonicalDump(c.store)).tables, before.tables);
      // Refused at once, not left for the next command to clean up: the merge is gone and no sync is pending.
      assert.equal(git(c.repo, 'status', '--porcelain'), '', 'the working tree and index are back at HEAD');
      assert.deepEqual(fs.readdirSync(path.join(c.repo, '.git', 'cairn')).filter((f) => /pending|in-progress/.test(f)), [], 'no marker of an unfinished sync');
    }
  });

  it('a remote line that is no row (not JSON, cut short after its key, a sealed_fields that is no list) stops the sync by file and line; nothing changes', async () => {
    const damaged: { what: string; edit: (r: Row) => Row | string; problem: string }[] = [
      { what: 'not JSON', edit: () => 'this line is not JSON', problem: 'not JSON: ' },
      { what: 'cut short after its key', edit: (r) => `{"id":"${String(r.id)}","title":"cut short`, problem: 'not JSON: ' },
      { what: 'sealed_fields no list', edit: (r) => ({ ...r, title: 'edited on the remote', sealed_fields: 'not a list' }), problem: 'sealed_fields: ' },
    ];
    for (const d of damaged) {
      const { bare, a, b, ids } = await syncedPair(6);
      const target = ids[0]!;
      const t = tamper(bare, git(bare, 'rev-parse', 'main'), 'tasks', d.edit, (r) => r.id === target, bare);
      git(bare, 'update-ref', 'refs/heads/main', t.commit);
      // A changed another field of the same task: its sync merges that row field by field (B's fast-forwards).
      await a.store.write(async (orm) => updateTask(orm, human, target, (await getTask(orm, target)).version, { description: 'edited on A' }));
      for (const c of [b, a]) {
        const before = await canonicalDump(c.store);
        await assert.rejects(runSync(c.env, {}), (e: StoreError) => {
          assert.equal(e.kind, 'corrupt', `${d.what}: ${e.message}`);
          assert.ok(e.message.includes(`${t.rel} line ${t.line} is not a valid tasks row (${d.problem}`), `${d.what}: ${e.message}`);
          assert.match(e.message, /Nothing was applied to this store; revert or fix that commit on the remote, then sync again\.$/);
          assert.doesNotMatch(e.message, /\n\s+at /);
          return true;
        });
        assert.deepEqual((await canonicalDump(c.store)).tables, before.tables, `${d.what}: the store is unchanged`);
        assert.equal(git(c.repo, 'status', '--porcelain'), '', `${d.what}: the working tree and index are back at HEAD`);
        assert.deepEqual(fs.readdirSync(path.join(c.repo, '.git', 'cairn')).filter((f) => /pending|in-progress/.test(f)), [], `${d.what}: no marker of an unfinished sync`);
      }
      await closeClones();
    }
  });

  it('every exported table and each of its columns has rules; a table without them is named', async () => {
    const store = await Store.open(path.join(tempDir(), 'store'));
    try {
      const specs = (await tableCatalog(store.conn)).source;
      assert.deepEqual(tablesWithoutRules(specs), []);
      assert.deepEqual(tablesWithoutRules([...specs, { name: 'reminders', key: ['id'], columns: ['id', 'due'], omit: [], immutable: false }]), ['reminders']);
      const tasks = specs.find((s) => s.name === 'tasks')!;
      assert.deepEqual(tablesWithoutRules([{ ...tasks, columns: [...tasks.columns, 'colour'] }]), ['tasks.colour']);
    } finally {
      await store.close();
    }
  });
});
