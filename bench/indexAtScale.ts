// The knowledge bench's measures of one vault at scale, each against a baseline measured in the same run:
//   cold index   indexVault (default GloVe embeddings) on an empty store, in a child process of its own, so its peak
//                RSS (process.resourceUsage().maxRSS) is the indexer's alone; also its RSS after the run and a GC.
//                Baseline: a bare SQLite FTS5 insert of the same files (walk, read, one transaction, one prepared
//                INSERT into an fts5 table with notes_fts's tokenizer, on @vscode/sqlite3 with the store's pragmas), in
//                a child process too (its time and its peak RSS);
//   warm index   indexVault with nothing changed (in this process) vs reading, and vs stat-ing, every file;
//   search       knowledge.search (text, and hybrid: the default mode) through one dist/backend.js over JSON-RPC/stdio
//                vs `rg -l -i -F <first word> <vault>` (spawn included), the three interleaved per query;
//   profile      (when asked) one more cold index in a child with --cpu-prof and every SQL statement's time summed by
//                statement: where the time goes, by phase.
// The child is this same bundle started again with INDEX_CHILD_FLAG (see runIndexChild).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as sqlite3 from '@vscode/sqlite3';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { Connection } from '../src/store/connection';
import type { Actor } from '../src/store/events';
import { indexVault, type IndexReport } from '../src/store/knowledge/indexer';
import { Store } from '../src/store/store';
import { boundHeapGrowth, holdYoungGeneration, PROCESS_MEMORY_ENV } from '../src/backend/processMemory';
import { stopBackend } from './backendProcess';
import { ROOT } from './output';
import { median, round, stats } from './stats';

export const INDEX_CHILD_FLAG = '--knowledge-index-child';
const BACKEND = path.join(ROOT, 'dist', 'backend.js');
const FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"; // notes_fts's (drizzle/0004_notes_fts.sql)
const who: Actor = { actor: 'bench', source: 'cli' };
const mib = (bytes: number) => round(bytes / 2 ** 20, 1);
const ratio = (value: number | null | undefined, baseline: number | null | undefined) => (value != null && baseline ? round(value / baseline) : null);

// --- the child ----------------------------------------------------------------------------------------------------

interface ChildIndexResult {
  ms: number;
  /** CPU time of the whole process meanwhile (user + system, every thread: the SQLite driver's too). */
  cpuMs: number;
  report: Omit<IndexReport, 'skipped'> & { skipped: number };
  rssMiB: { start: number; storeOpened: number; afterIndex: number; afterIndexGc: number; peak: number };
  heapUsedMiB: { afterIndex: number; afterIndexGc: number };
  /** Profile runs only: SQL time by statement (ms, count), slowest first. */
  sql?: { sql: string; ms: number; n: number }[];
}
interface ChildFtsResult {
  ms: number;
  cpuMs: number;
  files: number;
  bytes: number;
  rssMiB: { start: number; peak: number };
}

/** True when this process was started as the cold-index (or FTS5 baseline) child. */
export const isIndexChild = () => process.argv.includes(INDEX_CHILD_FLAG);

/** The child's side: argv after the flag is mode (index | fts5), store dir (or db file), vault dir, result file. */
export async function runIndexChild(): Promise<void> {
  const [mode, target, vaultDir, outFile] = process.argv.slice(process.argv.indexOf(INDEX_CHILD_FLAG) + 1) as [string, string, string, string];
  const result = mode === 'fts5' ? await bareFtsInsert(target, vaultDir) : await coldIndex(target, vaultDir, process.env.CAIRN_BENCH_SQL_PROFILE === '1');
  fs.writeFileSync(outFile, JSON.stringify(result));
}

async function coldIndex(storeDir: string, vaultDir: string, profileSql: boolean): Promise<ChildIndexResult> {
  v8.setFlagsFromString('--expose-gc');
  boundHeapGrowth(); // as the backend and `cairn index` run
  holdYoungGeneration();
  const gc = vm.runInNewContext('gc') as () => void;
  const start = process.memoryUsage().rss;
  const store = await Store.open(storeDir);
  const storeOpened = process.memoryUsage().rss;
  const sql = new Map<string, { ms: number; n: number }>();
  if (profileSql) {
    // Every statement's time as the connection measures it (from its own slow-query hook: called for each one).
    const proto = Connection.prototype as unknown as { record: (sql: string, ms: number) => void };
    const record = proto.record;
    if (typeof record !== 'function') throw new Error('Connection.prototype.record (the per-statement timing hook) is gone: update the profile hook in bench/indexAtScale.ts');
    proto.record = function (this: unknown, text: string, ms: number) {
      const key = text.replace(/\s+/g, ' ').slice(0, 140);
      const s = sql.get(key) ?? { ms: 0, n: 0 };
      s.ms += ms;
      s.n++;
      sql.set(key, s);
      record.call(this, text, ms);
    };
  }
  const started = performance.now();
  const cpu = process.cpuUsage();
  const report = await indexVault(store, vaultDir, who);
  const ms = performance.now() - started;
  const cpuMs = cpuMsSince(cpu);
  const peak = process.resourceUsage().maxRSS * 1024;
  const after = process.memoryUsage();
  gc();
  gc();
  const afterGc = process.memoryUsage();
  await store.close();
  return {
    ms: round(ms),
    cpuMs,
    report: { ...report, skipped: report.skipped.length },
    rssMiB: { start: mib(start), storeOpened: mib(storeOpened), afterIndex: mib(after.rss), afterIndexGc: mib(afterGc.rss), peak: mib(peak) },
    heapUsedMiB: { afterIndex: mib(after.heapUsed), afterIndexGc: mib(afterGc.heapUsed) },
    ...(profileSql ? { sql: [...sql].map(([k, v]) => ({ sql: k, ms: round(v.ms), n: v.n })).sort((a, b) => b.ms - a.ms) } : {}),
  };
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return round((used.user + used.system) / 1000);
}

function dbCall<T>(f: (cb: (err: Error | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => f((err, value) => (err ? reject(err) : resolve(value as T))));
}

/** The floor for a cold index: walk the vault, read each note, INSERT it into an fts5 table, all in one transaction. */
async function bareFtsInsert(dbFile: string, vaultDir: string): Promise<ChildFtsResult> {
  const start = process.memoryUsage().rss;
  const db = await dbCall<sqlite3.Database>((cb) => {
    const d = new sqlite3.Database(dbFile, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE, (err) => cb(err, d));
  });
  await dbCall((cb) => db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE VIRTUAL TABLE notes_fts USING fts5(title, body, tokenize = '${FTS_TOKENIZER}');`, cb));
  const started = performance.now();
  const cpu = process.cpuUsage();
  const files = (fs.readdirSync(vaultDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.md'));
  await dbCall((cb) => db.run('BEGIN IMMEDIATE', cb));
  const insert = await dbCall<sqlite3.Statement>((cb) => {
    const s = db.prepare('INSERT INTO notes_fts (rowid, title, body) VALUES (?, ?, ?)', (err) => cb(err, s));
  });
  let bytes = 0;
  // Queued a few hundred at a time (the driver runs a statement's calls in order), so no more text is held at once.
  for (let i = 0; i < files.length; ) {
    let last: Promise<unknown> = Promise.resolve();
    for (const end = Math.min(files.length, i + 256); i < end; i++) {
      const text = fs.readFileSync(path.join(vaultDir, files[i]!), 'utf8');
      bytes += Buffer.byteLength(text);
      last = dbCall((cb) => insert.run([i + 1, path.basename(files[i]!, '.md'), text], cb));
    }
    await last;
  }
  await dbCall((cb) => insert.finalize(() => cb(null)));
  await dbCall((cb) => db.run('COMMIT', cb));
  const ms = performance.now() - started;
  const cpuMs = cpuMsSince(cpu);
  const peak = process.resourceUsage().maxRSS * 1024;
  await dbCall((cb) => db.close(cb));
  return { ms: round(ms), cpuMs, files: files.length, bytes, rssMiB: { start: mib(start), peak: mib(peak) } };
}

// --- the parent ---------------------------------------------------------------------------------------------------

async function runChild<T>(args: string[], extraNodeArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<T> {
  const outFile = path.join(path.dirname(args[1]!), `child-${process.pid}-${Date.now()}.json`);
  const child = spawn(process.execPath, [...process.execArgv, ...extraNodeArgs, process.argv[1]!, INDEX_CHILD_FLAG, ...args, outFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...PROCESS_MEMORY_ENV, ...process.env, ...env }, // the environment the extension starts its backend with
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-20_000)));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`index child (${args[0]}) exited with ${code}: ${stderr}`);
  const result = JSON.parse(fs.readFileSync(outFile, 'utf8')) as T;
  fs.rmSync(outFile, { force: true });
  return result;
}

function readAll(files: readonly string[]): number {
  let total = 0;
  for (const f of files) total += fs.readFileSync(f).length;
  return total;
}
function statAll(files: readonly string[]): number {
  let total = 0;
  for (const f of files) total += fs.statSync(f).size;
  return total;
}
function timeSync(f: () => void): number {
  const started = performance.now();
  f();
  return performance.now() - started;
}

export function findRg(): { bin: string | null; version: string | null; reason?: string } {
  for (const bin of ['/usr/bin/rg', 'rg']) {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return { bin, version: r.stdout.split('\n')[0]!.trim() };
  }
  return { bin: null, version: null, reason: 'ripgrep (rg) not found at /usr/bin/rg or on PATH' };
}

/** A live process's RSS and peak RSS in MiB (Linux's /proc), or null where that cannot be read. */
function processRssMiB(pid: number | undefined): { rss: number; peak: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
    return { rss: round(kib('VmRSS') / 1024, 1), peak: round(kib('VmHWM') / 1024, 1) };
  } catch {
    return null;
  }
}

function startBackend(storeDir: string, vaultDir: string): { child: ChildProcess; connection: MessageConnection } {
  const child = spawn(process.execPath, [BACKEND, '--store', storeDir, '--vault', vaultDir, '--no-watch-vault', '--source', 'agent', '--actor', 'bench'], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...PROCESS_MEMORY_ENV, ...process.env } });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  connection.onNotification(() => undefined);
  connection.listen();
  return { child, connection };
}

/** Where a CPU profile's time went: self time of the busiest functions, and inclusive time of the named phases. */
export function summarizeCpuProfile(file: string, phases: readonly string[]) {
  interface Node {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>(phases.map((p) => [p, 0]));
  const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${path.basename(n.callFrame.url || '')}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`.trim();
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000; // a sample's time is the delta to the next one
    const leaf = byId.get(prof.samples[i]!)!;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const name = byId.get(id)!.callFrame.functionName;
      if (inclusive.has(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, inclusive.get(name)! + dt);
      }
    }
  }
  return {
    totalMs: round((prof.endTime - prof.startTime) / 1000),
    phasesInclusiveMs: Object.fromEntries([...inclusive].map(([k, v]) => [k, round(v)])),
    topSelfMs: [...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([fn, ms]) => ({ fn, ms: round(ms) })),
  };
}

/** Functions whose inclusive time tells the cold index's phases apart (names as the bundle keeps them). */
const PROFILE_PHASES = ['scanVault', 'readTextFile', 'sha256', 'parseNote', 'withoutPrivateContent', 'findTaskRefs', 'chunkNote', 'writeNotes', 'writeChunks', 'knownResolutions', 'buildLinkIndex', 'withFiles', 'resolveLink', 'reresolveAll', 'embedChunks', 'fitToStore', 'countWords', 'firstComponent', 'embedSync', 'embedNotes', 'embedItems', '(garbage collector)', '(idle)', '(program)'];

export interface ScaleOptions {
  /** Where stores, databases and profiles go (a fresh folder). */
  workDir: string;
  vaultDir: string;
  files: readonly string[];
  queries: readonly string[];
  trials: number;
  /** One more cold index with --cpu-prof and SQL timings. */
  profile: boolean;
  progress: (msg: string) => void;
}

export async function measureAtScale(o: ScaleOptions) {
  const { workDir, vaultDir, files, queries, progress } = o;
  fs.mkdirSync(workDir, { recursive: true });
  readAll(files); // page cache hot for every side

  // Cold index vs the bare FTS5 insert, each in a process of its own (baseline first, then Cairn).
  progress('bare FTS5 insert (child process)…');
  const fts = await runChild<ChildFtsResult>(['fts5', path.join(workDir, 'bare-fts5.db'), vaultDir]);
  progress(`bare FTS5 insert: ${fts.ms} ms, peak RSS ${fts.rssMiB.peak} MiB`);
  progress('cold index (child process)…');
  const storeDir = path.join(workDir, 'store');
  const cold = await runChild<ChildIndexResult>(['index', storeDir, vaultDir]);
  if (cold.report.notes !== files.length) throw new Error(`cold index has ${cold.report.notes} notes, expected ${files.length} (${cold.report.skipped} skipped)`);
  progress(`cold index: ${cold.ms} ms (${round(cold.ms / fts.ms)}× bare FTS5; CPU ${cold.cpuMs} vs ${fts.cpuMs} ms), peak RSS ${cold.rssMiB.peak} MiB, after GC ${cold.rssMiB.afterIndexGc} MiB; embeddings ${JSON.stringify(cold.report.embeddings)}`);

  // Warm index (nothing changed) in this process, interleaved with its baselines.
  progress('warm index…');
  const store = await Store.open(storeDir);
  const warmMs: number[] = [];
  const readMs: number[] = [];
  const statMs: number[] = [];
  try {
    await indexVault(store, vaultDir, who); // first warm run (JIT, caches)
    for (let t = 0; t < o.trials; t++) {
      const started = performance.now();
      const r = await indexVault(store, vaultDir, who);
      warmMs.push(performance.now() - started);
      if (r.unchanged !== files.length || r.added || r.updated || r.removed) throw new Error(`warm index changed something: ${JSON.stringify({ ...r, skipped: r.skipped.length })}`);
      readMs.push(timeSync(() => readAll(files)));
      statMs.push(timeSync(() => statAll(files)));
    }
  } finally {
    await store.close();
  }
  progress(`warm index ${round(median(warmMs))} ms; read all ${round(median(readMs))} ms; stat all ${round(median(statMs))} ms`);

  // Search through one backend process vs rg, interleaved (the order rotates so drift falls on all three).
  const rg = findRg();
  progress(`${queries.length} queries: knowledge.search text and hybrid over JSON-RPC vs ${rg.bin ? rg.version : `no rg (${rg.reason})`}…`);
  const backend = startBackend(storeDir, vaultDir);
  const textMs: number[] = [];
  const hybridMs: number[] = [];
  const rgMs: number[] = [];
  const hits = { text: 0, hybrid: 0, rgFiles: 0 };
  let backendRss: { rss: number; peak: number } | null = null;
  const runRg = (q: string) => {
    const r = spawnSync(rg.bin!, ['-l', '-i', '-F', '--', q.split(' ')[0]!, vaultDir], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
    if (r.status !== 0 && r.status !== 1) throw new Error(`rg failed (${r.status}): ${r.stderr}`);
    return r.stdout ? r.stdout.split('\n').filter(Boolean).length : 0;
  };
  try {
    const search = (query: string, mode: 'text' | 'hybrid') => backend.connection.sendRequest('knowledge.search', { query, mode }) as Promise<unknown[]>;
    for (const q of queries.slice(0, 5)) {
      await search(q, 'text');
      await search(q, 'hybrid');
    }
    if (rg.bin) runRg(queries[0]!);
    for (let i = 0; i < queries.length; i++) {
      const q = queries[i]!;
      const sides = [
        async () => {
          const t = performance.now();
          hits.text += (await search(q, 'text')).length;
          textMs.push(performance.now() - t);
        },
        async () => {
          const t = performance.now();
          hits.hybrid += (await search(q, 'hybrid')).length;
          hybridMs.push(performance.now() - t);
        },
        async () => {
          if (!rg.bin) return;
          const t = performance.now();
          hits.rgFiles += runRg(q);
          rgMs.push(performance.now() - t);
        },
      ];
      for (let k = 0; k < 3; k++) await sides[(i + k) % 3]!();
    }
    backendRss = processRssMiB(backend.child.pid);
  } finally {
    await stopBackend(backend.child, backend.connection);
  }
  if (backendRss) progress(`backend RSS after the queries ${backendRss.rss} MiB (peak ${backendRss.peak} MiB)`);
  const text = stats(textMs);
  const hybrid = stats(hybridMs);
  const rgStats = rg.bin ? stats(rgMs) : null;
  progress(`text p50 ${text.p50} / p95 ${text.p95} ms; hybrid p50 ${hybrid.p50} / p95 ${hybrid.p95} ms; rg p50 ${rgStats?.p50 ?? '-'} / p95 ${rgStats?.p95 ?? '-'} ms`);

  let profile: unknown = null;
  if (o.profile) {
    progress('profiling a cold index (child with --cpu-prof, SQL timed per statement)…');
    const profDir = path.join(workDir, 'cpu-profile');
    const profiled = await runChild<ChildIndexResult>(['index', path.join(workDir, 'profiled-store'), vaultDir], ['--cpu-prof', `--cpu-prof-dir=${profDir}`], { CAIRN_BENCH_SQL_PROFILE: '1' });
    const profFile = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    const sqlMs = round(profiled.sql!.reduce((a, s) => a + s.ms, 0));
    profile = {
      coldIndexMs: profiled.ms,
      embeddingsMs: profiled.report.embeddings && 'ms' in profiled.report.embeddings ? profiled.report.embeddings.ms : null,
      sqlMs,
      sqlTop: profiled.sql!.slice(0, 15),
      cpu: profFile ? summarizeCpuProfile(path.join(profDir, profFile), PROFILE_PHASES) : null,
      note: 'sqlMs: time of every SQL statement (on the driver thread; the main thread waits for it). cpu: the child main thread, from Store.open to exit; phasesInclusiveMs counts a function with what it calls (synchronous part only).',
    };
    if (process.env.BENCH_PROFILE_KEEP) {
      fs.mkdirSync(process.env.BENCH_PROFILE_KEEP, { recursive: true });
      if (profFile) fs.copyFileSync(path.join(profDir, profFile), path.join(process.env.BENCH_PROFILE_KEEP, `cold-index-${path.basename(workDir)}.cpuprofile`));
    }
  }

  const baseline = { ms: fts.ms };
  return {
    coldIndex: { ...cold, ratioToBareFts5: ratio(cold.ms, baseline.ms) },
    bareFts5Insert: { ...fts, tokenizer: FTS_TOKENIZER, note: 'walk + read every note + INSERT (rowid, title, body) into an fts5 table, one transaction, one prepared statement, @vscode/sqlite3, WAL, synchronous NORMAL; in a child process.' },
    warmIndex: { indexVaultMs: stats(warmMs), readAllMs: stats(readMs), statAllMs: stats(statMs) },
    search: {
      note: 'knowledge.search over JSON-RPC to one dist/backend.js (round trip, default limit and kinds); rg: -l -i -F on the first word only, spawn included, lists every matching file.',
      textMs: text,
      hybridMs: hybrid,
      rgMs: rgStats,
      rgVersion: rg.version,
      rgMissingReason: rg.reason ?? null,
      meanHits: { text: round(hits.text / queries.length, 1), hybrid: round(hits.hybrid / queries.length, 1), rgFiles: rg.bin ? round(hits.rgFiles / queries.length, 1) : null },
      backendRssMiB: backendRss,
    },
    profile,
    /** Rows for the summary table: label is prefixed by the caller. */
    rows: [
      { metric: 'cold index (child) vs bare FTS5 insert', value: cold.ms, baseline: fts.ms, ratio: ratio(cold.ms, fts.ms), unit: 'ms' },
      { metric: 'cold index CPU time (all threads) vs bare FTS5 insert', value: cold.cpuMs, baseline: fts.cpuMs, ratio: ratio(cold.cpuMs, fts.cpuMs), unit: 'ms' },
      { metric: 'cold index peak RSS vs bare FTS5 insert peak RSS', value: cold.rssMiB.peak, baseline: fts.rssMiB.peak, ratio: ratio(cold.rssMiB.peak, fts.rssMiB.peak), unit: 'MiB' },
      { metric: 'RSS after cold index + GC vs after store open', value: cold.rssMiB.afterIndexGc, baseline: cold.rssMiB.storeOpened, ratio: ratio(cold.rssMiB.afterIndexGc, cold.rssMiB.storeOpened), unit: 'MiB' },
      { metric: 'warm index (nothing changed) vs read all', value: round(median(warmMs)), baseline: round(median(readMs)), ratio: ratio(median(warmMs), median(readMs)), unit: 'ms' },
      { metric: 'warm index (nothing changed) vs stat all', value: round(median(warmMs)), baseline: round(median(statMs)), ratio: ratio(median(warmMs), median(statMs)), unit: 'ms' },
      { metric: 'text search p50 (RPC) vs rg', value: text.p50, baseline: rgStats?.p50 ?? null, ratio: ratio(text.p50, rgStats?.p50), unit: 'ms' },
      { metric: 'text search p95 (RPC) vs rg', value: text.p95, baseline: rgStats?.p95 ?? null, ratio: ratio(text.p95, rgStats?.p95), unit: 'ms' },
      { metric: 'hybrid search p50 (RPC) vs rg', value: hybrid.p50, baseline: rgStats?.p50 ?? null, ratio: ratio(hybrid.p50, rgStats?.p50), unit: 'ms' },
      { metric: 'hybrid search p95 (RPC) vs rg', value: hybrid.p95, baseline: rgStats?.p95 ?? null, ratio: ratio(hybrid.p95, rgStats?.p95), unit: 'ms' },
      { metric: 'backend RSS after the queries vs the bare FTS5 insert peak RSS', value: backendRss?.rss ?? null, baseline: fts.rssMiB.peak, ratio: ratio(backendRss?.rss, fts.rssMiB.peak), unit: 'MiB' },
    ],
  };
}
