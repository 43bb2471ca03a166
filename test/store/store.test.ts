import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { eq } from 'drizzle-orm';
import { StoreError } from '../../src/store/errors';
import { listEvents } from '../../src/store/events';
import { createProject, deleteProject, listProjects, updateProject } from '../../src/store/projects';
import { projects, tasks } from '../../src/store/schema';
import { createSprint, deleteSprint } from '../../src/store/sprints';
import { Store } from '../../src/store/store';
import { countTasks, createTask, deleteTask, getTask, listTasks, updateTask } from '../../src/store/tasks';
import { cleanupTempDirs, human, openTempStore, tempDir } from '../helpers';

const rejectsWith = async (p: Promise<unknown>, kind: StoreError['kind'], pattern: RegExp) => {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof StoreError, `expected a StoreError, got ${err}`);
    assert.equal(err.kind, kind);
    assert.match(err.message, pattern);
    return true;
  });
};

describe('store', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openTempStore();
  });
  afterEach(async () => {
    await store.close();
    cleanupTempDirs();
  });

  it('opens a new store with WAL, foreign keys, the current schema and sqlite-vec', async () => {
    const h = await store.health();
    assert.equal(h.ok, true);
    assert.equal(h.journalMode, 'wal');
    assert.equal(h.schemaVersion, h.supportedSchemaVersion);
    assert.ok(h.schemaVersion >= 2);
    assert.match(h.vecVersion ?? '', /^v0\.1\./, `sqlite-vec loaded (${h.vecError ?? ''})`);
    const fk = await store.conn.get<{ foreign_keys: number }>('PRAGMA foreign_keys');
    assert.equal(fk?.foreign_keys, 1);
    const vec = await store.conn.get<{ d: number }>("select vec_distance_l2('[1,2]', '[1,5]') as d");
    assert.equal(vec?.d, 3);
  });

  it('a statement that cannot be prepared fails its caller, and the connection keeps serving', async () => {
    // node-sqlite3 never calls back a call queued on a statement whose preparation failed: it must not hang.
    for (const attempt of [1, 2]) {
      await assert.rejects(store.conn.all('select no_such_column from projects'), /no such column/, `attempt ${attempt}`);
      await assert.rejects(store.conn.run('insert into no_such_table values (1)'), /no such table/, `attempt ${attempt}`);
    }
    await assert.rejects(store.write(() => store.conn.all('select no_such_column from tasks')), /no such column/);
    assert.equal((await store.conn.get<{ n: number }>('select count(*) as n from projects'))?.n, 0);
    assert.equal((await store.health()).ok, true);
  });

  it('writes a task and its event in one transaction, with ULID ids', async () => {
    const p = await store.write((o) => createProject(o, human, { name: 'P' }));
    const t = await store.write((o) => createTask(o, human, { projectId: p.id, title: 'T', tags: ['a', 'b'], priority: 'high' }));
    assert.match(t.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.deepEqual((await getTask(store.orm, t.id)).tags, ['a', 'b']);
    const events = await listEvents(store.orm, { aggregateId: t.id, limit: 10, order: 'asc' });
    assert.equal(events.length, 1);
    assert.deepEqual(
      { type: events[0]!.type, version: events[0]!.version, actor: events[0]!.actor, source: events[0]!.source },
      { type: 'task.created', version: 1, actor: 'tester', source: 'cli' },
    );
    assert.equal((events[0]!.data as { title: string }).title, 'T');
  });

  it('refuses a stale version and keeps the newer write', async () => {
    const p = await store.write((o) => createProject(o, human, { name: 'P' }));
    const t = await store.write((o) => createTask(o, human, { projectId: p.id, title: 'T' }));
    const moved = await store.write((o) => updateTask(o, human, t.id, 1, { status: 'in_progress' }));
    assert.equal(moved.version, 2);
    assert.ok(moved.startedAt, 'starting a task stamps startedAt');
    await rejectsWith(store.write((o) => updateTask(o, human, t.id, 1, { status: 'done' })), 'conflict', /changed by someone else .* version 1, it is now at version 2/);
    const now = await getTask(store.orm, t.id);
    assert.equal(now.status, 'in_progress');
    assert.equal(now.version, 2);
    assert.equal((await listEvents(store.orm, { aggregateId: t.id, limit: 10, order: 'asc' })).length, 2);
  });

  it('records status and assignment events with what changed', async () => {
    const p = await store.write((o) => createProject(o, human, { name: 'P' }));
    const t = await store.write((o) => createTask(o, human, { projectId: p.id, title: 'T' }));
    await store.write((o) => updateTask(o, { actor: 'reviewer-agent', source: 'agent' }, t.id, 1, { assignee: 'reviewer-agent' }));
    const done = await store.write((o) => updateTask(o, human, t.id, 2, { status: 'done' }));
    assert.ok(done.completedAt);
    const [assigned, moved] = await listEvents(store.orm, { aggregateId: t.id, afterSeq: 0, limit: 10, order: 'asc' }).then((e) => e.slice(1));
    assert.equal(assigned!.type, 'task.assigned');
    assert.deepEqual(assigned!.data, { from: { assignee: null }, to: { assignee: 'reviewer-agent' } });
    assert.equal(assigned!.source, 'agent');
    assert.equal(moved!.type, 'task.status_changed');
    assert.equal((moved!.data as { to: { status: string } }).to.status, 'done');
  });

  it('an update that changes nothing writes no event', async () => {
    const p = await store.write((o) => createProject(o, human, { name: 'P' }));
    const same = await store.write((o) => updateProject(o, human, p.id, 1, { name: 'P' }));
    assert.equal(same.version, 1);
    assert.equal((await listEvents(store.orm, { limit: 10, order: 'asc' })).length, 1);
  });

  it('rolls back the change when the event cannot be written', async () => {
    const p = await store.write((o) => createProject(o, human, { name: 'P' }));
    // A source outside the allowed set violates the events CHECK constraint, after the task row was inserted.
    await assert.rejects(store.write((o) => createTask(o, { actor: 'x', source: 'nonsense' as 'cli' }, { projectId: p.id, title: 'orphan' })));
    assert.deepEqual(await listTasks(store.orm, {}), []);
  });

  it('keeps the event log append-only', async () => {
    await store.write((o) => createProject(o, human, { name: 'P' }));
    await assert.rejects(store.conn.run("update events set actor = 'forger'"), /append-only/);
  });

  it('filters tasks by project, sprint (or none), status and assignee', async () => {
    const a = await store.write((o) => createProject(o, human, { name: 'A' }));
    const b = await store.write((o) => createProject(o, human, { name: 'B' }));
    const s = await store.write((o) => createSprint(o, human, { projectId: a.id, name: 'S1' }));
    await store.write(async (o) => {
      await createTask(o, human, { projectId: a.id, title: 'a1', sprintId: s.id, assignee: 'x' });
      await createTask(o, human, { projectId: a.id, title: 'a2', status: 'blocked' });
      await createTask(o, human, { projectId: b.id, title: 'b1', assignee: 'x', status: 'done' });
    });
    const titles = async (f: Parameters<typeof listTasks>[1]) => (await listTasks(store.orm, f)).map((t) => t.title);
    assert.deepEqual(await titles({ projectId: a.id }), ['a1', 'a2']);
    assert.deepEqual(await titles({ sprintId: s.id }), ['a1']);
    assert.deepEqual(await titles({ projectId: a.id, sprintId: null }), ['a2']);
    assert.deepEqual(await titles({ status: ['blocked', 'done'] }), ['a2', 'b1']);
    assert.deepEqual(await titles({ assignee: 'x' }), ['a1', 'b1']);
    assert.deepEqual(await titles({ limit: 1, offset: 1 }), ['a2']);
    const counts = await countTasks(store.orm);
    assert.deepEqual([counts.open, counts.total, counts.done, counts.blocked], [2, 3, 1, 1]);
    const listed = await listProjects(store.orm);
    assert.deepEqual(listed.find((p) => p.id === a.id)!.taskCounts, { pending: 1, blocked: 1 });
  });

  it('refuses a sprint or parent from another project, and cycles', async () => {
    const a = await store.write((o) => createProject(o, human, { name: 'A' }));
    const b = await store.write((o) => createProject(o, human, { name: 'B' }));
    const sb = await store.write((o) => createSprint(o, human, { projectId: b.id, name: 'SB' }));
    await rejectsWith(store.write((o) => createTask(o, human, { projectId: a.id, title: 't', sprintId: sb.id })), 'invalid', /belongs to another project/);
    const parent = await store.write((o) => createTask(o, human, { projectId: a.id, title: 'parent' }));
    const child = await store.write((o) => createTask(o, human, { projectId: a.id, title: 'child', parentId: parent.id }));
    await rejectsWith(store.write((o) => updateTask(o, human, parent.id, 1, { parentId: child.id })), 'invalid', /subtask of itself/);
    await rejectsWith(store.write((o) => createTask(o, human, { projectId: 'nope', title: 't' })), 'not_found', /No project with id nope/);
  });

  it('deleting a project removes its sprints and tasks and logs each one', async () => {
    const p = await store.write((o) => createProject(o, human, { name: 'P' }));
    const s = await store.write((o) => createSprint(o, human, { projectId: p.id, name: 'S' }));
    const t = await store.write((o) => createTask(o, human, { projectId: p.id, title: 'T', sprintId: s.id }));
    assert.deepEqual(await store.write((o) => deleteProject(o, human, p.id, 1)), { sprints: 1, tasks: 1 });
    assert.deepEqual(await listTasks(store.orm, {}), []);
    const last = await listEvents(store.orm, { limit: 3, order: 'desc' });
    assert.deepEqual(last.map((e) => [e.type, e.aggregateId, e.version]), [
      ['project.deleted', p.id, 2],
      ['sprint.deleted', s.id, 2],
      ['task.deleted', t.id, 2],
    ]);
  });

  it('deleting a sprint keeps its tasks, without a sprint, and versions them', async () => {
    const p = await store.write((o) => createProject(o, human, { name: 'P' }));
    const s = await store.write((o) => createSprint(o, human, { projectId: p.id, name: 'S' }));
    const t = await store.write((o) => createTask(o, human, { projectId: p.id, title: 'T', sprintId: s.id }));
    await store.write((o) => deleteSprint(o, human, s.id));
    const after = await getTask(store.orm, t.id);
    assert.equal(after.sprintId, null);
    assert.equal(after.version, 2);
    await store.write((o) => updateTask(o, human, t.id, 2, { title: 'still editable' }));
  });

  it('deleting a parent task frees its subtasks', async () => {
    const p = await store.write((o) => createProject(o, human, { name: 'P' }));
    const parent = await store.write((o) => createTask(o, human, { projectId: p.id, title: 'parent' }));
    const child = await store.write((o) => createTask(o, human, { projectId: p.id, title: 'child', parentId: parent.id }));
    await store.write((o) => deleteTask(o, human, parent.id, 1));
    const freed = await getTask(store.orm, child.id);
    assert.deepEqual([freed.parentId, freed.version], [null, 2]);
  });

  it('drizzle joins of tables that share column names keep both sides', async () => {
    const p = await store.write((o) => createProject(o, human, { name: 'Joined' }));
    const t = await store.write((o) => createTask(o, human, { projectId: p.id, title: 'Row' }));
    const [row] = await store.orm.select().from(tasks).innerJoin(projects, eq(tasks.projectId, projects.id));
    assert.equal(row!.tasks.id, t.id);
    assert.equal(row!.projects.id, p.id);
    assert.equal(row!.projects.name, 'Joined');
    assert.equal(row!.tasks.title, 'Row');
  });

  it('serializes concurrent transactions on one connection', async () => {
    const p = await store.write((o) => createProject(o, human, { name: 'P' }));
    // 50 writers started at once: without the connection's lock, their BEGINs would collide
    // ("cannot start a transaction within a transaction") or land statements inside each other's transactions.
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => store.write((o) => createTask(o, human, { projectId: p.id, title: `t${i}` }))));
    assert.deepEqual(results.filter((r) => r.status === 'rejected'), []);
    assert.equal((await listTasks(store.orm, {})).length, 50);
    // A failing transaction rolls back only itself.
    const mixed = await Promise.allSettled([
      store.write((o) => createTask(o, human, { projectId: p.id, title: 'ok-1' })),
      store.write(async (o) => {
        await createTask(o, human, { projectId: p.id, title: 'rolled-back' });
        throw new Error('boom');
      }),
      store.write((o) => createTask(o, human, { projectId: p.id, title: 'ok-2' })),
    ]);
    assert.deepEqual(mixed.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    const titles = (await listTasks(store.orm, {})).map((t) => t.title);
    assert.ok(titles.includes('ok-1') && titles.includes('ok-2') && !titles.includes('rolled-back'));
  });

  it('records slow queries for health()', async () => {
    const dir = tempDir();
    const seen: string[] = [];
    const slow = await Store.open(path.join(dir, 's'), { slowQueryMs: 20, onSlowQuery: (q) => seen.push(q.sql) });
    try {
      // Deliberately slow: counts to three million in a recursive CTE.
      const sql = 'with recursive n(i) as (select 1 union all select i + 1 from n where i < 3000000) select count(*) as c from n';
      await slow.conn.get(sql);
      const h = await slow.health();
      assert.ok(h.slowQueries.some((q) => q.sql === sql && q.ms >= 20), JSON.stringify(h.slowQueries));
      assert.ok(seen.includes(sql), 'onSlowQuery was told');
      assert.equal(h.slowQueryThresholdMs, 20);
    } finally {
      await slow.close();
    }
  });

  it('reopens an existing store without migrating or copying it', async () => {
    const dir = store.dir;
    await store.write((o) => createProject(o, human, { name: 'kept' }));
    await store.close();
    store = await Store.open(dir);
    assert.equal(store.migration.from, store.migration.to);
    assert.equal(fs.existsSync(path.join(dir, 'backups')), false);
    assert.deepEqual((await listProjects(store.orm)).map((p) => p.name), ['kept']);
  });
});
