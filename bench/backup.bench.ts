// Backup and restore of a store of 100,000 tasks and 10,000 notes, each against a baseline measured in the same run.
//
// full backup:         the first `cairn backup` (export every table, copy the vault, secret-scan, commit)
//   baseline:          `git add -A && git commit` of the very same files in a fresh repository
// incremental backup:  10 tasks changed + 10 notes changed, then a backup (median of BENCH_ROUNDS rounds, 7 by default)
//   baseline:          the same changed files copied into the baseline repository, then `git add -A && git commit`
//                      (also recorded: each round's time per backup phase, and how much each repository grew)
// restore (small):     restore the previous backup (it differs by the 10 + 10 changes), safety backup, re-index of
//                      the notes written back and the backup of the restored state included
// restore (full):      restore into an emptied store (every row inserted, every file checked, the vault re-indexed)
//   baseline:          VACUUM INTO of the store's database (a consistent full copy), and a plain file copy
//
// Run with `npm run bench -- backup`; alone: `node --import tsx bench/backup.bench.ts`.
// Env: BENCH_TASKS (100000), BENCH_NOTES (10000), BENCH_ROUNDS (7), CAIRN_BENCH_OUT.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Actor } from '../src/store/events';
import { createProject } from '../src/store/projects';
import { Store } from '../src/store/store';
import { indexVault } from '../src/store/knowledge/indexer';
import { createTask, getTask, updateTask } from '../src/store/tasks';
import { runBackup, type BackupEnv, type Progress } from '../src/sync/backup';
import { runRestore } from '../src/sync/restore';
import { runBench, writeResult } from './output';

const TASKS = Number(process.env.BENCH_TASKS ?? 100_000);
const NOTES = Number(process.env.BENCH_NOTES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const who: Actor = { actor: 'bench', source: 'cli' };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Repositories whose background maintenance a measurement waits out (see timed). */
const quietRepos: string[] = [];

/** Whether git's `gc --auto` runs in the repository (it holds .git/gc.pid while it works, detached from git commit). */
function gcRunning(repo: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(repo, '.git', 'gc.pid'), 'utf8').split(' ')[0]);
  } catch {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false; // a stale file
  }
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  // Each measurement starts on a quiet machine: no git gc left running in the background by the one before (the
  // baseline's `git commit` of 10,000 new files starts a repack that takes both cores for a minute), and the
  // writes of the one before (git objects, copies) flushed.
  while (quietRepos.some(gcRunning)) await new Promise((r) => setTimeout(r, 200));
  execFileSync('sync');
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=bench', '-c', 'user.email=bench@localhost', '-c', 'commit.gpgsign=false', ...args], { stdio: 'pipe', maxBuffer: 1 << 30 });

function writeVault(dir: string): void {
  for (let i = 0; i < NOTES; i++) {
    const folder = path.join(dir, `area-${i % 40}`, `topic-${i % 13}`);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(
      path.join(folder, `note-${i}.md`),
      `---\ntags: [bench, t${i % 17}]\n---\n# Note ${i}\n\n${'Some words about the project and its tasks. '.repeat(20 + (i % 40))}\nSee [[note-${(i * 7) % NOTES}]].\n`,
    );
  }
}

/** Bytes of a repository's loose objects (what each commit adds until git packs them). */
function objectBytes(repo: string): number {
  const out = execFileSync('git', ['-C', repo, 'count-objects', '-v'], { encoding: 'utf8' });
  return Number(/^size: (\d+)$/m.exec(out)![1]) * 1024;
}

/** Times a backup's phases from its progress reports ("export tasks" counts as "export"): ms per phase, in order. */
function phaseClock(): { onProgress: (p: Progress) => void; phases: () => Record<string, number> } {
  const marks: [string, number][] = [];
  return {
    onProgress: (p) => {
      const name = p.phase.split(' ')[0]!;
      if (marks[marks.length - 1]?.[0] !== name) marks.push([name, performance.now()]);
    },
    phases: () => {
      const end = performance.now();
      return Object.fromEntries(marks.map(([name, at], i) => [name, round((marks[i + 1]?.[1] ?? end) - at)]));
    },
  };
}

/** The files a backup commits (the working tree without .git), copied to dest. */
function copyWorkingTree(repo: string, dest: string, only?: string[]): void {
  const list = only ?? fs.readdirSync(repo).filter((f) => f !== '.git');
  for (const rel of list) {
    const from = path.join(repo, rel);
    const to = path.join(dest, rel);
    if (!fs.existsSync(from)) {
      fs.rmSync(to, { recursive: true, force: true });
      continue;
    }
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.cpSync(from, to, { recursive: true });
  }
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-backup-'));
  const storeDir = path.join(root, 'store');
  const vault = path.join(storeDir, 'vault');
  let store = await Store.open(storeDir);
  try {
    process.stderr.write(`backup bench: building a store of ${TASKS} tasks and ${NOTES} notes\n`);
    const ids: string[] = [];
    const projects = await store.write(async (orm) => Promise.all([0, 1, 2, 3, 4].map((i) => createProject(orm, who, { name: `Project ${i}` }))));
    for (let i = 0; i < TASKS; i += 5000) {
      await store.write(async (orm) => {
        for (let j = i; j < Math.min(TASKS, i + 5000); j++) {
          const t = await createTask(orm, who, { projectId: projects[j % 5]!.id, title: `Task ${j}: do the thing`, description: `Details of task ${j}. `.repeat(1 + (j % 8)), tags: j % 3 ? [] : ['bench'] });
          ids.push(t.id);
        }
      });
    }
    writeVault(vault);
    // A user's vault is indexed; a restore then re-indexes only the notes it writes back.
    await indexVault(store, vault, who);
    const env: BackupEnv = { store, vaultDir: vault, agentDirs: [], who };

    // --- full backup vs git add -A && git commit of the same files
    const fullClock = phaseClock();
    const full = await timed(() => runBackup({ ...env, onProgress: fullClock.onProgress }, {}));
    const fullPhases = fullClock.phases();
    const repo = full.value.repo;
    const baseRepo = path.join(root, 'baseline');
    quietRepos.push(repo, baseRepo);
    fs.mkdirSync(baseRepo);
    git(baseRepo, 'init', '-q');
    copyWorkingTree(repo, baseRepo);
    const gitFull = await timed(() => {
      git(baseRepo, 'add', '-A');
      git(baseRepo, 'commit', '-qm', 'full');
    });
    process.stderr.write(`backup bench: full backup ${round(full.ms)} ms ${JSON.stringify(fullPhases)}, git add+commit ${round(gitFull.ms)} ms\n`);

    // --- incremental backups: 10 tasks + 10 notes each round
    const inc: number[] = [];
    const gitInc: number[] = [];
    const phases: Record<string, number>[] = []; // where each incremental backup's time went, by progress phase
    const growth: number[] = []; // bytes the repository's loose objects grew by, per incremental backup
    const gitGrowth: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      await store.write(async (orm) => {
        for (let k = 0; k < 10; k++) {
          const id = ids[(r * 7919 + k * 9973) % ids.length]!;
          const t = await getTask(orm, id);
          await updateTask(orm, who, id, t.version, { title: `${t.title} (round ${r})` });
        }
      });
      for (let k = 0; k < 10; k++) {
        const i = (r * 613 + k * 997) % NOTES;
        fs.appendFileSync(path.join(vault, `area-${i % 40}`, `topic-${i % 13}`, `note-${i}.md`), `\nEdited in round ${r}.\n`);
      }
      const clock = phaseClock();
      const objectsBefore = [objectBytes(repo), objectBytes(baseRepo)];
      const b = await timed(() => runBackup({ ...env, onProgress: clock.onProgress }, {}));
      phases.push(clock.phases());
      if (b.value.status !== 'committed') throw new Error(`round ${r}: the incremental backup committed nothing`);
      inc.push(b.ms);
      const changed = execFileSync('git', ['-C', repo, 'show', '--name-only', '--format=', 'HEAD'], { encoding: 'utf8' }).trim().split('\n');
      copyWorkingTree(repo, baseRepo, changed);
      const g = await timed(() => {
        git(baseRepo, 'add', '-A');
        git(baseRepo, 'commit', '-qm', `round ${r}`);
      });
      gitInc.push(g.ms);
      growth.push(objectBytes(repo) - objectsBefore[0]!);
      gitGrowth.push(objectBytes(baseRepo) - objectsBefore[1]!);
      process.stderr.write(`backup bench: incremental ${round(b.ms)} ms (${changed.length} files) ${JSON.stringify(phases[phases.length - 1])}, git add+commit ${round(g.ms)} ms\n`);
    }

    // --- restore: the previous backup (small difference), then into an emptied store (everything)
    const small = await timed(() => runRestore(env, {}, 'HEAD~1'));
    const vacuum = await timed(() => store.conn.run('VACUUM INTO ?', [path.join(root, 'vacuum.db')]));
    await store.conn.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    const copy = await timed(() => fs.copyFileSync(store.file, path.join(root, 'copy.db')));
    const target = execFileSync('git', ['-C', repo, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    await store.close();
    for (const f of fs.readdirSync(storeDir)) if (f.startsWith('cairn.db')) fs.rmSync(path.join(storeDir, f));
    store = await Store.open(storeDir, { forRestore: true }); // the folder held a store: opened to restore into
    const restoreClock = phaseClock();
    const fullRestore = await timed(() => runRestore({ ...env, store, onProgress: restoreClock.onProgress }, {}, target));
    const restorePhases = restoreClock.phases();
    process.stderr.write(`backup bench: restore small ${round(small.ms)} ms, full ${round(fullRestore.ms)} ms ${JSON.stringify(restorePhases)}; VACUUM INTO ${round(vacuum.ms)} ms, copy ${round(copy.ms)} ms\n`);

    const row = (metric: string, value: number, baseline: number, unit = 'ms') => ({ metric, value: round(value), baseline: round(baseline), ratio: round(value / baseline, 2), unit });
    const result = {
      tasks: TASKS,
      notes: NOTES,
      rounds: ROUNDS,
      backupBytes: full.value.bytes,
      backupFiles: full.value.files,
      databaseBytes: fs.statSync(path.join(root, 'copy.db')).size,
      fullBackupMs: full.ms,
      fullPhasesMs: fullPhases,
      gitFullMs: gitFull.ms,
      incrementalMs: inc,
      gitIncrementalMs: gitInc,
      incrementalPhasesMs: phases,
      incrementalGrowthBytes: growth,
      gitIncrementalGrowthBytes: gitGrowth,
      restoreSmallMs: small.ms,
      restoreFullMs: fullRestore.ms,
      restoreFullPhasesMs: restorePhases,
      vacuumIntoMs: vacuum.ms,
      fileCopyMs: copy.ms,
      summary: [
        row('full backup vs git add -A && commit', full.ms, gitFull.ms),
        row('incremental backup (10 tasks + 10 notes) vs git add -A && commit', median(inc), median(gitInc)),
        row('repository growth per incremental backup vs git add -A && commit', median(growth) / 1024, median(gitGrowth) / 1024, 'KiB'),
        row('restore (10 + 10 changes back) vs VACUUM INTO', small.ms, vacuum.ms),
        row('restore into an empty store vs VACUUM INTO', fullRestore.ms, vacuum.ms),
        row('restore into an empty store vs file copy', fullRestore.ms, copy.ms),
      ],
    };
    writeResult(result);
  } finally {
    await store.close().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

runBench('backup', main);
