// Per agent: runs, success rate, tokens, mean quality, mean duration and errors of the runs that started in a range,
// in total and per bucket, from the rollup of agent runs (metrics_run_rollup, kept from agent_runs by triggers). A
// run belongs to the project of its task (a run without a task, or whose task was deleted, to none).
import { cumulative, RUN_VALUES, RUNS, type MetricsDb } from './rollup';
import { projectBuckets, type BucketedHead, type ProjectRange } from './projectScope';

export interface AgentsParams extends ProjectRange {
  /** One agent only. */
  agent?: string;
}

export interface AgentFigures {
  runs: number;
  /** Runs whose outcome is success, over all runs; null without runs. */
  successRate: number | null;
  tokensIn: number;
  tokensOut: number;
  /** Mean quality score of the runs that have one. */
  meanQuality: number | null;
  /** Mean duration of the runs that report one. */
  meanDurationMs: number | null;
  errors: number;
}

export interface AgentsReport extends BucketedHead {
  /** Agents with runs in the range, most runs first. */
  agents: (AgentFigures & { agent: string })[];
  buckets: { start: string; byAgent: Record<string, AgentFigures> }[];
}

type Sums = Record<(typeof RUN_VALUES)[number], number>;

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

function figures(s: Sums): AgentFigures {
  return {
    runs: s.runs,
    successRate: s.runs ? round(s.success / s.runs, 4) : null,
    tokensIn: s.tokens_in,
    tokensOut: s.tokens_out,
    meanQuality: s.quality_n ? round(s.quality_sum / s.quality_n, 4) : null,
    meanDurationMs: s.duration_n ? Math.round(s.duration_sum / s.duration_n) : null,
    errors: s.errors,
  };
}

export async function agentMetrics(db: MetricsDb, p: AgentsParams, now?: number): Promise<AgentsReport> {
  const { b, head } = await projectBuckets(db, p, now);
  const sums = await cumulative(db, RUNS, { project: p.projectId, keys: p.agent === undefined ? undefined : [p.agent], bounds: b.bounds, differencesOnly: true });
  const between = (cols: number[][], i: number, j: number) => Object.fromEntries(RUN_VALUES.map((c, ci) => [c, cols[ci]![j]! - cols[ci]![i]!])) as Sums;
  const last = b.bounds.length - 1;
  const agents = [...sums]
    .map(([agent, cols]) => ({ agent, ...figures(between(cols, 0, last)) }))
    .filter((a) => a.runs > 0)
    .sort((x, y) => y.runs - x.runs || (x.agent < y.agent ? -1 : 1));
  return {
    ...head,
    agents,
    buckets: b.starts.map((start, i) => ({
      start,
      byAgent: Object.fromEntries(agents.map((a) => [a.agent, figures(between(sums.get(a.agent)!, i, i + 1))]).filter(([, f]) => (f as AgentFigures).runs > 0)),
    })),
  };
}
