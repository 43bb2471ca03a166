// Export (json rows, markdown documents) and erase of a project, on real stores on disk through `invoke`. Erase must
// leave nothing of the project's content in the database file: checked by grepping the file's bytes after VACUUM.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { invoke, MethodError, type Context } from '../../src/backend/methods';
import { ErrorCodes } from '../../src/backend/protocol';
import type { EraseReport } from '../../src/store/erase';
import type { JsonExport, MarkdownExport } from '../../src/store/export';
import type { StoreEvent } from '../../src/store/events';
import { Store } from '../../src/store/store';
import { cleanupTempDirs, human, tempDir } from '../helpers';

describe('store: export and erase', () => {
  let store: Store;
  let call: (method: string, params?: object) => Promise<any>;

  beforeEach(async () => {
    store = await Store.open(path.join(tempDir(), 'store'));
    const ctx: Context = { store, who: human, vaultDir: path.join(store.dir, 'vault'), agentDirs: [] };
    call = (method, params = {}) => invoke(ctx, method, params);
  });
  afterEach(async () => {
    await store.close();
    cleanupTempDirs();
  });

  /** Two projects: "Apollo" (sprint, parent + subtask, a secret task, a deleted task, an agent run) and "Zeta". */
  async function seed() {
    await call('crypto.init', { passphrase: 'apollo passphrase' });
    const apollo = await call('projects.create', { name: 'Apollo', description: 'Moonshot-PLANS-xyzzy' });
    const zeta = await call('projects.create', { name: 'Zeta' });
    const sprint = await call('sprints.create', { projectId: apollo.id, name: 'Sprint Lunar', goal: 'land-softly-qwerty' });
    const parent = await call('tasks.create', { projectId: apollo.id, sprintId: sprint.id, title: 'Build lander', description: 'Lander-DESIGN-plugh\nsecond line', tags: ['hw'], assignee: 'coder' });
    await call('tasks.create', { projectId: apollo.id, sprintId: sprint.id, parentId: parent.id, title: 'Legs', status: 'done' });
    const secret = await call('tasks.create', { projectId: apollo.id, title: 'Keys', description: 'launch-code-0451', secretFields: ['description'] });
    const gone = await call('tasks.create', { projectId: apollo.id, title: 'Deleted-TASK-frobozz' });
    await call('tasks.delete', { id: gone.id });
    const run = await call('agents.recordRun', { agent: 'coder', taskId: parent.id, outcome: 'success', notes: 'Run-NOTES-grue' });
    const zetaTask = await call('tasks.create', { projectId: zeta.id, title: 'Zeta task stays' });
    return { apollo, zeta, sprint, parent, secret, gone, run, zetaTask };
  }

  it('exports one project as canonical JSON rows with its events, encrypted values kept encrypted', async () => {
    const s = await seed();
    const out: JsonExport = await call('store.export', { format: 'json', projectId: s.apollo.id });
    assert.equal(out.format, 'cairn-export');
    assert.deepEqual(
      Object.fromEntries(Object.entries(out.tables).map(([t, rows]) => [t, rows.length])),
      { projects: 1, sprints: 1, tasks: 3, agent_runs: 1, events: 8, crypto_keys: 1 },
      'events include those of the task deleted earlier',
    );
    const ids = (rows: unknown[]) => rows.map((r) => (r as { id: string }).id);
    assert.deepEqual(ids(out.tables.tasks!), [...ids(out.tables.tasks!)].sort(), 'rows sorted by id');
    const secretRow = out.tables.tasks!.find((t) => (t as { id: string }).id === s.secret.id) as { description: string };
    assert.match(secretRow.description, /^enc:v1:/);
    assert.ok(!JSON.stringify(out).includes('launch-code-0451'));
    assert.ok(!JSON.stringify(out).includes('Zeta'), 'nothing of the other project');
    const seqs = (out.tables.events as StoreEvent[]).map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));

    const whole: JsonExport = await call('store.export', {});
    assert.equal(whole.projectId, null);
    assert.equal(whole.tables.projects!.length, 2);
    assert.equal(whole.tables.events!.length, (await call('events.list', { limit: 1000 })).length);
  });

  it('exports a readable Markdown document per project: sprints, nested subtasks, secret fields when unlocked', async () => {
    const s = await seed();
    const out: MarkdownExport = await call('store.export', { format: 'markdown' });
    assert.deepEqual(out.documents.map((d) => d.name), ['Apollo', 'Zeta']);
    const md = out.documents[0]!.markdown;
    assert.match(md, /^# Apollo\n\nMoonshot-PLANS-xyzzy\n/);
    assert.match(md, /## Sprint: Sprint Lunar \(planned\)\n\nGoal: land-softly-qwerty\n/);
    assert.match(md, new RegExp(`- \\[ \\] \\*\\*Build lander\\*\\* — pending · medium · @coder · #hw \\(\`${s.parent.id}\`\\)\n  Lander-DESIGN-plugh\n  second line\n  - \\[x\\] \\*\\*Legs\\*\\* — done`));
    assert.match(md, /## Not in a sprint\n\n- \[ \] \*\*Keys\*\* — .*encrypted: description.*\n  launch-code-0451/);
    assert.ok(!md.includes('Deleted-TASK-frobozz'));
    assert.equal(out.documents[0]!.fileName, `Apollo-${s.apollo.id}.md`);
  });

  it('erases a project: every row and event about it is gone from the database file, one audited event remains', async () => {
    const s = await seed();
    await assert.rejects(call('projects.erase', { id: s.apollo.id }), (e: MethodError) => e.code === ErrorCodes.InvalidParams && /confirm must be true/.test(e.message));
    const report: EraseReport = await call('projects.erase', { id: s.apollo.id, confirm: true });
    assert.deepEqual(report.removed, { sprints: 1, tasks: 3, agentRuns: 1, memories: 0, sessions: 0, sessionMessages: 0, events: 8 });
    assert.match(report.backups, /next backup no longer contains.*earlier backup commits.*still hold it/);

    const events: StoreEvent[] = await call('events.list', { limit: 1000, order: 'asc' });
    const about = events.filter((e) => JSON.stringify(e).includes(s.apollo.id));
    assert.deepEqual(
      about.map((e) => [e.type, e.aggregateId, e.data]),
      [['project.erased', s.apollo.id, { sprints: 1, tasks: 3, agentRuns: 1, memories: 0, sessions: 0, sessionMessages: 0, events: 8 }]],
    );
    for (const id of [s.sprint.id, s.parent.id, s.secret.id, s.gone.id, s.run.id]) assert.ok(!events.some((e) => JSON.stringify(e).includes(id)), `no event names ${id}`);
    assert.equal((await call('tasks.get', { id: s.zetaTask.id })).title, 'Zeta task stays');
    await assert.rejects(call('projects.get', { id: s.apollo.id }), (e: MethodError) => e.code === ErrorCodes.NotFound);

    await store.conn.exec('VACUUM');
    await store.conn.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    const bytes = Buffer.concat(['cairn.db', 'cairn.db-wal'].map((f) => path.join(store.dir, f)).filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
    for (const text of ['Moonshot-PLANS-xyzzy', 'land-softly-qwerty', 'Lander-DESIGN-plugh', 'Deleted-TASK-frobozz', 'Run-NOTES-grue', 'Sprint Lunar', 'Build lander']) {
      assert.equal(bytes.indexOf(Buffer.from(text)), -1, `"${text}" is not in the database file`);
    }
    assert.ok(bytes.indexOf(Buffer.from('Zeta task stays')) >= 0, 'the other project is (a control for the grep)');
  });

  it('erase of an unknown project is a not-found error and changes nothing', async () => {
    const before = (await call('events.list', { limit: 1000 })).length;
    await assert.rejects(call('projects.erase', { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', confirm: true }), (e: MethodError) => e.code === ErrorCodes.NotFound && /No project with id/.test(e.message));
    assert.equal((await call('events.list', { limit: 1000 })).length, before);
  });
});
