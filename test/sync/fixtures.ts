// Shared fixtures of the backup tests: a canonical dump of a store (every source-of-truth row in the text form's
// encoding and order), a populated store, a vault of notes, and machines (a store, its vault, agent folder and backup
// repository) syncing through a local bare remote.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createProject } from '../../src/store/projects';
import { readTable, withReadSnapshots } from '../../src/store/snapshot/rows';
import { tableCatalog } from '../../src/store/snapshot/tables';
import { createSprint } from '../../src/store/sprints';
import { Store } from '../../src/store/store';
import { createTask, updateTask } from '../../src/store/tasks';
import type { BackupEnv } from '../../src/sync/backup';
import { setRemote } from '../../src/sync/remote';
import { runSync } from '../../src/sync/sync';
import { compareKeys, DB_DIR, encodeRow, rowKey, splitLines } from '../../src/sync/layout';
import { computeManifest, readManifest, writeManifest } from '../../src/sync/manifest';
import { cleanupTempDirs, human, tempDir } from '../helpers';

export type Dump = Record<string, string[]>;

/**
 * Every source-of-truth row, encoded and sorted as in the backup. A restore logs itself (backup.restored, and a
 * `<kind>.restored` event per row it changed) and re-indexes the restored vault (vault.indexed): those events are
 * counted apart, not compared.
 */
export async function canonicalDump(store: Store): Promise<{ tables: Dump; restoreEvents: number; restoredRows: number }> {
  return withReadSnapshots(store.file, 1, async ([conn]) => {
    const tables: Dump = {};
    let restoreEvents = 0;
    let restoredRows = 0;
    for (const spec of (await tableCatalog(conn)).source) {
      let rows = await readTable(conn, spec);
      if (spec.name === 'events') {
        const restored = (r: Record<string, unknown>) => r.aggregate_type !== 'backup' && String(r.type).endsWith('.restored');
        restoreEvents = rows.filter((r) => r.aggregate_type === 'backup').length;
        restoredRows = rows.filter(restored).length;
        rows = rows.filter((r) => r.aggregate_type !== 'backup' && r.aggregate_type !== 'vault' && !restored(r));
      }
      tables[spec.name] = rows.map((r) => [rowKey(spec.key, r), encodeRow(spec.columns, r)] as const).sort((a, b) => compareKeys(a[0], b[0])).map(([, line]) => line);
    }
    return { tables, restoreEvents, restoredRows };
  });
}

/** The rows of a dump without their versions (a restore moves each row it changes past its aggregate's versions). */
export function contentOf(tables: Dump): Dump {
  return Object.fromEntries(
    Object.entries(tables).map(([name, lines]) => [name, lines.map((line) => JSON.stringify({ ...(JSON.parse(line) as Record<string, unknown>), version: undefined }))]),
  );
}

export function envOf(store: Store, vaultDir: string, agentDirs: string[] = []): BackupEnv {
  return { store, vaultDir, agentDirs, who: human };
}

/** A store with projects, sprints and tasks (some in sprints, some subtasks, some with numbers set). */
export async function populate(store: Store, tasks: number): Promise<string[]> {
  const ids: string[] = [];
  await store.write(async (orm) => {
    const projects = [await createProject(orm, human, { name: 'Alpha' }), await createProject(orm, human, { name: 'Beta ✨' })];
    const sprint = await createSprint(orm, human, { projectId: projects[0]!.id, name: 'Sprint 1' });
    for (let i = 0; i < tasks; i++) {
      const t = await createTask(orm, human, {
        projectId: projects[i % 2]!.id,
        sprintId: i % 6 === 0 ? sprint.id : null,
        parentId: i % 10 === 9 ? ids[i - 2] : null,
        title: `Task ${i} ${'ünïcødé'.slice(0, i % 7)}`,
        description: i % 5 === 0 ? '' : `Line one of ${i}\nline "two"\t${'x'.repeat(i % 300)}`,
        tags: i % 4 === 0 ? ['a', 'b'] : [],
      });
      ids.push(t.id);
      if (i % 7 === 0) await updateTask(orm, human, t.id, t.version, { tokensIn: i * 11, qualityScore: (i % 10) / 10, status: 'done' });
    }
  });
  return ids;
}

export function writeVault(dir: string, notes: number): void {
  for (let i = 0; i < notes; i++) {
    const folder = path.join(dir, `f${i % 7}`);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, `note ${i}.md`), `# Note ${i}\n\nSome text about [[note ${(i + 1) % notes}]] and #tag${i % 3}.\n${'lorem ipsum '.repeat(i % 50)}\n`);
  }
}

export { readTree } from '../helpers';

export const git = (repo: string, ...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 }).trim();

type Row = Record<string, unknown>;

export interface Tampered {
  commit: string;
  rel: string;
  line: number;
}

/**
 * A commit on top of `from` in the repository `source` whose first `table` row that `pick` accepts is `edit`ed (to a
 * row, or to a line of text as it is), with a manifest made to match (as by hand, with care), fetched into `into`
 * (default `source`): valid in every checksum.
 */
export function tamper(source: string, from: string, table: string, edit: (row: Row) => Row | string, pick: (row: Row) => boolean = () => true, into = source): Tampered {
  const work = path.join(tempDir(), 'tamper');
  git(path.dirname(work), 'clone', '--quiet', source, work);
  git(work, 'checkout', '--quiet', from);
  const dir = path.join(work, DB_DIR, table);
  for (const name of fs.readdirSync(dir).sort()) {
    const lines = splitLines(fs.readFileSync(path.join(dir, name), 'utf8'));
    const at = lines.findIndex((l) => pick(JSON.parse(l) as Row));
    if (at === -1) continue;
    const edited = edit(JSON.parse(lines[at]!) as Row);
    lines[at] = typeof edited === 'string' ? edited : JSON.stringify(edited);
    fs.writeFileSync(path.join(dir, name), lines.join('\n') + '\n');
    writeManifest(work, computeManifest(work, readManifest(work)!));
    git(work, 'commit', '--quiet', '-am', `edited ${table} by hand`);
    const commit = git(work, 'rev-parse', 'HEAD');
    git(into, 'fetch', '--quiet', work, `HEAD:refs/tampered/${commit}`);
    return { commit, rel: `${DB_DIR}/${table}/${name}`, line: at + 1 };
  }
  throw new Error(`no ${table} row to edit`);
}

/** A bare repository under root that refuses non-fast-forward pushes and deletions, so a force-push fails loudly. */
export function bareRemote(root: string): string {
  const bare = path.join(root, 'remote.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  git(bare, 'config', 'receive.denyNonFastForwards', 'true');
  git(bare, 'config', 'receive.denyDeletes', 'true');
  return bare;
}

export interface Clone {
  dir: string;
  vault: string;
  /** The agent folder (backed up when agentFiles were given). */
  agents: string;
  store: Store;
  env: BackupEnv;
  repo: string;
}

const openClones: Clone[] = [];

/**
 * A machine under root: a store, its vault, an agent folder holding agentFiles (backed up only when given), and the
 * backup repository with `remote` set (none when null). Closed by closeClones().
 */
export async function clone(root: string, name: string, remote: string | null, agentFiles?: Record<string, string>): Promise<Clone> {
  const dir = path.join(root, name);
  const vault = path.join(root, `${name}-vault`);
  const agents = path.join(root, `${name}-agents`);
  fs.mkdirSync(vault, { recursive: true });
  for (const [rel, text] of Object.entries(agentFiles ?? {})) {
    fs.mkdirSync(path.dirname(path.join(agents, rel)), { recursive: true });
    fs.writeFileSync(path.join(agents, rel), text);
  }
  const store = await Store.open(dir);
  const repo = path.join(dir, 'backup');
  const c = { dir, vault, agents, store, env: envOf(store, vault, agentFiles ? [agents] : []), repo };
  openClones.push(c);
  if (remote) await setRemote(repo, remote, true);
  return c;
}

/**
 * Two machines, A and B, sharing a new bare remote: A holds `tasks` tasks and `notes` vault notes, and after A, B and
 * A have synced, both hold the same state. Closed by closeClones().
 */
export async function syncedPair(tasks: number, notes = 0): Promise<{ root: string; bare: string; a: Clone; b: Clone; ids: string[] }> {
  const root = tempDir();
  const bare = bareRemote(root);
  const a = await clone(root, 'a', bare);
  const b = await clone(root, 'b', bare);
  const ids = await populate(a.store, tasks);
  if (notes) writeVault(a.vault, notes);
  for (const c of [a, b, a]) await runSync(c.env, {});
  return { root, bare, a, b, ids };
}

/** afterEach of the suites using clone(): closes their stores (a test may have closed one already) and the folders. */
export async function closeClones(): Promise<void> {
  for (const c of openClones.splice(0)) await c.store.close().catch(() => undefined);
  cleanupTempDirs();
}
