// A Cairn store: a folder holding cairn.db (SQLite, WAL). Opening it checks the folder, refuses a file that is
// not ours, a schema that is newer than this build, a folder whose store is gone (pastStore.ts) and a damaged
// database, opens read-only what this process cannot write, copies the database aside before migrating, loads
// sqlite-vec, and hands out the repositories.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Connection, type OpenMode, type SlowQuery } from './connection';
import { damagedStore, StoreError } from './errors';
import { lastEventSeq } from './events';
import { checkCompatible, findMigrationsDir, migrate, schemaVersion, shippedSchemaVersion, type MigrationResult } from './migrate';
import { forgetCleanCheck, lastCleanCheck, recordCleanCheck, stampsOf } from './cleanCheck';
import { DB_FILE } from './location';
import { createOrm, type Orm } from './orm';
import { SlowQueryLog, type LoggedSlowQuery } from './slowQueryLog';
import { BACKUPS_DIR, DAMAGED_PREFIX, lostStore, MADE_FOR_RESTORE, pastStoreIn } from './pastStore';

export interface StoreOptions {
  /** How long a write waits for another process's lock before giving up (ms). */
  busyTimeoutMs?: number;
  /** Statements slower than this are logged and reported by health() (ms). */
  slowQueryMs?: number;
  onSlowQuery?: (q: SlowQuery) => void;
  /** Which process this is, for the slow-query log every process writes (backend, cli, mcp…; default: the script's name). */
  processName?: string;
  /**
   * Create the folder and the database when missing (default true). Never in a folder that held a store (a backup
   * holding events, database copies in backups/: pastStore.ts): that is refused, pointing to a restore.
   */
  create?: boolean;
  /**
   * Open in order to restore into it (cairn restore): a folder that held a store gets an empty database even
   * without `create` (marked MADE_FOR_RESTORE: until a restore adds events, other opens still refuse it), and a
   * damaged database (checked whatever its size) is first moved to backups/damaged-<time>/.
   */
  forRestore?: boolean;
  /**
   * Whether opening runs SQLite's quick_check and refuses a damaged database, with the way to restore it: 'small'
   * (default) databases up to QUICK_CHECK_AT_OPEN_MAX_BYTES, as a CLI command pays it each time — unless neither the
   * database nor its -wal changed since a check found it intact (cleanCheck.ts): then reading needs no new check, and
   * the check runs before the first write; 'always' (a
   * long-running backend pays it once; and forRestore); 'never' (doctor reports the damage itself).
   */
  checkAtOpen?: 'small' | 'always' | 'never';
  migrationsDir?: string;
  /**
   * Load sqlite-vec at open (default true). false leaves it to loadVec(), which a caller runs before anything that may
   * touch vectors: a CLI command that only reads tasks saves loading it (methods.ts's invoke loads it for every method
   * not marked vectorless).
   */
  loadVec?: boolean;
  /**
   * Hold the notes' vectors in memory for search by meaning (knowledge/noteVectors.ts; default false): for a
   * long-lived process (the backend, `cairn mcp`), whose searches then scan an array, not sqlite-vec's table. A
   * one-shot CLI command keeps sqlite-vec's scan: loading every vector costs more than one scan of them.
   */
  vectorsInMemory?: boolean;
  /**
   * Give searches a second, read-only connection (opened at the first search; default false), so a hybrid search runs
   * one ranking query there while the other connection and the JS do the rest: the second core, for a long-lived
   * process. A one-shot command keeps one connection: opening another costs more than it would save.
   */
  searchReader?: boolean;
}

export interface StoreHealth {
  ok: boolean;
  integrity: string[];
  schemaVersion: number;
  supportedSchemaVersion: number;
  sqliteVersion: string;
  vecVersion: string | null;
  vecError?: string;
  journalMode: string;
  sizes: { databaseBytes: number; walBytes: number; pageSize: number; pageCount: number; freePages: number };
  counts: Record<string, number>;
  /** The slowest of the statements every process logged lately (the newest 500), with which process ran them. */
  slowQueries: LoggedSlowQuery[];
  slowQueryThresholdMs: number;
}

/**
 * Makes sure the store folder exists and can be read, and, when the database must be created in it (`mustWrite`),
 * written. Missing levels are created one at a time below the nearest existing ancestor (a recursive mkdir under
 * /proc or /sys can spin forever instead of failing).
 */
function prepareFolder(dir: string, create: boolean, mustWrite: boolean): void {
  try {
    if (!fs.existsSync(dir)) {
      if (!create) throw noStore(dir);
      const missing: string[] = [];
      let ancestor = dir;
      while (!fs.existsSync(ancestor)) {
        missing.unshift(ancestor);
        const up = path.dirname(ancestor);
        if (up === ancestor) break;
        ancestor = up;
      }
      for (const level of missing) fs.mkdirSync(level);
    }
    if (!fs.statSync(dir).isDirectory()) throw new StoreError('store_unavailable', `The store path ${dir} is a file, not a folder. Point the store path at a folder.`);
    fs.accessSync(dir, fs.constants.R_OK | (mustWrite ? fs.constants.W_OK : 0));
  } catch (err) {
    if (err instanceof StoreError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new StoreError(
      'store_unavailable',
      `Cannot use ${dir} as the store folder (${e.code ?? 'error'}: ${e.message.replace(/^\w+: /, '')}). Choose a writable folder (setting cairn.storePath, or --store).`,
    );
  }
}

const noStore = (dir: string, why = '') => new StoreError('store_unavailable', `There is no Cairn store at ${dir}${why}. Create one with "cairn --store ${dir} init".`);

function writable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

const size = (f: string) => fs.statSync(f, { throwIfNoEntry: false })?.size ?? 0;

/**
 * How to open an existing database. Read-only when this process cannot write the folder or the file. WAL mode
 * needs the -shm file: in a folder where it cannot be created, the database is opened immutable (no locks, no WAL
 * index), which is exact while no one writes it — nobody else has it open (there would be a -shm) and the -wal is
 * empty. A -wal holding changes there can only be read by a process that may write the folder.
 */
function openMode(folder: string, file: string): OpenMode {
  if (writable(folder) && writable(file)) return 'readwrite';
  if (writable(folder) || fs.existsSync(`${file}-shm`)) return 'readonly';
  if (size(`${file}-wal`) > 0) {
    throw new StoreError('store_unavailable', `The store ${file} is read-only here and its last changes are still in ${file}-wal, which only a process that can write ${folder} can bring in. Open the store once as a user who can write that folder (any cairn command does it), then read it here.`);
  }
  return 'immutable';
}

/**
 * Databases up to this size are checked (PRAGMA quick_check) at every open by default: ~20 ms, where a store of
 * 100,000 tasks (130 MB) takes ~330 ms — too much for every CLI command; larger ones are checked by the backend at
 * start and before every backup and sync.
 */
export const QUICK_CHECK_AT_OPEN_MAX_BYTES = 8 << 20;

/** SQLite's quick_check: the first problem it finds, or null when the database is intact. */
async function quickCheck(conn: Connection): Promise<string | null> {
  try {
    const rows = await conn.all<{ quick_check: string }>('PRAGMA quick_check(1)');
    return rows.length === 1 && rows[0]!.quick_check === 'ok' ? null : (rows[0]?.quick_check ?? 'quick_check found a problem');
  } catch (err) {
    if (err instanceof StoreError && err.kind === 'corrupt') return 'SQLite reports corruption';
    throw err;
  }
}

/** Whether the database was made to restore into (its header's application_id says so; read only when it holds no events). */
async function madeForRestoreIn(conn: Connection): Promise<boolean> {
  return (await conn.get<{ application_id: number }>('PRAGMA application_id'))?.application_id === MADE_FOR_RESTORE;
}

/** The database file as it is now: inode, size and change times (nanoseconds); undefined when it is missing. */
function fileStampOf(file: string): string | undefined {
  const s = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
  return s && `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

/** Moves a damaged database (with its -wal and -shm) to backups/damaged-<time>/, where the restore message says it is. */
function moveAside(file: string): void {
  const dir = path.join(path.dirname(file), BACKUPS_DIR, `${DAMAGED_PREFIX}${new Date().toISOString().replace(/[:.]/g, '-')}`);
  fs.mkdirSync(dir, { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, path.join(dir, DB_FILE + suffix));
}

export class Store {
  readonly orm: Orm;
  vecVersion: string | null = null;
  /** The database file's stamp when quick_check last found it intact (see checkIntact). */
  private intactStamp: string | undefined;
  vecError: string | undefined;
  private vecLoaded: Promise<void> | undefined;
  /** StoreOptions.vectorsInMemory, as opened. */
  vectorsInMemory = false;
  /** StoreOptions.searchReader's connection: null until a search asks for it; undefined where the store has none. */
  private searchConn: Promise<Connection> | undefined | null = null;

  private constructor(
    readonly dir: string,
    readonly conn: Connection,
    readonly migration: MigrationResult,
    private readonly slowQueryMs: number,
    private readonly migrationsDir: string,
    private readonly slowLog: SlowQueryLog,
    private readonly onSlowQuery: (q: SlowQuery) => void,
  ) {
    this.orm = createOrm(conn);
  }

  get file(): string {
    return this.conn.file;
  }

  static async open(dir: string, options: StoreOptions = {}): Promise<Store> {
    const folder = path.resolve(dir);
    const file = path.join(folder, DB_FILE);
    const restoring = options.forRestore ?? false;
    const create = options.create ?? true;
    const exists = fs.existsSync(file);
    prepareFolder(folder, create || exists, !exists);
    /** A folder that held a store, opened to restore into a database made (or filled) for that here. */
    let madeForRestore = false;
    if (!exists) {
      const past = pastStoreIn(folder, true);
      if (past && !restoring) throw lostStore(file, 'missing', past);
      if (!past && !create) throw noStore(folder);
      madeForRestore = past !== null;
    }
    const mode = exists ? openMode(folder, file) : 'readwrite';
    const migrationsDir = options.migrationsDir ?? findMigrationsDir();
    const slowQueryMs = options.slowQueryMs ?? 100;
    const slowLog = new SlowQueryLog(options.processName ?? path.basename(process.argv[1] ?? 'node', '.js'));
    const onSlowQuery = (q: SlowQuery) => {
      options.onSlowQuery?.(q);
      slowLog.add(q);
    };
    const conn = await Connection.open(file, { mode, busyTimeoutMs: options.busyTimeoutMs ?? 5000, slowQueryMs, onSlowQuery });
    try {
      // Read-only checks first: a foreign, newer, emptied or damaged database must not be touched, not even by a
      // journal-mode switch.
      const version = await checkCompatible(conn, migrationsDir);
      if (exists && (version === 0 || !(await conn.get('select 1 as found from events limit 1')))) {
        // A database made for a restore that has not happened (listing the backups, a dry run, a failed restore)
        // is still a lost store: its copies in backups/ count as for a missing one.
        const past = pastStoreIn(folder, version === 0 || (await madeForRestoreIn(conn)));
        if (past && !restoring) throw lostStore(file, version === 0 ? 'empty' : 'without events', past);
        if (version === 0 && ((!past && !create) || mode !== 'readwrite')) throw noStore(folder, ` (its ${DB_FILE} is empty)`);
        madeForRestore = version === 0 && past !== null;
      }
      const check = options.checkAtOpen ?? (restoring ? 'always' : 'small');
      let checkedStamp: string | undefined;
      /** Checked clean before, and unchanged since: the check is owed only to a write (conn.beforeWrite, below). */
      let checkOwed = false;
      if (version > 0 && (check === 'always' || (check === 'small' && size(file) <= QUICK_CHECK_AT_OPEN_MAX_BYTES))) {
        const stamps = stampsOf(file);
        if (check === 'small' && stamps !== undefined && stamps === lastCleanCheck(file) && version >= shippedSchemaVersion(migrationsDir)) {
          checkOwed = true;
        } else {
          checkedStamp = fileStampOf(file);
          const problem = await quickCheck(conn);
          if (problem) forgetCleanCheck(file);
          if (problem && !restoring) throw damagedStore(file, problem);
          if (problem) {
            await conn.close();
            moveAside(file);
            return await Store.open(dir, options);
          }
          if (stamps !== undefined && mode === 'readwrite') recordCleanCheck(file, stamps);
        }
      }
      if (checkOwed) {
        conn.beforeWrite = async () => {
          const problem = await quickCheck(conn);
          if (!problem) return void (conn.beforeWrite = undefined);
          forgetCleanCheck(file);
          throw damagedStore(file, problem);
        };
      }
      let migration: MigrationResult = { from: version, to: version };
      if (mode === 'readwrite') {
        await conn.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
        // Up to date (as nearly every open finds it): nothing to migrate, so migrate's own checks are not run again.
        if (version === 0 || version < shippedSchemaVersion(migrationsDir)) migration = await migrate(conn, migrationsDir, path.join(folder, BACKUPS_DIR));
        if (madeForRestore) await conn.exec(`PRAGMA application_id = ${MADE_FOR_RESTORE}`);
      } else if (version < shippedSchemaVersion(migrationsDir)) {
        throw new StoreError('store_unavailable', `The store ${file} has schema version ${version}, which this Cairn must upgrade before it can read it, and it is read-only here. Open it once as a user who can write ${folder} (any cairn command upgrades it).`);
      }
      const store = new Store(folder, conn, migration, slowQueryMs, migrationsDir, slowLog, onSlowQuery);
      slowLog.conn = conn; // from here on (migrated): the table is there
      store.intactStamp = checkedStamp;
      store.vectorsInMemory = options.vectorsInMemory ?? false;
      if (!options.searchReader) store.searchConn = undefined;
      if (options.loadVec ?? true) await store.loadVec();
      return store;
    } catch (err) {
      await conn.close().catch(() => undefined);
      throw err;
    }
  }

  /** Opened read-only: this process cannot write the store's folder or database; writes are refused (kind read_only). */
  get readOnly(): boolean {
    return this.conn.readOnly;
  }

  /**
   * SQLite's quick_check of the whole database, on a connection of its own (the store's queries are not held up):
   * a backup or sync runs it first, so a damaged store is never backed up or synced. SQLite writes the database file
   * only when it checkpoints (what it appends to the -wal in between carries its own checksums), so a file whose
   * inode, size and times are those of the last clean check has nothing new to check: at 100,000 tasks the check
   * costs ~330 ms, which most backups then skip.
   */
  async checkIntact(): Promise<void> {
    const stamp = fileStampOf(this.file);
    if (stamp !== undefined && stamp === this.intactStamp) return;
    const conn = await Connection.open(this.file, { mode: this.conn.mode, busyTimeoutMs: 10_000, slowQueryMs: 60_000 });
    try {
      const problem = await quickCheck(conn);
      if (problem) throw damagedStore(this.file, problem);
      this.intactStamp = stamp; // taken before the check: a change made meanwhile is checked next time
    } finally {
      await conn.close();
    }
  }

  /**
   * sqlite-vec powers semantic search; a store still works (without it) where the extension cannot load. Loaded once
   * (at open, unless StoreOptions.loadVec is false); vecVersion or vecError says how it went.
   */
  loadVec(): Promise<void> {
    return (this.vecLoaded ??= this.loadVecOnce());
  }

  private async loadVecOnce(): Promise<void> {
    try {
      // Required lazily and kept external in the bundle: its getLoadablePath() resolves files beside its package.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const vec = require('sqlite-vec') as { getLoadablePath(): string };
      await this.conn.loadExtension(vec.getLoadablePath());
      const row = await this.conn.get<{ v: string }>('select vec_version() as v');
      this.vecVersion = row?.v ?? null;
    } catch (err) {
      this.vecError = (err as Error).message;
    }
  }

  /** Changes whenever another connection commits (PRAGMA data_version); cheap enough to poll. */
  async dataVersion(): Promise<number> {
    const row = await this.conn.get<{ data_version: number }>('PRAGMA data_version');
    return row?.data_version ?? 0;
  }

  lastEventSeq(): Promise<number> {
    return lastEventSeq(this.orm);
  }

  /** Runs fn in one write transaction: its changes and their events commit together. */
  write<T>(fn: (orm: Orm) => Promise<T>): Promise<T> {
    // A slow statement is logged once the write is over, outside its transaction.
    return this.conn.transaction(() => fn(this.orm)).finally(() => void this.slowLog.flush());
  }

  /** Runs fn in one read transaction, so several queries see one consistent snapshot. */
  read<T>(fn: (orm: Orm) => Promise<T>): Promise<T> {
    return this.conn.transaction(() => fn(this.orm), 'deferred');
  }

  async health(): Promise<StoreHealth> {
    // A damaged store is reported on, not refused: what cannot be read is a finding (integrity) or left out (counts).
    const unlessDamaged = <T>(read: Promise<T>, instead: (problem: string) => T) =>
      read.catch((err: unknown) => {
        if (err instanceof StoreError && err.kind === 'corrupt') return instead(err.message);
        throw err;
      });
    const integrity = await unlessDamaged(
      this.conn.all<{ integrity_check: string }>('PRAGMA integrity_check').then((rows) => rows.map((r) => r.integrity_check)),
      (problem) => [problem],
    );
    const pragma = async (name: string) => Object.values((await this.conn.get(`PRAGMA ${name}`)) ?? {})[0];
    const counts: Record<string, number> = {};
    for (const table of ['projects', 'sprints', 'tasks', 'events', 'notes', 'agents', 'agent_runs']) {
      const n = await unlessDamaged(this.conn.get<{ n: number }>(`select count(*) as n from ${table}`).then((r) => r?.n ?? 0), () => null);
      if (n !== null) counts[table] = n;
    }
    return {
      ok: integrity.length === 1 && integrity[0] === 'ok',
      integrity,
      schemaVersion: await schemaVersion(this.conn),
      supportedSchemaVersion: shippedSchemaVersion(this.migrationsDir),
      sqliteVersion: String(await this.conn.get<{ v: string }>('select sqlite_version() as v').then((r) => r?.v)),
      vecVersion: this.vecVersion,
      ...(this.vecError ? { vecError: this.vecError } : {}),
      journalMode: String(await pragma('journal_mode')),
      sizes: {
        databaseBytes: size(this.file),
        walBytes: size(this.file + '-wal'),
        pageSize: Number(await pragma('page_size')),
        pageCount: Number(await pragma('page_count')),
        freePages: Number(await pragma('freelist_count')),
      },
      counts,
      slowQueries: await this.slowLog.slowest(),
      slowQueryThresholdMs: this.slowQueryMs,
    };
  }

  /**
   * The connection a search may run a read-only query on beside the store's own (StoreOptions.searchReader), else the
   * store's own. It reads what is committed: a query there may see a write of this process a moment later or sooner
   * than the store's connection would, which a search can live with.
   */
  async reader(): Promise<Connection> {
    if (this.searchConn === undefined) return this.conn;
    this.searchConn ??= Connection.open(this.file, { mode: this.conn.mode, busyTimeoutMs: 5000, slowQueryMs: this.slowQueryMs, onSlowQuery: this.onSlowQuery });
    try {
      return await this.searchConn;
    } catch {
      this.searchConn = undefined; // searches go on with one connection
      return this.conn;
    }
  }

  async close(): Promise<void> {
    await this.slowLog.flush();
    const reader = this.searchConn;
    this.searchConn = undefined;
    if (reader) await (await reader.catch(() => null))?.close();
    return this.conn.close();
  }
}
