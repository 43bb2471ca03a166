// Walks a vault folder: every Markdown note with its size and mtime, and the names of the other files (links and
// embeds may point at them). Follows symlinks as Obsidian does, but visits each real folder once, so a link
// loop ends instead of recursing forever. Dot-folders (.obsidian, .git, .trash) and node_modules are skipped.
import * as fs from 'node:fs';
import * as path from 'node:path';

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

export function scanVault(root: string): ScanResult {
  const result: ScanResult = { notes: [], otherFiles: [], skipped: [] };
  const seenDirs = new Set<string>();
  const walk = (abs: string, rel: string) => {
    let real: string;
    try {
      real = fs.realpathSync(abs);
    } catch (err) {
      result.skipped.push({ path: rel || '.', reason: `cannot resolve (${(err as NodeJS.ErrnoException).code})` });
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
        result.skipped.push({ path: childRel, reason: `cannot stat (${(err as NodeJS.ErrnoException).code}: a broken link or a file removed meanwhile)` });
        continue;
      }
      if (stat.isDirectory()) walk(childAbs, childRel);
      else if (!stat.isFile()) continue;
      else if (isNotePath(entry.name)) result.notes.push({ path: childRel, absPath: childAbs, size: stat.size, mtimeMs: stat.mtimeMs });
      else result.otherFiles.push(childRel);
    }
  };
  walk(root, '');
  result.notes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return result;
}
