// What a task board reads: the cards of each status column, a page at a time, under the board's filters (project,
// sprint, assignee, tag, priority, text), with the little a card shows beyond the task's own fields (how many of
// its dependencies are not done, its criteria progress). Cards are ordered by rank (cards moved within their column,
// src/store/taskRank.ts), then priority (urgent first), then id, so a page boundary is stable while nothing changes;
// the client sorts optimistic moves with the same rule.
import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Orm } from './orm';
import { tasks, type TaskPriority, type TaskStatus } from './schema';
// The same order the board's client uses to place a card it moved before the store answered (compareCards).
import { COLUMN_ORDER } from './taskRank';

export interface BoardFilter {
  projectId?: string;
  /** A sprint id, or null for the tasks in no sprint. */
  sprintId?: string | null;
  /** An assignee, or null for unassigned tasks. */
  assignee?: string | null;
  tag?: string;
  priorities?: TaskPriority[];
  /** Words the title or description contains (case-insensitive for ASCII), or a task id. */
  text?: string;
}

export interface BoardColumnRequest {
  status: TaskStatus;
  offset: number;
  limit: number;
}

export interface BoardCard {
  id: string;
  projectId: string;
  sprintId: string | null;
  parentId: string | null;
  title: string;
  status: TaskStatus;
  priority: TaskPriority;
  assignee: string | null;
  tags: string[];
  estimatedMinutes: number | null;
  criteriaDone: number;
  criteriaTotal: number;
  /** How many tasks this one waits for. */
  dependsOn: number;
  /** How many of those are not done (the card's blocked badge). */
  waitingOn: number;
  updatedAt: string;
  version: number;
  /** Place in the column once moved within it; null: by priority, then id. */
  rank: number | null;
  sealedFields: string[];
}

export interface BoardColumn {
  status: TaskStatus;
  /** Cards in the column under the filter (all pages). */
  total: number;
  offset: number;
  cards: BoardCard[];
}

function filterClauses(f: BoardFilter): SQL[] {
  const where: SQL[] = [];
  if (f.projectId) where.push(eq(tasks.projectId, f.projectId));
  if (f.sprintId === null) where.push(isNull(tasks.sprintId));
  else if (f.sprintId) where.push(eq(tasks.sprintId, f.sprintId));
  if (f.assignee === null) where.push(isNull(tasks.assignee));
  else if (f.assignee) where.push(eq(tasks.assignee, f.assignee));
  if (f.tag) where.push(sql`exists (select 1 from json_each(${tasks.tags}) where value = ${f.tag})`);
  if (f.priorities?.length) where.push(inArray(tasks.priority, f.priorities));
  const text = f.text?.trim();
  if (text) {
    where.push(sql`(instr(lower(${tasks.title}), lower(${text})) > 0 or instr(lower(${tasks.description}), lower(${text})) > 0 or ${tasks.id} = ${text})`);
  }
  return where;
}

const cardColumns = {
  id: tasks.id,
  projectId: tasks.projectId,
  sprintId: tasks.sprintId,
  parentId: tasks.parentId,
  title: tasks.title,
  status: tasks.status,
  priority: tasks.priority,
  assignee: tasks.assignee,
  tags: tasks.tags,
  estimatedMinutes: tasks.estimatedMinutes,
  criteriaDone: sql<number>`(select count(*) from json_each(${tasks.criteria}) where json_extract(value, '$.done') = 1)`,
  criteriaTotal: sql<number>`json_array_length(${tasks.criteria})`,
  dependsOn: sql<number>`json_array_length(${tasks.dependsOn})`,
  // Qualified by hand: drizzle writes a lone table's columns unqualified, and inside this subquery "depends_on"
  // would name the joined row's own column.
  waitingOn: sql<number>`(select count(*) from json_each("tasks"."depends_on") d join tasks o on o.id = d.value where o.status <> 'done')`,
  updatedAt: tasks.updatedAt,
  version: tasks.version,
  rank: tasks.rank,
  sealedFields: tasks.sealedFields,
};

/** One page of each requested column, with each column's total; call inside one read so they agree. */
export async function boardColumns(orm: Orm, filter: BoardFilter, columns: readonly BoardColumnRequest[]): Promise<BoardColumn[]> {
  const base = filterClauses(filter);
  const out: BoardColumn[] = [];
  for (const c of columns) {
    const where = and(...base, eq(tasks.status, c.status));
    const [{ n }] = await orm.select({ n: sql<number>`count(*)` }).from(tasks).where(where);
    const cards =
      c.limit === 0 || c.offset >= n
        ? []
        : await orm.select(cardColumns).from(tasks).where(where).orderBy(...COLUMN_ORDER).limit(c.limit).offset(c.offset);
    out.push({ status: c.status, total: n, offset: c.offset, cards: cards as BoardCard[] });
  }
  return out;
}

/** Swimlanes: one per sprint or assignee. */
export type LaneBy = 'sprint' | 'assignee';
/** Most lanes a board shows (the rest are named in the page: filter to see them). */
export const MAX_LANES = 100;

/**
 * The swimlanes with cards under the filter in the given statuses: a sprint's or an assignee's id or name (null: no
 * sprint, unassigned) and how many cards, named ones first (by key), the null lane last.
 */
export async function boardLanes(orm: Orm, filter: BoardFilter, by: LaneBy, statuses: readonly TaskStatus[]): Promise<{ key: string | null; total: number }[]> {
  const column = by === 'sprint' ? tasks.sprintId : tasks.assignee;
  return orm
    .select({ key: column, total: sql<number>`count(*)` })
    .from(tasks)
    .where(and(...filterClauses(filter), inArray(tasks.status, [...statuses])))
    .groupBy(column)
    .orderBy(sql`${column} is null`, asc(column))
    .limit(MAX_LANES + 1);
}

/** The assignees and tags in use (in a project, or the whole store), for the board's filter lists. */
export async function boardFacets(orm: Orm, projectId?: string): Promise<{ assignees: string[]; tags: string[] }> {
  const inProject = projectId ? eq(tasks.projectId, projectId) : undefined;
  const assignees = await orm
    .selectDistinct({ a: tasks.assignee })
    .from(tasks)
    .where(and(inProject, sql`${tasks.assignee} is not null`))
    .orderBy(asc(tasks.assignee))
    .limit(1000);
  const tagRows = await orm
    .select({ tag: sql<string>`t.value` })
    .from(sql`${tasks}, json_each(${tasks.tags}) t`)
    .where(inProject)
    .groupBy(sql`t.value`)
    .orderBy(sql`t.value`)
    .limit(1000);
  return { assignees: assignees.map((r) => r.a!), tags: tagRows.map((r) => r.tag) };
}
