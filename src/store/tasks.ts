import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { appendEvents, type Actor } from './events';
import { notFound, StoreError } from './errors';
import { newId, nowIso } from './ids';
import type { Orm } from './orm';
import { getProject } from './projects';
import { getSprint } from './sprints';
import { OPEN_TASK_STATUSES, tasks, type TaskPriority, type TaskRow, type TaskStatus } from './schema';
import { checkVersion, insertAggregate, updateAggregate } from './aggregates';
import { sealNewTask, sealTaskChanges, type SecretTaskField } from './crypto/fields';
import { tableRows } from './tableRows';

export type Task = TaskRow;

export interface TaskInput {
  projectId: string;
  title: string;
  sprintId?: string | null;
  parentId?: string | null;
  description?: string;
  status?: TaskStatus;
  priority?: TaskPriority;
  assignee?: string | null;
  tags?: string[];
  estimatedMinutes?: number | null;
  /** Related notes, by vault-relative path, file name or title. */
  notes?: string[];
  /** Ids of the tasks this one waits for. */
  dependsOn?: string[];
  /** Acceptance criteria, in order (all open). */
  criteria?: string[];
  /** Fields stored encrypted (src/store/crypto): not searchable, unreadable without the store's key. */
  secretFields?: SecretTaskField[];
}

export type TaskChanges = Partial<
  Pick<
    TaskRow,
    | 'title'
    | 'description'
    | 'status'
    | 'priority'
    | 'assignee'
    | 'tags'
    | 'sprintId'
    | 'parentId'
    | 'estimatedMinutes'
    | 'actualMinutes'
    | 'tokensIn'
    | 'tokensOut'
    | 'qualityScore'
    | 'notes'
  >
>;

export interface TaskFilter {
  projectId?: string;
  /** A sprint id, or null for the tasks in no sprint. */
  sprintId?: string | null;
  status?: TaskStatus[];
  assignee?: string;
  parentId?: string;
  limit?: number;
  offset?: number;
}

export async function listTasks(orm: Orm, f: TaskFilter): Promise<Task[]> {
  const where: SQL[] = [];
  if (f.projectId) where.push(eq(tasks.projectId, f.projectId));
  if (f.sprintId === null) where.push(isNull(tasks.sprintId));
  else if (f.sprintId) where.push(eq(tasks.sprintId, f.sprintId));
  if (f.status?.length) where.push(inArray(tasks.status, f.status));
  if (f.assignee) where.push(eq(tasks.assignee, f.assignee));
  if (f.parentId) where.push(eq(tasks.parentId, f.parentId));
  const query = orm.select().from(tasks).where(and(...where)).orderBy(asc(tasks.id));
  return tableRows(orm, tasks, f.limit !== undefined || f.offset ? query.limit(f.limit ?? Number.MAX_SAFE_INTEGER).offset(f.offset ?? 0) : query);
}

export async function getTask(orm: Orm, id: string): Promise<Task> {
  const [row] = await orm.select().from(tasks).where(eq(tasks.id, id));
  if (!row) throw notFound('task', id);
  return row;
}

/** Open tasks by status across the store (for the status bar). */
export async function countTasks(orm: Orm): Promise<Record<TaskStatus, number> & { open: number; total: number }> {
  const rows = await orm.select({ status: tasks.status, n: sql<number>`count(*)` }).from(tasks).groupBy(tasks.status);
  const counts = { pending: 0, in_progress: 0, blocked: 0, done: 0, cancelled: 0, open: 0, total: 0 };
  for (const r of rows) {
    counts[r.status] = r.n;
    counts.total += r.n;
    if (OPEN_TASK_STATUSES.includes(r.status)) counts.open += r.n;
  }
  return counts;
}

/** Sprint and parent must exist and belong to the task's project; a task cannot be its own ancestor. */
async function checkReferences(orm: Orm, projectId: string, taskId: string | undefined, refs: { sprintId?: string | null; parentId?: string | null }) {
  if (refs.sprintId) {
    const sprint = await getSprint(orm, refs.sprintId);
    if (sprint.projectId !== projectId) {
      throw new StoreError('invalid', `Sprint ${refs.sprintId} belongs to another project (${sprint.projectId}); a task's sprint must be in the task's project.`);
    }
  }
  for (let parentId = refs.parentId, depth = 0; parentId; depth++) {
    if (parentId === taskId || depth > 1000) throw new StoreError('invalid', `Task ${taskId} cannot be a subtask of itself or of its own subtasks.`);
    const parent = await getTask(orm, parentId).catch(() => {
      throw notFound('parent task', parentId!);
    });
    if (parent.projectId !== projectId) throw new StoreError('invalid', `Parent task ${parentId} belongs to another project; a subtask must be in its parent's project.`);
    parentId = parent.parentId;
  }
}

/** Timestamps that follow from a status change. */
function statusTimestamps(current: Pick<Task, 'startedAt' | 'completedAt'>, status: TaskStatus, now: string): Pick<Task, 'startedAt' | 'completedAt'> {
  const finished = status === 'done' || status === 'cancelled';
  return {
    startedAt: current.startedAt ?? (status === 'in_progress' || finished ? now : null),
    completedAt: finished ? (current.completedAt ?? now) : null,
  };
}

export async function createTask(orm: Orm, who: Actor, input: TaskInput): Promise<Task> {
  await getProject(orm, input.projectId);
  await checkReferences(orm, input.projectId, undefined, input);
  const dependsOn = [...new Set(input.dependsOn ?? [])];
  if (dependsOn.length) {
    const found = new Set((await orm.select({ id: tasks.id }).from(tasks).where(inArray(tasks.id, dependsOn))).map((r) => r.id));
    const missing = dependsOn.find((d) => !found.has(d));
    if (missing) throw notFound('task', missing);
  }
  const now = nowIso();
  const status = input.status ?? 'pending';
  const row: Task = {
    id: newId(),
    projectId: input.projectId,
    sprintId: input.sprintId ?? null,
    parentId: input.parentId ?? null,
    title: input.title,
    description: input.description ?? '',
    status,
    priority: input.priority ?? 'medium',
    assignee: input.assignee ?? null,
    tags: input.tags ?? [],
    estimatedMinutes: input.estimatedMinutes ?? null,
    actualMinutes: null,
    tokensIn: null,
    tokensOut: null,
    qualityScore: null,
    notes: distinctNoteNames(input.notes ?? []),
    dependsOn,
    criteria: (input.criteria ?? []).map((text) => ({ text, done: false })),
    ...statusTimestamps({ startedAt: null, completedAt: null }, status, now),
    createdAt: now,
    updatedAt: now,
    version: 1,
    sealedFields: [],
    rank: null,
  };
  return insertAggregate(orm, who, 'task', tasks, await sealNewTask(orm, row, input.secretFields));
}

/** `secretFields`, when given, is the task's full list of encrypted fields after the update. */
export async function updateTask(orm: Orm, who: Actor, id: string, expectedVersion: number, update: TaskChanges & { secretFields?: SecretTaskField[] }): Promise<Task> {
  const { secretFields, ...changes } = update;
  const current = await getTask(orm, id);
  checkVersion('task', current, expectedVersion);
  const now = nowIso();
  const all: Partial<Task> = await sealTaskChanges(orm, current, { ...changes }, secretFields);
  if (changes.notes) all.notes = distinctNoteNames(changes.notes);
  if (changes.status) Object.assign(all, statusTimestamps(current, changes.status, now));
  const refs = { sprintId: changes.sprintId, parentId: changes.parentId };
  if ((refs.sprintId !== undefined && refs.sprintId !== current.sprintId) || (refs.parentId !== undefined && refs.parentId !== current.parentId)) {
    await checkReferences(orm, current.projectId, id, refs);
  }
  return updateAggregate(orm, who, 'task', tasks, current, all, taskEventType);
}

/** A task's related notes, each named once (names compare case-insensitively; the first spelling is kept). */
function distinctNoteNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => {
    const key = n.trim().normalize('NFC').toLowerCase();
    if (!key || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A specific event type when the change is only a move or an assignment, so the log reads well. */
function taskEventType(to: Partial<Task>): string {
  const keys = Object.keys(to).filter((k) => k !== 'startedAt' && k !== 'completedAt');
  if (keys.length === 1 && keys[0] === 'status') return 'task.status_changed';
  if (keys.length === 1 && keys[0] === 'assignee') return 'task.assigned';
  return 'task.updated';
}

export async function deleteTask(orm: Orm, who: Actor, id: string, expectedVersion?: number): Promise<void> {
  const current = await getTask(orm, id);
  if (expectedVersion !== undefined) checkVersion('task', current, expectedVersion);
  // Subtasks lose their parent (ON DELETE SET NULL); record that on each of them.
  const orphans = await orm.update(tasks).set({ parentId: null, updatedAt: nowIso(), version: sql`${tasks.version} + 1` }).where(eq(tasks.parentId, id)).returning({ id: tasks.id, version: tasks.version });
  await orm.delete(tasks).where(eq(tasks.id, id));
  await appendEvents(orm, who, [
    ...orphans.map((t) => ({ aggregateType: 'task' as const, aggregateId: t.id, version: t.version, type: 'task.updated', data: { from: { parentId: id }, to: { parentId: null }, cause: 'task.deleted' } })),
    { aggregateType: 'task', aggregateId: id, version: current.version + 1, type: 'task.deleted', data: { title: current.title, projectId: current.projectId } },
  ]);
}
