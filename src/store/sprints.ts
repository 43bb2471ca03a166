import { and, eq, inArray, sql } from 'drizzle-orm';
import { appendEvents, type Actor } from './events';
import { notFound, StoreError } from './errors';
import { newId, nowIso } from './ids';
import type { Orm } from './orm';
import { getProject } from './projects';
import { OPEN_TASK_STATUSES, sprints, tasks, type SprintRow, type SprintStatus } from './schema';
import { localDate } from './metrics/time';
import { updateTask } from './tasks';
import { checkVersion, insertAggregate, updateAggregate } from './aggregates';

export interface SprintInput {
  projectId: string;
  name: string;
  goal?: string;
  status?: SprintStatus;
  startsOn?: string | null;
  endsOn?: string | null;
}

export type SprintChanges = Partial<Pick<SprintRow, 'name' | 'goal' | 'status' | 'startsOn' | 'endsOn'>>;

export async function listSprints(orm: Orm, projectId?: string): Promise<SprintRow[]> {
  return orm
    .select()
    .from(sprints)
    .where(projectId ? eq(sprints.projectId, projectId) : undefined)
    .orderBy(sprints.projectId, sprints.id);
}

export async function getSprint(orm: Orm, id: string): Promise<SprintRow> {
  const [row] = await orm.select().from(sprints).where(eq(sprints.id, id));
  if (!row) throw notFound('sprint', id);
  return row;
}

export async function createSprint(orm: Orm, who: Actor, input: SprintInput): Promise<SprintRow> {
  await getProject(orm, input.projectId);
  const now = nowIso();
  const row: SprintRow = {
    id: newId(),
    projectId: input.projectId,
    name: input.name,
    goal: input.goal ?? '',
    status: input.status ?? 'planned',
    startsOn: input.startsOn ?? null,
    endsOn: input.endsOn ?? null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  return insertAggregate(orm, who, 'sprint', sprints, row);
}

export async function updateSprint(orm: Orm, who: Actor, id: string, expectedVersion: number, changes: SprintChanges): Promise<SprintRow> {
  const current = await getSprint(orm, id);
  checkVersion('sprint', current, expectedVersion);
  // The params check the dates given together; one date alone is checked against the other as stored.
  const startsOn = changes.startsOn !== undefined ? changes.startsOn : current.startsOn;
  const endsOn = changes.endsOn !== undefined ? changes.endsOn : current.endsOn;
  if (startsOn && endsOn && endsOn < startsOn) throw new StoreError('invalid', `endsOn must not be before startsOn: sprint ${current.name} would start on ${startsOn} and end on ${endsOn}.`);
  return updateAggregate<SprintRow>(orm, who, 'sprint', sprints, current, changes);
}

/** Deletes a sprint; its tasks stay in the project, without a sprint (each gets an event saying so). */
export async function deleteSprint(orm: Orm, who: Actor, id: string, expectedVersion?: number): Promise<{ tasksUnassigned: number }> {
  const current = await getSprint(orm, id);
  if (expectedVersion !== undefined) checkVersion('sprint', current, expectedVersion);
  const moved = await orm
    .update(tasks)
    .set({ sprintId: null, updatedAt: nowIso(), version: sql`${tasks.version} + 1` })
    .where(eq(tasks.sprintId, id))
    .returning({ id: tasks.id, version: tasks.version });
  await orm.delete(sprints).where(eq(sprints.id, id));
  await appendEvents(orm, who, [
    ...moved.map((t) => ({ aggregateType: 'task' as const, aggregateId: t.id, version: t.version, type: 'task.updated', data: { from: { sprintId: id }, to: { sprintId: null }, cause: 'sprint.deleted' } })),
    { aggregateType: 'sprint', aggregateId: id, version: current.version + 1, type: 'sprint.deleted', data: { name: current.name, projectId: current.projectId } },
  ]);
  return { tasksUnassigned: moved.length };
}

/** Today's date where the store is used (a sprint's days are the team's local days), as YYYY-MM-DD. */
const today = (): string => localDate(Date.now(), Intl.DateTimeFormat().resolvedOptions().timeZone);

/** Makes a planned sprint active; its first day becomes `on` (default today) unless it has one. Active already: unchanged. */
export async function startSprint(orm: Orm, who: Actor, id: string, opts: { expectedVersion?: number; on?: string } = {}): Promise<SprintRow> {
  const current = await getSprint(orm, id);
  if (opts.expectedVersion !== undefined) checkVersion('sprint', current, opts.expectedVersion);
  if (current.status === 'active') return current;
  if (current.status === 'closed') throw new StoreError('invalid', `Sprint ${current.name} is closed. To work in it again, set its status to planned or active (sprints.update).`);
  return updateSprint(orm, who, id, current.version, { status: 'active', ...(current.startsOn ? {} : { startsOn: opts.on ?? today() }) });
}

export interface CloseSprintResult {
  sprint: SprintRow;
  /** Unfinished tasks moved out of the sprint (to `moveOpenTo`, or to no sprint). */
  moved: number;
  /** Unfinished tasks left in the closed sprint (when nowhere to move them was given). */
  leftOpen: number;
}

/**
 * Closes a sprint; its last day becomes `on` (default today) unless it has one. Unfinished tasks move to the sprint
 * `moveOpenTo` (of the same project, not closed), to no sprint (null), or stay (undefined); all in one write.
 */
export async function closeSprint(orm: Orm, who: Actor, id: string, opts: { expectedVersion?: number; on?: string; moveOpenTo?: string | null } = {}): Promise<CloseSprintResult> {
  const current = await getSprint(orm, id);
  if (opts.expectedVersion !== undefined) checkVersion('sprint', current, opts.expectedVersion);
  if (current.status === 'closed') throw new StoreError('invalid', `Sprint ${current.name} is closed already.`);
  if (opts.moveOpenTo) {
    const target = await getSprint(orm, opts.moveOpenTo);
    if (target.id === id) throw new StoreError('invalid', `Unfinished tasks cannot move to the sprint being closed (${current.name}); name another sprint, or none.`);
    if (target.projectId !== current.projectId) throw new StoreError('invalid', `Sprint ${target.name} is in another project; unfinished tasks move only to a sprint of the same project.`);
    if (target.status === 'closed') throw new StoreError('invalid', `Sprint ${target.name} is closed; move unfinished tasks to a planned or active sprint.`);
  }
  const open = await orm.select().from(tasks).where(and(eq(tasks.sprintId, id), inArray(tasks.status, [...OPEN_TASK_STATUSES])));
  if (opts.moveOpenTo !== undefined) for (const t of open) await updateTask(orm, who, t.id, t.version, { sprintId: opts.moveOpenTo });
  // A sprint closed before the first day it was planned for ends on that day: dates stay in order.
  const on = opts.on ?? today();
  const endsOn = current.endsOn ?? (current.startsOn && current.startsOn > on ? current.startsOn : on);
  const sprint = await updateSprint(orm, who, id, current.version, { status: 'closed', endsOn });
  return { sprint, moved: opts.moveOpenTo !== undefined ? open.length : 0, leftOpen: opts.moveOpenTo !== undefined ? 0 : open.length };
}
