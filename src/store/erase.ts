// Erasing a project: unlike delete (which logs a closing event per removed aggregate and keeps their history), erase
// removes the project, its sprints, tasks, the agent runs against its tasks, its memories, its agent sessions with their
// messages, and every event about any of them —
// also of tasks and sprints deleted earlier — then records one `project.erased` event holding only the id and counts.
// The events table forbids updates, not deletes: this is its one controlled delete. With secure_delete and a WAL
// checkpoint, the removed content does not linger in the database file's free pages or in its WAL.
import { and, eq, inArray, ne } from 'drizzle-orm';
import { Connection } from './connection';
import { appendNextEvent, type Actor } from './events';
import { createOrm, type Orm } from './orm';
import { projectAggregateIds, projectRows } from './projectRows';
import { agentRuns, agentSessions, conflicts, events, memories, projects } from './schema';
import { messageCountOf, projectSessionIds } from './sessions';
import type { Store } from './store';

/** The event an erase leaves: a tombstone that restores and syncs honour (see src/sync/README.md). */
export const ERASED = 'project.erased';

export interface EraseReport {
  projectId: string;
  removed: { sprints: number; tasks: number; agentRuns: number; memories: number; sessions: number; sessionMessages: number; events: number };
  /** What backups still hold: said plainly, since erase cannot reach history that was already committed. */
  backups: string;
}

export const BACKUP_HISTORY_NOTE =
  'Backups: the next backup no longer contains this project, but earlier backup commits (and any remote they were pushed to) still hold it, ' +
  'as do safety copies in the store\'s backups/ folder. Cairn never rewrites git history; to remove it there, rewrite that history yourself ' +
  '(e.g. git filter-repo) and force-push, or delete the old backups.';

/** Removes the project's rows and every event about them (also the conflicts recorded on them). */
async function removeProjectRows(orm: Orm, projectId: string): Promise<EraseReport['removed']> {
  const rows = await projectRows(orm, projectId);
  const sessionIds = await projectSessionIds(orm, projectId);
  const ids = [...new Set([...(await projectAggregateIds(orm, rows)), ...sessionIds])];
  let removedEvents = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    removedEvents += (await orm.delete(events).where(and(inArray(events.aggregateId, chunk), ne(events.type, ERASED))).returning({ seq: events.seq })).length;
    // A conflict keeps copies of both sides' fields: it goes with the row it was about.
    await orm.delete(conflicts).where(inArray(conflicts.rowKey, chunk));
  }
  const runIds = rows.agentRuns.map((r) => r.id);
  for (let i = 0; i < runIds.length; i += 500) await orm.delete(agentRuns).where(inArray(agentRuns.id, runIds.slice(i, i + 500)));
  // Memories have no foreign key (a delete must not remove rows without events); an erase removes them too.
  const removedMemories = (await orm.delete(memories).where(eq(memories.projectId, projectId)).returning({ id: memories.id })).length;
  // So have sessions (a task's session is its project's); their messages go with them (cascade).
  const sessionMessages = await messageCountOf(orm, sessionIds);
  await orm.delete(agentSessions).where(eq(agentSessions.projectId, projectId));
  await orm.delete(projects).where(eq(projects.id, projectId)); // cascades to sprints and tasks
  return { sprints: rows.sprints.length, tasks: rows.tasks.length, agentRuns: runIds.length, memories: removedMemories, sessions: sessionIds.length, sessionMessages, events: removedEvents };
}

async function eraseRows(orm: Orm, who: Actor, projectId: string): Promise<EraseReport['removed']> {
  const removed = await removeProjectRows(orm, projectId);
  await appendNextEvent(orm, who, { aggregateType: 'project', aggregateId: projectId, type: ERASED, data: { ...removed } });
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

/** A `project.erased` event as the text form holds it (every column but the machine-local seq). */
export type Tombstone = Record<string, unknown> & { id: string; aggregate_id: string };

const TOMBSTONE_COLUMNS = ['id', 'aggregate_type', 'aggregate_id', 'version', 'type', 'data', 'actor', 'source', 'created_at'] as const;

/** Every erase this store remembers. */
export function tombstonesOf(conn: Connection): Promise<Tombstone[]> {
  return conn.all<Tombstone>(`select ${TOMBSTONE_COLUMNS.join(', ')} from events where type = ? order by id`, [ERASED]);
}

export interface ErasureInBackup {
  projectId: string;
  /** The project's name in the backup. */
  name: string;
  /** true: erased again in the restored rows; false: brought back (asked for with includeErased). */
  erasedAgain: boolean;
}

/**
 * Re-applies erases to a database built from a backup (a scratch file, before it is swapped in): every tombstone
 * the backup lacks is added, and the rows of the project it names are removed — unless `includeErased`, which
 * brings back the projects the backup still holds (their tombstones go; the others stay, nothing to bring back).
 * `changed`: the rows now differ from the backup's.
 */
export async function reapplyErasures(file: string, tombstones: readonly Tombstone[], includeErased: boolean): Promise<{ erased: ErasureInBackup[]; changed: boolean }> {
  const conn = await Connection.open(file, { busyTimeoutMs: 5000, slowQueryMs: 60_000 });
  const orm = createOrm(conn);
  const out: ErasureInBackup[] = [];
  let changed = false;
  try {
    await conn.exec('PRAGMA foreign_keys = ON');
    await conn.transaction(async () => {
      for (const t of tombstones) {
        if (await conn.get('select 1 as yes from events where id = ?', [t.id])) continue; // the backup was made after the erase
        const project = await conn.get<{ name: string }>('select name from projects where id = ?', [t.aggregate_id]);
        if (project) out.push({ projectId: t.aggregate_id, name: project.name, erasedAgain: !includeErased });
        if (project && includeErased) continue;
        if (project) await removeProjectRows(orm, t.aggregate_id);
        changed = true;
        await conn.run(`insert into events (${TOMBSTONE_COLUMNS.join(', ')}) values (${TOMBSTONE_COLUMNS.map(() => '?').join(', ')})`, TOMBSTONE_COLUMNS.map((c) => t[c] ?? null) as never);
      }
    });
    return { erased: out, changed };
  } finally {
    await conn.close();
  }
}

/**
 * Runs fn (a sync applying rows that another machine erased) with secure_delete on, then empties the WAL, as
 * eraseProject does, so the removed content does not linger in free pages.
 */
export async function withSecureDelete<T>(store: Store, fn: () => Promise<T>): Promise<T> {
  await store.conn.exec('PRAGMA secure_delete = ON');
  try {
    const out = await fn();
    await store.conn.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    return out;
  } finally {
    await store.conn.exec('PRAGMA secure_delete = OFF');
  }
}
