import { eq, sql } from 'drizzle-orm';
import { appendEvents, type Actor } from './events';
import { notFound, StoreError } from './errors';
import { newId, nowIso } from './ids';
import type { Orm } from './orm';
import { getProject } from './projects';
import { sprints, tasks, type SprintRow, type SprintStatus } from './schema';
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
