import { eq, sql } from 'drizzle-orm';
import { appendEvents, type Actor } from './events';
import { notFound } from './errors';
import { newId, nowIso } from './ids';
import type { Orm } from './orm';
import { checkVersion, insertAggregate, updateAggregate } from './aggregates';
import { projects, sprints, tasks, type ProjectRow, type TaskStatus } from './schema';

export interface Project extends ProjectRow {
  /** Number of tasks in each status. */
  taskCounts: Partial<Record<TaskStatus, number>>;
}

export interface ProjectChanges {
  name?: string;
  description?: string;
}

export async function listProjects(orm: Orm): Promise<Project[]> {
  const rows = await orm.select().from(projects).orderBy(projects.name, projects.id);
  const counts = await orm
    .select({ projectId: tasks.projectId, status: tasks.status, n: sql<number>`count(*)` })
    .from(tasks)
    .groupBy(tasks.projectId, tasks.status);
  const byProject = new Map<string, Partial<Record<TaskStatus, number>>>();
  for (const c of counts) byProject.set(c.projectId, { ...byProject.get(c.projectId), [c.status]: c.n });
  return rows.map((p) => ({ ...p, taskCounts: byProject.get(p.id) ?? {} }));
}

export async function getProject(orm: Orm, id: string): Promise<ProjectRow> {
  const [row] = await orm.select().from(projects).where(eq(projects.id, id));
  if (!row) throw notFound('project', id);
  return row;
}

export async function createProject(orm: Orm, who: Actor, input: { name: string; description?: string }): Promise<ProjectRow> {
  const now = nowIso();
  const row: ProjectRow = { id: newId(), name: input.name, description: input.description ?? '', createdAt: now, updatedAt: now, version: 1 };
  return insertAggregate(orm, who, 'project', projects, row);
}

export async function updateProject(orm: Orm, who: Actor, id: string, expectedVersion: number, changes: ProjectChanges): Promise<ProjectRow> {
  const current = await getProject(orm, id);
  checkVersion('project', current, expectedVersion);
  return updateAggregate(orm, who, 'project', projects, current, changes);
}

/** Deletes a project with its sprints and tasks; each removed aggregate gets its closing event. */
export async function deleteProject(orm: Orm, who: Actor, id: string, expectedVersion?: number): Promise<{ sprints: number; tasks: number }> {
  const current = await getProject(orm, id);
  if (expectedVersion !== undefined) checkVersion('project', current, expectedVersion);
  const goneTasks = await orm.select({ id: tasks.id, version: tasks.version }).from(tasks).where(eq(tasks.projectId, id));
  const goneSprints = await orm.select({ id: sprints.id, version: sprints.version }).from(sprints).where(eq(sprints.projectId, id));
  await orm.delete(projects).where(eq(projects.id, id)); // cascades to sprints and tasks
  const cause = { cause: 'project.deleted', projectId: id };
  await appendEvents(orm, who, [
    ...goneTasks.map((t) => ({ aggregateType: 'task' as const, aggregateId: t.id, version: t.version + 1, type: 'task.deleted', data: cause })),
    ...goneSprints.map((s) => ({ aggregateType: 'sprint' as const, aggregateId: s.id, version: s.version + 1, type: 'sprint.deleted', data: cause })),
    { aggregateType: 'project', aggregateId: id, version: current.version + 1, type: 'project.deleted', data: { name: current.name, sprints: goneSprints.length, tasks: goneTasks.length } },
  ]);
  return { sprints: goneSprints.length, tasks: goneTasks.length };
}
