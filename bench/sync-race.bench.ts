// Machines syncing at the same moment through one bare remote: how many fetch-merge-push rounds (attempts) a sync
// needs as machines are added. For each count in BENCH_MACHINES (2, 4, 8): that many stores in their own folders,
// each round every machine adds a task and runs `cairn sync` (real dist/cli.js processes, all started at once,
// --max-attempts 10 so the need shows rather than the default's bound); BENCH_ROUNDS rounds.
//
// baseline (same run, same machine counts and rounds): plain git clones of a bare remote, each committing a file and
// then looping `git pull --rebase && git push` until the push goes through (no backoff), all at once.
//
// Run with `npm run bench -- sync-race`; alone: `node --import tsx bench/sync-race.bench.ts`.
// Env: BENCH_MACHINES (2,4,8), BENCH_ROUNDS (5), CAIRN_BENCH_OUT.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { SyncResult } from '../src/sync/sync';
import { ROOT, runBench, writeResult } from './output';
import { round, stats } from './stats';

const MACHINES = (process.env.BENCH_MACHINES ?? '2,4,8').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CLI = path.join(ROOT, 'dist', 'cli.js');
const GIT_LOOP_LIMIT = 50;

const run = promisify(execFile);
const git = (dir: string, ...args: string[]) => run('git', ['-C', dir, '-c', 'user.name=bench', '-c', 'user.email=bench@localhost', ...args], { maxBuffer: 1 << 26 });

async function bareRemote(root: string): Promise<string> {
  const bare = path.join(root, 'remote.git');
  await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  return bare;
}

interface Measured {
  attempts: number[];
  failures: string[];
  roundMs: number[];
}

/** Every machine's sync of every round: its attempts, or why it failed; and how long each round took in all. */
async function cairnRace(machines: number): Promise<Measured> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-race-'));
  try {
    const bare = await bareRemote(root);
    const cairn = async (i: number, ...args: string[]) => {
      const dir = path.join(root, `m${i}`);
      const { stdout } = await run(process.execPath, [CLI, '--store', dir, '--vault', `${dir}-vault`, '--agents', `${dir}-agents`, '--json', ...args], { maxBuffer: 1 << 26 });
      return JSON.parse(stdout) as Record<string, unknown>;
    };
    const ids = Array.from({ length: machines }, (_, i) => i);
    for (const i of ids) {
      await cairn(i, 'init');
      await cairn(i, 'remote', 'set', bare);
    }
    const project = (await cairn(0, 'project', 'add', 'Team')).id as string;
    for (const i of ids) await cairn(i, 'sync');

    const out: Measured = { attempts: [], failures: [], roundMs: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const started = performance.now();
      await Promise.all(
        ids.map(async (i) => {
          await cairn(i, 'task', 'add', '--project', project, `m${i} round ${r}`);
          try {
            out.attempts.push(((await cairn(i, 'sync', '--max-attempts', '10')) as unknown as SyncResult).attempts);
          } catch (err) {
            out.failures.push(`m${i} round ${r}: ${((err as { stderr?: string }).stderr ?? String(err)).trim()}`);
          }
        }),
      );
      out.roundMs.push(performance.now() - started);
    }
    return out;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** The same race in plain git: commit, then `git pull --rebase && git push` until it goes through. */
async function gitRace(machines: number): Promise<Measured> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-race-git-'));
  try {
    const bare = await bareRemote(root);
    const seed = path.join(root, 'seed');
    await run('git', ['init', '--quiet', '--initial-branch=main', seed]);
    fs.writeFileSync(path.join(seed, 'README.md'), 'team\n');
    await git(seed, 'add', '.');
    await git(seed, 'commit', '--quiet', '-m', 'start');
    await git(seed, 'push', '--quiet', bare, 'main');
    const ids = Array.from({ length: machines }, (_, i) => i);
    for (const i of ids) await run('git', ['clone', '--quiet', bare, path.join(root, `m${i}`)]);

    const out: Measured = { attempts: [], failures: [], roundMs: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const started = performance.now();
      await Promise.all(
        ids.map(async (i) => {
          const dir = path.join(root, `m${i}`);
          fs.writeFileSync(path.join(dir, `m${i}-${r}.json`), JSON.stringify({ title: `m${i} round ${r}` }) + '\n');
          await git(dir, 'add', '.');
          await git(dir, 'commit', '--quiet', '-m', `m${i} round ${r}`);
          for (let attempt = 1; attempt <= GIT_LOOP_LIMIT; attempt++) {
            try {
              await git(dir, 'pull', '--quiet', '--rebase', 'origin', 'main');
              await git(dir, 'push', '--quiet', 'origin', 'main');
              out.attempts.push(attempt);
              return;
            } catch {
              // someone pushed between our pull and our push: again
            }
          }
          out.failures.push(`m${i} round ${r}: still refused after ${GIT_LOOP_LIMIT} pull-push loops`);
        }),
      );
      out.roundMs.push(performance.now() - started);
    }
    return out;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "node esbuild.mjs" first`);
  const perCount: Record<string, unknown>[] = [];
  const summary: { metric: string; value: number; baseline: number; ratio: number; unit: string }[] = [];
  const row = (metric: string, value: number, baseline: number, unit: string) => summary.push({ metric, value: round(value), baseline: round(baseline), ratio: round(value / baseline, 2), unit });
  for (const machines of MACHINES) {
    const cairn = await cairnRace(machines);
    const plain = await gitRace(machines);
    const attempts = stats(cairn.attempts.length ? cairn.attempts : [0]);
    const gitAttempts = stats(plain.attempts.length ? plain.attempts : [0]);
    perCount.push({
      machines,
      syncs: machines * ROUNDS,
      cairn: { attempts, histogram: histogram(cairn.attempts), failed: cairn.failures.length, failures: cairn.failures, roundMs: stats(cairn.roundMs) },
      git: { attempts: gitAttempts, histogram: histogram(plain.attempts), failed: plain.failures.length, roundMs: stats(plain.roundMs) },
    });
    row(`${machines} machines syncing at once: attempts per sync, mean (vs git pull --rebase && push loops)`, attempts.mean, gitAttempts.mean, 'attempts');
    row(`${machines} machines syncing at once: attempts per sync, max`, attempts.max, gitAttempts.max, 'attempts');
    row(`${machines} machines syncing at once: a round (every machine adds a task and syncs), median`, stats(cairn.roundMs).p50, stats(plain.roundMs).p50, 'ms');
  }
  writeResult({ name: 'sync-race', machines: MACHINES, rounds: ROUNDS, cpus: os.cpus().length, results: perCount, summary });
}

/** How many syncs took 1, 2, 3, … attempts. */
function histogram(xs: number[]): Record<string, number> {
  const h: Record<string, number> = {};
  for (const x of [...xs].sort((a, b) => a - b)) h[x] = (h[x] ?? 0) + 1;
  return h;
}

runBench('sync-race', main);
