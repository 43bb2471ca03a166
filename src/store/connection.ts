// One SQLite connection (through @vscode/sqlite3) that every query of a store goes through.
// Why serialize: node-sqlite3 runs statements on a thread pool, so without a lock a statement from an unrelated
// caller could land inside another caller's open transaction. The lock is a promise chain; AsyncLocalStorage
// marks the code running inside a transaction so its own statements pass straight through.
import { AsyncLocalStorage } from 'node:async_hooks';
import { pathToFileURL } from 'node:url';
import * as sqlite3 from '@vscode/sqlite3';
import { explainSqliteError, StoreError } from './errors';

export interface SlowQuery {
  sql: string;
  ms: number;
  at: string;
}

/**
 * How the database file is opened: read and write (created when missing); read-only; or immutable — read-only
 * without locks or the WAL index (-shm), for a file in a folder where the -shm cannot be created (a read-only folder).
 */
export type OpenMode = 'readwrite' | 'readonly' | 'immutable';

export interface ConnectionOptions {
  busyTimeoutMs: number;
  /** Default readwrite. */
  mode?: OpenMode;
  /** Statements slower than this are recorded (and reported through onSlowQuery). */
  slowQueryMs: number;
  onSlowQuery?: (q: SlowQuery) => void;
}

const SLOW_QUERY_MEMORY = 100;
const BUSY_RETRIES = 2;
const STATEMENT_CACHE = 200;

type SqlParam = string | number | bigint | null | Buffer | Uint8Array | boolean;

export class Connection {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly inTransaction = new AsyncLocalStorage<true>();
  private readonly slow: SlowQuery[] = [];
  private readonly statements = new Map<string, Promise<sqlite3.Statement>>();
  /**
   * Runs once, before the first write transaction (BEGIN IMMEDIATE) begins: the damage check a store opened without
   * one still owes its writes (Store.open). A write is refused with its error, and the next one runs it again.
   */
  beforeWrite: (() => Promise<void>) | undefined;
  private writable: Promise<void> | undefined;

  private constructor(
    private readonly db: sqlite3.Database,
    readonly file: string,
    private readonly options: ConnectionOptions,
  ) {}

  static open(file: string, options: ConnectionOptions): Promise<Connection> {
    const mode = options.mode ?? 'readwrite';
    const [name, flags] =
      mode === 'readwrite'
        ? [file, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE]
        : mode === 'readonly'
          ? [file, sqlite3.OPEN_READONLY]
          : [`${pathToFileURL(file).href}?immutable=1`, sqlite3.OPEN_READONLY | sqlite3.OPEN_URI];
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(name, flags, (err) => {
        if (err) return reject(explainSqliteError(err, file));
        db.configure('busyTimeout', options.busyTimeoutMs);
        resolve(new Connection(db, file, options));
      });
    });
  }

  get mode(): OpenMode {
    return this.options.mode ?? 'readwrite';
  }

  get readOnly(): boolean {
    return this.mode !== 'readwrite';
  }

  /** The slowest statements seen recently, slowest first. */
  slowQueries(limit = 10): SlowQuery[] {
    return [...this.slow].sort((a, b) => b.ms - a.ms).slice(0, limit);
  }

  all<T = Record<string, unknown>>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return this.locked(() => this.timed(sql, (cb) => this.prepared(sql).then((s) => s.all(params, cb), cb)) as Promise<T[]>);
  }

  /** The first row. Run as all(): a statement left after its first row would keep a read snapshot open. */
  async get<T = Record<string, unknown>>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  run(sql: string, params: readonly SqlParam[] = []): Promise<{ changes: number; lastID: number }> {
    return this.locked(
      () =>
        this.timed(sql, (cb) =>
          this.prepared(sql).then(
            (s) =>
              s.run(params, function (this: sqlite3.RunResult, err: Error | null) {
                cb(err, { changes: this.changes, lastID: this.lastID });
              }),
            cb,
          ),
        ) as Promise<{ changes: number; lastID: number }>,
    );
  }

  /**
   * A prepared statement for this SQL, kept for reuse: node-sqlite3's db.run/all prepare, run and finalize a new
   * statement each time (three trips to its thread pool); a kept one runs in one. Least recently used ones are
   * finalized past STATEMENT_CACHE. Preparing is awaited: node-sqlite3 never calls back the calls queued on a
   * statement that failed to prepare (a bad column, a table a newer schema dropped), which would hang the caller and
   * every query queued behind it. A statement that failed is dropped, so a bad one is never kept.
   */
  private prepared(sql: string): Promise<sqlite3.Statement> {
    let statement = this.statements.get(sql);
    if (statement) {
      this.statements.delete(sql);
    } else {
      statement = new Promise<sqlite3.Statement>((resolve, reject) => {
        const made: sqlite3.Statement = this.db.prepare(sql, (err: Error | null) => (err ? reject(err) : resolve(made)));
      });
      statement.catch(() => this.forget(sql));
    }
    this.statements.set(sql, statement);
    if (this.statements.size > STATEMENT_CACHE) {
      const [oldest, old] = this.statements.entries().next().value as [string, Promise<sqlite3.Statement>];
      this.statements.delete(oldest);
      void finalize(old);
    }
    return statement;
  }

  private forget(sql: string): void {
    const statement = this.statements.get(sql);
    if (!statement) return;
    this.statements.delete(sql);
    void finalize(statement);
  }

  /** Runs a script of several statements (db.all/run would silently run only the first). */
  exec(sql: string): Promise<void> {
    return this.locked(() => this.timed(sql, (cb) => this.db.exec(sql, (err) => cb(err, undefined))) as Promise<void>);
  }

  loadExtension(path: string): Promise<void> {
    return this.locked(
      () => new Promise<void>((resolve, reject) => this.db.loadExtension(path, (err) => (err ? reject(err) : resolve()))),
    );
  }

  /**
   * Runs fn inside one transaction. Writers use BEGIN IMMEDIATE so that two processes never deadlock on a lock
   * upgrade (which SQLite reports as SQLITE_BUSY at once, without waiting for the busy timeout); a transaction
   * that still meets SQLITE_BUSY is retried a few times before the error reaches the user.
   */
  async transaction<T>(fn: () => Promise<T>, mode: 'immediate' | 'deferred' = 'immediate'): Promise<T> {
    if (this.inTransaction.getStore()) return fn(); // nested: join the open transaction
    if (mode === 'immediate' && this.beforeWrite) {
      await (this.writable ??= this.beforeWrite().catch((err: unknown) => {
        this.writable = undefined; // the next write runs it again
        throw err;
      }));
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.locked(() =>
          this.inTransaction.run(true, async () => {
            await this.rawRun(mode === 'immediate' ? 'BEGIN IMMEDIATE' : 'BEGIN');
            try {
              const result = await fn();
              await this.rawRun('COMMIT');
              return result;
            } catch (err) {
              await this.rawRun('ROLLBACK').catch(() => undefined);
              throw err;
            }
          }),
        );
      } catch (err) {
        const code = (err as { code?: string }).code;
        const busy = code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || (err instanceof StoreError && err.kind === 'busy');
        if (busy && attempt < BUSY_RETRIES) {
          await new Promise((r) => setTimeout(r, 20 + Math.random() * 80 * (attempt + 1)));
          continue;
        }
        throw this.explain(err);
      }
    }
  }

  close(): Promise<void> {
    return this.locked(async () => {
      await Promise.all([...this.statements.values()].map(finalize));
      this.statements.clear();
      await new Promise<void>((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
    });
  }

  /** Queues fn behind every statement and transaction already waiting, unless we are inside a transaction. */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction.getStore()) return fn();
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result.catch((err) => {
      throw this.explain(err);
    });
  }

  private explain(err: unknown): unknown {
    return explainSqliteError(err, this.file, this.readOnly);
  }

  private rawRun(sql: string): Promise<void> {
    return this.timed(sql, (cb) => this.prepared(sql).then((s) => s.run([], (err: Error | null) => cb(err, undefined)), cb)) as Promise<void>;
  }

  private timed(sql: string, call: (cb: (err: Error | null, value?: unknown) => void) => void): Promise<unknown> {
    const started = nowMs();
    return new Promise((resolve, reject) =>
      call((err, value) => {
        if (!err) return resolve(value);
        this.forget(sql);
        reject(err);
      }),
    ).finally(() =>
      this.record(sql, nowMs() - started),
    );
  }

  private record(sql: string, ms: number): void {
    if (ms < this.options.slowQueryMs) return;
    const q = { sql: sql.length > 500 ? sql.slice(0, 500) + '…' : sql, ms: Math.round(ms * 10) / 10, at: new Date().toISOString() };
    this.slow.push(q);
    if (this.slow.length > SLOW_QUERY_MEMORY) this.slow.shift();
    this.options.onSlowQuery?.(q);
  }
}

/** Finalizes a kept statement; one that never prepared has nothing to finalize. */
function finalize(statement: Promise<sqlite3.Statement>): Promise<void> {
  return statement.then(
    (s) => new Promise<void>((resolve) => s.finalize(() => resolve())),
    () => undefined,
  );
}

/** A monotonic clock in ms: process.hrtime, not the global `performance`, whose first use loads perf_hooks (~1–3 ms of
 * every one-shot `cairn` call, which times its first statement before anything else would need it). */
function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
