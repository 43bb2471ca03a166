// Erasing a project: unlike delete (which logs a closing event per removed aggregate and keeps their history), erase
// removes the project, its sprints, tasks, the agent runs against its tasks, and every event about any of them —
// also of tasks and sprints deleted earlier — then records one `project.erased` event holding only the id and counts.
// The events table forbids updates, not deletes: this is its one controlled delete. With secure_delete and a WAL
// checkpoint, the removed content does not linger in the database file's free pages or in its WAL.
import { eq, inArray } from 'drizzle-orm';
import { appendNextEvent, type Actor } from './events';
import type { Orm } from './orm';
import { projectAggregateIds, projectRows } from './projectRows';
import { agentRuns, events, projects } from './schema';
import type { Store } from './store';

export interface EraseReport {
  projectId: string;
  removed: { sprints: number; tasks: number; agentRuns: number; events: number };
  /** What backups still hold: said plainly, since erase cannot reach history that was already committed. */
  backups: string;
}

export const BACKUP_HISTORY_NOTE =
  'Backups: the next backup no longer contains this project, but earlier backup commits (and any remote they were pushed to) still hold it, ' +
  'as do safety copies in the store\'s backups/ folder. Cairn never rewrites git history; to remove it there, rewrite that history yourself ' +
  '(e.g. git filter-repo) and force-push, or delete the old backups.';

async function eraseRows(orm: Orm, who: Actor, projectId: string): Promise<EraseReport['removed']> {
  const rows = await projectRows(orm, projectId);
  const ids = [...(await projectAggregateIds(orm, rows))];
  let removedEvents = 0;
  for (let i = 0; i < ids.length; i += 500) {
    removedEvents += (await orm.delete(events).where(inArray(events.aggregateId, ids.slice(i, i + 500))).returning({ seq: events.seq })).length;
  }
  const runIds = rows.agentRuns.map((r) => r.id);
  for (let i = 0; i < runIds.length; i += 500) await orm.delete(agentRuns).where(inArray(agentRuns.id, runIds.slice(i, i + 500)));
  await orm.delete(projects).where(eq(projects.id, projectId)); // cascades to sprints and tasks
  const removed = { sprints: rows.sprints.length, tasks: rows.tasks.length, agentRuns: runIds.length, events: removedEvents };
  await appendNextEvent(orm, who, { aggregateType: 'project', aggregateId: projectId, type: 'project.erased', data: { ...removed } });
  return removed;
}

export async function eraseProject(store: Store, who: Actor, projectId: string): Promise<EraseReport> {
  await store.conn.exec('PRAGMA secure_delete = ON');
  try {
    const removed = await store.write((orm) => eraseRows(orm, who, projectId));
    // Copies the zeroed pages into the database and empties the WAL, which still held the old page images.
    await store.conn.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    return { projectId, removed, backups: BACKUP_HISTORY_NOTE };
  } finally {
    await store.conn.exec('PRAGMA secure_delete = OFF');
  }
}
