// The Projects tree's reads in the rpc-list bench (issue 15: the tree never asks for all of a project's tasks): the
// first page (500) of the project's own tasks and of a sprint's, everything shown and hiding done, as tasks.tree
// over JSON-RPC and in-process, against the same SQL by hand in the same run: the level's count and its page (one
// JSON text), rendered from src/store/taskTree.ts's own statements and run on a plain @vscode/sqlite3 connection,
// the page parsed (no validation, ORM, checks, reveal or transport). Each answer is checked against the others, so
// the three always do the same work.
import * as sqlite3 from '@vscode/sqlite3';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { invoke, type Context } from '../src/backend/methods';
import { OPEN_TASK_STATUSES } from '../src/store/schema';
import { levelQueries, type TreeLevel, type TreePage, type TreeView } from '../src/store/taskTree';
import { round, stats } from './stats';

const PAGE = 500;
const dialect = new SQLiteSyncDialect();

/** Plain SQLite, read-only, promise-wrapped: the floor. */
class RawDb {
  private constructor(private readonly db: sqlite3.Database) {}
  static open(file: string): Promise<RawDb> {
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (err) => (err ? reject(err) : resolve(new RawDb(db))));
    });
  }
  all<T>(sql: string, params: unknown[]): Promise<T[]> {
    return new Promise((resolve, reject) => this.db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
  }
  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }
}

/** A level's first page by hand: the method's two statements on the plain driver, and the page's JSON parsed. */
async function byHand(db: RawDb, level: TreeLevel, view: TreeView): Promise<{ total: number; ids: string[] }> {
  const q = levelQueries(level, view, 0, PAGE);
  const count = dialect.sqlToQuery(q.count);
  const page = dialect.sqlToQuery(q.page);
  const [{ n }] = await db.all<{ n: number }>(count.sql, count.params);
  const [{ tasks }] = await db.all<{ tasks: string }>(page.sql, page.params);
  return { total: n, ids: (JSON.parse(tasks) as { id: string }[]).map((t) => t.id).sort() };
}

/** Times the three in turn, rotating who goes first each round, after `warmup` untimed rounds; each one's samples. */
async function measureRotating(rounds: number, warmup: number, fns: (() => Promise<unknown>)[]): Promise<number[][]> {
  for (let i = 0; i < warmup; i++) for (const f of fns) await f();
  const out = fns.map(() => [] as number[]);
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < fns.length; k++) {
      const j = (i + k) % fns.length;
      const started = performance.now();
      await fns[j]!();
      out[j]!.push(performance.now() - started);
    }
  }
  return out;
}

export async function measureTreeLevels(o: { ctx: Context; connection: MessageConnection; dbFile: string; projectId: string; sprintId: string; calls: number; warmup: number }) {
  const db = await RawDb.open(o.dbFile);
  try {
    const views: [string, TreeView][] = [
      ['all shown', { groupBy: 'sprint' }],
      ['hiding done', { groupBy: 'sprint', statuses: OPEN_TASK_STATUSES }],
    ];
    const levels: [string, TreeLevel][] = [
      ['project', { projectId: o.projectId }],
      ['sprint', { projectId: o.projectId, sprintId: o.sprintId }],
    ];
    const results = [];
    for (const [levelName, level] of levels) {
      for (const [viewName, view] of views) {
        const params = { ...level, ...view, ...(view.statuses ? { statuses: [...view.statuses] } : {}), limit: PAGE };
        const expected = await byHand(db, level, view);
        const same = (what: string, page: TreePage) => {
          const ids = page.tasks.map((t) => t.id);
          if (page.total !== expected.total || ids.join() !== expected.ids.join()) throw new Error(`${what} tasks.tree (${levelName}, ${viewName}) answered ${page.total} / ${ids.length} tasks, by hand ${expected.total} / ${expected.ids.length}`);
        };
        const [rpc, inProcess, raw] = await measureRotating(o.calls, o.warmup, [
          async () => same('rpc', (await o.connection.sendRequest('tasks.tree', params)) as TreePage),
          async () => same('in-process', (await invoke(o.ctx, 'tasks.tree', params)) as TreePage),
          async () => byHand(db, level, view),
        ]);
        results.push({ level: levelName, view: viewName, total: expected.total, rows: expected.ids.length, rpcMs: stats(rpc!), inProcessMs: stats(inProcess!), bySqlMs: stats(raw!) });
      }
    }
    const summary = results.flatMap((r) =>
      (['p50', 'p99'] as const).map((p) => ({
        metric: `tasks.tree first page, ${r.level} level (${r.total} tasks), ${r.view}, ${p}`,
        value: r.rpcMs[p],
        baseline: r.bySqlMs[p],
        ratio: round(r.rpcMs[p] / r.bySqlMs[p]),
        unit: 'ms',
      })),
    );
    return { page: PAGE, results, summary };
  } finally {
    await db.close();
  }
}
