// A metric's project filter: a project of the store, or one whose history the metrics still hold (it was deleted).
import { notFound } from '../errors';
import type { MetricsDb } from './rollup';

export async function checkProject(db: MetricsDb, projectId: string | undefined): Promise<void> {
  if (projectId === undefined) return;
  const known = await db.conn.get(
    "SELECT 1 AS yes FROM projects WHERE id = ? UNION ALL SELECT 1 FROM metrics_rollup WHERE grain = 'd' AND project_id = ? LIMIT 1",
    [projectId, projectId],
  );
  if (!known) throw notFound('project', projectId);
}
