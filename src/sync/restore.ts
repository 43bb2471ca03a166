// Restore REF: verify, save the present, build, check, swap, put the files back, re-index.
//
// 1. The commit's file list is checked against its manifest; after step 2, every file's content against its
//    checksum (read from git in batches, nothing extracted to disk; a file that is the same git object in the
//    safety backup is the present state: its checksum must be the present one, and it is not read again).
// 2. The present state is backed up first (a safety backup; for a dry run an ordinary one, committed only when
//    something changed since the last backup), so the backup's working tree holds exactly the store's rows.
// 3. The database to swap in is built in a scratch file. Usually: a copy of the store (VACUUM INTO) patched with
//    the rows of just the shards whose checksum differs between the commit and the present backup. Otherwise (an
//    older schema, the safety backup refused): the whole commit's rows loaded by the real migrations. Either way
//    it is checked (integrity_check, or quick_check for a patched copy: see patch.ts; foreign keys, row counts
//    against the manifest) before anything live is touched; a dry run stops after the diff (only over the rows
//    patched) with what would change.
// 4. The store's content is replaced in ONE transaction (src/store/snapshot/swap.ts): the log keeps every event and
//    gains the backup's it lacks, each row changed gets its `<kind>.restored` event, and backup.restored closes it.
//    The backup's working tree and state stay the safety backup's: the restore's changes are all in the log, so the
//    backup after it is incremental. A marker in .git/cairn/ names the restore until its files are back: if the
//    process dies after the swap, the next backup or restore finishes the job (the event tells whether the swap happened).
// 5. Vault and agent files are written with temp-file + rename (a file whose stamp is the one the safety backup
//    recorded is known by that backup's checksum, not read again); the indexes are brought up to date.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexAgents } from '../store/agents/indexer';
import { reapplyErasures, tombstonesOf, type ErasureInBackup } from '../store/erase';
import { appendNextEvent } from '../store/events';
import { StoreError } from '../store/errors';
import { newId } from '../store/ids';
import { indexVault } from '../store/knowledge/indexer';
import { findMigrationsDir, shippedSchemaVersion } from '../store/migrate';
import { buildDatabase, copyDatabase, diffAttached, withAttached, type KeyTables, type TableDiff } from '../store/snapshot/load';
import { patchCopy, type TablePatch } from '../store/snapshot/patch';
import { rowProblem } from '../store/snapshot/rowRules';
import { restoreCommitted, userVersion } from '../store/snapshot/rows';
import { isNewStore, swapFromAttached } from '../store/snapshot/swap';
import { tableCatalog, type TableSpec } from '../store/snapshot/tables';
import { backupLocked, repoDirOf, type BackupEnv, type BackupSettings } from './backup';
import { forEachBlob, readBlobs } from './blobs';
import { agentFolderSlug, excludeMatcher, isNote, isPrivateNote, whyNotWritable } from './files';
import { walkFolder, type FileStat } from './walk';
import { crashPoint } from './crashPoints';
import { BackupRepo } from './git';
import { withBackupLock } from './lock';
import { AGENTS_PREFIX, compareKeys, DB_DIR, decodeValue, invalidRow, MANIFEST, readRow, rowKey, sha256, splitLines, VAULT_PREFIX } from './layout';
import { parseManifest, verifyContent, verifyListing, type FileEntry, type Manifest, type ManifestProblem } from './manifest';
import { clearPendingRestore, clearState, readPendingRestore, readStamps, writePendingRestore } from './state';
import { everyRowLost, listed, massDeleteRefusal, type TableRemoval } from './massDelete';
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
  /**
   * The store had no state of its own (an emptied or lost database): it takes the backup's rows and log as they are,
   * with `backup.restored` alone; otherwise each row changed gets its `<kind>.restored` event.
   */
  newStore: boolean;
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
  /** Files not written, each with why (a path leading out of the folder through a symlink: files.ts whyNotWritable). */
  refused: string[];
}

/** A backup commit: its manifest and the blob id of each of its files (db/ and files/). */
interface BackupTree {
  commit: string;
  manifest: Manifest;
  blobs: Map<string, string>;
}

const isBackupFile = (rel: string) => rel.startsWith(`${DB_DIR}/`) || rel.startsWith('files/');

async function readBackupTree(repo: BackupRepo, commit: string): Promise<BackupTree | null> {
  const all = await repo.listTree(commit);
  const manifestBlob = all.get(MANIFEST);
  if (!manifestBlob) return null;
  const [text] = await readBlobs(repo.dir, [manifestBlob]);
  const manifest = parseManifest(text!.toString('utf8'), `${commit.slice(0, 10)}:${MANIFEST}`);
  return { commit, manifest, blobs: new Map([...all].filter(([rel]) => isBackupFile(rel))) };
}

function failedChecks(short: string, problems: ManifestProblem[]): StoreError {
  const list = problems.slice(0, 5).map((p) => `${p.path}: ${p.problem}`).join('; ');
  return new StoreError('corrupt', `The backup ${short} fails its checks (${problems.length} problem${problems.length === 1 ? '' : 's'}: ${list}${problems.length > 5 ? '; …' : ''}). Nothing was changed; restore another backup ("cairn history").`);
}

const sameEntry = (a: FileEntry | undefined, b: FileEntry | undefined) => !!a && !!b && a.sha256 === b.sha256 && a.bytes === b.bytes && a.rows === b.rows;

/**
 * Checks every file of the backup against its checksum (keeping no contents). A file that is the very same git
 * object in `present` (the safety backup just made: the store's present state, checksummed as it was written) is
 * not read again: its checksum must equal present's. Only the files that differ (those a restore reads) are hashed.
 */
async function verifyTree(repo: BackupRepo, tree: BackupTree, present: BackupTree | null, keep: (rel: string) => boolean): Promise<{ problems: ManifestProblem[]; kept: Map<string, Buffer> }> {
  const problems: ManifestProblem[] = [];
  const toRead: string[] = [];
  for (const [rel, blob] of tree.blobs) {
    if (present?.blobs.get(rel) !== blob) toRead.push(rel);
    else if (!sameEntry(tree.manifest.files[rel], present.manifest.files[rel])) problems.push({ path: rel, problem: 'its checksum in the manifest is not its content' });
  }
  const read = await readChecked(repo, tree, toRead.sort(), keep);
  return { problems: [...problems, ...read.problems], kept: read.kept };
}

/** Reads these files of the commit, each checked against its checksum; keeps the contents of those `keep` names. */
async function readChecked(repo: BackupRepo, tree: BackupTree, paths: string[], keep: (rel: string) => boolean): Promise<{ problems: ManifestProblem[]; kept: Map<string, Buffer> }> {
  const problems: ManifestProblem[] = [];
  const kept = new Map<string, Buffer>();
  await forEachBlob(
    repo.dir,
    paths.map((p) => tree.blobs.get(p)!),
    (i, content) => {
      const rel = paths[i]!;
      const problem = content ? verifyContent(rel, content, tree.manifest) : { path: rel, problem: 'unreadable in the repository' };
      if (problem) problems.push(problem);
      else if (keep(rel)) kept.set(rel, content!);
    },
  );
  return { problems, kept };
}

/** A row the restore is about to write, checked by the rules a write follows (rowRules.ts). */
function checkRow(rel: string, line: number, table: string, row: Record<string, unknown>): void {
  const problem = rowProblem(table, row);
  if (problem) throw invalidRow(rel, line, table, problem);
}

/**
 * A shard's rows by key text, each as its line, its line number and its values in the table's column order. With
 * `check`, every row must pass its table's rules (all of them are written); else only its shape is checked.
 */
function parseShard(rel: string, content: Buffer, table: string, entry: { key: string[]; columns: string[] }, check: boolean): Map<string, { line: string; at: number; values: unknown[] }> {
  const rows = new Map<string, { line: string; at: number; values: unknown[] }>();
  const columns = entry.columns.join();
  splitLines(content.toString('utf8')).forEach((line, i) => {
    let row: Record<string, unknown>;
    let values: unknown[];
    try {
      row = readRow(line);
      const names = Object.keys(row);
      if (names.join() !== columns) throw new Error(`its fields (${names.join(', ')}) are not the table's columns (${entry.columns.join(', ')})`);
      values = entry.columns.map((c) => decodeValue(row[c]));
    } catch (err) {
      throw invalidRow(rel, i + 1, table, (err as Error).message);
    }
    if (check) checkRow(rel, i + 1, table, row);
    rows.set(rowKey(entry.key, row), { line, at: i + 1, values });
  });
  return rows;
}

/** Every table's rows (for a database built from the whole backup), each list in key order. */
function parseTables(contents: Map<string, Buffer>, m: Manifest): Map<string, { columns: string[]; rows: unknown[][] }> {
  const out = new Map<string, { columns: string[]; rows: unknown[][] }>();
  for (const [table, entry] of Object.entries(m.tables)) {
    const keyed: { key: string; values: unknown[] }[] = [];
    const files = Object.keys(m.files).filter((p) => p.startsWith(`${DB_DIR}/${table}/`)).sort();
    for (const rel of files) for (const [key, r] of parseShard(rel, contents.get(rel)!, table, entry, true)) keyed.push({ key, values: r.values });
    keyed.sort((a, b) => compareKeys(a.key, b.key));
    out.set(table, { columns: entry.columns, rows: keyed.map((k) => k.values) });
  }
  return out;
}

const tableOf = (rel: string) => rel.split('/')[1]!;

/**
 * The shards a restore has to change: db/ files whose checksum differs between the commit and the present backup
 * (whose manifest describes the store's rows exactly: it was just made).
 */
function changedShards(target: Manifest, present: Manifest): string[] {
  const paths = new Set([...Object.keys(target.files), ...Object.keys(present.files)].filter((p) => p.startsWith(`${DB_DIR}/`)));
  return [...paths].filter((p) => target.files[p]?.sha256 !== present.files[p]?.sha256).sort();
}

/**
 * The row changes that turn the present shards into the commit's (a missing shard has no rows). Each row it writes
 * (added or changed) is checked by its table's rules; the present rows are the store's own, whatever they hold.
 */
function shardPatches(specs: Map<string, TableSpec>, shards: string[], target: Map<string, Buffer>, present: Map<string, Buffer>, m: Manifest, presentManifest: Manifest): TablePatch[] {
  const byTable = new Map<string, TablePatch & { addedKeys: string[] }>();
  for (const rel of shards) {
    const table = tableOf(rel);
    const spec = specs.get(table)!;
    let p = byTable.get(table);
    if (!p) byTable.set(table, (p = { spec, removed: [], changed: [], added: [], addedKeys: [] }));
    const next = target.has(rel) ? parseShard(rel, target.get(rel)!, table, m.tables[table]!, false) : new Map();
    const now = present.has(rel) ? parseShard(rel, present.get(rel)!, table, presentManifest.tables[table]!, false) : new Map();
    const keyAt = spec.key.map((k) => spec.columns.indexOf(k));
    for (const [key, row] of now) if (!next.has(key)) p.removed.push(keyAt.map((at) => row.values[at]));
    for (const [key, row] of next) {
      const old = now.get(key);
      if (old?.line !== row.line) checkRow(rel, row.at, table, JSON.parse(row.line) as Record<string, unknown>);
      if (!old) {
        p.added.push(row.values);
        p.addedKeys.push(key);
      } else if (old.line !== row.line) p.changed.push(row.values);
    }
  }
  return [...byTable.values()].map(({ addedKeys, ...p }) => {
    const order = addedKeys.map((k, i) => [k, i] as const).sort((a, b) => compareKeys(a[0], b[0]));
    return { ...p, added: order.map(([, i]) => p.added[i]!) };
  });
}

/** The folders files are restored into: the vault and the agent folders of the current settings. */
export function roots(env: BackupEnv, settings: BackupSettings): { prefix: string; dir: string }[] {
  const out: { prefix: string; dir: string }[] = [];
  if (settings.includeVault ?? true) out.push({ prefix: VAULT_PREFIX, dir: path.resolve(env.vaultDir) });
  if (settings.includeAgents ?? true) for (const d of env.agentDirs) out.push({ prefix: `${AGENTS_PREFIX}${agentFolderSlug(d, env.store.dir)}/`, dir: path.resolve(d) });
  return out;
}

/**
 * The checksum of each source file whose stamp (size, mtime, ctime, inode) is still the one recorded when the
 * backup `tree` was made from it: the file is the bytes that backup holds, as a backup itself trusts (files.ts).
 */
function stampedChecksums(repo: BackupRepo, tree: BackupTree | null, env: BackupEnv, settings: BackupSettings): (prefix: string, dir: string, rel: string, st: FileStat) => string | undefined {
  const stamps = tree ? readStamps(repo.cairnDir) : null;
  if (!tree || !stamps || stamps.head !== tree.commit) return () => undefined;
  const sources = new Map(roots(env, settings).map((r) => [r.prefix, path.resolve(r.dir)]));
  return (prefix, dir, rel, st) => {
    const p = prefix + rel;
    const source = stamps.sources[prefix];
    return source === sources.get(prefix) && source === path.resolve(dir) && stamps.stamps[p] === st.stamp ? tree.manifest.files[p]?.sha256 : undefined;
  };
}

/**
 * Which files to write and remove so each folder matches the backup. Files left out of backups are never
 * removed: excluded paths, and private notes when the backup would leave them out. `known` gives a file's checksum
 * without reading it when its stamp says it is unchanged since the safety backup (else it is read and hashed).
 */
function planFiles(env: BackupEnv, settings: BackupSettings, m: Manifest, skipPrivate: boolean, known: ReturnType<typeof stampedChecksums> = () => undefined): FilePlan[] {
  const excluded = excludeMatcher(settings.exclude ?? []);
  return roots(env, settings).map(({ prefix, dir }) => {
    const plan: FilePlan = { root: dir, prefix, write: [], remove: [], refused: [] };
    const wanted = Object.entries(m.files).filter(([p]) => p.startsWith(prefix));
    const present = fs.existsSync(dir) ? walkFolder(dir, [env.store.dir, repoDirOf(env.store, settings)]).files : new Map<string, FileStat>();
    for (const [p, entry] of wanted) {
      const rel = p.slice(prefix.length);
      const st = present.get(rel);
      if (st && st.size === entry.bytes && (known(prefix, dir, rel, st) ?? sha256(fs.readFileSync(path.join(dir, rel)))) === entry.sha256) continue;
      const refusal = whyNotWritable(dir, rel);
      if (refusal) plan.refused.push(refusal);
      else plan.write.push(rel);
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

/** The content of these files of the commit (repository path → bytes), each checked against its checksum. */
async function readVerified(repo: BackupRepo, tree: BackupTree, paths: string[]): Promise<Map<string, Buffer>> {
  const { problems, kept } = await readChecked(repo, tree, paths, () => true);
  if (problems.length) throw failedChecks(tree.commit.slice(0, 10), problems);
  return kept;
}

/** The content of every file the plans write, read from the commit and checked. */
const filesToWrite = (repo: BackupRepo, tree: BackupTree, plans: FilePlan[]) => readVerified(repo, tree, plans.flatMap((p) => p.write.map((rel) => p.prefix + rel)));

/** Writes each file with temp-file + rename; removed files go to `aside` first when there is no safety commit. */
function applyFiles(plans: FilePlan[], contents: Map<string, Buffer>, aside: string | null): void {
  for (const p of plans) {
    for (const [i, rel] of p.write.entries()) {
      if (i === p.write.length >> 1) crashPoint('restore:half-files');
      const target = path.join(p.root, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      if (aside && fs.existsSync(target)) fs.cpSync(target, path.join(aside, p.prefix, rel));
      const tmp = `${target}.cairn-restore-${process.pid}`;
      fs.writeFileSync(tmp, contents.get(p.prefix + rel)!);
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
    const tree = await readBackupTree(repo, pending.commit);
    if (tree) {
      const plans = planFiles(env, settings, tree.manifest, skipsPrivate(repo, settings));
      applyFiles(plans, await filesToWrite(repo, tree, plans), null);
      await reindex(env);
    }
  }
  clearState(repo.cairnDir);
  clearPendingRestore(repo.cairnDir);
}

/** Whether backups leave private notes out: the backup's own rule (a remote as read when the repository was opened). */
export function skipsPrivate(repo: BackupRepo, settings: BackupSettings): boolean {
  const policy = settings.privateNotes ?? 'auto';
  return policy === 'exclude' || (policy === 'auto' && repo.remoteAtOpen);
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

/**
 * The refusal a new store's safety backup meets (an emptied or lost database, see isNewStore): when its last backup
 * held rows, every one of them is gone and no event explains it, a mass deletion. Known from that backup's manifest,
 * without exporting the store and mirroring every file as the backup does before refusing; with that last backup.
 * Null when the store is not new or that backup's tables are not the store's: then the backup itself decides.
 */
async function newStoreRefusal(env: BackupEnv, repo: BackupRepo, target: BackupTree, specs: TableSpec[], sameShape: (m: Manifest) => boolean): Promise<{ refusal: StoreError; last: BackupTree } | null> {
  if (!(await isNewStore(env.store.conn, specs))) return null;
  const tip = await repo.tip();
  const last = !tip ? null : tip.commit === target.commit ? target : await readBackupTree(repo, tip.commit);
  if (!last || !sameShape(last.manifest)) return null;
  const lost = everyRowLost(last.manifest, specs.map((s) => s.name));
  return Object.keys(lost).length ? { refusal: massDeleteRefusal('backup', lost), last } : null;
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
    progress('verify');
    const tree = await readBackupTree(repo, commit);
    if (!tree) throw new StoreError('invalid', `Commit ${short} is not a Cairn backup (it has no manifest.json).`);
    const manifest = tree.manifest;
    const listing = verifyListing(tree.blobs.keys(), manifest);
    if (listing.length) throw failedChecks(short, listing);
    const migrationsDir = findMigrationsDir();
    if (manifest.schemaVersion > shippedSchemaVersion(migrationsDir)) {
      throw new StoreError('schema_too_new', `The backup ${short} was written by a newer Cairn (schema version ${manifest.schemaVersion}). Update Cairn to restore it; nothing was changed.`);
    }

    // The present state first: committed, it is what the restore is measured against (and how it is undone).
    progress('safety');
    const specs = new Map((await tableCatalog(env.store.conn)).source.map((spec) => [spec.name, spec]));
    const liveVersion = await userVersion(env.store.conn);
    const sameShape = (m: Manifest) =>
      m.schemaVersion === liveVersion && Object.entries(m.tables).every(([name, t]) => specs.get(name)?.columns.join() === t.columns.join() && specs.get(name)?.key.join() === t.key.join());
    let aside: string | null = null;
    let present: BackupTree | null = null;
    let safetyCommit: string | null | undefined;
    // The backup whose recorded file stamps tell which files are unchanged since it (not read again): the safety
    // backup, or for a new store its last backup.
    let stamped: BackupTree | null = null;
    try {
      const refused = await newStoreRefusal(env, repo, tree, [...specs.values()], sameShape);
      if (refused) {
        stamped = refused.last;
        throw refused.refusal;
      }
      const safety = await backupLocked(env, settings, dryRun ? { kind: 'backup' } : { kind: 'safety', subjectPrefix: `Safety backup before restoring ${short}: ` });
      if (!dryRun) safetyCommit = safety.commit;
      if (safety.commit) stamped = present = await readBackupTree(repo, safety.commit);
    } catch (err) {
      if (!(err instanceof StoreError && (err.kind === 'invalid' || err.kind === 'mass_delete'))) throw err;
      // Refused by the secret scan, or a mass deletion (an emptied store: its state is not committed over its
      // backups): keep the present state outside git instead (a dry run just builds in full).
      if (!dryRun) {
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        const dir = path.join(env.store.dir, 'backups', `before-restore-${stamp}`);
        fs.mkdirSync(dir, { recursive: true });
        await copyDatabase(env.store.conn, path.join(dir, 'cairn.db'));
        aside = dir;
        // A mass deletion's own advice (allow it, or restore) does not fit here: this restore is the way back.
        const why = err.kind === 'mass_delete' ? `the store has lost ${listed((err.data as { tables: Record<string, TableRemoval> }).tables, 'the')} its last backup held, and that is never committed over it` : err.message.split('\n')[0];
        warnings.push(`The safety backup was refused (${why}); the current database and any replaced files were copied to ${dir} instead.`);
      }
    }

    // Patch a copy of the store when the backup has the store's schema; else build from the whole backup.
    const changed = present && sameShape(manifest) && sameShape(present.manifest) ? changedShards(manifest, present.manifest) : null;
    // When most shards differ (a restore into an emptied store), loading everything into a new file is cheaper.
    const shards = changed && changed.length <= Object.keys(manifest.files).filter((p) => p.startsWith(`${DB_DIR}/`)).length / 2 ? changed : null;
    // The copy to patch is made (into the scratch folder) while the checksums are still being checked.
    const dbFile = path.join(scratch, 'restore.db');
    const copying = shards && present ? copyDatabase(env.store.conn, dbFile) : null;
    // Every file's checksum is checked before anything is built, so nothing changes unless the whole backup passes.
    // The db/ files the build needs are kept as they are checked: the changed shards the commit has, or all of them
    // (those the same as the present's are read after).
    const dbFiles = [...tree.blobs.keys()].filter((rel) => rel.startsWith(`${DB_DIR}/`));
    const needed = shards ? shards.filter((rel) => tree.blobs.has(rel)) : dbFiles;
    const neededSet = new Set(needed);
    const [verified, copied] = await Promise.allSettled([verifyTree(repo, tree, present, (rel) => neededSet.has(rel)), copying]);
    if (verified.status === 'rejected') throw verified.reason;
    if (verified.value.problems.length) throw failedChecks(short, verified.value.problems);
    if (copied.status === 'rejected') throw copied.reason;
    const kept = verified.value.kept;
    const unread = needed.filter((rel) => !kept.has(rel));
    if (unread.length) for (const [rel, content] of await readVerified(repo, tree, unread)) kept.set(rel, content);

    progress('build');
    // An erase is a tombstone: a backup made before it does not bring the project back unless asked to.
    const erasedTombstones = await tombstonesOf(env.store.conn);
    let counts: Record<string, number>;
    let keyTables: KeyTables | null = null;
    let presentShards: Map<string, Buffer> | null = null;
    if (shards && present) {
      // The present backup's shards, checked too: the rows they list are the store's rows being replaced.
      const read = await readChecked(repo, present, shards.filter((rel) => present.blobs.has(rel)), () => true);
      presentShards = read.problems.length ? null : read.kept;
    }
    if (shards && present && presentShards) {
      const patches = shardPatches(specs, shards, kept, presentShards, manifest, present.manifest);
      const patched = await patchCopy(dbFile, patches, Object.keys(manifest.tables));
      ({ counts, keyTables } = patched);
    } else {
      fs.rmSync(dbFile, { force: true }); // a copy made for a patch that cannot be used
      const contents = shards ? await readVerified(repo, tree, dbFiles) : kept;
      const built = await buildDatabase({
        file: dbFile,
        migrationsDir,
        schemaVersion: manifest.schemaVersion,
        tables: parseTables(contents, manifest),
        // Only keys are looked up in the file, unless an erase is applied again to it.
        columnIndexes: erasedTombstones.length > 0,
        onProgress: (done, total) => progress('build', done, total),
      });
      counts = built.counts;
    }
    for (const [table, t] of Object.entries(manifest.tables)) {
      if (table in counts && counts[table] !== t.rows) throw new StoreError('corrupt', `The database built from backup ${short} has ${counts[table]} ${table} rows, the manifest ${t.rows}. Nothing was changed.`);
    }
    const { erased, changed: rowsDiffer } = await reapplyErasures(dbFile, erasedTombstones, includeErased);
    warnings.push(...erasureWarnings(erased));
    // Erases applied again may touch rows the patch did not: then every row is compared.
    const only = rowsDiffer ? null : keyTables;

    const skipPrivate = skipsPrivate(repo, settings);
    const plans = planFiles(env, settings, manifest, skipPrivate, stampedChecksums(repo, stamped, env, settings));
    warnings.push(...plans.flatMap((p) => p.refused));
    const { tables, newStore } = await withAttached(env.store.conn, dbFile, async (live) => ({ tables: await diffAttached(env.store.conn, live, 20, only), newStore: await isNewStore(env.store.conn, live) }));
    const result: RestoreResult = { dryRun, ref, commit, date: entry?.date ?? '', subject: entry?.subject ?? '', tables, files: summarizePlans(plans), newStore, erased, warnings, ms: 0 };
    if (dryRun) return { ...result, ms: Math.round(performance.now() - started) };
    if (safetyCommit !== undefined) result.safetyCommit = safetyCommit;
    if (aside) result.safetyCopy = aside;
    const contents = await filesToWrite(repo, tree, plans);

    crashPoint('restore:safety');
    progress('swap');
    const restoreId = newId();
    writePendingRestore(repo.cairnDir, { restoreId, commit, ref });
    const changes = Object.fromEntries(tables.map((t) => [t.table, { added: t.added, changed: t.changed, removed: t.removed }]));
    // Erase is the log's one exception: the tombstone of a project brought back goes (else it would be erased again).
    const dropEvents = erasedTombstones.filter((t) => erased.some((e) => !e.erasedAgain && e.projectId === t.aggregate_id)).map((t) => t.id);
    await withAttached(env.store.conn, dbFile, (live) =>
      env.store.write(async (orm) => {
        const { rowEvents, newStore: swappedIntoNew } = await swapFromAttached(env.store.conn, live, only, { restoreId, commit, who: env.who, dropEvents });
        result.newStore = swappedIntoNew; // what the swap found, should a write have come in since the diff
        await appendNextEvent(orm, env.who, { aggregateType: 'backup', aggregateId: 'store', type: 'backup.restored', data: { restoreId, ref, commit, backupDate: entry?.date ?? null, changes, rowEvents } });
        crashPoint('restore:swapping'); // the rows written, not yet committed (a new store: its indexes' triggers re-created)
      }),
    );
    // A dropped tombstone is named by no event: the next backup compares the log in full.
    if (dropEvents.length) clearState(repo.cairnDir);

    crashPoint('restore:swapped');
    progress('files');
    applyFiles(plans, contents, aside);
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
