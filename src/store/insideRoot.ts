// Whether a path really stays inside a root folder (the vault, an agent folder) once every symbolic link on it is
// followed. The one check every reader and writer of the user's files makes: a link may point anywhere (`notes ->
// /home/me`, `passwd.md -> /etc/passwd`), and nothing is read from, written to or backed up outside the root.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** True when the absolute path `p` is `root` or under it (both resolved, no symlinks looked at). */
export function isWithin(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The real path of an existing folder or file, or null (missing, unreadable, a symlink loop). */
export function realPathOf(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
}

/** Whether there is an entry (of any kind, a broken link too) at `p`. */
function entryExists(p: string): boolean {
  try {
    return fs.lstatSync(p, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false; // ENOTDIR: a file on the way, so nothing here
  }
}

/**
 * Where `abs` really is when that is inside `rootReal` (a real path, from realPathOf), else null. A path that does
 * not exist yet is placed by its deepest existing folder (where creating it would land); a broken symlink on the
 * way points nowhere known, so it is outside.
 */
export function realPathInside(rootReal: string, abs: string): string | null {
  const missing: string[] = [];
  for (let p = path.resolve(abs); ; p = path.dirname(p)) {
    const real = realPathOf(p);
    if (real !== null) {
      const full = path.join(real, ...missing.reverse());
      return isWithin(rootReal, full) ? full : null;
    }
    if (entryExists(p)) return null; // there but cannot be resolved: a broken link, a loop
    if (path.dirname(p) === p) return null;
    missing.push(path.basename(p));
  }
}
