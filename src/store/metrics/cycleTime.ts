// Cycle time (first in progress → done) and lead time (created → done) of the tasks done in a range, from each
// task's facts (metrics_task_facts: kept from its timeline by triggers). "Done" is the last time it became done,
// while it is done (see flow.ts); a task that was never in progress has a lead time but no cycle time.
import { revealTask } from '../crypto/fields';
import type { Orm } from '../orm';
import type { MetricsDb } from './rollup';
import { rangeOf } from './time';
import { checkProject } from './projectScope';

export interface CycleTimeParams {
  projectId?: string;
  /** Local dates: tasks done from the first instant of `from` to the end of `to` (default: the last 30 days). */
  from?: string;
  to?: string;
  timeZone?: string;
  /** How many of the tasks to list, most recently done first (the figures cover them all). */
  limit?: number;
}

export interface Distribution {
  count: number;
  meanMs: number | null;
  p50Ms: number | null;
  p85Ms: number | null;
  p95Ms: number | null;
}

export interface CycleTimeTask {
  id: string;
  title: string | null;
  projectId: string;
  createdAt: string | null;
  startedAt: string | null;
  doneAt: string;
  cycleMs: number | null;
  leadMs: number | null;
}

export interface CycleTimeReport {
  projectId: string | null;
  timeZone: string;
  from: string;
  to: string;
  /** Tasks done in the range. */
  count: number;
  cycle: Distribution;
  lead: Distribution;
  /** How many tasks fall in each span of time, for both. */
  histogram: { label: string; fromMs: number; toMs: number | null; cycle: number; lead: number }[];
  tasks: CycleTimeTask[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Spans that read well on a chart: hours, then days, then weeks. */
const HISTOGRAM_EDGES: { label: string; fromMs: number }[] = [
  { label: '< 1h', fromMs: 0 },
  { label: '1-4h', fromMs: HOUR },
  { label: '4-24h', fromMs: 4 * HOUR },
  { label: '1-2d', fromMs: DAY },
  { label: '2-4d', fromMs: 2 * DAY },
  { label: '4-7d', fromMs: 4 * DAY },
  { label: '1-2w', fromMs: 7 * DAY },
  { label: '2-4w', fromMs: 14 * DAY },
  { label: '4w+', fromMs: 28 * DAY },
];

/** Nearest-rank percentile of an ascending list. */
function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

function distribution(sorted: Float64Array): Distribution {
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    meanMs: sorted.length ? Math.round(sum / sorted.length) : null,
    p50Ms: percentile(sorted, 50),
    p85Ms: percentile(sorted, 85),
    p95Ms: percentile(sorted, 95),
  };
}

/** The bin of a duration (a negative one, from clocks that disagree, counts in the first). */
function bin(ms: number): number {
  let i = HISTOGRAM_EDGES.length - 1;
  while (i > 0 && ms < HISTOGRAM_EDGES[i]!.fromMs) i--;
  return i;
}

const numbers = (list: string | null) => {
  const out = list ? Float64Array.from(list.split(','), Number) : new Float64Array(0);
  return out.sort();
};

export async function cycleTime(db: MetricsDb & { orm: Orm }, p: CycleTimeParams, now?: number): Promise<CycleTimeReport> {
  const b = rangeOf(p, now);
  await checkProject(db, p.projectId);
  const { start, end } = b;
  const scope = p.projectId === undefined ? '' : 'AND project_id = ?';
  const params = p.projectId === undefined ? [start, end] : [start, end, p.projectId];
  // The durations as two lists in one row: one index range, no row per task to hand over.
  const lists = await db.conn.get<{ n: number; cycles: string | null; leads: string | null }>(
    `SELECT count(*) AS n, group_concat(cycle_ms) AS cycles, group_concat(lead_ms) AS leads FROM metrics_task_facts WHERE done_at >= ? AND done_at < ? ${scope}`,
    params,
  );
  const cycles = numbers(lists?.cycles ?? null);
  const leads = numbers(lists?.leads ?? null);
  const histogram = HISTOGRAM_EDGES.map((e, i) => ({ label: e.label, fromMs: e.fromMs, toMs: HISTOGRAM_EDGES[i + 1]?.fromMs ?? null, cycle: 0, lead: 0 }));
  for (const v of cycles) histogram[bin(v)]!.cycle++;
  for (const v of leads) histogram[bin(v)]!.lead++;

  const rows = await db.conn.all<{ id: string; title: string | null; sealed_fields: string | null; project_id: string; created_at: string | null; started_at: string | null; done_at: string; cycle_ms: number | null; lead_ms: number | null }>(
    `SELECT f.task_id AS id, t.title, t.sealed_fields, f.project_id, f.created_at, f.started_at, f.done_at, f.cycle_ms, f.lead_ms
     FROM metrics_task_facts f LEFT JOIN tasks t ON t.id = f.task_id
     WHERE f.done_at >= ? AND f.done_at < ? ${scope.replace('project_id', 'f.project_id')} ORDER BY f.done_at DESC, f.task_id LIMIT ?`,
    [...params, p.limit ?? 100],
  );
  return {
    projectId: p.projectId ?? null,
    timeZone: b.timeZone,
    from: b.from,
    to: b.to,
    count: lists?.n ?? 0,
    cycle: distribution(cycles),
    lead: distribution(leads),
    histogram,
    tasks: rows.map((r) => ({
      id: r.id,
      title: r.title === null ? null : revealTask(db.orm, { id: r.id, title: r.title, sealedFields: JSON.parse(r.sealed_fields ?? '[]') as string[] }).title ?? null,
      projectId: r.project_id,
      createdAt: r.created_at,
      startedAt: r.started_at,
      doneAt: r.done_at,
      cycleMs: r.cycle_ms,
      leadMs: r.lead_ms,
    })),
  };
}
