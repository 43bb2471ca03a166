// The audit log. Every repository write calls appendEvent inside its own transaction, so a change and its event
// commit together or not at all.
import { and, asc, desc, eq, gt, lt, sql, type SQL } from 'drizzle-orm';
import { newId, nowIso } from './ids';
import type { Orm } from './orm';
import { events, type EventRow, type EventSource } from './schema';

/** What events are about: work items, the indexes of the vault and of the agent folders, memories and agent sessions, and restores from a backup. */
export const AGGREGATE_TYPES = ['project', 'sprint', 'task', 'vault', 'agents', 'graph', 'memory', 'session', 'backup', 'crypto', 'sync'] as const;
export type AggregateType = (typeof AGGREGATE_TYPES)[number];

/** Who is making a change, recorded on every event. */
export interface Actor {
  actor: string;
  source: EventSource;
}

export interface NewEvent {
  aggregateType: AggregateType;
  aggregateId: string;
  version: number;
  type: string;
  data: Record<string, unknown>;
}

export type StoreEvent = EventRow;

export async function appendEvents(orm: Orm, who: Actor, items: NewEvent[]): Promise<void> {
  const createdAt = nowIso();
  // Chunked: SQLite caps the number of bound parameters per statement.
  for (let i = 0; i < items.length; i += 100) {
    await orm.insert(events).values(items.slice(i, i + 100).map((e) => ({ ...e, id: newId(), actor: who.actor, source: who.source, createdAt })));
  }
}

export interface EventQuery {
  aggregateType?: AggregateType;
  aggregateId?: string;
  /** Only events after this sequence number (for following the log). */
  afterSeq?: number;
  /** Only events before this sequence number (for paging backwards). */
  beforeSeq?: number;
  limit: number;
  order: 'asc' | 'desc';
}

export async function listEvents(orm: Orm, q: EventQuery): Promise<StoreEvent[]> {
  const where: SQL[] = [];
  if (q.aggregateType) where.push(eq(events.aggregateType, q.aggregateType));
  if (q.aggregateId) where.push(eq(events.aggregateId, q.aggregateId));
  if (q.afterSeq !== undefined) where.push(gt(events.seq, q.afterSeq));
  if (q.beforeSeq !== undefined) where.push(lt(events.seq, q.beforeSeq));
  return orm
    .select()
    .from(events)
    .where(and(...where))
    .orderBy(q.order === 'asc' ? asc(events.seq) : desc(events.seq))
    .limit(q.limit);
}

export async function lastEventSeq(orm: Orm): Promise<number> {
  const [row] = await orm.select({ seq: sql<number>`coalesce(max(${events.seq}), 0)` }).from(events);
  return row?.seq ?? 0;
}

/**
 * Appends an event to an aggregate that has no row of its own (an index run, say), at the version after its
 * latest event. Run it inside the write transaction that made the change.
 */
export async function appendNextEvent(orm: Orm, who: Actor, e: Omit<NewEvent, 'version'>): Promise<void> {
  const [last] = await orm
    .select({ v: sql<number>`coalesce(max(${events.version}), 0)` })
    .from(events)
    .where(and(eq(events.aggregateType, e.aggregateType), eq(events.aggregateId, e.aggregateId)));
  await appendEvents(orm, who, [{ ...e, version: (last?.v ?? 0) + 1 }]);
}
