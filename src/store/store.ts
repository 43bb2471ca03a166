// A Cairn store: a folder holding cairn.db (SQLite, WAL). Opening it checks the folder, refuses a file that is
// not ours or a schema that is newer than this build, copies the database aside before migrating, loads
// sqlite-vec, and hands out the repositories.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Connection, type SlowQuery } from './connection';
import { StoreError } from './errors';
import { lastEventSeq } from './events';
import { checkCompatible, findMigrationsDir, migrate, schemaVersion, shippedSchemaVersion, type MigrationResult } from './migrate';
import { DB_FILE } from './location';
import { createOrm, type Orm } from './orm';

export interface StoreOptions {
  /** How long a write waits for another process's lock before giving up (ms). */
  busyTimeoutMs?: number;
  /** Statements slower than this are logged and reported by health() (ms). */
  slowQueryMs?: number;
  onSlowQuery?: (q: SlowQuery) => void;
  /** Create the folder and the database when missing (default true). */
  create?: boolean;
  migrationsDir?: string;
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
  slowQueries: SlowQuery[];
  slowQueryThresholdMs: number;
}

/**
 * Makes sure the store folder exists and is writable. Missing levels are created one at a time below the nearest
 * existing ancestor (a recursive mkdir under /proc or /sys can spin forever instead of failing).
 */
function prepareFolder(dir: string, create: boolean): void {
  try {
    if (!fs.existsSync(dir)) {
      if (!create) throw new StoreError('store_unavailable', `There is no Cairn store at ${dir}. Create one with "cairn --store ${dir} init".`);
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
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.R_OK);
  } catch (err) {
    if (err instanceof StoreError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new StoreError(
      'store_unavailable',
      `Cannot use ${dir} as the store folder (${e.code ?? 'error'}: ${e.message.replace(/^\w+: /, '')}). Choose a writable folder (setting cairn.storePath, or --store).`,
    );
  }
}

export class Store {
  readonly orm: Orm;
  vecVersion: string | null = null;
  vecError: string | undefined;

  private constructor(
    readonly dir: string,
    readonly conn: Connection,
    readonly migration: MigrationResult,
    private readonly slowQueryMs: number,
    private readonly migrationsDir: string,
  ) {
    this.orm = createOrm(conn);
  }

  get file(): string {
    return this.conn.file;
  }

  static async open(dir: string, options: StoreOptions = {}): Promise<Store> {
    const folder = path.resolve(dir);
    const file = path.join(folder, DB_FILE);
    const create = options.create ?? true;
    prepareFolder(folder, create || fs.existsSync(file));
    if (!create && !fs.existsSync(file)) throw new StoreError('store_unavailable', `There is no Cairn store at ${folder}. Create one with "cairn --store ${folder} init".`);
    const migrationsDir = options.migrationsDir ?? findMigrationsDir();
    const slowQueryMs = options.slowQueryMs ?? 100;
    const conn = await Connection.open(file, { busyTimeoutMs: options.busyTimeoutMs ?? 5000, slowQueryMs, onSlowQuery: options.onSlowQuery });
    try {
      // Read-only checks first: a foreign or newer database must not be touched, not even by a journal-mode switch.
      await checkCompatible(conn, migrationsDir);
      await conn.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
      const migration = await migrate(conn, migrationsDir, path.join(folder, 'backups'));
      const store = new Store(folder, conn, migration, slowQueryMs, migrationsDir);
      await store.loadVec();
      return store;
    } catch (err) {
      await conn.close().catch(() => undefined);
      throw err;
    }
  }

  /** sqlite-vec powers semantic search; a store still works (without it) where the extension cannot load. */
  private async loadVec(): Promise<void> {
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
    return this.conn.transaction(() => fn(this.orm));
  }

  /** Runs fn in one read transaction, so several queries see one consistent snapshot. */
  read<T>(fn: (orm: Orm) => Promise<T>): Promise<T> {
    return this.conn.transaction(() => fn(this.orm), 'deferred');
  }

  async health(): Promise<StoreHealth> {
    const integrity = (await this.conn.all<{ integrity_check: string }>('PRAGMA integrity_check')).map((r) => r.integrity_check);
    const pragma = async (name: string) => Object.values((await this.conn.get(`PRAGMA ${name}`)) ?? {})[0];
    const counts: Record<string, number> = {};
    for (const table of ['projects', 'sprints', 'tasks', 'events', 'notes', 'agents', 'agent_runs']) {
      counts[table] = ((await this.conn.get<{ n: number }>(`select count(*) as n from ${table}`))?.n ?? 0) as number;
    }
    const size = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
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
      slowQueries: this.conn.slowQueries(),
      slowQueryThresholdMs: this.slowQueryMs,
    };
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}
