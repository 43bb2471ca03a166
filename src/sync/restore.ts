// Restore REF: verify, build, check, save the present, swap, put the files back, re-index.
//
// 1. The commit's files are extracted to a scratch folder; every file is checked against the manifest.
// 2. A new database is built from the JSONL by the real migrations in a scratch file and checked
//    (integrity_check, foreign keys, row counts against the manifest). Nothing live has been touched so far;
//    a dry run stops here with what would change.
// 3. A safety backup commits the present state (so the restore can be undone from history).
// 4. The store's content is replaced in ONE transaction (see src/store/snapshot/load.ts), with its
//    backup.restored event. A marker in .git/cairn/ names the restore until its files are back: if the process
//    dies after the swap, the next backup or restore finishes the job (the event tells whether the swap happened).
// 5. Vault and agent files are written with temp-file + rename; the indexes are brought up to date.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexAgents } from '../store/agents/indexer';
import { reapplyErasures, tombstonesOf, type ErasureInBackup } from '../store/erase';
import { appendNextEvent } from '../store/events';
import { StoreError } from '../store/errors';
import { newId } from '../store/ids';
import { indexVault } from '../store/knowledge/indexer';
import { findMigrationsDir, shippedSchemaVersion } from '../store/migrate';
import { buildDatabase, copyDatabase, diffAttached, replaceFromAttached, withAttached, type TableDiff } from '../store/snapshot/load';
import { eventBefore, lastEvent, restoreCommitted, userVersion, withReadSnapshot } from '../store/snapshot/rows';
import { backupLocked, repoDirOf, type BackupEnv, type BackupSettings } from './backup';
import { agentFolderSlug, excludeMatcher, isNote, isPrivateNote, walk } from './files';
import { crashPoint } from './crashPoints';
import { BackupRepo } from './git';
import { withBackupLock } from './lock';
import { AGENTS_PREFIX, compareKeys, DB_DIR, decodeValue, MANIFEST, rowKey, sha256, splitLines, VAULT_PREFIX } from './layout';
import { formatManifest, readManifest, verifyFiles, type Manifest } from './manifest';
import { clearInProgress, clearPendingRestore, clearState, markInProgress, readPendingRestore, writePendingRestore, writeState } from './state';
import { resumePendingSync } from './pendingSync';

export interface FileDiff {
  added: number;
  removed: number;
  changed: number;
  /** Up to 50 paths of each. */
  samples: { added: string[]; removed: string[]; changed: string[] };
}

export interface RestoreResult {
  dryRun: boolean;
  ref: string;
  commit: string;
  date: string;
  subject: string;
  tables: TableDiff[];
  files: FileDiff;
  /** The commit holding the state before the restore (undo: restore it). */
  safetyCommit?: string | null;
  /** When the safety backup was refused (a secret), the database was copied here instead. */
  safetyCopy?: string;
  restoreCommit?: string | null;
  /** Projects the backup holds that were erased since: erased again, unless includeErased brought them back. */
  erased: ErasureInBackup[];
  warnings: string[];
  ms: number;
}

interface FilePlan {
  root: string;
  prefix: string;
  write: string[];
  remove: string[];
}

function parseTables(tree: string, m: Manifest): Map<string, { columns: string[]; rows: unknown[][] }> {
  const out = new Map<string, { columns: string[]; rows: unknown[][] }>();
  for (const [table, entry] of Object.entries(m.tables)) {
    const keyed: { key: string; values: unknown[] }[] = [];
    const files = Object.keys(m.files).filter((p) => p.startsWith(`${DB_DIR}/${table}/`)).sort();
    for (const rel of files) {
      splitLines(fs.readFileSync(path.join(tree, rel), 'utf8')).forEach((line, i) => {
        let row: Record<string, unknown>;
        try {
          row = JSON.parse(line) as Record<string, unknown>;
          if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new Error('not a JSON object');
          const names = Object.keys(row);
          if (names.join() !== entry.columns.join()) throw new Error(`its fields (${names.join(', ')}) are not the table's columns (${entry.columns.join(', ')})`);
          keyed.push({ key: rowKey(entry.key, row), values: entry.columns.map((c) => decodeValue(row[c])) });
        } catch (err) {
          throw new StoreError('corrupt', `${rel} line ${i + 1} is not a valid ${table} row (${(err as Error).message}); the backup was damaged or edited by hand. Nothing was changed.`);
        }
      });
    }
    keyed.sort((a, b) => compareKeys(a.key, b.key));
    out.set(table, { columns: entry.columns, rows: keyed.map((k) => k.values) });
  }
  return out;
}

/** The folders files are restored into: the vault and the agent folders of the current settings. */
export function roots(env: BackupEnv, settings: BackupSettings): { prefix: string; dir: string }[] {
  const out: { prefix: string; dir: string }[] = [];
  if (settings.includeVault ?? true) out.push({ prefix: VAULT_PREFIX, dir: env.vaultDir });
  if (settings.includeAgents ?? true) for (const d of env.agentDirs) out.push({ prefix: `${AGENTS_PREFIX}${agentFolderSlug(d, env.store.dir)}/`, dir: d });
  return out;
}

/**
 * Which files to write and remove so each folder matches the backup. Files left out of backups are never
 * removed: excluded paths, and private notes when the backup would leave them out.
 */
function planFiles(env: BackupEnv, settings: BackupSettings, m: Manifest, skipPrivate: boolean): FilePlan[] {
  const excluded = excludeMatcher(settings.exclude ?? []);
  return roots(env, settings).map(({ prefix, dir }) => {
    const plan: FilePlan = { root: dir, prefix, write: [], remove: [] };
    const wanted = Object.entries(m.files).filter(([p]) => p.startsWith(prefix));
    const present = fs.existsSync(dir) ? walk(dir, [env.store.dir, repoDirOf(env.store, settings)], []) : new Map<string, fs.Stats>();
    for (const [p, entry] of wanted) {
      const rel = p.slice(prefix.length);
      const st = present.get(rel);
      if (st && st.size === entry.bytes && sha256(fs.readFileSync(path.join(dir, rel))) === entry.sha256) continue;
      plan.write.push(rel);
    }
    const inBackup = new Set(wanted.map(([p]) => p.slice(prefix.length)));
    for (const rel of present.keys()) {
      if (inBackup.has(rel) || excluded(rel)) continue;
      if (skipPrivate && isNote(rel) && isPrivateNote(fs.readFileSync(path.join(dir, rel), 'utf8'))) continue;
      plan.remove.push(rel);
    }
    return plan;
  });
}

function summarizePlans(plans: FilePlan[]): FileDiff {
  const diff: FileDiff = { added: 0, removed: 0, changed: 0, samples: { added: [], removed: [], changed: [] } };
  for (const p of plans) {
    for (const rel of p.write) {
      const kind = fs.existsSync(path.join(p.root, rel)) ? 'changed' : 'added';
      diff[kind]++;
      if (diff.samples[kind].length < 50) diff.samples[kind].push(p.prefix + rel);
    }
    for (const rel of p.remove) {
      diff.removed++;
      if (diff.samples.removed.length < 50) diff.samples.removed.push(p.prefix + rel);
    }
  }
  return diff;
}

/** Writes each file with temp-file + rename; removed files go to `aside` first when there is no safety commit. */
function applyFiles(plans: FilePlan[], tree: string, aside: string | null): void {
  for (const p of plans) {
    for (const [i, rel] of p.write.entries()) {
      if (i === p.write.length >> 1) crashPoint('restore:half-files');
      const target = path.join(p.root, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      if (aside && fs.existsSync(target)) fs.cpSync(target, path.join(aside, p.prefix, rel));
      const tmp = `${target}.cairn-restore-${process.pid}`;
      fs.copyFileSync(path.join(tree, p.prefix, rel), tmp);
      fs.renameSync(tmp, target);
    }
    for (const rel of p.remove) {
      const target = path.join(p.root, rel);
      if (aside) {
        fs.mkdirSync(path.dirname(path.join(aside, p.prefix, rel)), { recursive: true });
        fs.renameSync(target, path.join(aside, p.prefix, rel));
      } else fs.rmSync(target, { force: true });
    }
  }
}

async function reindex(env: BackupEnv): Promise<void> {
  if (fs.existsSync(env.vaultDir)) await indexVault(env.store, env.vaultDir, env.who);
  if (env.agentDirs.some((d) => fs.existsSync(d))) await indexAgents(env.store, env.agentDirs, env.who);
}

/**
 * After the swap the database's rows are the restored commit's: its db/ files (and their manifest entries) become
 * the working tree's, and the state says "exported up to the event before the restore's own", so the backup that follows is
 * incremental. (files/ stay as they are: the mirror compares them with the restored files as usual.)
 * Marked in progress while copying; the state is marked uncommitted, so a backup that has to reset the tree to
 * HEAD (killed half-way) drops it and compares in full.
 */
async function adoptRestoredRows(env: BackupEnv, repo: BackupRepo, tree: string, skipPrivate: boolean, rowsDiffer: boolean): Promise<void> {
  markInProgress(repo.cairnDir);
  clearState(repo.cairnDir);
  fs.rmSync(path.join(repo.dir, DB_DIR), { recursive: true, force: true });
  if (fs.existsSync(path.join(tree, DB_DIR))) fs.cpSync(path.join(tree, DB_DIR), path.join(repo.dir, DB_DIR), { recursive: true });
  // The manifest: the restored commit's tables and db/ checksums, the working tree's own files/ entries.
  const restored = readManifest(tree)!;
  const current = readManifest(repo.dir);
  const files = Object.fromEntries([
    ...Object.entries(restored.files).filter(([p]) => p.startsWith(`${DB_DIR}/`)),
    ...Object.entries(current?.files ?? {}).filter(([p]) => !p.startsWith(`${DB_DIR}/`)),
  ]);
  fs.writeFileSync(path.join(repo.dir, MANIFEST), formatManifest({ ...restored, files }));
  await repo.stagePaths([DB_DIR, MANIFEST]); // a backup stages only what it writes itself
  if (rowsDiffer) {
    // Erases were applied again: the rows are not the commit's, so the next backup compares them in full.
    clearInProgress(repo.cairnDir);
    return;
  }
  const marks = await withReadSnapshot(env.store.file, async (conn) => {
    const restoreEvent = await lastEvent(conn);
    return { before: restoreEvent ? await eventBefore(conn, restoreEvent.seq) : null, schemaVersion: await userVersion(conn) };
  });
  writeState(repo.cairnDir, {
    head: (await repo.head()) ?? '',
    storeFile: env.store.file,
    schemaVersion: marks.schemaVersion,
    lastSeq: marks.before?.seq ?? 0,
    lastEventId: marks.before?.id ?? null,
    privateExcluded: skipPrivate,
    uncommitted: true,
  });
  clearInProgress(repo.cairnDir);
}

const scratchDir = (storeDir: string) => fs.mkdtempSync(path.join(storeDir, '.restore-'));

/** Removes scratch folders of restores that were killed. */
function sweepScratch(storeDir: string): void {
  for (const name of fs.readdirSync(storeDir)) if (name.startsWith('.restore-')) fs.rmSync(path.join(storeDir, name), { recursive: true, force: true });
}

/** Finishes a restore whose swap committed but whose files were not all written (the process died). */
export async function resumePendingRestore(env: BackupEnv, settings: BackupSettings): Promise<void> {
  const repoDir = repoDirOf(env.store, settings);
  if (!fs.existsSync(path.join(repoDir, '.git'))) return;
  sweepScratch(env.store.dir);
  const pending = readPendingRestore(path.join(repoDir, '.git', 'cairn'));
  if (!pending) return;
  const repo = await BackupRepo.open(repoDir, false);
  if (await restoreCommitted(env.store.conn, pending.restoreId)) {
    const scratch = scratchDir(env.store.dir);
    try {
      const tree = path.join(scratch, 'tree');
      await repo.extract(pending.commit, tree);
      const m = readManifest(tree)!;
      applyFiles(planFiles(env, settings, m, await skipsPrivate(repo, settings)), tree, null);
      await reindex(env);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
  clearState(repo.cairnDir);
  clearPendingRestore(repo.cairnDir);
}

async function skipsPrivate(repo: BackupRepo, settings: BackupSettings): Promise<boolean> {
  const policy = settings.privateNotes ?? 'auto';
  return policy === 'exclude' || (policy === 'auto' && (await repo.remoteUrl()) !== null);
}

export interface RestoreOptions {
  dryRun?: boolean;
  /** Bring back projects erased after the backup was made (by default the erase is applied again). */
  includeErased?: boolean;
}

export function runRestore(env: BackupEnv, settings: BackupSettings, ref: string, opts: RestoreOptions = {}): Promise<RestoreResult> {
  return withBackupLock(env.store.dir, 'restore', async () => {
    await resumePendingRestore(env, settings);
    await resumePendingSync(env, settings);
    return restoreLocked(env, settings, ref, opts.dryRun ?? false, opts.includeErased ?? false);
  });
}

/** What a restore says about erased projects (the dry run too). */
function erasureWarnings(erased: ErasureInBackup[]): string[] {
  return erased.map((e) =>
    e.erasedAgain
      ? `Project "${e.name}" (${e.projectId}) was erased after this backup: it is erased again and stays erased (restore with --include-erased to bring it back).`
      : `Project "${e.name}" (${e.projectId}) was erased after this backup and is brought back (--include-erased); the next sync brings it back on the other machines too.`,
  );
}

async function restoreLocked(env: BackupEnv, settings: BackupSettings, ref: string, dryRun: boolean, includeErased: boolean): Promise<RestoreResult> {
  const started = performance.now();
  const progress = (phase: string, done?: number, total?: number) => env.onProgress?.({ operation: 'restore', phase, done, total });
  const repoDir = repoDirOf(env.store, settings);
  const repo = await BackupRepo.open(repoDir, false);
  const commit = await repo.resolve(ref);
  const [entry] = await repo.log(1, commit);
  const short = commit.slice(0, 10);
  const scratch = scratchDir(env.store.dir);
  const warnings: string[] = [];
  try {
    progress('extract');
    const tree = path.join(scratch, 'tree');
    await repo.extract(commit, tree);
    progress('verify');
    const manifest = readManifest(tree);
    if (!manifest) throw new StoreError('invalid', `Commit ${short} is not a Cairn backup (it has no manifest.json).`);
    const problems = verifyFiles(tree, manifest);
    if (problems.length) {
      const list = problems.slice(0, 5).map((p) => `${p.path}: ${p.problem}`).join('; ');
      throw new StoreError('corrupt', `The backup ${short} fails its checks (${problems.length} problem${problems.length === 1 ? '' : 's'}: ${list}${problems.length > 5 ? '; …' : ''}). Nothing was changed; restore another backup ("cairn history").`);
    }
    const migrationsDir = findMigrationsDir();
    if (manifest.schemaVersion > shippedSchemaVersion(migrationsDir)) {
      throw new StoreError('schema_too_new', `The backup ${short} was written by a newer Cairn (schema version ${manifest.schemaVersion}). Update Cairn to restore it; nothing was changed.`);
    }

    progress('build');
    const dbFile = path.join(scratch, 'restore.db');
    const built = await buildDatabase({
      file: dbFile,
      migrationsDir,
      schemaVersion: manifest.schemaVersion,
      tables: parseTables(tree, manifest),
      onProgress: (done, total) => progress('build', done, total),
    });
    for (const [table, t] of Object.entries(manifest.tables)) {
      if (table in built.counts && built.counts[table] !== t.rows) throw new StoreError('corrupt', `The database built from backup ${short} has ${built.counts[table]} ${table} rows, the manifest ${t.rows}. Nothing was changed.`);
    }
    // An erase is a tombstone: a backup made before it does not bring the project back unless asked to.
    const { erased, changed: rowsDiffer } = await reapplyErasures(dbFile, await tombstonesOf(env.store.conn), includeErased);
    warnings.push(...erasureWarnings(erased));

    const skipPrivate = await skipsPrivate(repo, settings);
    const plans = planFiles(env, settings, manifest, skipPrivate);
    const tables = await withAttached(env.store.conn, dbFile, (specs) => diffAttached(env.store.conn, specs));
    const result: RestoreResult = { dryRun, ref, commit, date: entry?.date ?? '', subject: entry?.subject ?? '', tables, files: summarizePlans(plans), erased, warnings, ms: 0 };
    if (dryRun) return { ...result, ms: Math.round(performance.now() - started) };

    progress('safety');
    let aside: string | null = null;
    try {
      const safety = await backupLocked(env, settings, { kind: 'safety', subjectPrefix: `Safety backup before restoring ${short}: ` });
      result.safetyCommit = safety.commit;
    } catch (err) {
      if (!(err instanceof StoreError && err.kind === 'invalid')) throw err;
      // Refused by the secret scan: keep the present state outside git instead.
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const dir = path.join(env.store.dir, 'backups', `before-restore-${stamp}`);
      fs.mkdirSync(dir, { recursive: true });
      await copyDatabase(env.store.conn, path.join(dir, 'cairn.db'));
      aside = dir;
      result.safetyCopy = dir;
      warnings.push(`The safety backup was refused (${err.message.split('\n')[0]}); the current database and any replaced files were copied to ${dir} instead.`);
    }

    crashPoint('restore:safety');
    progress('swap');
    const restoreId = newId();
    writePendingRestore(repo.cairnDir, { restoreId, commit, ref });
    const counts = Object.fromEntries(tables.map((t) => [t.table, { added: t.added, changed: t.changed, removed: t.removed }]));
    await withAttached(env.store.conn, dbFile, (specs) =>
      env.store.write(async (orm) => {
        await replaceFromAttached(env.store.conn, specs);
        await appendNextEvent(orm, env.who, { aggregateType: 'backup', aggregateId: 'store', type: 'backup.restored', data: { restoreId, ref, commit, backupDate: entry?.date ?? null, changes: counts } });
      }),
    );
    await adoptRestoredRows(env, repo, tree, skipPrivate, rowsDiffer);

    crashPoint('restore:swapped');
    progress('files');
    applyFiles(plans, tree, aside);
    crashPoint('restore:files');
    progress('index');
    await reindex(env);
    clearPendingRestore(repo.cairnDir);

    progress('commit');
    try {
      const after = await backupLocked(env, settings, { kind: 'restore', subjectPrefix: `Restored ${short}${entry ? ` (${entry.date.slice(0, 16).replace('T', ' ')})` : ''}: ` });
      result.restoreCommit = after.commit;
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      warnings.push(`The store was restored, but the backup of the restored state failed: ${err.message.split('\n')[0]}`);
    }
    return { ...result, ms: Math.round(performance.now() - started) };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
