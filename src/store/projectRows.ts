// Everything the store holds about one project: its row, sprints, tasks, the agent runs against its tasks, and the
// ids of every aggregate among them (what export and erase select events by).
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Orm } from './orm';
import { getProject } from './projects';
import { agentRuns, events, projects, sprints, tasks, type AgentRunRow, type ProjectRow, type SprintRow, type TaskRow } from './schema';

export interface ProjectRows {
  project: ProjectRow;
  sprints: SprintRow[];
  tasks: TaskRow[];
  agentRuns: AgentRunRow[];
  /** Aggregate ids of the project, its sprints, its tasks and those runs (see projectAggregateIds for all). */
  aggregateIds: string[];
}

export async function projectRows(orm: Orm, projectId: string): Promise<ProjectRows> {
  const project = await getProject(orm, projectId);
  const sprintRows = await orm.select().from(sprints).where(eq(sprints.projectId, projectId)).orderBy(asc(sprints.id));
  const taskRows = await orm.select().from(tasks).where(eq(tasks.projectId, projectId)).orderBy(asc(tasks.id));
  const runs: AgentRunRow[] = [];
  const taskIds = taskRows.map((t) => t.id);
  for (let i = 0; i < taskIds.length; i += 500) {
    runs.push(...(await orm.select().from(agentRuns).where(inArray(agentRuns.taskId, taskIds.slice(i, i + 500)))));
  }
  runs.sort((a, b) => (a.id < b.id ? -1 : 1));
  return {
    project,
    sprints: sprintRows,
    tasks: taskRows,
    agentRuns: runs,
    aggregateIds: [project.id, ...sprintRows.map((s) => s.id), ...taskIds, ...runs.map((r) => r.id)],
  };
}

/** Ids of every aggregate whose events belong to the project: current rows plus those deleted earlier. */
export async function projectAggregateIds(orm: Orm, rows: ProjectRows): Promise<Set<string>> {
  const projectId = rows.project.id;
  const ids = new Set(rows.aggregateIds);
  // Tasks and sprints deleted before: their creation (and deletion) events name the project.
  const earlier = await orm
    .selectDistinct({ id: events.aggregateId })
    .from(events)
    .where(and(inArray(events.aggregateType, ['task', 'sprint']), sql`json_extract(${events.data}, '$.projectId') = ${projectId}`));
  for (const e of earlier) ids.add(e.id);
  // Agent runs recorded against any of those tasks (rows whose task was deleted keep only the event).
  const runs = await orm
    .select({ id: events.aggregateId, taskId: sql<string | null>`json_extract(${events.data}, '$.taskId')` })
    .from(events)
    .where(and(eq(events.aggregateType, 'agents'), eq(events.type, 'agent_run.recorded')));
  for (const r of runs) if (r.taskId && ids.has(r.taskId)) ids.add(r.id);
  // Any other event that names the project (a cause, a reference).
  const naming = await orm.selectDistinct({ id: events.aggregateId }).from(events).where(sql`instr(${events.data}, ${projectId}) > 0`);
  for (const e of naming) ids.add(e.id);
  return ids;
}

export async function allProjectIds(orm: Orm): Promise<string[]> {
  return (await orm.select({ id: projects.id }).from(projects).orderBy(asc(projects.id))).map((r) => r.id);
}
