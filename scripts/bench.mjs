// npm run bench [-- [--no-build] [FILTER…]]
//
// Builds dist/ (node esbuild.mjs), then runs every bench/<name>.bench.{ts,mjs,js} whose name contains one of the
// FILTERs (all of them when none is given), each in its own node process, one after the other: a TypeScript bench
// from its bundle in out/bench/ (as the shipped code runs), a JavaScript one as it is. A benchmark writes its
// result as JSON to the file named by $CAIRN_BENCH_OUT (or prints it when run alone); each result measures its own
// baseline in the same run and carries a `summary` array of { metric, value, baseline, ratio, unit } rows.
//
// Writes bench/results/<name>.json for each benchmark run and bench/results/latest.json with this run's results and
// the machine they ran on (cpus, memory, load, node version, date, git commit), then prints a summary table. Exits
// non-zero when the build or any benchmark failed. bench/results/ is git-ignored.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BENCH_DIR = path.join(ROOT, 'bench');
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const BENCH_FILE = /^(.+)\.bench\.(ts|mts|mjs|js)$/;
const TIMEOUT_MS = 20 * 60_000;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log('Usage: npm run bench [-- [--no-build] [FILTER…]]   (FILTER: part of a bench/<name>.bench.ts name, e.g. rpc-list)');
  process.exit(0);
}
const skipBuild = args.includes('--no-build');
const filters = args.filter((a) => !a.startsWith('--'));

/** name → file, for bench/<name>.bench.<ext>. */
const files = new Map(
  fs
    .readdirSync(BENCH_DIR)
    .map((f) => BENCH_FILE.exec(f))
    .filter(Boolean)
    .map((m) => [m[1], m[0]]),
);
const all = [...files.keys()].sort();
// A filter that names a benchmark runs just that one ("knowledge", not also "vscode-knowledge-paint"); else any containing it.
const selected = filters.length ? all.filter((name) => filters.some((f) => (all.includes(f) ? name === f : name.includes(f)))) : all;
if (!selected.length) {
  console.error(`No benchmark matches ${filters.map((f) => `"${f}"`).join(', ')}. Benchmarks: ${all.join(', ') || '(no bench/*.bench.ts in bench/)'}.`);
  process.exit(2);
}

function git(...gitArgs) {
  const r = spawnSync('git', gitArgs, { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function machineInfo() {
  const cpus = os.cpus();
  const commit = git('rev-parse', '--short', 'HEAD');
  const dirty = git('status', '--porcelain', '--untracked-files=no');
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpus: { count: cpus.length, model: cpus[0]?.model?.trim() ?? 'unknown', speedMHz: cpus[0]?.speed ?? null },
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    /** 1/5/15-minute load averages when the run started: a busy machine makes figures noisier (ratios less so). */
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    git: commit ? { commit, dirty: Boolean(dirty) } : null,
  };
}

function runBench(name) {
  const file = path.join(BENCH_DIR, files.get(name));
  const out = path.join(os.tmpdir(), `cairn-bench-${process.pid}-${name}.json`);
  fs.rmSync(out, { force: true });
  const started = Date.now();
  return new Promise((resolve) => {
    // A TypeScript bench runs from its bundle (out/bench/, built by esbuild.mjs): the code as shipped, not through a
    // transpiler's hooks. Plain JavaScript runs as it is.
    const bundled = path.join(ROOT, 'out', 'bench', `${name}.bench.js`);
    const ts = /\.m?ts$/.test(file);
    if (ts && !fs.existsSync(bundled)) {
      resolve({ ok: false, durationMs: 0, error: `${path.relative(ROOT, bundled)} is missing: run without --no-build (or node esbuild.mjs) first` });
      return;
    }
    const child = spawn(process.execPath, [ts ? bundled : file], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CAIRN_BENCH_OUT: out },
    });
    const timer = setTimeout(() => {
      console.error(`bench: ${name} ran past ${TIMEOUT_MS / 60_000} minutes; stopping it`);
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const durationMs = Date.now() - started;
      try {
        if (code !== 0) throw new Error(signal ? `killed by ${signal}` : `exited with code ${code}`);
        const result = JSON.parse(fs.readFileSync(out, 'utf8'));
        resolve({ ok: true, durationMs, result });
      } catch (err) {
        resolve({ ok: false, durationMs, error: err.message });
      } finally {
        fs.rmSync(out, { force: true });
      }
    });
  });
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i >= 2 ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

async function main() {
  if (!skipBuild) {
    console.log('bench: building (node esbuild.mjs)');
    const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) {
      console.error('bench: the build failed; no benchmark was run');
      process.exit(1);
    }
  }
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const machine = machineInfo();
  const benchmarks = {};
  let failed = 0;
  for (const name of selected) {
    console.log(`bench: running ${name}`);
    const run = await runBench(name);
    const entry = run.ok
      ? { name, date: new Date().toISOString(), durationMs: run.durationMs, machine, ...run.result }
      : { name, date: new Date().toISOString(), durationMs: run.durationMs, machine, error: run.error };
    if (!run.ok) {
      failed++;
      console.error(`bench: ${name} failed (${run.error})`);
    } else {
      fs.writeFileSync(path.join(RESULTS_DIR, `${name}.json`), JSON.stringify(entry, null, 2) + '\n');
      console.log(`bench: ${name} done in ${(run.durationMs / 1000).toFixed(1)} s`);
    }
    const { machine: _m, ...withoutMachine } = entry;
    benchmarks[name] = withoutMachine;
  }
  const latest = { date: machine.date, machine, filters, benchmarks };
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest.json'), JSON.stringify(latest, null, 2) + '\n');

  const rows = [['benchmark', 'metric', 'value', 'baseline', 'ratio', 'unit']];
  for (const [name, b] of Object.entries(benchmarks)) {
    if (b.error) rows.push([name, `FAILED: ${b.error}`, '', '', '', '']);
    for (const s of b.summary ?? []) rows.push([name, s.metric, s.value, s.baseline ?? '', s.ratio == null ? '' : `${s.ratio}x`, s.unit]);
  }
  console.log(
    `\nCairn benchmarks — ${machine.date}, node ${machine.node}, ${machine.cpus.count}× ${machine.cpus.model}, load ${machine.loadAverage.join(' ')}` +
      `\n(ratio = how many times slower than the baseline measured in the same run: store vs raw SQLite ops/s; RPC vs in-process ms)\n`,
  );
  console.log(table(rows));
  console.log(`\nResults: ${path.relative(ROOT, RESULTS_DIR)}/latest.json and ${selected.map((n) => `${n}.json`).join(', ')}`);
  if (failed) process.exit(1);
}

await main();
