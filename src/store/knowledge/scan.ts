// Walks a vault folder: every Markdown note with its size and mtime, and the names of the other files (links and
// embeds may point at them). Follows symlinks as Obsidian does, but only while they stay inside the vault (one that
// leads out of it is skipped with the reason: a link to /etc/passwd is not a note), and visits each real folder once,
// so a link loop ends instead of recursing forever. Dot-folders (.obsidian, .git, .trash) and node_modules are
// skipped; so are, with a reason, notes that are not regular files (a FIFO would block the reader forever, a device
// never ends) and names that are not valid UTF-8 (they cannot be opened by the name the system reports).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isWithin, realPathInside, realPathOf } from '../insideRoot';
import { NOT_A_REGULAR_FILE, statFailure } from '../textFile';

export interface ScannedFile {
  /** Vault-relative, '/' separators. */
  path: string;
  absPath: string;
  size: number;
  mtimeMs: number;
}

export interface ScanResult {
  notes: ScannedFile[];
  /** Vault-relative paths of files that are not notes. */
  otherFiles: string[];
  /** Entries passed over, with the reason (a symlink loop, an unreadable folder, …). */
  skipped: { path: string; reason: string }[];
}

const SKIP_DIRS = new Set(['node_modules']);
export const isNotePath = (p: string) => /\.md$/i.test(p);

/** Why an entry whose real path leaves the vault is skipped. */
export const leadsOutside = (target: string | null, what = 'not read') => `a symbolic link to ${target ?? 'nowhere (broken)'}, outside the vault: ${what}`;

/**
 * Every note of the vault `root`, or of its folder `under` (vault-relative, '/' separators; paths in the result are
 * vault-relative either way). Nothing outside `root` is listed, whatever the links say.
 */
export function scanVault(root: string, under = ''): ScanResult {
  const result: ScanResult = { notes: [], otherFiles: [], skipped: [] };
  let rootReal: string;
  try {
    rootReal = fs.realpathSync(root);
  } catch (err) {
    result.skipped.push({ path: '.', reason: `cannot resolve (${(err as NodeJS.ErrnoException).code})` });
    return result;
  }
  const seenDirs = new Set<string>();
  const walk = (abs: string, rel: string) => {
    let real: string;
    try {
      real = fs.realpathSync(abs);
    } catch (err) {
      result.skipped.push({ path: rel || '.', reason: `cannot resolve (${(err as NodeJS.ErrnoException).code})` });
      return;
    }
    if (!isWithin(rootReal, real)) {
      result.skipped.push({ path: rel || '.', reason: leadsOutside(real, 'not followed') });
      return;
    }
    if (seenDirs.has(real)) {
      result.skipped.push({ path: rel, reason: 'symlink loop (folder already visited)' });
      return;
    }
    seenDirs.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      result.skipped.push({ path: rel || '.', reason: `cannot read folder (${(err as NodeJS.ErrnoException).code})` });
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue;
      const childAbs = path.join(abs, entry.name);
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      let stat: fs.Stats;
      try {
        stat = fs.statSync(childAbs); // follows symlinks
      } catch (err) {
        result.skipped.push({ path: childRel, reason: statFailure(entry.name, err) });
        continue;
      }
      if (stat.isDirectory()) {
        walk(childAbs, childRel); // a linked folder is judged (inside the vault or not) where it leads
        continue;
      }
      if (entry.isSymbolicLink() && !realPathInside(rootReal, childAbs)) {
        result.skipped.push({ path: childRel, reason: leadsOutside(realPathOf(childAbs)) });
      } else if (!stat.isFile()) {
        if (isNotePath(entry.name)) result.skipped.push({ path: childRel, reason: NOT_A_REGULAR_FILE });
      } else if (isNotePath(entry.name)) result.notes.push({ path: childRel, absPath: childAbs, size: stat.size, mtimeMs: stat.mtimeMs });
      else result.otherFiles.push(childRel);
    }
  };
  walk(under ? path.join(root, ...under.split('/')) : root, under);
  result.notes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return result;
}
