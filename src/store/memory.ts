// Memories that last across an agent's sessions: remember, recall (relevance by full-text search, weighted by
// importance and recency; expired ones left out), list, forget, and prune what expired. A memory is an aggregate
// like a task: its writes are events, backed up and synced. Recall counts each access in memory_access, a
// machine-local table: reading writes no event and two machines never conflict over a counter.
import { and, asc, desc, eq, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { insertAggregate } from './aggregates';
import { appendEvents, type Actor } from './events';
import { notFound } from './errors';
import { newId, nowIso } from './ids';
import type { Orm } from './orm';
import { getProject } from './projects';
import { memories, memoryAccess, type MemoryRow, type MemorySource, type MemoryType } from './schema';
import type { Store } from './store';
import { toFtsAnyQuery } from './knowledge/search';

export interface MemoryInput {
  type: MemoryType;
  content: string;
  importance?: number;
  confidence?: number;
  source?: MemorySource;
  projectId?: string | null;
  expiresAt?: string | null;
}

export interface Memory extends MemoryRow {
  lastAccessedAt: string | null;
  accessCount: number;
}

export interface RecalledMemory extends Memory {
  /** Relevance × importance × recency, 0..1: how recall ranked it. */
  score: number;
}

const live = (now: string) => or(isNull(memories.expiresAt), sql`${memories.expiresAt} > ${now}`);
/** The project's memories and the store-wide ones. */
const inScope = (projectId: string | undefined) => (projectId ? or(eq(memories.projectId, projectId), isNull(memories.projectId)) : undefined);

async function withAccess(orm: Orm, rows: MemoryRow[]): Promise<Memory[]> {
  if (!rows.length) return [];
  const access = await orm.select().from(memoryAccess).where(inArray(memoryAccess.memoryId, rows.map((r) => r.id)));
  const byId = new Map(access.map((a) => [a.memoryId, a]));
  return rows.map((r) => ({ ...r, lastAccessedAt: byId.get(r.id)?.lastAccessedAt ?? null, accessCount: byId.get(r.id)?.accessCount ?? 0 }));
}

/** Stores a memory; the same content again in the same scope gives the live one already there (no duplicate). */
export async function remember(orm: Orm, who: Actor, input: MemoryInput): Promise<Memory & { existing: boolean }> {
  if (input.projectId) await getProject(orm, input.projectId);
  const same = await orm
    .select()
    .from(memories)
    .where(and(sql`lower(trim(${memories.content})) = lower(trim(${input.content}))`, input.projectId ? eq(memories.projectId, input.projectId) : isNull(memories.projectId), live(nowIso())))
    .limit(1);
  if (same[0]) return { ...(await withAccess(orm, same))[0]!, existing: true };
  const now = nowIso();
  const row: MemoryRow = {
    id: newId(),
    type: input.type,
    content: input.content,
    importance: input.importance ?? 0.5,
    confidence: input.confidence ?? 1,
    source: input.source ?? 'observation',
    projectId: input.projectId ?? null,
    expiresAt: input.expiresAt ? new Date(input.expiresAt).toISOString() : null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await insertAggregate(orm, who, 'memory', memories, row);
  return { ...row, lastAccessedAt: null, accessCount: 0, existing: false };
}

export async function listMemories(orm: Orm, q: { projectId?: string; type?: MemoryType; includeExpired?: boolean; limit: number; offset: number }): Promise<Memory[]> {
  const where: (SQL | undefined)[] = [inScope(q.projectId), q.type ? eq(memories.type, q.type) : undefined, q.includeExpired ? undefined : live(nowIso())];
  const rows = await orm.select().from(memories).where(and(...where)).orderBy(desc(memories.createdAt), asc(memories.id)).limit(q.limit).offset(q.offset);
  return withAccess(orm, rows);
}

/** A memory's weight by age: 1 when new, halving every 90 days towards 0.5 (old facts still count). */
const recency = (updatedAt: string, now: number) => 0.5 + 0.5 * 2 ** (-Math.max(0, now - Date.parse(updatedAt)) / (90 * 86_400_000));

/** The memories that best answer `query`, best first; with `count` (run in a write), each one returned counts as an access. */
export async function recall(store: Store, q: { query: string; projectId?: string; types?: MemoryType[]; limit: number }, count = true): Promise<RecalledMemory[]> {
  const match = toFtsAnyQuery(q.query);
  if (!match) return [];
  const now = nowIso();
  // bm25 is negative, lower is better; the best 200 by text within the scope are weighed again below.
  const scope = q.projectId ? 'and (m.project_id = ? or m.project_id is null)' : '';
  const types = q.types?.length ? `and m.type in (${q.types.map(() => '?').join(', ')})` : '';
  const hits = await store.conn.all<{ id: string; rank: number }>(
    `select m.id, bm25(memories_fts) as rank from memories_fts join memories m on m.id = memories_fts.memory_id
     where memories_fts match ? and (m.expires_at is null or m.expires_at > ?) ${scope} ${types} order by rank limit 200`,
    [match, now, ...(q.projectId ? [q.projectId] : []), ...(q.types ?? [])],
  );
  if (!hits.length) return [];
  const rows = await store.orm.select().from(memories).where(inArray(memories.id, hits.map((h) => h.id)));
  const rank = new Map(hits.map((h) => [h.id, h.rank]));
  const best = Math.min(...rows.map((r) => rank.get(r.id) ?? 0));
  const at = Date.now();
  const scored = rows
    .map((r) => ({ r, score: (best < 0 ? (rank.get(r.id) ?? 0) / best : 1) * (0.5 + 0.5 * r.importance) * recency(r.updatedAt, at) }))
    .sort((a, b) => b.score - a.score || a.r.id.localeCompare(b.r.id))
    .slice(0, q.limit);
  for (const { r } of count ? scored : []) {
    await store.orm
      .insert(memoryAccess)
      .values({ memoryId: r.id, lastAccessedAt: now, accessCount: 1 })
      .onConflictDoUpdate({ target: memoryAccess.memoryId, set: { lastAccessedAt: now, accessCount: sql`${memoryAccess.accessCount} + 1` } });
  }
  const recalled = await withAccess(store.orm, scored.map((s) => s.r));
  return recalled.map((m, i) => ({ ...m, score: Math.round(scored[i]!.score * 1000) / 1000 }));
}

export async function forget(orm: Orm, who: Actor, id: string): Promise<{ forgotten: string }> {
  const [row] = await orm.select().from(memories).where(eq(memories.id, id));
  if (!row) throw notFound('memory', id);
  await orm.delete(memories).where(eq(memories.id, id));
  await appendEvents(orm, who, [{ aggregateType: 'memory', aggregateId: id, version: row.version + 1, type: 'memory.forgotten', data: { type: row.type, content: row.content } }]);
  return { forgotten: id };
}

/** Removes the memories whose time has passed, each with its event. */
export async function pruneExpired(orm: Orm, who: Actor): Promise<{ removed: number }> {
  const expired = await orm.select().from(memories).where(lte(memories.expiresAt, nowIso()));
  if (!expired.length) return { removed: 0 };
  await orm.delete(memories).where(inArray(memories.id, expired.map((m) => m.id)));
  await appendEvents(orm, who, expired.map((m) => ({ aggregateType: 'memory' as const, aggregateId: m.id, version: m.version + 1, type: 'memory.expired', data: { type: m.type, content: m.content, expiresAt: m.expiresAt } })));
  return { removed: expired.length };
}
