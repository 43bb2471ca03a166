// A file's stamp (size, times, inode): it changes whenever the file's content can have changed (any write moves
// ctime, a replaced file has a new inode). Used to skip reading what is known: a source file whose copy is in the
// backup, git's config, and the backup's own bookkeeping files kept in memory between backups.
import * as fs from 'node:fs';
import type { FileStat } from './walk';

export const stampOf = (st: Pick<FileStat, 'size' | 'mtimeMs' | 'ctimeMs' | 'ino'>) => `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;

/** The file's stamp; null when it cannot be read. */
export function fileStamp(file: string): string | null {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return st ? stampOf(st) : null;
}

/**
 * The value last read from or written to a file, while the file keeps the stamp it had then (one file at a time:
 * a backend works on one store). `stamp` on set: the one taken before reading (a write after it is then noticed).
 */
export function fileMemo<T>(): { get(file: string, stamp: string): T | undefined; set(file: string, value: T, stamp?: string | null): T } {
  let known: { file: string; stamp: string; value: T } | null = null;
  return {
    get: (file, stamp) => (known?.file === file && known.stamp === stamp ? known.value : undefined),
    set(file, value, stamp = fileStamp(file)) {
      known = stamp ? { file, stamp, value } : null;
      return value;
    },
  };
}
