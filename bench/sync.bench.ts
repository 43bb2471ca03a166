// Sync of two stores of BENCH_TASKS tasks (10,000) and BENCH_NOTES notes through a local bare remote: each round
// 100 tasks change on A (A syncs: push) and 100 other tasks on B; B backs up, then syncs (fetch, three-way merge
// of rows, apply, push); then A syncs (fast-forward: apply B's side). Median of BENCH_ROUNDS rounds.
//
// baseline (same run, same files): a copy of B's backup repository right after its backup, pushing to a copy of
// the remote: `git fetch && git merge -X ours && git push` — what plain git needs to carry the same commits.
//
// Run with `npm run bench -- sync`; alone: `node --import tsx bench/sync.bench.ts`.
// Env: BENCH_TASKS (10000), BENCH_NOTES (1000), BENCH_ROUNDS (3), CAIRN_BENCH_OUT.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Actor } from '../src/store/events';
import { createProject } from '../src/store/projects';
import { Store } from '../src/store/store';
import { createTask, getTask, updateTask } from '../src/store/tasks';
import { runBackup, type BackupEnv } from '../src/sync/backup';
import { setRemote } from '../src/sync/remote';
import { runSync } from '../src/sync/sync';
import { median, round } from './stats';
import { runBench, writeResult } from './output';

const TASKS = Number(process.env.BENCH_TASKS ?? 10_000);
const NOTES = Number(process.env.BENCH_NOTES ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CHANGES = 100;
const who: Actor = { actor: 'bench', source: 'cli' };

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}
const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=bench', '-c', 'user.email=bench@localhost', ...args], { stdio: 'pipe', maxBuffer: 1 << 30 });

async function editTasks(store: Store, ids: string[], label: string): Promise<void> {
  await store.write(async (orm) => {
    for (const id of ids) await updateTask(orm, who, id, (await getTask(orm, id)).version, { title: `${label} ${id}` });
  });
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-sync-'));
  const bare = path.join(root, 'remote.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  git(bare, 'config', 'receive.denyNonFastForwards', 'true');
  const open = async (name: string) => {
    const dir = path.join(root, name);
    const vault = path.join(root, `${name}-vault`);
    fs.mkdirSync(vault, { recursive: true });
    const store = await Store.open(dir);
    await setRemote(path.join(dir, 'backup'), bare, true);
    const env: BackupEnv = { store, vaultDir: vault, agentDirs: [], who };
    return { dir, vault, store, env, repo: path.join(dir, 'backup') };
  };
  const a = await open('a');
  const b = await open('b');
  try {
    const ids: string[] = [];
    await a.store.write(async (orm) => {
      const p = await createProject(orm, who, { name: 'Bench' });
      for (let i = 0; i < TASKS; i++) ids.push((await createTask(orm, who, { projectId: p.id, title: `Task ${i}`, description: `Description of task ${i}. `.repeat(4) })).id);
    });
    for (let i = 0; i < NOTES; i++) {
      const folder = path.join(a.vault, `area-${i % 20}`);
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, `note-${i}.md`), `# Note ${i}\n\n${'Some words about the work. '.repeat(30)}\n`);
    }
    const firstPush = await timed(() => runSync(a.env, {}));
    const firstPull = await timed(() => runSync(b.env, {}));
    await runSync(a.env, {});

    const rows = { backupB: [] as number[], mergeSyncB: [] as number[], ffSyncA: [] as number[], pushSyncA: [] as number[], gitBaseline: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      const offset = r * 2 * CHANGES;
      await editTasks(a.store, ids.slice(offset, offset + CHANGES), `A${r}`);
      rows.pushSyncA.push((await timed(() => runSync(a.env, {}))).ms);
      await editTasks(b.store, ids.slice(offset + CHANGES, offset + 2 * CHANGES), `B${r}`);
      rows.backupB.push((await timed(() => runBackup(b.env, {}))).ms);

      // Baseline: plain git carrying the same commits (copies of B's repository and of the remote).
      const plain = path.join(root, `plain-${r}`);
      const plainRemote = path.join(root, `plain-remote-${r}.git`);
      fs.cpSync(b.repo, plain, { recursive: true });
      fs.cpSync(bare, plainRemote, { recursive: true });
      git(plain, 'remote', 'set-url', 'origin', plainRemote);
      const base = await timed(() => {
        git(plain, 'fetch', '--quiet', 'origin');
        git(plain, 'merge', '--quiet', '--no-edit', '-X', 'ours', 'origin/main');
        git(plain, 'push', '--quiet', 'origin', 'main');
      });
      rows.gitBaseline.push(base.ms);
      fs.rmSync(plain, { recursive: true, force: true });
      fs.rmSync(plainRemote, { recursive: true, force: true });

      const merged = await timed(() => runSync(b.env, {}));
      if (merged.value.status !== 'merged') throw new Error(`expected a merge, got ${merged.value.status}`);
      rows.mergeSyncB.push(merged.ms);
      const ff = await timed(() => runSync(a.env, {}));
      if (ff.value.status !== 'fast_forward') throw new Error(`expected a fast-forward, got ${ff.value.status}`);
      rows.ffSyncA.push(ff.ms);
    }
    const row = (metric: string, value: number, baseline: number) => ({ metric, value: round(value), baseline: round(baseline), ratio: round(value / baseline, 2), unit: 'ms' });
    const result = {
      name: 'sync',
      tasks: TASKS,
      notes: NOTES,
      changesPerSide: CHANGES,
      rounds: ROUNDS,
      firstPushMs: round(firstPush.ms),
      firstPullMs: round(firstPull.ms),
      ...Object.fromEntries(Object.entries(rows).map(([k, v]) => [`${k}Ms`, v.map((x) => round(x))])),
      summary: [
        row(`sync with a merge (${CHANGES} changed tasks each side) vs git fetch + merge + push`, median(rows.mergeSyncB), median(rows.gitBaseline)),
        row(`backup + sync with a merge vs git fetch + merge + push`, median(rows.backupB) + median(rows.mergeSyncB), median(rows.gitBaseline)),
        row(`sync that applies the other side (fast-forward) vs git fetch + merge + push`, median(rows.ffSyncA), median(rows.gitBaseline)),
        row(`sync that only pushes (backup of ${CHANGES} changes included) vs git fetch + merge + push`, median(rows.pushSyncA), median(rows.gitBaseline)),
      ],
    };
    writeResult(result);
  } finally {
    await a.store.close().catch(() => undefined);
    await b.store.close().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

runBench('sync', main);
