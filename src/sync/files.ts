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
import { sha256 } from './layout';
import type { FileEntry } from './manifest';

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
  maxFileBytes?: number;
}

/** Repo-relative path → the stamp of the source file its copy was made from. Machine-local (inodes, ctimes). */
export type SourceStamps = Record<string, string>;

/** Changes whenever the file's content can have changed: any write moves ctime, a replaced file has a new inode. */
export const stampOf = (st: fs.Stats) => `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;

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

/** Matches the paths left out of backups: the defaults plus the user's patterns (dotfiles match too). */
export const excludeMatcher = (exclude: readonly string[]) => picomatch([...DEFAULT_EXCLUDES, ...exclude], { dot: true });
const sameStat = (a: fs.Stats, b: fs.Stats) => a.size === b.size && Math.trunc(a.mtimeMs) === Math.trunc(b.mtimeMs);

/** Walks a folder: relative '/' paths of regular files (symlinks followed, each real folder once). */
export function walk(root: string, skipReal: readonly string[], skipped: MirrorResult['skipped']): Map<string, fs.Stats> {
  const out = new Map<string, fs.Stats>();
  const seen = new Set<string>();
  const visit = (abs: string, rel: string) => {
    let real: string;
    try {
      real = fs.realpathSync(abs);
    } catch {
      return;
    }
    if (seen.has(real) || skipReal.includes(real)) return;
    seen.add(real);
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      if (e.name === '.git') continue;
      const childAbs = path.join(abs, e.name);
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      let st: fs.Stats;
      try {
        st = fs.statSync(childAbs);
      } catch (err) {
        skipped.push({ path: childRel, reason: `cannot read (${(err as NodeJS.ErrnoException).code})` });
        continue;
      }
      if (st.isDirectory()) visit(childAbs, childRel);
      else if (st.isFile()) out.set(childRel, st);
    }
  };
  visit(root, '');
  return out;
}

function removeEmptyDirs(dir: string, stop: string): void {
  for (let d = dir; d.startsWith(stop) && d !== stop; d = path.dirname(d)) {
    try {
      fs.rmdirSync(d);
    } catch {
      return;
    }
  }
}

/**
 * Makes `<repo>/<prefix>` a copy of `source` (minus exclusions). `previous` holds the checksums of the last
 * backup (for files found unchanged). A missing source folder is reported and its copy is kept as it was:
 * an unplugged drive must not empty the backup.
 */
export function mirrorFolder(source: string, repo: string, prefix: string, previous: Record<string, FileEntry>, opts: MirrorOptions): MirrorResult {
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
  const wanted = walk(source, opts.skipRealPaths, result.skipped);
  const kept = new Set<string>();
  const madeDirs = new Set<string>();
  for (const [rel, st] of wanted) {
    if (excluded(rel)) continue;
    if (st.size > maxBytes) {
      result.skipped.push({ path: rel, reason: `larger than ${maxBytes} bytes` });
      continue;
    }
    const repoRel = prefix + rel;
    const copy = path.join(repo, repoRel);
    const stamp = stampOf(st);
    // A recorded stamp decides alone (it also sees changes that keep size and mtime); without one, the copy is compared.
    const recorded = opts.stamps?.[repoRel];
    let copyStat = recorded === undefined ? fs.statSync(copy, { throwIfNoEntry: false }) : undefined;
    const unchanged = (recorded === stamp || (copyStat && sameStat(st, copyStat))) && previous[repoRel];
    if (unchanged && !opts.compareContents && !(opts.recheckPrivate && opts.skipPrivateNotes && isNote(rel))) {
      kept.add(repoRel);
      result.files[repoRel] = previous[repoRel]!;
      result.stamps[repoRel] = stamp;
      continue;
    }
    if (recorded !== undefined) copyStat = fs.statSync(copy, { throwIfNoEntry: false });
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(path.join(source, rel));
    } catch (err) {
      result.skipped.push({ path: rel, reason: `cannot read (${(err as NodeJS.ErrnoException).code})` });
      continue;
    }
    if (opts.skipPrivateNotes && isNote(rel) && isPrivateNote(bytes.toString('utf8'))) {
      result.privateSkipped.push(rel);
      continue;
    }
    kept.add(repoRel);
    const entry: FileEntry = { sha256: sha256(bytes), bytes: bytes.length };
    result.files[repoRel] = entry;
    result.stamps[repoRel] = stamp;
    if (copyStat && previous[repoRel]?.sha256 === entry.sha256 && copyStat.size === bytes.length) {
      fs.utimesSync(copy, st.atime, st.mtime); // same bytes, newer time: remember the time only
      continue;
    }
    const dir = path.dirname(copy);
    if (!madeDirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      madeDirs.add(dir);
    }
    // A changed copy is a new file (written aside, renamed over): with the original's mtime and maybe its size, only
    // the new inode tells git's index that the copy changed.
    const written = copyStat ? opts.scratchFile : copy;
    fs.writeFileSync(written, bytes);
    fs.utimesSync(written, st.atime, st.mtime);
    if (written !== copy) fs.renameSync(written, copy);
    (copyStat ? result.changed : result.added).push(repoRel);
  }
  // Copies to remove: those the last backup listed (no walk of the copy), or every file found when it listed none.
  const listed = Object.keys(previous).filter((p) => p.startsWith(prefix));
  const copies = listed.length ? listed : [...(fs.existsSync(target) ? walk(target, [], []).keys() : [])].map((rel) => prefix + rel);
  for (const repoRel of copies) {
    if (kept.has(repoRel)) continue;
    fs.rmSync(path.join(repo, repoRel), { force: true });
    removeEmptyDirs(path.dirname(path.join(repo, repoRel)), target);
    result.removed.push(repoRel);
  }
  return result;
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
