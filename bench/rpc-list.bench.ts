// tasks.list latency through the real backend process (dist/backend.js, JSON-RPC over stdio, vscode-jsonrpc as
// the client), against the same call in-process (methods.invoke on an open Store) in the same run.
//
// A store with 10,000 tasks in one project is built through the repositories (one transaction), then:
//   in-process: invoke(ctx, 'tasks.list', …) — validation + query + row mapping, no serialization or transport;
//   rpc:        sendRequest('tasks.list', …) to a spawned backend — adds JSON encoding, framing, the pipe and
//               decoding in the client.
// Both run against the same store at once, calls alternating between them, so machine noise hits both alike.
// Two queries: the whole project (10,000 tasks) and a page (limit 50). p50/p99 are nearest-rank percentiles.
// The project has 20 sprints and subtasks (bench/taskStore.ts's shape), and the Projects tree's first pages of the
// project's own tasks and of a sprint (tasks.tree) are measured against the same SQL by hand (bench/treeLevels.ts).
//
// Run with `npm run bench -- rpc-list` (scripts/bench.mjs, which builds dist/ first); alone, after `npm run build`:
// `node --import tsx bench/rpc-list.bench.ts`. Env: BENCH_TASKS (10000), BENCH_CALLS (50, full list),
// BENCH_SMALL_CALLS (200, page of 50; and each tree page), BENCH_WARMUP (5), CAIRN_BENCH_OUT (where to write the JSON).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { invoke, type Context } from '../src/backend/methods';
import type { Actor } from '../src/store/events';
import { Store } from '../src/store/store';
import { measurePair, round, stats } from './stats';
import { stopBackend } from './backendProcess';
import { ROOT, runBench, writeResult } from './output';
import { buildTaskStore } from './taskStore';
import { measureTreeLevels } from './treeLevels';

const BACKEND = path.join(ROOT, 'dist', 'backend.js');
const TASKS = Number(process.env.BENCH_TASKS ?? 10_000);
const CALLS = Number(process.env.BENCH_CALLS ?? 50);
const SMALL_CALLS = Number(process.env.BENCH_SMALL_CALLS ?? 200);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const PAGE = 50;
const who: Actor = { actor: 'bench', source: 'agent' };

/** Nearest-rank percentile (p99 of 50 samples is the largest one). */

async function measure(warmup: number, calls: number, call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return samples;
}

function startBackend(storeDir: string): { child: ChildProcess; connection: MessageConnection; stderr: () => string; serverMs: () => number | undefined } {
  const child = spawn(process.execPath, [BACKEND, '--store', storeDir, '--source', 'agent', '--actor', 'bench'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-20_000)));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  // The backend logs "<method> ok in N ms" (its handler time) as a log notification just before each response.
  let lastServerMs: number | undefined;
  connection.onNotification('log', (m: { message: string }) => {
    const hit = /^tasks\.list ok in ([\d.]+) ms$/.exec(m.message);
    if (hit) lastServerMs = Number(hit[1]);
  });
  connection.onNotification('store.changed', () => undefined);
  connection.listen();
  return {
    child,
    connection,
    stderr: () => stderr,
    serverMs: () => {
      const v = lastServerMs;
      lastServerMs = undefined;
      return v;
    },
  };
}

async function main(): Promise<void> {
  if (!fs.existsSync(BACKEND)) throw new Error(`${BACKEND} is missing: run "npm run build" (npm run bench builds it for you)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-rpc-'));
  const storeDir = path.join(dir, 'store');
  let backend: ReturnType<typeof startBackend> | undefined;
  try {
    const seedStarted = performance.now();
    const { projectId, sprintIds } = await buildTaskStore(storeDir, TASKS, 'tasks.list benchmark', { sprints: 20, subtaskEvery: 4 });
    const seedMs = performance.now() - seedStarted;
    const full = { projectId };
    const page = { projectId, limit: PAGE };

    // Both sides run against the same store at the same time (WAL: readers do not block each other): the in-process
    // Store opened here and the spawned backend. Calls alternate A/B, B/A, … so that drift on a shared machine (other
    // processes, CPU boost, GC) hits the baseline and the RPC figures alike.
    const store = await Store.open(storeDir);
    const ctx: Context = { store, who, vaultDir: path.join(storeDir, 'vault'), agentDirs: [] };
    backend = startBackend(storeDir);
    const { connection } = backend;
    const b = backend;
    let responseBytes = 0;
    let serializeMs: number[] = [];
    const serverFull: number[] = [];
    let inProcess: { full: ReturnType<typeof stats>; page: ReturnType<typeof stats> };
    let rpc: typeof inProcess;
    let tree: Awaited<ReturnType<typeof measureTreeLevels>>;
    try {
      const rows = (await invoke(ctx, 'tasks.list', full)) as unknown[];
      if (rows.length !== TASKS) throw new Error(`in-process tasks.list returned ${rows.length} tasks, expected ${TASKS}`);
      responseBytes = Buffer.byteLength(JSON.stringify({ jsonrpc: '2.0', id: 1, result: rows }));
      // What the server adds before writing: JSON-encoding the whole result (for the breakdown only).
      serializeMs = await measure(2, 10, async () => void JSON.stringify({ jsonrpc: '2.0', id: 1, result: rows }));
      const info = (await connection.sendRequest('store.info', {})) as { taskCounts: { total: number } };
      if (info.taskCounts.total !== TASKS) throw new Error(`backend sees ${info.taskCounts.total} tasks, expected ${TASKS}`);

      const local = (params: object, expected: number) => async () => {
        const got = (await invoke(ctx, 'tasks.list', params)) as unknown[];
        if (got.length !== expected) throw new Error(`in-process tasks.list returned ${got.length} tasks, expected ${expected}`);
      };
      const remote = (params: object, expected: number, onServerMs?: (ms: number) => void) => async () => {
        const got = (await connection.sendRequest('tasks.list', params)) as unknown[];
        if (got.length !== expected) throw new Error(`rpc tasks.list returned ${got.length} tasks, expected ${expected}`);
        const ms = b.serverMs();
        if (ms !== undefined) onServerMs?.(ms);
      };
      const fullPair = await measurePair(CALLS, local(full, TASKS), remote(full, TASKS, (ms) => serverFull.push(ms)), { warmup: WARMUP });
      const pagePair = await measurePair(SMALL_CALLS, local(page, PAGE), remote(page, PAGE), { warmup: WARMUP });
      inProcess = { full: stats(fullPair.a), page: stats(pagePair.a) };
      rpc = { full: stats(fullPair.b), page: stats(pagePair.b) };
      tree = await measureTreeLevels({ ctx, connection, dbFile: path.join(storeDir, 'cairn.db'), projectId, sprintId: sprintIds[0]!, calls: SMALL_CALLS, warmup: WARMUP });
    } finally {
      await stopBackend(backend.child, connection);
      backend = undefined;
      await store.close();
    }

    const ratios = (k: 'full' | 'page') => ({ p50: round(rpc[k].p50 / inProcess[k].p50), p99: round(rpc[k].p99 / inProcess[k].p99) });
    const result = {
      name: 'rpc-list',
      description:
        'tasks.list round trips (ms) to a spawned dist/backend.js over JSON-RPC/stdio (vscode-jsonrpc client) vs the same invoke() in-process; whole project and a page of 50. tasks.tree first pages (project level, a sprint; all shown, hiding done) over RPC vs the same SQL by hand.',
      params: { tasks: TASKS, callsFull: CALLS, callsPage: SMALL_CALLS, warmup: WARMUP, page: PAGE, percentile: 'nearest-rank' },
      seed: { tasks: TASKS, ms: Math.round(seedMs), tasksPerSec: Math.round(TASKS / (seedMs / 1000)) },
      fullList: {
        responseBytes,
        inProcessMs: inProcess.full,
        rpcMs: rpc.full,
        /** rpc ÷ in-process */
        ratio: ratios('full'),
        /** What the process boundary adds per call at the median (encode, pipe, decode). */
        overheadMsP50: round(rpc.full.p50 - inProcess.full.p50),
        breakdown: {
          serverHandlerMs: serverFull.length ? stats(serverFull.slice(-CALLS)) : null,
          jsonStringifyMs: stats(serializeMs),
        },
      },
      page50: { inProcessMs: inProcess.page, rpcMs: rpc.page, ratio: ratios('page'), overheadMsP50: round(rpc.page.p50 - inProcess.page.p50) },
      /** tasks.tree's first page (over RPC, in-process) against the same SQL by hand (bySqlMs). */
      treeFirstPage: tree.results,
      summary: [
        { metric: `tasks.list ${TASKS} p50`, value: rpc.full.p50, baseline: inProcess.full.p50, ratio: ratios('full').p50, unit: 'ms' },
        { metric: `tasks.list ${TASKS} p99`, value: rpc.full.p99, baseline: inProcess.full.p99, ratio: ratios('full').p99, unit: 'ms' },
        { metric: `tasks.list limit ${PAGE} p50`, value: rpc.page.p50, baseline: inProcess.page.p50, ratio: ratios('page').p50, unit: 'ms' },
        { metric: `tasks.list limit ${PAGE} p99`, value: rpc.page.p99, baseline: inProcess.page.p99, ratio: ratios('page').p99, unit: 'ms' },
        ...tree.summary,
      ],
    };
    writeResult(result);
  } catch (err) {
    if (backend) process.stderr.write(`backend stderr (tail):\n${backend.stderr().slice(-4000)}\n`);
    throw err;
  } finally {
    if (backend) await stopBackend(backend.child, backend.connection).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runBench('rpc-list', main);
