// Throughput (tasks done per bucket) and cumulative flow (tasks by status at the end of each bucket), from the
// rollups of each task's status history (metrics_task_contribs, kept from the event log by triggers).
//
// A task counts as done once, at the last time it became done, and only while it is done: reopened (done →
// in_progress → done), it counts at its second completion; deleted or reopened for good, not at all. Flow counts
// each task in the status it had at the bucket's end; a deleted task leaves the counts when it is deleted.
import { TASK_STATUSES, type TaskStatus } from '../schema';
import { cumulative, perBucket, SERIES, type MetricsDb } from './rollup';
import { projectBuckets, type BucketedHead, type ProjectRange } from './projectScope';

export interface ThroughputReport extends BucketedHead {
  /** Tasks done in the whole range. */
  total: number;
  buckets: { start: string; done: number }[];
}

export async function throughput(db: MetricsDb, p: ProjectRange, now?: number): Promise<ThroughputReport> {
  const { b, head } = await projectBuckets(db, p, now);
  const sums = await cumulative(db, SERIES, { project: p.projectId, keys: ['done'], bounds: b.bounds, differencesOnly: true });
  const done = perBucket(sums.get('done')?.[0] ?? b.bounds.map(() => 0));
  return {
    ...head,
    total: done.reduce((a, v) => a + v, 0),
    buckets: b.starts.map((start, i) => ({ start, done: done[i]! })),
  };
}

export interface CumulativeFlowReport extends BucketedHead {
  /** Tasks in each status at the end of each bucket (the end of its last day). */
  buckets: { start: string; byStatus: Record<TaskStatus, number> }[];
}

const FLOW_SERIES = TASK_STATUSES.map((s) => `flow:${s}`);

export async function cumulativeFlow(db: MetricsDb, p: ProjectRange, now?: number): Promise<CumulativeFlowReport> {
  const { b, head } = await projectBuckets(db, p, now);
  const sums = await cumulative(db, SERIES, { project: p.projectId, keys: FLOW_SERIES, bounds: b.bounds.slice(1) });
  return {
    ...head,
    buckets: b.starts.map((start, i) => ({
      start,
      byStatus: Object.fromEntries(TASK_STATUSES.map((s) => [s, sums.get(`flow:${s}`)?.[0]![i] ?? 0])) as Record<TaskStatus, number>,
    })),
  };
}
