// The work model agents need on top of tasks: dependencies (a task waits for others; a cycle is refused), acceptance
// criteria (an ordered checklist), and the agent loop: next (the most urgent ready task), claim (atomic: assign +
// in progress, refused while another holds it) and complete (done + the run that did it; the task's tokens, quality
// and actual time follow from its runs). Each change is a task update with its event, so sync, backup and the log
// treat it like any other.
import { eq, inArray, sql } from 'drizzle-orm';
import { checkVersion, updateAggregate } from './aggregates';
import { recordAgentRun } from './agents/runs';
import { notFound, StoreError } from './errors';
import type { Actor } from './events';
import type { Orm } from './orm';
import { agentRuns, tasks, type AcceptanceCriterion, type AgentRunOutcome, type AgentRunRow, type TaskRow } from './schema';
import { revealTask } from './crypto/fields';
import { getTask } from './tasks';
import { name } from './valueRules';

const runAgentName = name('agent');

/** As the row rules allow (valueRules.ts dependsOnRule): a backup must be able to hold every task. */
const MAX_DEPENDENCIES = 1000;

/** A dependency no longer blocks once it is finished: done, or cancelled. */
const FINISHED = ['done', 'cancelled'] as const;
const isFinished = (status: string) => (FINISHED as readonly string[]).includes(status);

export interface TaskRef {
  id: string;
  title: string | null;
  status: TaskRow['status'] | null;
}

export interface TaskDependencies {
  /** The tasks this one waits for, in the order added (a deleted one: title and status null). */
  dependsOn: TaskRef[];
  /** The tasks that wait for this one. */
  dependants: TaskRef[];
  /** Every dependency is finished. */
  ready: boolean;
}

const refLine = (t: { id: string; title: string | null }) => (t.title ? `${t.id} "${t.title}"` : t.id);
/** A task as messages name it: its title in plain text when the store is unlocked, a locked marker otherwise. */
const named = (orm: Orm, t: TaskRow) => refLine(revealTask(orm, t));

const refColumns = { id: tasks.id, title: tasks.title, status: tasks.status, sealedFields: tasks.sealedFields };
const toRef = (orm: Orm) => (r: { id: string; title: string; status: TaskRow['status']; sealedFields: string[] }): TaskRef => ({ id: r.id, title: revealTask(orm, r).title ?? null, status: r.status });

async function refsOf(orm: Orm, ids: readonly string[]): Promise<TaskRef[]> {
  if (ids.length === 0) return [];
  const rows = await orm.select(refColumns).from(tasks).where(inArray(tasks.id, [...ids]));
  const byId = new Map(rows.map((r) => [r.id, toRef(orm)(r)]));
  return ids.map((id) => byId.get(id) ?? { id, title: null, status: null });
}

export async function taskDependencies(orm: Orm, id: string): Promise<TaskDependencies> {
  const task = await getTask(orm, id);
  const dependsOn = await refsOf(orm, task.dependsOn);
  const dependants = (
    await orm
      .select(refColumns)
      .from(tasks)
      .where(sql`exists (select 1 from json_each(${tasks.dependsOn}) d where d.value = ${id})`)
      .orderBy(tasks.id)
  ).map(toRef(orm));
  return { dependsOn, dependants, ready: dependsOn.every((d) => d.status === null || isFinished(d.status)) };
}

/** The chain by which `from` already waits for `to` (from, …, to), or null: adding to → from would close it. */
async function waitChain(orm: Orm, from: string, to: string): Promise<string[] | null> {
  const cameFrom = new Map<string, string | null>([[from, null]]);
  let frontier = [from];
  while (frontier.length) {
    const rows = await orm.select({ id: tasks.id, dependsOn: tasks.dependsOn }).from(tasks).where(inArray(tasks.id, frontier));
    const next: string[] = [];
    for (const row of rows) {
      for (const dep of row.dependsOn) {
        if (cameFrom.has(dep)) continue;
        cameFrom.set(dep, row.id);
        if (dep === to) {
          const chain = [dep];
          for (let at = cameFrom.get(dep); at; at = cameFrom.get(at)) chain.unshift(at);
          return chain;
        }
        next.push(dep);
      }
    }
    frontier = next;
  }
  return null;
}

/** Task `id` waits for `on` from now on. Adding one it already has changes nothing. */
export async function addDependency(orm: Orm, who: Actor, id: string, on: string): Promise<TaskRow> {
  const task = await getTask(orm, id);
  if (on === id) throw new StoreError('invalid', `Task ${named(orm, task)} cannot depend on itself.`);
  const target = await getTask(orm, on).catch(() => {
    throw notFound('task', on);
  });
  if (task.dependsOn.includes(on)) return task;
  if (task.dependsOn.length >= MAX_DEPENDENCIES) throw new StoreError('invalid', `Task ${named(orm, task)} already waits for ${MAX_DEPENDENCIES} tasks, the most a task may.`);
  const chain = await waitChain(orm, on, id);
  if (chain) {
    const titled = await refsOf(orm, chain);
    throw new StoreError('invalid', `Task ${named(orm, task)} cannot depend on ${named(orm, target)}: that would make a cycle, as ${titled.map(refLine).join(' waits for ')}.`, { cycle: [id, ...chain] });
  }
  return updateAggregate(orm, who, 'task', tasks, task, { dependsOn: [...task.dependsOn, on] }, () => 'task.dependency_added');
}

/** Task `id` no longer waits for `on`. Removing one it does not have changes nothing. */
export async function removeDependency(orm: Orm, who: Actor, id: string, on: string): Promise<TaskRow> {
  const task = await getTask(orm, id);
  if (!task.dependsOn.includes(on)) return task;
  return updateAggregate(orm, who, 'task', tasks, task, { dependsOn: task.dependsOn.filter((d) => d !== on) }, () => 'task.dependency_removed');
}

export type CriteriaChange = { add: string; at?: number } | { check: number } | { uncheck: number } | { remove: number } | { move: number; to: number };

/** Changes a task's checklist; items are numbered from 1 as shown. */
/** `expectedVersion`, when given, refuses the change if the task changed since it was read (item numbers may
 * name other items then). */
export async function changeCriteria(orm: Orm, who: Actor, id: string, change: CriteriaChange, expectedVersion?: number): Promise<TaskRow> {
  const task = await getTask(orm, id);
  if (expectedVersion !== undefined) checkVersion('task', task, expectedVersion);
  const items: AcceptanceCriterion[] = task.criteria.map((c) => ({ ...c }));
  const item = (n: number) => {
    if (!Number.isInteger(n) || n < 1 || n > items.length) {
      throw new StoreError('invalid', items.length ? `Task ${task.id} has acceptance criteria 1 to ${items.length}; there is no item ${n}.` : `Task ${task.id} has no acceptance criteria yet; add one first.`);
    }
    return n - 1;
  };
  if ('add' in change) {
    if (items.length >= 100) throw new StoreError('invalid', `Task ${task.id} has 100 acceptance criteria, the most a task may have.`);
    const at = change.at === undefined ? items.length : Math.min(Math.max(change.at, 1), items.length + 1) - 1;
    items.splice(at, 0, { text: change.add, done: false });
  } else if ('check' in change) items[item(change.check)]!.done = true;
  else if ('uncheck' in change) items[item(change.uncheck)]!.done = false;
  else if ('remove' in change) items.splice(item(change.remove), 1);
  else {
    const [moved] = items.splice(item(change.move), 1);
    items.splice(Math.min(Math.max(change.to, 1), items.length + 1) - 1, 0, moved!);
  }
  return updateAggregate(orm, who, 'task', tasks, task, { criteria: items }, () => 'task.criteria_changed');
}

/** The id of the most urgent ready task for `agent`: pending, unassigned or assigned to it, every dependency finished;
 * by priority, then how many open tasks wait for it, then age. */
async function nextTaskId(orm: Orm, agent: string, projectId?: string): Promise<string | null> {
  // The open tasks waiting for each task are counted once (a subquery per candidate would be quadratic, and this
  // runs inside claim's write transaction).
  const rows = (await orm.all(sql`
    with waiting(id, n) as (
      select d.value, count(*) from tasks w, json_each(w.depends_on) d where w.status not in ('done', 'cancelled') group by d.value
    )
    select t.id from tasks t left join waiting on waiting.id = t.id
    where t.status = 'pending' and (t.assignee is null or t.assignee = ${agent})
      ${projectId ? sql`and t.project_id = ${projectId}` : sql``}
      and not exists (select 1 from json_each(t.depends_on) d join tasks x on x.id = d.value where x.status not in ('done', 'cancelled'))
    order by case t.priority when 'urgent' then 0 when 'high' then 1 when 'medium' then 2 else 3 end, coalesce(waiting.n, 0) desc, t.created_at, t.id
    limit 1`)) as unknown[];
  const first = rows[0] as unknown[] | { id: string } | undefined;
  return first === undefined ? null : Array.isArray(first) ? (first[0] as string) : first.id;
}

export async function nextTask(orm: Orm, agent: string, projectId?: string): Promise<TaskRow | null> {
  const id = await nextTaskId(orm, agent, projectId);
  return id ? getTask(orm, id) : null;
}

/** Assigns the task to `agent` and starts it, in one write; refused while another holds it, it still waits, or it is
 * blocked (a person said so: unblock it first). `projectId`, when given, must be the task's. */
export async function claimTask(orm: Orm, who: Actor, id: string, agent: string, projectId?: string): Promise<TaskRow> {
  const task = await getTask(orm, id);
  if (projectId && task.projectId !== projectId) throw new StoreError('invalid', `Task ${named(orm, task)} is in project ${task.projectId}, not ${projectId}.`, { projectId: task.projectId });
  if (task.status === 'blocked') throw new StoreError('invalid', `Task ${named(orm, task)} is blocked: set its status to pending (or in_progress) once it is not, then claim it.`, { status: task.status });
  if (isFinished(task.status)) throw new StoreError('invalid', `Task ${named(orm, task)} is ${task.status}: there is nothing to claim.`, { status: task.status });
  if (task.assignee && task.assignee !== agent) {
    throw new StoreError('conflict', `Task ${named(orm, task)} is held by ${task.assignee} (${task.status.replace('_', ' ')}); pick another (next) or ask them to let it go.`, { holder: task.assignee });
  }
  const waiting = (await refsOf(orm, task.dependsOn)).filter((d) => d.status !== null && !isFinished(d.status));
  if (waiting.length) throw new StoreError('invalid', `Task ${named(orm, task)} waits for ${waiting.map((d) => `${refLine(d)} (${d.status})`).join(', ')}; claim it once they are done.`, { waitingFor: waiting.map((d) => d.id) });
  if (task.assignee === agent && task.status === 'in_progress') return task;
  return updateAggregate(orm, who, 'task', tasks, task, { assignee: agent, status: 'in_progress', startedAt: task.startedAt ?? new Date().toISOString() }, () => 'task.claimed');
}

/** The next task, claimed, in one write: what one agent of many asks for. */
export async function claimNext(orm: Orm, who: Actor, agent: string, projectId?: string): Promise<TaskRow | null> {
  const id = await nextTaskId(orm, agent, projectId);
  return id ? claimTask(orm, who, id, agent) : null;
}

export interface Completion {
  agent?: string;
  durationMs?: number;
  tokensIn?: number;
  tokensOut?: number;
  qualityScore?: number;
  errors?: number;
  outcome?: AgentRunOutcome;
  summary?: string;
  /** Complete although acceptance criteria are open. */
  force?: boolean;
}

export interface CompletionResult {
  task: TaskRow;
  run: AgentRunRow;
  /** Acceptance criteria still open when it was completed (only with force). */
  openCriteria: number;
  forced: boolean;
}

/** Marks the task done with the run that did it; its tokens, quality and actual time become the sums of its runs. */
export async function completeTask(orm: Orm, who: Actor, id: string, c: Completion): Promise<CompletionResult> {
  const task = await getTask(orm, id);
  if (task.status === 'done') throw new StoreError('invalid', `Task ${named(orm, task)} is already done.`);
  const open = task.criteria.filter((x) => !x.done);
  if (open.length && !c.force) {
    const list = task.criteria.map((x, i) => (x.done ? null : `${i + 1}. ${x.text}`)).filter(Boolean).join('; ');
    throw new StoreError('invalid', `Task ${named(orm, task)} has ${open.length} open acceptance criteri${open.length === 1 ? 'on' : 'a'} (${list}): check them, or complete it with force.`, { open: open.length });
  }
  // The run's agent must be a name a backup can hold (an assignee or an actor may be laxer): the first that is.
  const agent = [c.agent, task.assignee, who.actor].find((a) => a !== undefined && a !== null && runAgentName.safeParse(a).success) ?? 'unknown';
  const run = await recordAgentRun(orm, who, {
    agent,
    taskId: id,
    durationMs: c.durationMs,
    tokensIn: c.tokensIn,
    tokensOut: c.tokensOut,
    qualityScore: c.qualityScore,
    errors: c.errors,
    outcome: c.outcome ?? 'success',
    notes: c.summary,
  });
  const [totals] = await orm
    .select({
      tokensIn: sql<number | null>`sum(${agentRuns.tokensIn})`,
      tokensOut: sql<number | null>`sum(${agentRuns.tokensOut})`,
      quality: sql<number | null>`avg(${agentRuns.qualityScore})`,
      durationMs: sql<number | null>`sum(${agentRuns.durationMs})`,
    })
    .from(agentRuns)
    .where(eq(agentRuns.taskId, id));
  const now = new Date().toISOString();
  const done = await updateAggregate(
    orm,
    who,
    'task',
    tasks,
    task,
    {
      status: 'done',
      startedAt: task.startedAt ?? now,
      completedAt: now,
      tokensIn: totals?.tokensIn ?? task.tokensIn,
      tokensOut: totals?.tokensOut ?? task.tokensOut,
      qualityScore: totals?.quality ?? task.qualityScore,
      actualMinutes: totals?.durationMs != null ? Math.round((totals.durationMs / 60_000) * 100) / 100 : task.actualMinutes,
    },
    () => 'task.completed',
  );
  return { task: done, run, openCriteria: open.length, forced: open.length > 0 };
}
