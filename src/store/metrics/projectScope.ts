// A metric's project filter (a project of the store, or one whose history the metrics still hold: it was deleted), and
// the buckets of a project's range that the bucketed reports (throughput, flow, agents) are headed by.
import { notFound } from '../errors';
import type { MetricsDb } from './rollup';
import { bucketsOf, type Buckets, type RangeParams } from './time';

export async function checkProject(db: MetricsDb, projectId: string | undefined): Promise<void> {
  if (projectId === undefined) return;
  const known = await db.conn.get(
    "SELECT 1 AS yes FROM projects WHERE id = ? UNION ALL SELECT 1 FROM metrics_rollup WHERE grain = 'd' AND project_id = ? LIMIT 1",
    [projectId, projectId],
  );
  if (!known) throw notFound('project', projectId);
}

export interface ProjectRange extends RangeParams {
  projectId?: string;
}

/** What heads a report on a project's buckets: the range it covers. */
export interface BucketedHead {
  projectId: string | null;
  timeZone: string;
  bucket: string;
  from: string;
  to: string;
}

/** The buckets of a project's range (the project checked to exist), and the head of the report on them. */
export async function projectBuckets(db: MetricsDb, p: ProjectRange, now?: number): Promise<{ b: Buckets; head: BucketedHead }> {
  const b = bucketsOf(p, now);
  await checkProject(db, p.projectId);
  return { b, head: { projectId: p.projectId ?? null, timeZone: b.timeZone, bucket: b.bucket, from: b.from, to: b.to } };
}
