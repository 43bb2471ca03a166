// The dashboard's lists: blocked tasks (longest blocked first), stale tasks (open and untouched for N days, oldest
// first) and the most-linked notes of the vault. Each is an index range (tasks by status and last change, links by
// target), with its total.
import { revealTask } from '../crypto/fields';
import type { Orm } from '../orm';
import { OPEN_TASK_STATUSES } from '../schema';
import type { MetricsDb } from './rollup';
import { checkProject } from './projectScope';

export interface ListsParams {
  projectId?: string;
  /** Items per list (default 20). */
  limit?: number;
  /** A task is stale after this many days without a change (default 30). */
  staleDays?: number;
}

export interface ListedTask {
  id: string;
  title: string;
  projectId: string;
  status: string;
  assignee: string | null;
  updatedAt: string;
}

export interface ListsReport {
  projectId: string | null;
  blocked: { total: number; tasks: (ListedTask & { blockedSince: string | null; waitingOn: number })[] };
  stale: { days: number; untouchedSince: string; total: number; tasks: (ListedTask & { idleDays: number })[] };
  /** Notes by the links that reach them (wikilinks, embeds, Markdown links), whole vault. */
  mostLinkedNotes: { path: string; title: string | null; links: number }[];
}

interface TaskRowLite {
  id: string;
  title: string;
  sealed_fields: string;
  project_id: string;
  status: string;
  assignee: string | null;
  updated_at: string;
}

const DAY = 86_400_000;
const COLUMNS = 'id, title, sealed_fields, project_id, status, assignee, updated_at';

function listed(orm: Orm, r: TaskRowLite): ListedTask {
  const title = revealTask(orm, { id: r.id, title: r.title, sealedFields: JSON.parse(r.sealed_fields || '[]') as string[] }).title ?? '';
  return { id: r.id, title, projectId: r.project_id, status: r.status, assignee: r.assignee, updatedAt: r.updated_at };
}

export async function lists(db: MetricsDb & { orm: Orm }, p: ListsParams, now: number = Date.now()): Promise<ListsReport> {
  await checkProject(db, p.projectId);
  const limit = p.limit ?? 20;
  const staleDays = p.staleDays ?? 30;
  const scope = p.projectId === undefined ? '' : 'AND project_id = ?';
  /** The params of a query, with the project's id where `scope` puts it (after the others). */
  const scoped = (...params: (string | number)[]) => (p.projectId === undefined ? params : [...params, p.projectId]);

  // Blocked: by status, longest unchanged first.
  const blockedTotal = await db.conn.get<{ n: number }>(`SELECT count(*) AS n FROM tasks WHERE status = 'blocked' ${scope}`, scoped());
  const blockedRows = await db.conn.all<TaskRowLite>(`SELECT ${COLUMNS} FROM tasks WHERE status = 'blocked' ${scope} ORDER BY updated_at, id LIMIT ?`, [...scoped(), limit]);
  const ids = JSON.stringify(blockedRows.map((r) => r.id));
  const since = new Map(
    (await db.conn.all<{ task_id: string; at: string }>(`SELECT task_id, max(at) AS at FROM metrics_task_timeline WHERE task_id IN (SELECT value FROM json_each(?)) AND status = 'blocked' GROUP BY task_id`, [ids])).map((r) => [r.task_id, r.at]),
  );
  const waiting = new Map(
    (
      await db.conn.all<{ id: string; n: number }>(
        `SELECT t.id, count(x.id) AS n FROM tasks t, json_each(t.depends_on) d LEFT JOIN tasks x ON x.id = d.value AND x.status NOT IN ('done', 'cancelled')
         WHERE t.id IN (SELECT value FROM json_each(?)) GROUP BY t.id`,
        [ids],
      )
    ).map((r) => [r.id, r.n]),
  );

  // Stale: open and untouched since the cutoff, oldest first (each open status is one range of the index).
  const cutoff = new Date(now - staleDays * DAY).toISOString();
  const open = JSON.stringify(OPEN_TASK_STATUSES);
  const staleTotal = await db.conn.get<{ n: number }>(`SELECT count(*) AS n FROM tasks WHERE status IN (SELECT value FROM json_each(?)) AND updated_at < ? ${scope}`, scoped(open, cutoff));
  const staleRows: TaskRowLite[] = [];
  for (const status of OPEN_TASK_STATUSES) {
    staleRows.push(...(await db.conn.all<TaskRowLite>(`SELECT ${COLUMNS} FROM tasks WHERE status = ? AND updated_at < ? ${scope} ORDER BY updated_at, id LIMIT ?`, [...scoped(status, cutoff), limit])));
  }
  staleRows.sort((a, b) => (a.updated_at < b.updated_at ? -1 : a.updated_at > b.updated_at ? 1 : a.id < b.id ? -1 : 1));

  // Most-linked notes: links grouped by resolved target along its index, then the top ones' titles.
  const notes = await db.conn.all<{ path: string; title: string | null; links: number }>(
    `SELECT top.path, n.title, top.links FROM
       (SELECT target_path AS path, count(*) AS links FROM note_links WHERE target_path IS NOT NULL GROUP BY target_path ORDER BY links DESC, target_path LIMIT ?) top
     LEFT JOIN notes n ON n.path = top.path ORDER BY top.links DESC, top.path`,
    [limit],
  );

  return {
    projectId: p.projectId ?? null,
    blocked: {
      total: blockedTotal?.n ?? 0,
      tasks: blockedRows.map((r) => ({ ...listed(db.orm, r), blockedSince: since.get(r.id) ?? null, waitingOn: waiting.get(r.id) ?? 0 })),
    },
    stale: {
      days: staleDays,
      untouchedSince: cutoff,
      total: staleTotal?.n ?? 0,
      tasks: staleRows.slice(0, limit).map((r) => ({ ...listed(db.orm, r), idleDays: Math.floor((now - Date.parse(r.updated_at)) / DAY) })),
    },
    mostLinkedNotes: notes,
  };
}
