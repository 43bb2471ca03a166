// What the last clean quick_check saw: the stamps (inode, size, times) of cairn.db and its -wal, kept beside the
// database in cairn.db.checked, so that the next process can tell that nothing was written since. SQLite changes the
// database only by writing the -wal (each frame checksummed) and checkpointing it into the file, so unchanged stamps
// mean unchanged pages: Store.checkIntact skips a backup's check on the same ground. Store.open lets a CLI command
// read such a database without checking it again (~10 ms of every call) and checks it before the command's first
// write (Connection.beforeWrite). A record that cannot be read or written only means checking again.
import * as fs from 'node:fs';

const RECORD_SUFFIX = '.checked';

/** The database's stamps now: undefined when the file is missing. An empty or missing -wal stamps as "empty" (each
 * process that opens the database alone makes a new empty one). */
export function stampsOf(file: string): string | undefined {
  const stamp = (f: string) => {
    const s = fs.statSync(f, { bigint: true, throwIfNoEntry: false });
    return s && `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  };
  const db = stamp(file);
  if (db === undefined) return undefined;
  const walSize = fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  return `${db} wal ${walSize > 0 ? stamp(`${file}-wal`) : 'empty'}`;
}

/** The stamps a clean check recorded for `file`, if any. */
export function lastCleanCheck(file: string): string | undefined {
  try {
    return fs.readFileSync(file + RECORD_SUFFIX, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Records that a check found `file` intact with these stamps (replacing the record whole; never fails). */
export function recordCleanCheck(file: string, stamps: string): void {
  const temp = `${file}${RECORD_SUFFIX}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, stamps + '\n');
    fs.renameSync(temp, file + RECORD_SUFFIX);
  } catch {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // A read-only folder: there is no temp file to remove.
    }
  }
}

/** Forgets the record (the database was found damaged, or moved aside). */
export function forgetCleanCheck(file: string): void {
  try {
    fs.rmSync(file + RECORD_SUFFIX, { force: true });
  } catch {
    // Only a saving: a record left behind no longer matches the database that replaces this one.
  }
}
