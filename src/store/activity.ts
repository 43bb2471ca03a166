// What changed lately, across tasks, projects, notes, the graph and agent runs, in one line each: what an agent
// reads to catch up ("what happened since I last looked"), cheaper than the full events.
import { and, desc, gte, inArray, type SQL } from 'drizzle-orm';
import type { AggregateType } from './events';
import type { Orm } from './orm';
import { events } from './schema';

export interface ActivityItem {
  seq: number;
  at: string;
  actor: string;
  source: string;
  kind: string;
  id: string;
  type: string;
  /** The change in a few words: the title or name it concerns, and the fields it changed. */
  summary: string;
}

import { isEncrypted } from './crypto/cipher';
import { LOCKED_TEXT } from './crypto/fields';

/** A string field of an event, an encrypted one shown as locked (the log holds ciphertext). */
const str = (v: unknown) => (typeof v === 'string' ? (isEncrypted(v) ? LOCKED_TEXT : v) : undefined);

function summaryOf(type: string, data: Record<string, unknown>): string {
  const to = (data.to ?? {}) as Record<string, unknown>;
  const from = (data.from ?? {}) as Record<string, unknown>;
  const name = str(data.title) ?? str(data.name) ?? str(to.title) ?? str(to.name) ?? '';
  const fields = Object.keys(to).filter((k) => k !== 'updatedAt' && k !== 'startedAt' && k !== 'completedAt');
  const changes = fields.map((k) => (typeof to[k] === 'string' || typeof to[k] === 'number' || to[k] === null ? `${k}: ${JSON.stringify(from[k] ?? null)} → ${JSON.stringify(to[k])}` : k)).join(', ');
  const counts = Object.entries(data)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [type, name && `"${name}"`, changes || (!name ? counts : '')].filter(Boolean).join(' ').slice(0, 300);
}

export async function recentActivity(orm: Orm, q: { since?: string; kinds?: AggregateType[]; limit: number }): Promise<ActivityItem[]> {
  const where: SQL[] = [];
  if (q.since) where.push(gte(events.createdAt, new Date(q.since).toISOString()));
  if (q.kinds?.length) where.push(inArray(events.aggregateType, q.kinds));
  const rows = await orm.select().from(events).where(and(...where)).orderBy(desc(events.seq)).limit(q.limit);
  return rows.map((e) => ({
    seq: e.seq,
    at: e.createdAt,
    actor: e.actor,
    source: e.source,
    kind: e.aggregateType,
    id: e.aggregateId,
    type: e.type,
    summary: summaryOf(e.type, (e.data ?? {}) as Record<string, unknown>),
  }));
}
