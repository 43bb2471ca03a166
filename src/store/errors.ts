// Errors the store raises on purpose. Each carries a message a person can act on; callers (RPC, CLI, extension)
// map the class to an exit code or a JSON-RPC error code without parsing text.
import * as fs from 'node:fs';
import * as path from 'node:path';

export type StoreErrorKind =
  | 'not_found'
  | 'conflict'
  | 'invalid'
  | 'busy'
  | 'store_unavailable'
  | 'schema_too_new'
  | 'disk_full'
  | 'corrupt'
  /** An encrypted field is needed and the store's key is not unlocked in this process. */
  | 'locked'
  /** The caller cancelled a long operation (a backup, a sync) at a point where stopping is safe. */
  | 'cancelled'
  /** A backup or sync would remove more rows than deletions in the event log explain (src/sync/massDelete.ts). */
  | 'mass_delete'
  /** A write to a store opened read-only (its folder or database cannot be written by this process). */
  | 'read_only';

export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export const notFound = (what: string, id: string) =>
  new StoreError('not_found', `No ${what} with id ${id}.`, { what, id });

interface SqliteError extends Error {
  code?: string;
  cause?: unknown;
}

/**
 * What a query really failed with: drizzle wraps every failure in an error whose message is the SQL ("Failed query:
 * select …"), which must never reach a user; the failure itself is its `cause`.
 */
export function underlying(err: unknown): unknown {
  let e = err as SqliteError | undefined;
  while (e && !(e instanceof StoreError) && e.code === undefined && e.cause instanceof Error) e = e.cause as SqliteError;
  return e;
}

/** The StoreError an error is or wraps (a query's error wrapped by drizzle), if any. */
export function storeErrorOf(err: unknown): StoreError | undefined {
  const e = underlying(err);
  return e instanceof StoreError ? e : undefined;
}

/** The database failed SQLite's checks: where to get it back from, never SQL text. */
export function damagedStore(file: string, detail = 'SQLite reports corruption'): StoreError {
  const dir = path.dirname(file);
  return new StoreError(
    'corrupt',
    `The store ${file} is damaged (${detail}). Nothing was changed, backed up or synced. Restore it from its last good backup: cairn --store ${dir} restore HEAD --yes (in VS Code: Cairn: Restore…; cairn history lists the backups; a restore keeps the damaged file in ${path.join(dir, 'backups')}); cairn doctor shows the damage.`,
  );
}

/** A write to a store opened read-only. */
export function readOnlyStore(file: string): StoreError {
  return new StoreError(
    'read_only',
    `The store ${file} is read-only here (this user cannot write its folder or database): it can be read (list, search, show, export, doctor) but not changed. Nothing was changed; make ${path.dirname(file)} and its cairn.db writable, or copy the store to a writable folder.`,
  );
}

/**
 * Turns a raw SQLite error into a StoreError when we know what it means for the user; else returns it as is.
 * `readOnly`: the connection was opened read-only, so a refused write is that, not a permission problem.
 */
export function explainSqliteError(err: unknown, file: string, readOnly = false): unknown {
  const e = underlying(err) as SqliteError;
  if (e instanceof StoreError) return e;
  // An extended result code (SQLITE_IOERR_SHMSIZE) means what its primary code means; some reach us only in the text.
  const code = /^(SQLITE_[A-Z]+?)(_[A-Z_]+)?$/.exec(e?.code ?? '')?.[1] ?? /^(SQLITE_(?:IOERR|CANTOPEN|READONLY|FULL|CORRUPT|BUSY|LOCKED))\b/.exec(e?.message ?? '')?.[1];
  if (readOnly && code === 'SQLITE_READONLY') return readOnlyStore(file);
  if ((code === 'SQLITE_IOERR' || code === 'SQLITE_CANTOPEN') && diskIsFull(file)) return diskFull(file);
  switch (code) {
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new StoreError(
        'busy',
        `The store ${file} is locked by another process and stayed locked past the busy timeout. Nothing was changed; try again, or close the other program holding it.`,
      );
    case 'SQLITE_NOTADB':
      return new StoreError(
        'store_unavailable',
        `${file} is not a SQLite database, so it cannot be a Cairn store. Cairn left it untouched; move it away or point the store path at another folder.`,
      );
    case 'SQLITE_CORRUPT':
      return damagedStore(file);
    case 'SQLITE_FULL':
      return diskFull(file);
    case 'SQLITE_READONLY':
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_PERM':
    case 'SQLITE_IOERR':
      return new StoreError(
        'store_unavailable',
        `Cannot open ${file} for writing (${e.code ?? code}: ${e.message.replace(/^SQLITE_\w+:\s*/, '')}). Check the folder's permissions or choose another store path.`,
      );
    default:
      // Not SQL text: a failure we cannot explain is reported as SQLite worded it.
      return e?.code?.startsWith('SQLITE_') ? e : err;
  }
}

const diskFull = (file: string) => new StoreError('disk_full', `The disk holding ${file} is full. Nothing was changed; free some space and try again.`);

/** SQLite reports a full disk as an I/O error when its shared-memory file cannot grow: ask the file system. */
function diskIsFull(file: string): boolean {
  try {
    const fsStats = fs.statfsSync(path.dirname(file));
    return fsStats.blocks > 0 && fsStats.bavail * fsStats.bsize < 64 * 1024; // sysfs and procfs have no blocks at all
  } catch {
    return false;
  }
}
