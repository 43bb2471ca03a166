// Runs of agents, as reported by whoever ran them: time, tokens, errors, outcome and a quality score, optionally
// against a task. Each run is its own row and its own `agent_run.recorded` event; the agent is named, not
// referenced, so runs of built-in or not (yet) indexed agents can be logged too.
import { and, desc, eq, type SQL } from 'drizzle-orm';
import { appendEvents, type Actor } from '../events';
import { sealAgentRun } from '../crypto/fields';
import { notFound } from '../errors';
import { newId, nowIso } from '../ids';
import type { Orm } from '../orm';
import { agentRuns, tasks, type AgentRunOutcome, type AgentRunRow } from '../schema';

export interface NewAgentRun {
  agent: string;
  taskId?: string | null;
  /** When the run started (ISO); by default, the time of logging minus its duration (a run is logged when it ends). */
  startedAt?: string;
  durationMs?: number | null;
  tokensIn?: number | null;
  tokensOut?: number | null;
  qualityScore?: number | null;
  errors?: number;
  outcome: AgentRunOutcome;
  notes?: string;
  /** Store the notes (the run's payload) encrypted. */
  secret?: boolean;
}

export async function recordAgentRun(orm: Orm, who: Actor, input: NewAgentRun): Promise<AgentRunRow> {
  if (input.taskId) {
    const [task] = await orm.select({ id: tasks.id }).from(tasks).where(eq(tasks.id, input.taskId));
    if (!task) throw notFound('task', input.taskId);
  }
  const createdAt = nowIso();
  const row: AgentRunRow = {
    id: newId(),
    agentName: input.agent,
    taskId: input.taskId ?? null,
    startedAt: input.startedAt ?? new Date(Date.parse(createdAt) - (input.durationMs ?? 0)).toISOString(),
    durationMs: input.durationMs ?? null,
    tokensIn: input.tokensIn ?? null,
    tokensOut: input.tokensOut ?? null,
    qualityScore: input.qualityScore ?? null,
    errors: input.errors ?? 0,
    outcome: input.outcome,
    notes: input.notes ?? '',
    createdAt,
    sealedFields: [],
  };
  const stored = await sealAgentRun(orm, row, input.secret);
  await orm.insert(agentRuns).values(stored);
  await appendEvents(orm, who, [{ aggregateType: 'agents', aggregateId: row.id, version: 1, type: 'agent_run.recorded', data: { ...stored } }]);
  return stored;
}

export interface AgentRunQuery {
  agent?: string;
  taskId?: string;
  limit?: number;
}

/** Runs, newest first. */
export async function listAgentRuns(orm: Orm, q: AgentRunQuery = {}): Promise<AgentRunRow[]> {
  const where: SQL[] = [];
  if (q.agent) where.push(eq(agentRuns.agentName, q.agent));
  if (q.taskId) where.push(eq(agentRuns.taskId, q.taskId));
  return orm
    .select()
    .from(agentRuns)
    .where(and(...where))
    .orderBy(desc(agentRuns.id))
    .limit(q.limit ?? 100);
}
