// The dashboard's filter (as the webview holds it) turned into the metrics methods' params: "the last N days" becomes
// from..to ending today in the time zone, "the newest sprint" the sprint that started last. Pure, so it is tested on
// its own.
import type { ParamsInput } from '../../backend/protocol';
import { addDays, localDate } from '../../store/metrics/time';
import type { DashboardFilter } from './messages';


/** The local dates a filter covers, both included. */
export function rangeOf(filter: DashboardFilter, now: number, timeZone: string): { from: string; to: string } {
  if (filter.range.kind === 'between') return { from: filter.range.from, to: filter.range.to };
  const to = localDate(now, timeZone);
  return { from: addDays(to, -(filter.range.days - 1)), to };
}

export interface SprintLite {
  id: string;
  projectId: string;
  startsOn: string | null;
  createdAt?: string;
}

/** The burndown's sprint: the one chosen, else the project's (or the store's) that starts last (ties: newest id). */
export function sprintFor(filter: DashboardFilter, sprints: readonly SprintLite[]): string | null {
  const scoped = sprints.filter((s) => !filter.projectId || s.projectId === filter.projectId);
  if (filter.sprintId && scoped.some((s) => s.id === filter.sprintId)) return filter.sprintId;
  const key = (s: SprintLite) => `${s.startsOn ?? (s.createdAt ?? '').slice(0, 10)} ${s.id}`;
  return scoped.reduce<SprintLite | null>((best, s) => (!best || key(s) > key(best) ? s : best), null)?.id ?? null;
}

export interface MetricsParams {
  burndown: ParamsInput<'metrics.burndown'> | null;
  throughput: ParamsInput<'metrics.throughput'>;
  cumulativeFlow: ParamsInput<'metrics.cumulativeFlow'>;
  cycleTime: ParamsInput<'metrics.cycleTime'>;
  agents: ParamsInput<'metrics.agents'>;
  activity: ParamsInput<'metrics.activity'>;
  lists: ParamsInput<'metrics.lists'>;
}

/** Each metric's params under a filter. */
export function metricsParams(filter: DashboardFilter, sprintId: string | null, range: { from: string; to: string }, timeZone: string): MetricsParams {
  const project = filter.projectId ? { projectId: filter.projectId } : {};
  const span = { from: range.from, to: range.to, timeZone };
  const bucketed = { ...project, ...span, bucket: filter.bucket };
  return {
    burndown: sprintId ? { sprintId, timeZone } : null,
    throughput: bucketed,
    cumulativeFlow: bucketed,
    cycleTime: { ...project, ...span, limit: 1 },
    agents: { ...bucketed, ...(filter.agent ? { agent: filter.agent } : {}) },
    activity: { ...span, bucket: filter.bucket },
    lists: { ...project, limit: 20, staleDays: 30 },
  };
}
