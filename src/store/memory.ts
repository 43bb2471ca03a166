// Memories that last across an agent's sessions: remember, recall (relevance by words and, where the store has
// vectors, by meaning, weighted by importance and recency; expired ones left out), list, forget, and prune what
// expired. A memory is an aggregate like a task: its writes are events, backed up and synced. Recall counts each access in memory_access, a
// machine-local table: reading writes no event and two machines never conflict over a counter.
import { and, asc, desc, eq, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { insertAggregate } from './aggregates';
import { appendEvents, type Actor } from './events';
import { notFound } from './errors';
import { openMemoryContent, sealMemory } from './crypto/fields';
import { heldKey } from './crypto/keys';
import { newId, nowIso } from './ids';
import type { Orm } from './orm';
import { getProject } from './projects';
import { memories, memoryAccess, type MemoryRow, type MemorySource, type MemoryType } from './schema';
import type { Store } from './store';
import { searchItemsSemantic, searchItemsText, type ItemFilters } from './knowledge/itemSearch';
import { queryVector } from './knowledge/semanticSearch';

export interface MemoryInput {
  type: MemoryType;
  content: string;
  importance?: number;
  confidence?: number;
  source?: MemorySource;
  projectId?: string | null;
  expiresAt?: string | null;
  /** Store the content encrypted (needs the store's key): not searchable, shown locked while the store is locked. */
  secret?: boolean;
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

/** The memory already there with this content in this scope (live): compared as plain text, ignoring case and
 *  surrounding space. Secret memories are compared with the secret ones, after decrypting them (a secret is never
 *  matched with a plain memory, which would change whether it is stored encrypted). */
async function sameMemory(orm: Orm, input: MemoryInput): Promise<MemoryRow | undefined> {
  const scope = input.projectId ? eq(memories.projectId, input.projectId) : isNull(memories.projectId);
  const sealed = sql`${memories.content} like 'enc:v1:%'`;
  if (!input.secret) {
    const [row] = await orm.select().from(memories).where(and(sql`lower(trim(${memories.content})) = lower(trim(${input.content}))`, sql`not ${sealed}`, scope, live(nowIso()))).limit(1);
    return row;
  }
  const key = heldKey(orm);
  if (!key) return undefined; // sealing the new one will say the store is locked
  const wanted = input.content.trim().toLowerCase();
  const secrets = await orm.select().from(memories).where(and(sealed, scope, live(nowIso()))).orderBy(asc(memories.id));
  return secrets.find((m) => openMemoryContent(key, m)?.trim().toLowerCase() === wanted);
}

/** Stores a memory; the same content again in the same scope gives the live one already there (no duplicate). */
export async function remember(orm: Orm, who: Actor, input: MemoryInput): Promise<Memory & { existing: boolean }> {
  if (input.projectId) await getProject(orm, input.projectId);
  const same = await sameMemory(orm, input);
  if (same) return { ...(await withAccess(orm, [same]))[0]!, existing: true };
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
    sealedFields: [],
  };
  const stored = await sealMemory(orm, row, input.secret);
  await insertAggregate(orm, who, 'memory', memories, stored);
  return { ...stored, lastAccessedAt: null, accessCount: 0, existing: false };
}

export async function getMemory(orm: Orm, id: string): Promise<Memory> {
  const rows = await orm.select().from(memories).where(eq(memories.id, id));
  if (!rows[0]) throw notFound('memory', id);
  return (await withAccess(orm, rows))[0]!;
}

export async function listMemories(orm: Orm, q: { projectId?: string; type?: MemoryType; includeExpired?: boolean; limit: number; offset: number }): Promise<Memory[]> {
  const where: (SQL | undefined)[] = [inScope(q.projectId), q.type ? eq(memories.type, q.type) : undefined, q.includeExpired ? undefined : live(nowIso())];
  const rows = await orm.select().from(memories).where(and(...where)).orderBy(desc(memories.createdAt), asc(memories.id)).limit(q.limit).offset(q.offset);
  return withAccess(orm, rows);
}

/** A memory's weight by age: 1 when new, halving every 90 days towards 0.5 (old facts still count). */
const recency = (updatedAt: string, now: number) => 0.5 + 0.5 * 2 ** (-Math.max(0, now - Date.parse(updatedAt)) / (90 * 86_400_000));

/** How much meaning weighs in recall's relevance where the store has vectors (words weigh the rest). */
const RECALL_SEMANTIC_WEIGHT = 0.5;
/** A memory found only by meaning must be at least this similar to the query (cosine) to be recalled at all: with the
 * default GloVe embedder a related memory measured 0.39 and unrelated ones below 0.25 (test/store/knowledge/search-everything). */
export const RECALL_MIN_SIMILARITY = 0.35;
/** How many of the best matches by words, and by meaning, are weighed. */
const RECALL_DEPTH = 200;

/**
 * The memories that best answer `query`, best first: relevance (bm25 relative to the best match, blended with the
 * cosine similarity where the store has vectors) × importance × recency. With `count` (run in a write), each one
 * returned counts as an access.
 */
export async function recall(store: Store, q: { query: string; projectId?: string; types?: MemoryType[]; limit: number }, count = true): Promise<RecalledMemory[]> {
  const filters: ItemFilters = { kinds: ['memory'], memoryScope: q.projectId, memoryTypes: q.types };
  const text = await searchItemsText(store, q.query, filters, RECALL_DEPTH, 'any');
  const vector = await queryVector(store, q.query);
  const semantic = vector ? (await searchItemsSemantic(store, vector, filters, RECALL_DEPTH, () => [])).filter((h) => h.score >= RECALL_MIN_SIMILARITY || text.some((t) => t.id === h.id)) : [];
  const best = text[0]?.score ?? 0;
  const relevance = new Map<string, number>();
  const w = vector ? RECALL_SEMANTIC_WEIGHT : 0;
  for (const h of text) relevance.set(h.id, (1 - w) * (best > 0 ? h.score / best : 1));
  for (const h of semantic) relevance.set(h.id, (relevance.get(h.id) ?? 0) + w * Math.max(0, h.score));
  if (!relevance.size) return [];
  const now = nowIso();
  const rows = await store.orm.select().from(memories).where(inArray(memories.id, [...relevance.keys()]));
  const at = Date.now();
  const scored = rows
    .map((r) => ({ r, score: relevance.get(r.id)! * (0.5 + 0.5 * r.importance) * recency(r.updatedAt, at) }))
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
