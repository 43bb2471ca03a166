// The performance monitor's log: the statements a process found slow go into the store's slow_queries table
// (drizzle/0022), so every process's are seen by `cairn doctor`, store.health and VS Code's Check Store, not only
// its own. Written after the write that was slow has finished (never inside a caller's transaction), in one small
// transaction; a store that is busy or read-only drops them rather than hold anyone up.
import type { Connection, SlowQuery } from './connection';

/** Slow statements waiting to be written (a burst beyond this is dropped: the first ones say enough). */
const MAX_PENDING = 100;
const INSERT = 'insert into slow_queries (at, ms, sql, source, pid) values (?, ?, ?, ?, ?)';

export interface LoggedSlowQuery extends SlowQuery {
  /** The process that ran it (backend, cli, mcp…) and its pid. */
  source: string;
  pid: number;
}

export class SlowQueryLog {
  private pending: SlowQuery[] = [];
  private flushing: Promise<void> | undefined;
  conn: Connection | undefined;

  constructor(private readonly source: string) {}

  /**
   * Called by the connection for each slow statement; the log's own inserts are never logged, nor what runs before
   * the store is open (its checks and migrations: the table may not be there yet).
   */
  add(q: SlowQuery): void {
    if (!this.conn || q.sql === INSERT || this.pending.length >= MAX_PENDING) return;
    this.pending.push(q);
  }

  /** Writes what is pending; a flush already running is waited for. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    const conn = this.conn;
    if (!this.pending.length || !conn || conn.readOnly) return Promise.resolve();
    const rows = this.pending.splice(0);
    this.flushing = conn
      .transaction(async () => {
        for (const q of rows) await conn.run(INSERT, [q.at, q.ms, q.sql, this.source, process.pid]);
      })
      .catch(() => undefined) // busy, full disk: the log is a diagnosis, never a reason to fail
      .finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** The slowest statements of the newest `window` logged by any process, slowest first. */
  async slowest(limit = 20, window = 500): Promise<LoggedSlowQuery[]> {
    await this.flush();
    if (!this.conn) return [];
    return this.conn.all<LoggedSlowQuery>(
      'select at, ms, sql, source, pid from (select * from slow_queries order by id desc limit ?) order by ms desc, id desc limit ?',
      [window, limit],
    );
  }
}
