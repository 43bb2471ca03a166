// Mirrors a folder of the user's files (the vault, an agent folder) into the backup's working tree. A file is
// copied only when it changed, so a backup reads only what changed: its stamp (size, times, inode) differs from the
// one recorded when the last commit's copy was made, or, without such a record, its size or modification time
// differs from its copy's (the copy keeps the original's mtime). Copies whose original is gone are removed.
// Excluded paths and, when asked, notes marked `private: true` are left out.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { parse as parseYaml } from 'yaml';
import { realPathInside, realPathOf } from '../store/insideRoot';
import { sha256 } from './layout';
import type { FileEntry } from './manifest';
import { walkFolder, type FileStat, type Listing } from './walk';
import { IDLE_WORKER_MS, WorkerClient, WorkerLost } from './workerClient';

/** Left out of every backup, whatever the settings: git's own folder, trash, editor state that changes constantly. */
export const DEFAULT_EXCLUDES = ['**/.git/**', '.trash/**', '.obsidian/workspace*.json', '**/.DS_Store', '**/node_modules/**'];
/** Larger files are skipped with a warning: git is not made for them. */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

export interface MirrorOptions {
  exclude: readonly string[];
  /** Leave out Markdown notes whose front matter says `private: true`. */
  skipPrivateNotes: boolean;
  /** Re-read every note to re-judge privacy (the policy changed since the last backup). */
  recheckPrivate: boolean;
  /** Compare contents, not only size and time (a full check). */
  compareContents: boolean;
  /** Real paths never entered (the store folder, the backup repository). */
  skipRealPaths: readonly string[];
  /** The sources' stamps when the copies in the working tree were made (from the last backup); their copies need
   *  not be looked at. */
  stamps?: SourceStamps;
  /** Where a changed copy is written before it is renamed over the old one (outside the copies, same disk). */
  scratchFile: string;
  /** Told the copies written so far, a batch at a time (to stage them while the mirror goes on). */
  onCopied?: (repoRels: string[]) => void;
  maxFileBytes?: number;
  /** The source folder's files, already listed (walkFolders); else it is walked here. */
  listing?: Listing;
}

/** Repo-relative path → the stamp of the source file its copy was made from. Machine-local (inodes, ctimes). */
export type SourceStamps = Record<string, string>;

export interface MirrorResult {
  added: string[];
  changed: string[];
  removed: string[];
  privateSkipped: string[];
  skipped: { path: string; reason: string }[];
  /** Checksums of every file now mirrored (repo-relative path → entry). */
  files: Record<string, FileEntry>;
  /** The stamp of every file now mirrored. */
  stamps: SourceStamps;
}

/** True when a note's front matter says `private: true`. */
export function isPrivateNote(text: string): boolean {
  if (!text.startsWith('---')) return false;
  const close = /^(?:---|\.\.\.)[ \t]*$/m.exec(text.slice(text.indexOf('\n') + 1));
  if (!close) return false;
  try {
    const fm = parseYaml(text.slice(text.indexOf('\n') + 1, text.indexOf('\n') + 1 + close.index)) as unknown;
    return typeof fm === 'object' && fm !== null && (fm as { private?: unknown }).private === true;
  } catch {
    return false;
  }
}

export const isNote = (p: string) => /\.md$/i.test(p);

/**
 * Why a restore or a sync must not write `rel` into the folder `root` (null: it may): the path names a parent folder
 * (`..`: no backup writes one, a tree made by hand can); it leads out of the folder through a symbolic link (a linked
 * folder on the way, or the file itself a link), so the write would land elsewhere; or something other than a file
 * is there (a folder, a FIFO, a device), which a rename cannot replace.
 */
export function whyNotWritable(root: string, rel: string): string | null {
  const parts = rel.split('/');
  if (parts.includes('..')) return `${rel}: a path with ".." in it is never written into ${root}`;
  const abs = path.join(root, ...parts);
  const rootReal = realPathOf(root);
  if (!rootReal) return null; // the folder is made by the write: nothing in it leads anywhere yet
  if (!realPathInside(rootReal, abs)) return `${abs} leads out of ${root} through a symbolic link: not written`;
  let there: fs.Stats | undefined;
  try {
    there = fs.statSync(abs, { throwIfNoEntry: false });
  } catch (err) {
    return `${abs} cannot be written (${(err as NodeJS.ErrnoException).code})`;
  }
  return there && !there.isFile() ? `${abs} is not a regular file (a folder, FIFO, socket or device): not replaced` : null;
}

/** The last matcher made: every backup of a store asks for the same patterns (compiling them costs more than using them). */
let lastMatcher: { key: string; matches: (p: string) => boolean } | null = null;
/** Matches the paths left out of backups: the defaults plus the user's patterns (dotfiles match too). */
export const excludeMatcher = (exclude: readonly string[]) => {
  const key = JSON.stringify(exclude);
  if (lastMatcher?.key !== key) lastMatcher = { key, matches: picomatch([...DEFAULT_EXCLUDES, ...exclude], { dot: true }) };
  return lastMatcher.matches;
};
const sameStat = (a: Pick<FileStat, 'size' | 'mtimeMs'>, b: Pick<FileStat, 'size' | 'mtimeMs'>) => a.size === b.size && Math.trunc(a.mtimeMs) === Math.trunc(b.mtimeMs);

function removeEmptyDirs(dir: string, stop: string): void {
  for (let d = dir; d.startsWith(stop) && d !== stop; d = path.dirname(d)) {
    try {
      fs.rmdirSync(d);
    } catch {
      return;
    }
  }
}

/** How many files the mirror copies in one go (and tells onCopied about at once). */
const COPY_BATCH = 1000;
/** Where no worker can run: how long the copies run here before the event loop gets a turn (a backend answers requests meanwhile). */
const COPY_SLICE_MS = 10;

/** A file to read and, if it changed, copy. */
export interface CopyTask {
  rel: string;
  repoRel: string;
  /** The source's stamp (stamps.ts), recorded for the copy made from it. */
  stamp: string;
  /** The source's times, given to the copy. */
  atimeMs: number;
  mtimeMs: number;
  /** Its copy's size as the unchanged check found it (undefined: no copy), or null when that check did not look. */
  copySize: number | undefined | null;
  /** The checksum the last backup recorded for the copy. */
  previousSha?: string;
}

export interface CopyOptions {
  skipPrivateNotes: boolean;
  /** Where a changed copy is written before it is renamed over the old one. */
  scratchFile: string;
}

export type CopyOutcome = { kind: 'skipped'; reason: string } | { kind: 'private' } | { kind: 'same' | 'added' | 'changed'; entry: FileEntry };

/**
 * Makes `<repo>/<prefix>` a copy of `source` (minus exclusions). `previous` holds the checksums of the last
 * backup (for files found unchanged). A missing source folder is reported and its copy is kept as it was:
 * an unplugged drive must not empty the backup.
 */
export async function mirrorFolder(source: string, repo: string, prefix: string, previous: Record<string, FileEntry>, opts: MirrorOptions): Promise<MirrorResult> {
  const result: MirrorResult = { added: [], changed: [], removed: [], privateSkipped: [], skipped: [], files: {}, stamps: {} };
  const target = path.join(repo, prefix);
  if (!fs.existsSync(source) || !fs.statSync(source).isDirectory()) {
    for (const [p, e] of Object.entries(previous)) if (p.startsWith(prefix)) result.files[p] = e;
    for (const [p, st] of Object.entries(opts.stamps ?? {})) if (p.startsWith(prefix)) result.stamps[p] = st;
    if (Object.keys(result.files).length) result.skipped.push({ path: source, reason: 'folder not found; its copy in the backup was kept as it was' });
    return result;
  }
  const excluded = excludeMatcher(opts.exclude);
  const maxBytes = opts.maxFileBytes ?? MAX_FILE_BYTES;
  const listing = opts.listing ?? walkFolder(source, opts.skipRealPaths);
  result.skipped.push(...listing.skipped);
  const wanted = listing.files;
  const kept = new Set<string>();
  const tasks: CopyTask[] = [];
  for (const [rel, st] of wanted) {
    if (excluded(rel)) continue;
    if (st.size > maxBytes) {
      result.skipped.push({ path: rel, reason: `larger than ${maxBytes} bytes` });
      continue;
    }
    const repoRel = prefix + rel;
    const { stamp } = st;
    // A recorded stamp decides alone (it also sees changes that keep size and mtime); without one, the copy is compared.
    const recorded = opts.stamps?.[repoRel];
    const copyStat = recorded === undefined ? fs.statSync(path.join(repo, repoRel), { throwIfNoEntry: false }) : null;
    const unchanged = (recorded === stamp || (copyStat && sameStat(st, copyStat))) && previous[repoRel];
    if (unchanged && !opts.compareContents && !(opts.recheckPrivate && opts.skipPrivateNotes && isNote(rel))) {
      kept.add(repoRel);
      result.files[repoRel] = previous[repoRel]!;
      result.stamps[repoRel] = stamp;
      continue;
    }
    tasks.push({ rel, repoRel, stamp, atimeMs: st.atimeMs, mtimeMs: st.mtimeMs, copySize: recorded === undefined ? copyStat?.size : null, ...(previous[repoRel] ? { previousSha: previous[repoRel].sha256 } : {}) });
  }
  const outcomes = await copyFiles(source, repo, tasks, { skipPrivateNotes: opts.skipPrivateNotes, scratchFile: opts.scratchFile }, (batch, done) => {
    if (!opts.onCopied) return;
    const copied = batch.flatMap((task, i) => (done[i]!.kind === 'added' || done[i]!.kind === 'changed' ? [task.repoRel] : []));
    if (copied.length) opts.onCopied(copied);
  });
  for (const [i, outcome] of outcomes.entries()) {
    const { rel, repoRel, stamp } = tasks[i]!;
    if (outcome.kind === 'skipped') result.skipped.push({ path: rel, reason: outcome.reason });
    else if (outcome.kind === 'private') result.privateSkipped.push(rel);
    else {
      kept.add(repoRel);
      result.files[repoRel] = outcome.entry;
      result.stamps[repoRel] = stamp;
      if (outcome.kind !== 'same') result[outcome.kind].push(repoRel);
    }
  }
  // Copies to remove: those the last backup listed (no walk of the copy), or every file found when it listed none.
  const listed = Object.keys(previous).filter((p) => p.startsWith(prefix));
  const copies = listed.length ? listed : [...(fs.existsSync(target) ? walkFolder(target, []).files.keys() : [])].map((rel) => prefix + rel);
  for (const repoRel of copies) {
    if (kept.has(repoRel)) continue;
    fs.rmSync(path.join(repo, repoRel), { force: true });
    removeEmptyDirs(path.dirname(path.join(repo, repoRel)), target);
    result.removed.push(repoRel);
  }
  return result;
}

const copier = new WorkerClient<CopyReply>('copyWorker', true, IDLE_WORKER_MS);

export type CopyReply = { id: number; outcomes: CopyOutcome[] };

/** Stops the copy worker; a batch it was copying is copied here (the next copyFiles starts a new worker). */
export const stopCopyWorker = () => copier.stop();

let lastPlace: 'worker' | 'here' | null = null;
/** Where the last copyFiles ran (the worker can fail to start silently: copies then run here). */
export const lastCopyPlace = () => lastPlace;

/**
 * Copies the files that changed, a batch at a time, in a worker thread (here where none can run), telling onBatch
 * each batch's outcomes as it is done. The file calls are synchronous: each async call is several trips through the
 * thread pool (open, stat, read, close), which SQLite shares; 10,000 real-size notes took 2.2–4.5 s to copy that way,
 * 0.45 s this way, and in the worker that is off the thread that exports the tables meanwhile. A batch is sent once
 * the one before is done: after a failure nothing more is written.
 */
export async function copyFiles(source: string, repo: string, tasks: CopyTask[], opts: CopyOptions, onBatch: (batch: CopyTask[], outcomes: CopyOutcome[]) => void, place: 'worker' | 'here' = 'worker'): Promise<CopyOutcome[]> {
  const out: CopyOutcome[] = [];
  let inWorker = place === 'worker' && tasks.length > 0 && copier.start();
  lastPlace = inWorker ? 'worker' : 'here';
  for (let i = 0; i < tasks.length; i += COPY_BATCH) {
    const batch = tasks.slice(i, i + COPY_BATCH);
    let outcomes: CopyOutcome[] | undefined;
    if (inWorker) {
      try {
        outcomes = (await copier.request({ source, repo, tasks: batch, opts })).outcomes;
      } catch (err) {
        // A worker that died mid-batch: the batch and the rest are copied here (a copy is made whole again); an
        // error it answered (a full disk) stops the backup.
        if (!(err instanceof WorkerLost)) throw err;
        inWorker = false;
        lastPlace = 'here';
      }
    }
    outcomes ??= await copyHere(source, repo, batch, opts);
    out.push(...outcomes);
    onBatch(batch, outcomes);
  }
  return out;
}

async function copyHere(source: string, repo: string, tasks: CopyTask[], opts: CopyOptions): Promise<CopyOutcome[]> {
  const madeDirs = new Set<string>();
  const out: CopyOutcome[] = [];
  let sliceStart = performance.now();
  for (const task of tasks) {
    if (performance.now() - sliceStart > COPY_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    out.push(copyFile(source, repo, task, opts, madeDirs));
  }
  return out;
}

/** Reads one source file and brings its copy up to date (madeDirs: the folders made so far, not made again). */
export function copyFile(source: string, repo: string, task: CopyTask, opts: CopyOptions, madeDirs: Set<string>): CopyOutcome {
  const { rel, repoRel } = task;
  const copy = path.join(repo, repoRel);
  const copySize = task.copySize === null ? fs.statSync(copy, { throwIfNoEntry: false })?.size : task.copySize;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path.join(source, rel));
  } catch (err) {
    return { kind: 'skipped', reason: `cannot read (${(err as NodeJS.ErrnoException).code})` };
  }
  if (opts.skipPrivateNotes && isNote(rel) && isPrivateNote(bytes.toString('utf8'))) return { kind: 'private' };
  const entry: FileEntry = { sha256: sha256(bytes), bytes: bytes.length };
  if (copySize !== undefined && task.previousSha === entry.sha256 && copySize === bytes.length) {
    fs.utimesSync(copy, task.atimeMs / 1000, task.mtimeMs / 1000); // same bytes, newer time: remember the time only
    return { kind: 'same', entry };
  }
  const dir = path.dirname(copy);
  if (!madeDirs.has(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    madeDirs.add(dir);
  }
  // A changed copy is a new file (written aside, renamed over): with the original's mtime and maybe its size, only
  // the new inode tells git's index that the copy changed.
  const written = copySize !== undefined ? opts.scratchFile : copy;
  fs.writeFileSync(written, bytes);
  fs.utimesSync(written, task.atimeMs / 1000, task.mtimeMs / 1000);
  if (written !== copy) fs.renameSync(written, copy);
  return { kind: copySize !== undefined ? 'changed' : 'added', entry };
}

/** Where an agent folder goes in the backup: under workspace/ (the store folder's parent), home/ or root/. */
export function agentFolderSlug(dir: string, storeDir: string, home = os.homedir()): string {
  const abs = path.resolve(dir);
  const under = (base: string) => {
    const rel = path.relative(base, abs);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : null;
  };
  const inWorkspace = under(path.dirname(path.resolve(storeDir)));
  if (inWorkspace) return `workspace/${inWorkspace}`;
  const inHome = under(home);
  if (inHome) return `home/${inHome}`;
  return `root/${abs.replace(/^[A-Za-z]:/, (d) => d[0]!).replace(/\\/g, '/').replace(/^\/+/, '')}`;
}
