// Task writes per second through the real store API, against raw SQLite inserts on the same driver in the same run.
//
// store, single:   each create is Store.write(createTask) — its own BEGIN IMMEDIATE … COMMIT with the task row and its
//                  task.created event, i.e. what one tasks.create RPC or one `cairn task add` does (minus transport).
// baseline, single: one plain INSERT into a plain table per transaction (BEGIN IMMEDIATE; INSERT; COMMIT), on a
//                  separate @vscode/sqlite3 connection with the store's pragmas (WAL, synchronous NORMAL).
// batched:         N creates inside one Store.write, against N plain INSERTs inside one transaction.
// same work, raw:  a second baseline that does what a create does in SQL — INSERT the task row and its event into
//                  a real Cairn schema (same tables, indexes, constraints) in one transaction — by hand, with no
//                  ORM, validation, lock or ULIDs. store ÷ this = the cost of Cairn's own layer; this ÷ plain =
//                  the cost of the schema and the event log.
//
// batch over RPC:  tasks.createMany (batches of 1,000) to a spawned dist/backend.js over JSON-RPC/stdio, against
//                  the same SQL by hand (task row + event per task) in one transaction: the issue-15 goal for a
//                  batch method is ≥ 0.5× this rate.
//
// Run with `npm run bench -- task-writes` (scripts/bench.mjs); alone: `node --import tsx bench/task-writes.bench.ts`.
// Env: BENCH_OPS (default 2000 ops per trial), BENCH_TRIALS (default 3), BENCH_WARMUP_OPS (default BENCH_OPS),
// CAIRN_BENCH_OUT (where to write the JSON).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as sqlite3 from '@vscode/sqlite3';
import type { Actor } from '../src/store/events';
import { createProject } from '../src/store/projects';
import { Store } from '../src/store/store';
import { createTask } from '../src/store/tasks';
import { newId } from '../src/store/ids';
import { spawn } from 'node:child_process';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { ROOT } from './output';
import { median, round } from './stats';
import { runBench, writeResult } from './output';

const OPS = Number(process.env.BENCH_OPS ?? 2000);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 3);
// A whole trial's worth: besides JIT and caches, the WAL file must first grow to its steady size (the first ~1000
// pages are file extensions, later ones reuse it after each checkpoint), or the first trial reads slow.
const WARMUP_OPS = Number(process.env.BENCH_WARMUP_OPS ?? OPS);
const who: Actor = { actor: 'bench', source: 'cli' };

// --- a minimal promise wrapper over the raw driver (no lock, no ORM, no events: the floor) ---
class Raw {
  private constructor(private readonly db: sqlite3.Database) {}
  static open(file: string): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(file, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE, (err) => (err ? reject(err) : resolve(new Raw(db))));
    });
  }
  run(sql: string, params: unknown[] = []): Promise<void> {
    return new Promise((resolve, reject) => this.db.run(sql, params, (err) => (err ? reject(err) : resolve())));
  }
  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => this.db.exec(sql, (err) => (err ? reject(err) : resolve())));
  }
  get<T>(sql: string): Promise<T> {
    return new Promise((resolve, reject) => this.db.get(sql, (err, row) => (err ? reject(err) : resolve(row as T))));
  }
  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }
}

let rawSeq = 0;
const rawInsert = (raw: Raw) => raw.run('INSERT INTO plain (id, title, created_at) VALUES (?, ?, ?)', [`r${++rawSeq}`, `raw task ${rawSeq}`, new Date().toISOString()]);

async function timeOps(n: number, op: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await op();
  const seconds = (performance.now() - started) / 1000;
  return n / seconds;
}


async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-writes-'));
  let store: Store | undefined;
  let raw: Raw | undefined;
  let rawSchema: Raw | undefined;
  let stopBackend = () => undefined as void;
  try {
    // A real Cairn schema, migrated by Store.open, then written by hand.
    const schemaDir = path.join(dir, 'schema-store');
    const prepared = await Store.open(schemaDir);
    const schemaProject = await prepared.write((orm) => createProject(orm, who, { name: 'Raw' }));
    await prepared.close();
    rawSchema = await Raw.open(path.join(schemaDir, 'cairn.db'));
    const rs = rawSchema;
    await rs.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    const rawSameWork = async () => {
      const id = newId();
      const now = new Date().toISOString();
      await rs.run('BEGIN IMMEDIATE');
      await rs.run('INSERT INTO tasks (id, project_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [id, schemaProject.id, `raw ${id}`, now, now]);
      await rs.run(
        "INSERT INTO events (id, aggregate_type, aggregate_id, version, type, data, actor, source, created_at) VALUES (?, 'task', ?, 1, 'task.created', ?, 'bench', 'cli', ?)",
        [newId(), id, JSON.stringify({ id, title: `raw ${id}` }), now],
      );
      await rs.run('COMMIT');
    };
    const rawSameWorkSingle = (n: number) => async () => {
      for (let i = 0; i < n; i++) await rawSameWork();
    };
    const rawSameWorkBatch = (n: number) => async () => {
      const now = new Date().toISOString();
      await rs.run('BEGIN IMMEDIATE');
      for (let i = 0; i < n; i++) {
        const id = newId();
        await rs.run('INSERT INTO tasks (id, project_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [id, schemaProject.id, `raw ${id}`, now, now]);
        await rs.run(
          "INSERT INTO events (id, aggregate_type, aggregate_id, version, type, data, actor, source, created_at) VALUES (?, 'task', ?, 1, 'task.created', ?, 'bench', 'cli', ?)",
          [newId(), id, JSON.stringify({ id, title: `raw ${id}` }), now],
        );
      }
      await rs.run('COMMIT');
    };

    // A real backend process, written to by tasks.createMany over JSON-RPC.
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'backend.js'), '--store', path.join(dir, 'rpc-store'), '--source', 'agent', '--actor', 'bench'], { stdio: ['pipe', 'pipe', 'ignore'] });
    const rpc = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    rpc.onNotification(() => undefined);
    rpc.listen();
    stopBackend = () => {
      rpc.dispose();
      child.kill();
    };
    const rpcProject = await rpc.sendRequest<{ id: string }>('projects.create', { name: 'Batch' });
    let rpcSeq = 0;
    const rpcBatch = (n: number) => async () => {
      for (let done = 0; done < n; done += 1000) {
        const tasks = Array.from({ length: Math.min(1000, n - done) }, () => ({ projectId: rpcProject.id, title: `task ${++rpcSeq}` }));
        await rpc.sendRequest('tasks.createMany', { tasks });
      }
    };

    store = await Store.open(path.join(dir, 'store'));
    const s = store;
    const project = await s.write((orm) => createProject(orm, who, { name: 'Bench' }));
    raw = await Raw.open(path.join(dir, 'baseline.db'));
    const r = raw;
    await r.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE plain (id TEXT PRIMARY KEY, title TEXT NOT NULL, created_at TEXT NOT NULL);');
    const journal = await r.get<{ journal_mode: string }>('PRAGMA journal_mode');
    if (journal.journal_mode !== 'wal') throw new Error(`baseline journal_mode is ${journal.journal_mode}, expected wal`);

    let seq = 0;
    const storeSingle = (n: number) => async () => {
      for (let i = 0; i < n; i++) await s.write((orm) => createTask(orm, who, { projectId: project.id, title: `task ${++seq}` }));
    };
    const rawSingle = (n: number) => async () => {
      for (let i = 0; i < n; i++) {
        await r.run('BEGIN IMMEDIATE');
        await rawInsert(r);
        await r.run('COMMIT');
      }
    };
    const storeBatch = (n: number) => async () => {
      await s.write(async (orm) => {
        for (let i = 0; i < n; i++) await createTask(orm, who, { projectId: project.id, title: `task ${++seq}` });
      });
    };
    const rawBatch = (n: number) => async () => {
      await r.run('BEGIN IMMEDIATE');
      for (let i = 0; i < n; i++) await rawInsert(r);
      await r.run('COMMIT');
    };

    // Warm up every path before measuring.
    await rawSingle(WARMUP_OPS)();
    await rawSameWorkSingle(WARMUP_OPS)();
    await storeSingle(WARMUP_OPS)();
    await rawBatch(WARMUP_OPS)();
    await storeBatch(WARMUP_OPS)();
    await rawSameWorkBatch(WARMUP_OPS)();
    await rpcBatch(WARMUP_OPS)();

    // Trials interleave baseline and store so that drift (disk, CPU boost, a growing file) hits both alike.
    const trials = {
      single: { store: [] as number[], baseline: [] as number[] },
      batched: { store: [] as number[], baseline: [] as number[] },
      sameWork: { store: [] as number[], baseline: [] as number[] },
      rpcBatch: { store: [] as number[], baseline: [] as number[] },
    };
    // Odd trials run the store first, even ones the baseline first, so neither always goes first.
    for (let t = 0; t < TRIALS; t++) {
      const pairs: [number[], () => Promise<void>, number[], () => Promise<void>][] = [
        [trials.single.baseline, rawSingle(OPS), trials.single.store, storeSingle(OPS)],
        [trials.batched.baseline, rawBatch(OPS), trials.batched.store, storeBatch(OPS)],
        [trials.sameWork.baseline, rawSameWorkSingle(OPS), trials.sameWork.store, storeSingle(OPS)],
        [trials.rpcBatch.baseline, rawSameWorkBatch(OPS), trials.rpcBatch.store, rpcBatch(OPS)],
      ];
      for (const [baseInto, baseOp, storeInto, storeOp] of pairs) {
        if (t % 2 === 0) {
          baseInto.push(await timeOps(OPS, baseOp));
          storeInto.push(await timeOps(OPS, storeOp));
        } else {
          storeInto.push(await timeOps(OPS, storeOp));
          baseInto.push(await timeOps(OPS, baseOp));
        }
      }
    }

    const health = await s.health();
    const summarize = (x: { store: number[]; baseline: number[] }) => {
      const storeOps = median(x.store);
      const baselineOps = median(x.baseline);
      return {
        storeOpsPerSec: round(storeOps),
        baselineOpsPerSec: round(baselineOps),
        /** How many times slower a store create is than a raw insert (baseline ops/s ÷ store ops/s). */
        slowdown: round(baselineOps / storeOps, 2),
        storeMsPerOp: round(1000 / storeOps, 3),
        baselineMsPerOp: round(1000 / baselineOps, 3),
        trials: { store: x.store.map((v) => round(v)), baseline: x.baseline.map((v) => round(v)) },
      };
    };
    const single = summarize(trials.single);
    const batched = summarize(trials.batched);
    const sameWork = summarize(trials.sameWork);
    const rpcBatched = summarize(trials.rpcBatch);
    const result = {
      name: 'task-writes',
      description:
        'Task creates (row + task.created event) per second through Store.write(createTask) vs raw single-row INSERTs into a plain table on the same @vscode/sqlite3 build and pragmas (WAL, synchronous NORMAL); single = one transaction per op, batched = all ops of a trial in one transaction.',
      params: { opsPerTrial: OPS, trials: TRIALS, warmupOps: WARMUP_OPS, statistic: 'median of trials' },
      sqlite: { version: health.sqliteVersion, journalMode: health.journalMode },
      results: { single, batched, sameWork, rpcBatched },
      summary: [
        { metric: 'single-tx creates/s', value: single.storeOpsPerSec, baseline: single.baselineOpsPerSec, ratio: single.slowdown, unit: 'ops/s' },
        { metric: 'batched creates/s', value: batched.storeOpsPerSec, baseline: batched.baselineOpsPerSec, ratio: batched.slowdown, unit: 'ops/s' },
        { metric: 'single-tx creates/s vs same SQL by hand', value: sameWork.storeOpsPerSec, baseline: sameWork.baselineOpsPerSec, ratio: sameWork.slowdown, unit: 'ops/s' },
        { metric: 'tasks.createMany over RPC (batches of 1,000) vs same SQL by hand in one transaction', value: rpcBatched.storeOpsPerSec, baseline: rpcBatched.baselineOpsPerSec, ratio: rpcBatched.slowdown, unit: 'ops/s' },
      ],
      counts: health.counts,
    };
    writeResult(result);
  } finally {
    stopBackend();
    await store?.close().catch(() => undefined);
    await raw?.close().catch(() => undefined);
    await rawSchema?.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runBench('task-writes', main);
