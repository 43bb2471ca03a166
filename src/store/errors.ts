// Errors the store raises on purpose. Each carries a message a person can act on; callers (RPC, CLI, extension)
// map the class to an exit code or a JSON-RPC error code without parsing text.

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
  | 'cancelled';

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
}

/** Turns a raw SQLite error into a StoreError when we know what it means for the user; else returns it as is. */
export function explainSqliteError(err: unknown, file: string): unknown {
  const e = err as SqliteError;
  switch (e?.code) {
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
      return new StoreError(
        'corrupt',
        `${file} is damaged (SQLite reports corruption). Cairn left it untouched; restore it from a backup or run "cairn doctor".`,
      );
    case 'SQLITE_FULL':
      return new StoreError('disk_full', `The disk holding ${file} is full. Nothing was changed; free some space and try again.`);
    case 'SQLITE_READONLY':
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_PERM':
    case 'SQLITE_IOERR':
      return new StoreError(
        'store_unavailable',
        `Cannot open ${file} for writing (${e.code}: ${e.message.replace(/^SQLITE_\w+:\s*/, '')}). Check the folder's permissions or choose another store path.`,
      );
    default:
      return err;
  }
}
