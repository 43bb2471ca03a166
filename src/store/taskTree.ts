// The Projects tree's reads, one level at a time (src/views/projectsTree.ts): the tasks directly under a project, a
// sprint, a parent task or a group, a page at a time, each with how many of its subtasks show under it (its twistie),
// and the level's total; and a project's sprints or groups with their counts.
//
// Which tasks show is the view's filter (some statuses, one assignee). Where a shown task sits, grouped by sprint:
// under its parent when the parent shows (same project, passes the filter), else under its sprint, else directly
// under the project. Grouped by status, assignee or priority, each shown task sits once in its group, flat. Every
// level is in id order (ids are ULIDs: creation order). Each level is one range of an index that also holds what
// decides whether and where a task shows (migration 0023), so counting a level reads no task row: tasks_tree_idx
// (project, sprint, id, …), tasks_parent_idx (parent, id, …), tasks_project_id_idx (project, id, …) for groups.
// The filter's own terms are written `+t.status`, `+t.assignee`: a unary plus keeps SQLite (which has no statistics
// here) from picking the status or assignee index for them instead of the level's range.
import { sql, type SQL } from 'drizzle-orm';
import { notFound, StoreError } from './errors';
import type { Orm } from './orm';
import { getProject } from './projects';
import { TASK_PRIORITIES, TASK_STATUSES, tasks, type SprintRow, type TaskRow, type TaskStatus } from './schema';
import { getSprint, listSprints } from './sprints';

export const TREE_GROUPINGS = ['sprint', 'status', 'assignee', 'priority'] as const;
export type TreeGrouping = (typeof TREE_GROUPINGS)[number];

/** What the tree shows of a project: only these statuses, only this assignee's tasks; grouped by sprint or a field. */
export interface TreeView {
  statuses?: readonly TaskStatus[];
  assignee?: string;
  groupBy: TreeGrouping;
}

/**
 * A place whose tasks are listed: the project's own (grouped by sprint: those in no sprint and under no shown
 * parent; grouped otherwise, none: its groups hold them), a sprint's, a parent task's, or a group's by its key (a
 * status, a priority, an assignee; '' for the unassigned).
 */
export type TreeLevel = { projectId: string } | { projectId: string; sprintId: string } | { projectId: string; parentId: string } | { projectId: string; group: string };

/** What the tree holds of a task: what its row, its tooltip and its commands use (its editor reads the rest). */
export type TreeTaskRow = Pick<
  TaskRow,
  'id' | 'projectId' | 'sprintId' | 'parentId' | 'title' | 'status' | 'priority' | 'assignee' | 'tags' | 'estimatedMinutes' | 'actualMinutes' | 'tokensIn' | 'tokensOut' | 'qualityScore' | 'version' | 'sealedFields'
>;

export interface TreeTask extends TreeTaskRow {
  /** How many of its subtasks show under it (0 when grouped by a field: groups are flat). */
  children: number;
}

export interface TreePage {
  /** Tasks in the level under the view (all pages). */
  total: number;
  offset: number;
  tasks: TreeTask[];
}

export type TreeSections = { sprints: { sprint: SprintRow; count: number }[] } | { groups: { key: string; count: number }[] };

/** Most tasks one page holds. */
export const TREE_PAGE_MAX = 5000;

const PRIORITIES_URGENT_FIRST = [...TASK_PRIORITIES].reverse();
const GROUP_COLUMN = { status: 't.status', assignee: 't.assignee', priority: 't.priority' } as const;

const and = (parts: SQL[]): SQL => (parts.length ? sql.join(parts, sql` and `) : sql`1`);

/** The filter on the task of alias `a`. */
export function shows(a: 't' | 'p' | 'c' | 'x', v: TreeView): SQL {
  const parts: SQL[] = [];
  if (v.statuses) parts.push(sql`+${sql.raw(a)}.status in ${v.statuses}`);
  if (v.assignee !== undefined) parts.push(sql`+${sql.raw(a)}.assignee = ${v.assignee}`);
  return and(parts);
}

/** Task t sits under its parent: the parent shows. The parent is looked up in tasks_project_id_idx, which holds its
 * project, status and assignee: by the primary key, SQLite would read each parent's row (a level of 30,000 tasks, a
 * quarter of them subtasks, counted in 22 ms instead of 12). */
const underShownParent = (v: TreeView) =>
  sql`(t.parent_id is not null and exists (select 1 from tasks p indexed by tasks_project_id_idx where p.project_id = t.project_id and p.id = t.parent_id and ${shows('p', v)}))`;

/** The tasks of a level, as a condition on alias t. */
export function levelWhere(level: TreeLevel, v: TreeView): SQL {
  const where = [sql`t.project_id = ${level.projectId}`, shows('t', v)];
  if ('group' in level) where.push(v.groupBy === 'assignee' && level.group === '' ? sql`+t.assignee is null` : sql`+${sql.raw(GROUP_COLUMN[v.groupBy as keyof typeof GROUP_COLUMN])} = ${level.group}`);
  else if (v.groupBy !== 'sprint') where.push(sql`0`); // grouped, the project holds groups, no task of its own
  else if ('parentId' in level) where.push(sql`t.parent_id = ${level.parentId}`, sql`exists (select 1 from tasks x where x.id = ${level.parentId} and +x.project_id = t.project_id and ${shows('x', v)})`);
  else where.push('sprintId' in level ? sql`t.sprint_id = ${level.sprintId}` : sql`t.sprint_id is null`, sql`not ${underShownParent(v)}`);
  return and(where);
}

/** How many of task t's subtasks show under it. */
export const shownChildren = (v: TreeView) =>
  v.groupBy === 'sprint' ? sql`(select count(*) from tasks c where c.parent_id = t.id and +c.project_id = t.project_id and ${shows('c', v)})` : sql`0`;

// A page's tasks come as one JSON text that SQLite writes (one parse, instead of a driver object and a decoded value
// per field: a 500-task page in ~2 ms instead of ~5). JSON rounds a REAL to 15 significant digits, which loses
// nothing of an estimate, an actual or a quality score a tooltip shows.
const TREE_TASK_JSON = sql.raw(
  `json_object('id', t.id, 'projectId', t.project_id, 'sprintId', t.sprint_id, 'parentId', t.parent_id, 'title', t.title, 'status', t.status, ` +
    `'priority', t.priority, 'assignee', t.assignee, 'tags', json(t.tags), 'estimatedMinutes', t.estimated_minutes, 'actualMinutes', t.actual_minutes, ` +
    `'tokensIn', t.tokens_in, 'tokensOut', t.tokens_out, 'qualityScore', t.quality_score, 'version', t.version, 'sealedFields', json(t.sealed_fields), ` +
    `'children', page.children)`,
);

/** The tasks of the (id, children) pairs a query yields, as one JSON array. */
const treeTasksOf = (pairs: SQL) => sql`select json_group_array(${TREE_TASK_JSON}) as tasks from (${pairs}) page join tasks t on t.id = page.id`;

/** Reads what treeTasksOf writes, in id order. */
export async function readTreeTasks(orm: Orm, pairs: SQL): Promise<TreeTask[]> {
  const [[text]] = (await orm.all(treeTasksOf(pairs))) as [[string]];
  return (JSON.parse(text) as TreeTask[]).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** What a page of a level reads: the level's total, and the page's tasks. */
export function levelQueries(level: TreeLevel, v: TreeView, offset: number, limit: number): { count: SQL; pairs: SQL; page: SQL } {
  const where = levelWhere(level, v);
  const pairs = sql`select t.id, ${shownChildren(v)} as children from tasks t where ${where} order by t.id limit ${limit} offset ${offset}`;
  return { count: sql`select count(*) as n from tasks t where ${where}`, pairs, page: treeTasksOf(pairs) };
}

/** A level's tasks from `offset` on (at most `limit`), each with its shown subtasks, and the level's total. */
export async function treePage(orm: Orm, level: TreeLevel, v: TreeView, offset: number, limit: number): Promise<TreePage> {
  await checkLevel(orm, level);
  const queries = levelQueries(level, v, offset, limit);
  const tasks = await readTreeTasks(orm, queries.pairs);
  // A page that ends before its limit tells the total: only a full page (or one past the end) counts the level.
  if (tasks.length && tasks.length < limit) return { total: offset + tasks.length, offset, tasks };
  if (!tasks.length && !offset) return { total: 0, offset, tasks };
  const [[total]] = (await orm.all(queries.count)) as [[number]];
  return { total, offset, tasks };
}

/** The project must exist, and the sprint or parent task be in it: a level of nothing is a mistake worth naming. */
async function checkLevel(orm: Orm, level: TreeLevel): Promise<void> {
  await getProject(orm, level.projectId);
  if ('sprintId' in level) {
    const sprint = await getSprint(orm, level.sprintId);
    if (sprint.projectId !== level.projectId) throw new StoreError('invalid', `Sprint ${sprint.name} (${sprint.id}) is in project ${sprint.projectId}, not ${level.projectId}.`);
  }
  if ('parentId' in level) {
    const [row] = await orm.select({ projectId: tasks.projectId }).from(tasks).where(sql`${tasks.id} = ${level.parentId}`);
    if (!row) throw notFound('task', level.parentId);
    if (row.projectId !== level.projectId) throw new StoreError('invalid', `Task ${level.parentId} is in project ${row.projectId}, not ${level.projectId}.`);
  }
}

/**
 * What sits under a project before its own tasks: its sprints (in id order) with how many tasks show directly
 * under each, or its groups that hold shown tasks, with their counts, in the grouping's order (statuses as the
 * workflow goes, priorities urgent first, assignees alphabetically with the unassigned, key '', last).
 */
export async function treeSections(orm: Orm, projectId: string, v: TreeView): Promise<TreeSections> {
  await getProject(orm, projectId);
  if (v.groupBy === 'sprint') {
    const counts = (await orm.all(
      sql`select t.sprint_id, count(*) as n from tasks t where t.project_id = ${projectId} and t.sprint_id is not null and ${shows('t', v)} and not ${underShownParent(v)} group by t.sprint_id`,
    )) as [string, number][];
    const bySprint = new Map(counts);
    return { sprints: (await listSprints(orm, projectId)).map((sprint) => ({ sprint, count: bySprint.get(sprint.id) ?? 0 })) };
  }
  const column = sql.raw(GROUP_COLUMN[v.groupBy]);
  const counts = (await orm.all(sql`select ${column} as key, count(*) as n from tasks t where t.project_id = ${projectId} and ${shows('t', v)} group by ${column}`)) as [string | null, number][];
  const groups = counts.map(([key, count]) => ({ key: key ?? '', count }));
  const order: readonly string[] = v.groupBy === 'status' ? TASK_STATUSES : v.groupBy === 'priority' ? PRIORITIES_URGENT_FIRST : [];
  const rank = (key: string) => (v.groupBy === 'assignee' ? 0 : order.indexOf(key));
  return { groups: groups.sort((a, b) => rank(a.key) - rank(b.key) || (a.key === '' ? 1 : 0) - (b.key === '' ? 1 : 0) || a.key.localeCompare(b.key)) };
}
