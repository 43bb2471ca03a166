// Several processes writing to one store at the same time, and a writer killed in the middle of its work.
// The writers are real processes (test/backend/fixtures/add-tasks.ts) calling the real backend method
// tasks.create against a real SQLite file; nothing here is mocked.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { invoke, type Context } from '../../src/backend/methods';
import { Store } from '../../src/store/store';
import { cleanupTempDirs, human, ROOT, tempDir } from '../helpers';

const DRIVER = path.join(__dirname, 'fixtures', 'add-tasks.ts');
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

interface Driver {
  /** Ids printed by the driver, i.e. tasks whose transaction had committed. */
  acked: string[];
  output(): string;
  /** Resolves once the driver has printed "ready" (only with wait = true). */
  ready: Promise<void>;
  /** Resolves once at least n ids have been acknowledged. */
  ackedAtLeast(n: number): Promise<void>;
  go(): void;
  kill(): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startDriver(dir: string, projectId: string, count: number, actor: string, wait: boolean): Driver {
  // `node --import tsx` runs the TypeScript driver with the repository's tsx (cwd = repository root).
  const child = spawn(process.execPath, ['--import', 'tsx', DRIVER, dir, projectId, String(count), actor, ...(wait ? ['--wait'] : [])], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const acked: string[] = [];
  let stdout = '';
  let stderr = '';
  let partial = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const waiters: { n: number; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? ''; // an unfinished line is not an acknowledgement yet
    for (const line of lines) {
      if (line === 'ready') markReady();
      else if (ULID.test(line)) acked.push(line);
      else assert.fail(`driver ${actor} printed an unexpected line: ${JSON.stringify(line)}`);
    }
    for (const w of waiters.filter((w) => acked.length >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      markReady(); // never leave a test waiting on a driver that died before getting ready
      for (const w of waiters.splice(0)) w.resolve();
      resolve({ code, signal });
    }),
  );
  return {
    acked,
    output: () => stdout + stderr,
    ready,
    ackedAtLeast: (n) => (acked.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
    go: () => child.stdin.end('go\n'),
    kill: () => child.kill('SIGKILL'),
    exited,
  };
}

async function createStoreWithProject(): Promise<{ dir: string; projectId: string }> {
  const dir = path.join(tempDir(), 'store');
  const store = await Store.open(dir);
  try {
    const ctx: Context = { store, who: human, vaultDir: path.join(dir, 'vault'), agentDirs: [] };
    const project = (await invoke(ctx, 'projects.create', { name: 'Load' })) as { id: string };
    return { dir, projectId: project.id };
  } finally {
    await store.close();
  }
}

interface StoreFacts {
  integrity: string[];
  tasks: number;
  taskCreatedEvents: number;
  /** Tasks of the project with no task.created event. */
  tasksWithoutEvent: number;
  /** task.created events of the project whose task is missing. */
  eventsWithoutTask: number;
  /** Ids that exist both as a task and as that task's task.created event. */
  complete: Set<string>;
  allEvents: number;
  /** Actor of each task.created event of the project, in commit order. */
  actorsInSeqOrder: string[];
}

async function factsOf(dir: string, projectId: string): Promise<StoreFacts> {
  const store = await Store.open(dir, { create: false });
  try {
    const c = store.conn;
    const n = async (sql: string) => Number((await c.get<{ n: number }>(sql, [projectId]))!.n);
    const createdOfProject = `e.type = 'task.created' and e.aggregate_type = 'task' and json_extract(e.data, '$.projectId') = ?`;
    return {
      integrity: (await c.all<{ integrity_check: string }>('PRAGMA integrity_check')).map((r) => r.integrity_check),
      tasks: await n('select count(*) as n from tasks where project_id = ?'),
      taskCreatedEvents: await n(`select count(*) as n from events e where ${createdOfProject}`),
      tasksWithoutEvent: await n(
        `select count(*) as n from tasks t where t.project_id = ? and not exists (select 1 from events e where e.aggregate_type = 'task' and e.aggregate_id = t.id and e.type = 'task.created')`,
      ),
      eventsWithoutTask: await n(`select count(*) as n from events e where ${createdOfProject} and not exists (select 1 from tasks t where t.id = e.aggregate_id)`),
      complete: new Set(
        (
          await c.all<{ id: string }>(
            `select t.id from tasks t join events e on e.aggregate_type = 'task' and e.aggregate_id = t.id and e.type = 'task.created' where t.project_id = ?`,
            [projectId],
          )
        ).map((r) => r.id),
      ),
      allEvents: Number((await c.get<{ n: number }>('select count(*) as n from events'))!.n),
      actorsInSeqOrder: (await c.all<{ actor: string }>(`select actor from events e where ${createdOfProject} order by seq`, [projectId])).map((r) => r.actor),
    };
  } finally {
    await store.close();
  }
}

describe('concurrent writers (real processes, one store)', function () {
  this.timeout(180_000); // a guard against hangs only; nothing here asserts on time

  afterEach(cleanupTempDirs);

  it('two processes adding 1,000 tasks each at the same time: every write lands once, with its event, no busy errors', async () => {
    const { dir, projectId } = await createStoreWithProject();
    const a = startDriver(dir, projectId, 1000, 'writer-a', true);
    const b = startDriver(dir, projectId, 1000, 'writer-b', true);
    // Both have opened the store before either starts writing, so the two runs overlap.
    await Promise.all([a.ready, b.ready]);
    a.go();
    b.go();
    const [ea, eb] = await Promise.all([a.exited, b.exited]);

    for (const [d, e, name] of [[a, ea, 'writer-a'], [b, eb, 'writer-b']] as const) {
      assert.deepEqual(e, { code: 0, signal: null }, `${name} failed:\n${d.output().slice(-2000)}`);
      assert.doesNotMatch(d.output(), /SQLITE_BUSY|locked/i, `${name} met a lock`);
      assert.equal(d.acked.length, 1000, `${name} acknowledged ${d.acked.length} tasks`);
    }
    const acked = new Set([...a.acked, ...b.acked]);
    assert.equal(acked.size, 2000, 'acknowledged ids are unique across both writers');

    const f = await factsOf(dir, projectId);
    assert.deepEqual(f.integrity, ['ok']);
    assert.equal(f.tasks, 2000);
    assert.equal(f.taskCreatedEvents, 2000);
    assert.equal(f.allEvents, 2001, 'the 2,000 task.created events plus the project.created event, nothing else');
    assert.equal(f.tasksWithoutEvent, 0);
    assert.equal(f.eventsWithoutTask, 0);
    for (const id of acked) assert.ok(f.complete.has(id), `acknowledged task ${id} is missing or has no event`);
    assert.equal(f.actorsInSeqOrder.filter((x) => x === 'writer-a').length, 1000);
    assert.equal(f.actorsInSeqOrder.filter((x) => x === 'writer-b').length, 1000);
    // Not asserted: that the two writers interleave in commit order. They contend from the same moment (ready/go
    // above), but SQLite's busy handler is not fair: the writer holding the lock often re-takes it before the
    // sleeping one polls, so one writer may well do all its 1,000 while the other waits (seen in about one run
    // in ten). What must hold is that the waiting writer then waits instead of failing, which is asserted above.
  });

  describe('a writer killed with SIGKILL mid-run', () => {
    const TOTAL = 100_000; // far more than it can write before it is killed
    for (const killAfter of [120, 250, 400]) {
      it(`killed after ${killAfter} acknowledged tasks: the store is intact, every acknowledged task is there with its event`, async () => {
        const { dir, projectId } = await createStoreWithProject();
        const d = startDriver(dir, projectId, TOTAL, 'doomed', false);
        await d.ackedAtLeast(killAfter);
        d.kill();
        const e = await d.exited;
        assert.equal(e.signal, 'SIGKILL', `the driver ended on its own (code ${e.code}) before it was killed:\n${d.output().slice(-2000)}`);
        assert.ok(d.acked.length >= killAfter && d.acked.length < TOTAL, `acknowledged ${d.acked.length}`);

        const f = await factsOf(dir, projectId);
        assert.deepEqual(f.integrity, ['ok']);
        for (const id of d.acked) assert.ok(f.complete.has(id), `acknowledged task ${id} is missing or has no task.created event`);
        assert.equal(f.tasksWithoutEvent, 0, 'a task was committed without its event');
        assert.equal(f.eventsWithoutTask, 0, 'an event was committed without its task');
        assert.equal(f.tasks, f.taskCreatedEvents);
        // At most the one transaction in flight when the kill came may have committed without being printed.
        assert.ok(f.tasks - d.acked.length <= 1, `${f.tasks} tasks in the store but ${d.acked.length} acknowledged`);

        // The store keeps working after the crash.
        const store = await Store.open(dir, { create: false });
        try {
          const t = (await invoke({ store, who: human, vaultDir: path.join(dir, 'vault'), agentDirs: [] }, 'tasks.create', { projectId, title: 'after the crash' })) as { id: string };
          assert.match(t.id, ULID);
        } finally {
          await store.close();
        }
        assert.equal((await factsOf(dir, projectId)).tasks, f.tasks + 1);
      });
    }
  });
});
