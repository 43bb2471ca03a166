// How long a `cairn` command takes, from spawn to exit, against a bare `node -e 0` in the same run (issue 15: a
// read command within 2× of it). An agent that shells out to `cairn` per step pays this at every step.
//
// Commands, each run as a fresh process (spawnSync of dist/cli.js, as the `cairn` bin runs it):
//   node -e 0                                  the baseline: Node's own start and exit
//   cairn --version                            the CLI's start alone (no store)
//   cairn task list --project P                a store of BENCH_TASKS (1,000) tasks in one project, printed as a table
//   cairn search WORDS                         the Foam documentation vault (test/fixtures/foam-docs-vault), indexed
//                                              first with `cairn index` (default hybrid search: bm25 + embeddings)
//   cairn search --text WORDS                  the same, full-text only
// Runs are interleaved (each round runs every command once, starting one further along each round) so drift on a
// busy machine falls on all alike, after BENCH_WARMUP rounds that are not timed (the first call after a build also
// writes the CLI's code cache, dist/.cache/). Median and p90 (nearest rank) of BENCH_ROUNDS runs each; the ratio is
// the median over the baseline's median.
//
// Run with `npm run bench -- cli-start` (scripts/bench.mjs, which builds dist/ first). Env: BENCH_ROUNDS (30),
// BENCH_WARMUP (3), BENCH_TASKS (1000), CAIRN_BENCH_CLI (another build's cli.js, to compare), CAIRN_BENCH_OUT.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, runBench, writeResult } from './output';
import { median, percentile, round } from './stats';
import { buildTaskStore } from './taskStore';

const CLI = process.env.CAIRN_BENCH_CLI ? path.resolve(process.env.CAIRN_BENCH_CLI) : path.join(ROOT, 'dist', 'cli.js');
const FOAM_VAULT = path.join(ROOT, 'test', 'fixtures', 'foam-docs-vault');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const TASKS = Number(process.env.BENCH_TASKS ?? 1000);
const QUERY = ['how', 'do', 'I', 'link', 'notes'];

interface Command {
  name: string;
  args: string[];
}

/** Runs one command to its end; its wall time in ms. A failure stops the bench (a figure for an error is no figure). */
function timed(c: Command): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, c.args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${c.name} exited with ${r.status ?? r.signal}: ${r.stderr.trim() || r.stdout.trim()}`);
  return ms;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-cli-start-'));
  try {
    const tasksStore = path.join(dir, 'tasks');
    const { projectId } = await buildTaskStore(tasksStore, TASKS, 'cairn task list benchmark');
    const vaultStore = path.join(dir, 'vault-store');
    const cli = (...args: string[]): Command => ({ name: `cairn ${args.filter((a) => !a.startsWith('/')).join(' ')}`, args: [CLI, ...args] });
    const indexed = timed(cli('--store', vaultStore, '--vault', FOAM_VAULT, 'index', '--create'));

    const baseline: Command = { name: 'node -e 0', args: ['-e', '0'] };
    const commands: Command[] = [
      baseline,
      cli('--version'),
      { ...cli('--store', tasksStore, 'task', 'list', '--project', projectId), name: 'cairn task list --project P' },
      { ...cli('--store', vaultStore, '--vault', FOAM_VAULT, 'search', ...QUERY), name: `cairn search ${QUERY.join(' ')}` },
      { ...cli('--store', vaultStore, '--vault', FOAM_VAULT, 'search', '--text', ...QUERY), name: `cairn search --text ${QUERY.join(' ')}` },
    ];
    const samples = new Map<Command, number[]>(commands.map((c) => [c, []]));
    for (let r = 0; r < WARMUP + ROUNDS; r++) {
      for (let k = 0; k < commands.length; k++) {
        const c = commands[(r + k) % commands.length]!;
        const ms = timed(c);
        if (r >= WARMUP) samples.get(c)!.push(ms);
      }
    }

    const summaryOf = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return { n: s.length, median: round(median(s), 1), p90: round(percentile(s, 90), 1), min: round(s[0]!, 1), max: round(s[s.length - 1]!, 1) };
    };
    const base = summaryOf(samples.get(baseline)!);
    const results = commands.map((c) => {
      const s = summaryOf(samples.get(c)!);
      return { command: c.name, ...s, ratio: round(s.median / base.median, 2), p90Ratio: round(s.p90 / base.p90, 2) };
    });
    writeResult({
      cli: path.relative(ROOT, CLI),
      rounds: ROUNDS,
      warmup: WARMUP,
      tasks: TASKS,
      vault: path.relative(ROOT, FOAM_VAULT),
      indexMs: round(indexed, 0),
      commands: results,
      summary: results
        .filter((r) => r.command !== baseline.name)
        .flatMap((r) => [
          { metric: `${r.command}: median`, value: r.median, baseline: base.median, ratio: r.ratio, unit: 'ms' },
          { metric: `${r.command}: p90`, value: r.p90, baseline: base.p90, ratio: r.p90Ratio, unit: 'ms' },
        ]),
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runBench('cli-start', main);
