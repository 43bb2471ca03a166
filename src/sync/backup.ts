// The backup pipeline: export what changed → mirror the files → stage → secret scan → commit.
// The working tree always starts equal to the last commit (a backup killed half-way is reset first, a refused one
// at once, with the git objects it wrote), and the state in .git/cairn/ says which event the last commit covers, so
// an incremental backup reads only the events since then and rewrites only the shards they touch.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GitError } from 'simple-git';
import type { Actor } from '../store/events';
import { StoreError } from '../store/errors';
import { eventIdAt, eventsSince, lastEvent, userVersion, withReadSnapshots, type ChangedAggregate } from '../store/snapshot/rows';
import { tableCatalog, type TableSpec } from '../store/snapshot/tables';
import { BACKUP_REPO_DIR } from '../store/pastStore';
import type { Store } from '../store/store';
import { CAIRN_VERSION } from '../backend/version';
import { checkCancelled, discardCancelled, isCancelled, resetUnfinished } from './cancel';
import { crashPoint } from './crashPoints';
import { exportTables, type RowChanges, type TablePlan } from './exporter';
import { mirrorFolder, type MirrorResult } from './files';
import { BlobWriter } from './blobWriter';
import { BackupRepo, explainGitError } from './git';
import { AGENTS_PREFIX, DB_DIR, FILES_DIR, FORMAT, MANIFEST } from './layout';
import { withBackupLock } from './lock';
import { writeManifest, readManifest, type FileEntry, type Manifest } from './manifest';
import { backupMassRemovals, massDeleteRefusal } from './massDelete';
import { locateFindings, refusal, scanStaged, type LocatedFinding } from './scan';
import { Scanner } from './scanner';
import { listObjects, removeNewObjects, type ObjectListing } from './newObjects';
import { clearInProgress, isInProgress, markInProgress, readStamps, readState, writeStamps, writeState } from './state';
import { resumePendingRestore, roots, skipsPrivate } from './restore';
import { walkFolders } from './walk';
import { resumePendingSync } from './pendingSync';
import { summarize, trailers, type BackupKind, type ChangeCounts } from './summary';

/** Backup settings (the extension passes its settings; the CLI its flags). */
export interface BackupSettings {
  /** The backup repository (default `<store>/backup`). */
  repo?: string;
  includeVault?: boolean;
  includeAgents?: boolean;
  /** picomatch patterns, relative to the vault or agent folder. */
  exclude?: string[];
  /** Fingerprints of secret-scan findings the user accepted. */
  allow?: string[];
  /** Notes with `private: true`: left out when a remote is configured (auto, the default), always, or never. */
  privateNotes?: 'auto' | 'exclude' | 'include';
}

export interface BackupEnv {
  store: Store;
  vaultDir: string;
  agentDirs: string[];
  who: Actor;
  onProgress?: (p: Progress) => void;
  /** Cancels the backup (or sync) at its next safe point: before the commit (a sync: before the store changes). */
  signal?: AbortSignal;
}

export interface Progress {
  operation: 'backup' | 'restore';
  phase: string;
  done?: number;
  total?: number;
}

export interface BackupResult {
  status: 'committed' | 'unchanged';
  commit: string | null;
  summary: string;
  repo: string;
  changes: ChangeCounts;
  files: number;
  bytes: number;
  privateNotesLeftOut: number;
  warnings: string[];
  ms: number;
}

export const repoDirOf = (store: Store, settings: BackupSettings) => path.resolve(settings.repo ?? path.join(store.dir, BACKUP_REPO_DIR));

/** Tables the event log names changed rows of (aggregate type → table). Others are compared in full. */
const TRACKED: Record<string, string> = { project: 'projects', sprint: 'sprints', task: 'tasks' };

/** Which rows of which tables to re-export, from the events since the last backup. */
export function planExport(specs: TableSpec[], events: ChangedAggregate[] | null): Map<string, TablePlan> {
  const plans = new Map<string, TablePlan>();
  if (!events) return plans; // every table in full
  const keys = (table: string) => {
    let p = plans.get(table);
    if (!p) plans.set(table, (p = { kind: 'keys', keys: new Set() }));
    return p.kind === 'keys' ? p.keys : new Set<string>();
  };
  for (const t of [...Object.values(TRACKED), 'events', 'agent_runs']) keys(t);
  for (const e of events) {
    keys('events').add(e.id);
    const table = TRACKED[e.aggregateType];
    if (table) keys(table).add(e.aggregateId);
    if (e.type === 'agent_run.recorded' || e.type === 'agent_run.restored') keys('agent_runs').add(e.aggregateId);
    // Deleting a task clears agent_runs.task_id without an event of the run's own.
    if (e.type === 'task.deleted') plans.set('agent_runs', { kind: 'full' });
  }
  for (const s of specs) if (!plans.has(s.name)) plans.set(s.name, { kind: 'full' });
  return plans;
}

const emptyChanges = (): RowChanges => ({ added: 0, changed: 0, removed: 0 });

function fileChanges(results: { prefix: string; result: MirrorResult }[]): ChangeCounts {
  const out: ChangeCounts = {};
  for (const { prefix, result } of results) {
    for (const [list, kind] of [[result.added, 'added'], [result.changed, 'changed'], [result.removed, 'removed']] as const) {
      for (const p of list) {
        const thing = prefix.startsWith(AGENTS_PREFIX) ? 'agent_files' : /\.md$/i.test(p) ? 'notes' : 'attachments';
        (out[thing] ??= emptyChanges())[kind]++;
      }
    }
  }
  return out;
}

/**
 * The findings in what is staged, from the scan made while staging (the written shards and copies): findings in
 * copies that turned out not staged are dropped, and staged files the scan did not see are scanned now.
 */
async function stagedFindings(repoDir: string, staged: { status: string; path: string }[], scannedCopies: string[], scanned: LocatedFinding[], allow: string[]): Promise<LocatedFinding[]> {
  const stagedFiles = new Set(staged.filter((s) => s.status !== 'D' && s.path.startsWith('files/')).map((s) => s.path));
  const seen = new Set(scannedCopies);
  const unseen = [...stagedFiles].filter((p) => !seen.has(p));
  const kept = scanned.filter((f) => !f.path.startsWith('files/') || stagedFiles.has(f.path));
  return unseen.length ? [...kept, ...(await scanStaged(repoDir, [], unseen, allow))] : kept;
}

/** Stages what a trusting backup wrote (blobs git has written as it went) and removed (the touched paths now gone). */
async function stageWritten(repo: BackupRepo, blobs: BlobWriter, touched: readonly string[]): Promise<void> {
  for (const p of touched) if (!blobs.has(p) && fs.existsSync(path.join(repo.dir, p))) blobs.add(p);
  const ids = await blobs.written();
  await repo.stageBlobs(ids, [...new Set(touched.filter((p) => !ids.has(p)))]);
}

/** A backup under way: what its start listed, so that what it wrote can be dropped should it not commit. */
interface Unfinished {
  repo: BackupRepo;
  /** The object store at the start (newObjects.ts). */
  before: ObjectListing;
  /** HEAD's tree (null before the first commit). */
  headTree: string | null;
}

/**
 * Drops what a backup that will not commit (refused, cancelled, failed) wrote: the working tree and index go back to
 * HEAD, and the git objects it wrote are deleted (newObjects.ts) — what it staged, named by writing the index as a
 * tree first, and the blobs written as it went — so nothing the secret scan has not passed stays in the repository
 * (the next backup would list it among the objects that were always there).
 */
async function discardUnfinished({ repo, before, headTree }: Unfinished, blobs: BlobWriter | null): Promise<void> {
  const staged = await repo.writeTree().catch(() => null); // an index git cannot write: only the blobs are known
  const written = blobs ? await blobs.settled() : [];
  await resetUnfinished(repo);
  await removeNewObjects(repo, before, headTree, staged, written);
}

/**
 * Before the first backup, the paths the backup writes (db/, files/, manifest.json) must not be there: a git
 * repository holding them is someone else's, and what a first backup cleans up after a failure would take them along.
 */
function refuseForeignLayout(repoDir: string): void {
  const inTheWay = [DB_DIR, FILES_DIR, MANIFEST].filter((p) => fs.existsSync(path.join(repoDir, p)));
  if (inTheWay.length) {
    throw new StoreError('store_unavailable', `${repoDir} holds ${inTheWay.join(', ')} but no Cairn backup: Cairn will not write over them. Move them away, or choose an empty or new folder for the backup repository.`);
  }
}

/** A backup, holding the store's backup lock. */
export function runBackup(env: BackupEnv, settings: BackupSettings, opts: { full?: boolean; allowMassDelete?: boolean } = {}): Promise<BackupResult> {
  return withBackupLock(env.store.dir, 'backup', async () => {
    await resumePendingRestore(env, settings);
    await resumePendingSync(env, settings); // never back up a half-synced state
    return backupLocked(env, settings, { kind: 'backup', full: opts.full, allowMassDelete: opts.allowMassDelete });
  });
}

export interface BackupOptions {
  kind: BackupKind;
  full?: boolean;
  subjectPrefix?: string;
  /** Commit removals that no deletion in the event log explains, however many (massDelete.ts); never asked of a restore's commit. */
  allowMassDelete?: boolean;
  /** The backup a sync makes first (its refusals say how to sync, not how to back up). */
  inSync?: boolean;
}

/** The backup itself; the caller holds the lock. */
export async function backupLocked(env: BackupEnv, settings: BackupSettings, opts: BackupOptions): Promise<BackupResult> {
  const started = performance.now();
  const repoDir = repoDirOf(env.store, settings);
  // Every phase up to the commit is a safe point to stop at (see cancel.ts).
  const progress = (phase: string, done?: number, total?: number) => {
    checkCancelled(env.signal, `The backup was cancelled before its commit: nothing was committed and the store was not changed; the backup repository is as the last backup left it.`);
    env.onProgress?.({ operation: 'backup', phase, done, total });
  };
  let scanner: Scanner | undefined;
  let blobs: BlobWriter | null = null;
  let mirroring: Promise<{ prefix: string; result: MirrorResult }[]> | undefined;
  let staging: Promise<void> = Promise.resolve(); // the last batch git was asked to stage
  let unfinished: Unfinished | null = null; // from the start of its writes until its commit
  try {
    progress('prepare');
    // A damaged store is never backed up (nor synced): quick_check runs on a connection of its own while the backup
    // exports and mirrors, and is awaited before anything is staged (a restore's commit: the database was just checked).
    const intact = opts.kind === 'restore' ? Promise.resolve() : env.store.checkIntact();
    intact.catch(() => undefined); // awaited after the export: a failure is thrown there
    // The source folders are listed (in a worker) while the repository is opened and the tables exported.
    const sources = roots(env, settings);
    const skipRealPaths = [env.store.dir, repoDir].map((p) => (fs.existsSync(p) ? fs.realpathSync(p) : p));
    const listing = walkFolders(sources.map((r) => ({ root: r.dir, skipReal: skipRealPaths })));
    listing.catch(() => undefined); // awaited by the mirror: a failure is thrown there
    const repo = await BackupRepo.open(repoDir, true);
    // git stages one batch at a time (one index): `early` batches of a backup that will stage everything, then the end.
    const stage = (paths: string[], how: 'early' | 'all') => {
      staging = staging.then(() => (how === 'early' ? repo.stageBatch(paths) : repo.stageAll()));
      staging.catch(() => undefined); // awaited at the end: a failure is thrown there
      return staging;
    };
    repo.clearStaleGitLocks();
    const resuming = isInProgress(repo.cairnDir);
    await resetUnfinished(repo);
    const state = readState(repo.cairnDir);
    const tip = await repo.tip(state ? { commit: state.head, tree: state.tree } : undefined);
    const head = tip?.commit ?? null;
    if (!head && !resuming) refuseForeignLayout(repoDir);
    const previous = head ? readManifest(repoDir) : null;
    const skipPrivate = skipsPrivate(repo, settings);
    unfinished = { repo, before: listObjects(repoDir), headTree: tip?.tree ?? null };
    markInProgress(repo.cairnDir);

    const mirrorOpts = {
      exclude: settings.exclude ?? [],
      skipPrivateNotes: skipPrivate,
      recheckPrivate: state?.privateExcluded !== skipPrivate,
      compareContents: opts.full ?? false,
      scratchFile: path.join(repo.cairnDir, 'mirror-copy.tmp'),
      skipRealPaths,
    };
    const previousFiles = previous?.files ?? {};
    // The stamps recorded with HEAD spare looking at the copies (the working tree is HEAD's here), per source folder.
    const stamps = readStamps(repo.cairnDir);
    const stampsOf = (r: { prefix: string; dir: string }) => (stamps && head && stamps.head === head && stamps.sources[r.prefix] === r.dir ? stamps.stamps : undefined);
    // The files are mirrored while the tables are exported (copies wait on the disk, the export on SQLite and the
    // CPU), and the secret scan of what each wrote starts as soon as it is written (see scanner.ts). The first backup
    // stages copies as they are made: nothing is tracked yet, so git never reads a file while it is being replaced
    // (when writing its index, git re-reads tracked files changed in the same second: one being rewritten fails it).
    const activeScanner = (scanner = new Scanner(repoDir, settings.allow ?? []));
    const stagesEarly = head === null;
    const onCopied = stagesEarly ? (paths: string[]) => void stage(paths, 'early') : undefined;
    mirroring = (async () => {
      const out: { prefix: string; result: MirrorResult }[] = [];
      const listings = await listing;
      for (const [i, r] of sources.entries()) out.push({ prefix: r.prefix, result: await mirrorFolder(r.dir, repoDir, r.prefix, previousFiles, { ...mirrorOpts, stamps: stampsOf(r), onCopied, listing: listings[i] }) });
      const copies = out.flatMap((m) => [...m.result.added, ...m.result.changed]);
      activeScanner.files(copies, (rel) => out.find((m) => rel in m.result.files)?.result.files[rel]?.bytes ?? 0);
      return out;
    })();
    mirroring.catch(() => undefined); // awaited after the export: a failure is thrown there, not as an unhandled rejection

    progress('export');
    // A backup that trusts its state reads only the rows the log names; any other reads every row, on two
    // connections side by side.
    const mayTrust = !opts.full && previous !== null && state !== null && state.head === head && state.storeFile === env.store.file;
    const snap = await withReadSnapshots(env.store.file, mayTrust ? 1 : 2, async (conns) => {
      const conn = conns[0]!;
      const specs = (await tableCatalog(conn)).source;
      const schemaVersion = await userVersion(conn);
      const last = await lastEvent(conn);
      const trusted =
        mayTrust &&
        state.schemaVersion === schemaVersion &&
        (state.lastSeq === 0 || (await eventIdAt(conn, state.lastSeq)) === state.lastEventId) &&
        (last?.seq ?? 0) >= state.lastSeq;
      const events = trusted ? await eventsSince(conn, state.lastSeq) : null;
      const plans = planExport(specs, events);
      const exported = await exportTables(conns, repoDir, specs, plans, previous, {
        onTable: (table, done, total) => progress(`export ${table}`, done, total),
        checkContents: opts.full ?? false,
        // Each table's new lines are scanned, and a first backup stages its shards, while the next table is
        // exported: the scan worker and git work on the other core.
        onTableWritten: (paths, written) => {
          activeScanner.shards(written);
          if (stagesEarly) void stage(paths, 'early');
        },
      });
      return { specs, schemaVersion, last, exported, trusted };
    });

    // Removals that no deletion in the event log explains are not committed unless allowed (a restore's commit is asked for).
    const massRemovals = opts.kind === 'restore' || opts.allowMassDelete ? {} : backupMassRemovals(snap.exported, previous);
    const damaged = await intact.then(() => null, (err: unknown) => err);
    // What the export and mirror wrote goes (see the catch): nothing of a refused backup stays.
    if (damaged || Object.keys(massRemovals).length) throw damaged ?? massDeleteRefusal(opts.inSync ? 'sync-backup' : 'backup', massRemovals);

    crashPoint('backup:exported');
    // A backup that trusts its state knows every file it writes: git writes each as a blob as soon as it is complete,
    // on the other core, while the backup goes on (the first backup stages while it writes instead).
    if (snap.trusted && snap.exported.touched && !stagesEarly) {
      blobs = new BlobWriter(repoDir);
      for (const p of snap.exported.touched) if (p in snap.exported.files) blobs.add(p);
    }
    progress('files');
    const warnings: string[] = [];
    const mirrored = await mirroring;
    const copiesWritten = mirrored.flatMap((m) => [...m.result.added, ...m.result.changed]);
    for (const p of copiesWritten) blobs?.add(p);
    const files: Record<string, FileEntry> = { ...snap.exported.files };
    for (const m of mirrored) Object.assign(files, m.result.files);
    // Files under a prefix this machine does not mirror (another machine's agent folder, a folder switched off here)
    // stay as they are: dropping them would make the next sync delete them on the machines that have that folder.
    for (const rel in previousFiles) if (rel.startsWith('files/') && !sources.some((r) => rel.startsWith(r.prefix))) files[rel] = previousFiles[rel]!;
    for (const m of mirrored) for (const s of m.result.skipped) warnings.push(`${s.path}: ${s.reason}`);
    const privateLeftOut = mirrored.reduce((n, m) => n + m.result.privateSkipped.length, 0);

    crashPoint('backup:files');
    const manifest: Manifest = { format: FORMAT, cairnVersion: CAIRN_VERSION, schemaVersion: snap.schemaVersion, tables: snap.exported.tables, files };
    writeManifest(repoDir, manifest);
    blobs?.add(MANIFEST);

    progress('stage');
    // A backup that trusted its state knows every path it touched; otherwise (first, after a merge) stage all.
    const touched = blobs && snap.exported.touched ? [...snap.exported.touched, ...copiesWritten, ...mirrored.flatMap((m) => m.result.removed), MANIFEST] : null;
    // git stages (another process) while the secret scan reads what was just written; both end before anything else.
    const [staged, scanning] = await Promise.allSettled([touched ? stageWritten(repo, blobs!, touched) : stage([], 'all'), activeScanner.findings()]);
    if (staged.status === 'rejected') throw staged.reason;
    if (scanning.status === 'rejected') throw scanning.reason;
    const tree = await repo.writeTree();
    // HEAD as git reads it: the tip came from the ref files, and a damaged repository must not pass as "unchanged".
    const unchanged = tree === tip?.tree && tree === (await repo.tip())?.tree;
    const changes: ChangeCounts = { ...fileChanges(mirrored) };
    for (const [t, c] of Object.entries(snap.exported.changes)) if (c.added || c.changed || c.removed) changes[t] = c;
    const totals = {
      rows: Object.fromEntries(Object.entries(manifest.tables).map(([k, v]) => [k, v.rows])),
      files: Object.keys(files).length,
      bytes: Object.values(files).reduce((n, f) => n + f.bytes, 0),
    };
    const finish = (commit: string | null) => {
      if (commit) writeStamps(repo.cairnDir, { head: commit, sources: Object.fromEntries(sources.map((r) => [r.prefix, r.dir])), stamps: mirrored.length === 1 ? mirrored[0]!.result.stamps : Object.assign({}, ...mirrored.map((m) => m.result.stamps)) });
      writeState(repo.cairnDir, {
        head: commit ?? head ?? '',
        tree,
        storeFile: env.store.file,
        schemaVersion: snap.schemaVersion,
        lastSeq: snap.last?.seq ?? 0,
        lastEventId: snap.last?.id ?? null,
        privateExcluded: skipPrivate,
      });
      clearInProgress(repo.cairnDir);
    };
    const result = (status: BackupResult['status'], commit: string | null, summary: string): BackupResult => ({
      status,
      commit,
      summary,
      repo: repoDir,
      changes,
      files: totals.files,
      bytes: totals.bytes,
      privateNotesLeftOut: privateLeftOut,
      warnings,
      ms: Math.round(performance.now() - started),
    });
    if (unchanged) {
      finish(head);
      return result('unchanged', head, 'nothing changed');
    }

    crashPoint('backup:staged');
    progress('scan');
    // A backup that trusted its state staged only what it wrote, all of it scanned; otherwise git says what is staged.
    const scanned = locateFindings(scanning.value, snap.exported.written);
    const findings = touched ? scanned : await stagedFindings(repoDir, await repo.changedFiles(tip?.tree ?? null, tree), copiesWritten, scanned, settings.allow ?? []);
    // Nothing of the refused backup stays (see the catch): working tree and index back to HEAD, its new objects deleted.
    if (findings.length) throw refusal(findings);

    progress('commit');
    unfinished = null; // from here the commit may exist: its objects (all scanned) are never deleted
    const text = summarize(changes, head === null, totals);
    const subject = (opts.subjectPrefix ?? '') + text;
    const commit = await repo.commit(tree, head, subject, trailers(changes, opts.kind, totals, { 'Cairn-Schema': String(snap.schemaVersion), 'Cairn-Version': CAIRN_VERSION }));
    crashPoint('backup:committed');
    finish(commit);
    await repo.maintain().catch(() => undefined); // housekeeping: the backup is made whatever it says
    return result('committed', commit, subject);
  } catch (err) {
    // Nothing touches the repository once this backup gave up: the mirror's last copies are staged before `staging` is final.
    await mirroring?.catch(() => undefined);
    await staging.catch(() => undefined);
    // A clean-up that fails leaves the in-progress mark: the next backup resets the working tree first.
    if (unfinished) await discardUnfinished(unfinished, blobs).catch(() => undefined);
    else if (isCancelled(err)) await discardCancelled(repoDir);
    if (err instanceof GitError || (err as NodeJS.ErrnoException).code === 'ENOSPC') throw explainGitError(err, repoDir, 'making the backup');
    throw err;
  } finally {
    scanner?.close();
    blobs?.close();
  }
}
