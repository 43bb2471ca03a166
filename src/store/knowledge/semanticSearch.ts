// Search by meaning and hybrid search. Semantic: the query is embedded with the embedder that made the store's
// vectors, sqlite-vec finds the nearest rows (passages and whole-note vectors; filters applied inside the KNN, so a
// narrow folder still gets its k nearest), and the notes owning them are ranked by the mean of two similarities:
// the note's best passage (a note that answers in one place) and its whole-note vector (a note about the question
// as a whole). Hybrid: a convex combination of the two rankings' scores, each min-max scaled to [0, 1] within its
// top 50 (bm25 over any of the query's words, and the semantic ranking), weighed equally. Unlike reciprocal-rank
// fusion it keeps how far apart the hits are (a note bm25 finds far ahead stays ahead), which measured better on
// both keyword and paraphrased questions (bench/search-quality.bench.ts; Bruch et al., "An Analysis of Fusion
// Functions for Hybrid Retrieval", 2023). Reciprocal-rank fusion (k = 60) stays available as `fusion: 'rrf'`.
import { StoreError } from '../errors';
import type { Store } from '../store';
import { NOTE_ROW_SEQ, VECTOR_TABLE } from './chunkStore';
import { noteFilters, plain, searchText, type SearchHit, type SearchOptions } from './search';
import { readEmbeddingState, storeEmbedder } from './semanticIndex';
import { tokenize } from './embedGlove';

export type SearchMode = 'text' | 'semantic' | 'hybrid';

/** sqlite-vec answers at most this many nearest neighbours per query. */
const MAX_K = 4096;
/** How hybrid search fuses its two rankings: by their scaled scores (default) or by reciprocal rank. */
export type Fusion = 'convex' | 'rrf';
export type HybridOptions = SearchOptions & { fusion?: Fusion };
/** Reciprocal-rank fusion's constant (Cormack et al.): damps the weight of the very first ranks. */
export const RRF_K = 60;
/** How much the semantic ranking weighs in hybrid search (bm25 weighs the rest): equal, not tuned. */
export const SEMANTIC_WEIGHT = 0.5;
/** How deep each ranking goes before fusion (also the span the scores are scaled over). */
const FUSION_DEPTH = 50;
const SNIPPET_CHARS = 180;

const clampLimit = (limit: number | undefined) => Math.min(Math.max(limit ?? 20, 1), 200);

/** Why semantic search cannot run here, or null when it can. */
async function unavailable(store: Store): Promise<string | null> {
  if (!store.vecVersion) return `Semantic search needs the sqlite-vec extension, which did not load here (${store.vecError ?? 'unknown reason'}). Use text search (mode "text" / --text).`;
  const state = await readEmbeddingState(store);
  const table = await store.conn.get(`select 1 from sqlite_master where type = 'table' and name = ?`, [VECTOR_TABLE]);
  if (!state || !table) return 'Nothing is embedded yet, so there is nothing to search by meaning: index the vault first (cairn index, or Cairn: Index Knowledge Vault).';
  return null;
}

/** Highlights the query's words (and words they begin) in a snippet, case-insensitively. */
function highlight(snippet: string, query: string): [number, number][] {
  const words = [...new Set(tokenize(query).filter((w) => w.length >= 3))];
  if (!words.length) return [];
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})[\\p{L}\\p{N}]*`, 'giu');
  return [...snippet.matchAll(re)].map((m) => [m.index!, m.index! + m[0].length] as [number, number]);
}

function passageSnippet(text: string, headings: string[]): string {
  const flat = plain(text).replace(/\s+/g, ' ').trim() || headings.join(' › ');
  if (flat.length <= SNIPPET_CHARS) return flat;
  const cut = flat.lastIndexOf(' ', SNIPPET_CHARS);
  return flat.slice(0, cut > SNIPPET_CHARS / 2 ? cut : SNIPPET_CHARS) + '…';
}

export async function searchSemantic(store: Store, query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
  const why = await unavailable(store);
  if (why) throw new StoreError('invalid', why);
  const embedder = (await storeEmbedder(store))!;
  const [q] = await embedder.embed([query]);
  if (!q || q.every((x) => x === 0)) return []; // no word of the query is known to the embedder
  const limit = clampLimit(options.limit);
  const vector = Buffer.from(q.buffer, q.byteOffset, q.byteLength);
  const candidates = await nearestNotes(store, vector, limit, options);
  if (!candidates.length) return [];
  // Every row of each candidate with its exact distance, by a KNN restricted to those rows (a lookup by id in vec0
  // costs about as much as a scan of it). A vector without any known word has no distance: similarity 0.
  const rowIds = (await store.conn.all<{ id: number }>('select id from note_chunks where note_id in (select value from json_each(?))', [JSON.stringify(candidates)])).map((r) => r.id);
  const rows = await store.conn.all<{ noteId: number; seq: number; distance: number; text: string; line: number; headings: string; path: string; title: string }>(
    `select c.note_id as noteId, c.seq, coalesce(v.distance, 1) as distance, c.text, c.line, c.headings, n.path, n.title
       from (select chunk_id, distance from ${VECTOR_TABLE} where embedding match ? and k = ? and chunk_id in (select value from json_each(?))) v
       join note_chunks c on c.id = v.chunk_id join notes n on n.id = c.note_id
      order by coalesce(v.distance, 1)`,
    [vector, Math.min(MAX_K, rowIds.length), JSON.stringify(rowIds)],
  );
  const notes = new Map<number, { passage?: (typeof rows)[number]; whole?: number }>();
  for (const r of rows) {
    const note = notes.get(r.noteId) ?? {};
    notes.set(r.noteId, note);
    if (r.seq === NOTE_ROW_SEQ) note.whole ??= 1 - r.distance;
    else note.passage ??= r;
  }
  return [...notes.values()]
    .filter((n) => n.passage)
    .map(({ passage, whole }) => {
      const best = 1 - passage!.distance;
      return { passage: passage!, score: whole === undefined ? best : (best + whole) / 2 };
    })
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map(({ passage: r, score }) => {
      const snippet = passageSnippet(r.text, JSON.parse(r.headings) as string[]);
      return { path: r.path, title: r.title, score: Math.round(score * 1000) / 1000, snippet, highlights: highlight(snippet, query), line: r.line };
    });
}

/**
 * The notes owning the nearest rows (passages and whole-note rows), nearest first: at least `limit` of them
 * unless the store has fewer. Filters apply inside the KNN, so a narrow folder still gets its nearest.
 */
async function nearestNotes(store: Store, vector: Buffer, limit: number, options: SearchOptions): Promise<number[]> {
  const { where, params } = noteFilters(options);
  const filter = where.length
    ? `and chunk_id in (select c.id from note_chunks c join notes n on n.id = c.note_id where ${where.join(' and ')})`
    : '';
  // Each note may own several of the nearest rows: fetch a few per wanted note, and ask for more only when that
  // gave too few notes (sqlite-vec's cost grows with k: k = 500 is ~3× k = 100).
  for (let k = Math.min(MAX_K, Math.max(limit * 3, 30)); ; k = Math.min(MAX_K, k * 3)) {
    const rows = await store.conn.all<{ noteId: number }>(
      `select c.note_id as noteId
         from (select chunk_id, distance from ${VECTOR_TABLE} where embedding match ? and k = ? ${filter}) v
         join note_chunks c on c.id = v.chunk_id
        order by coalesce(v.distance, 2)`,
      [vector, k, ...params],
    );
    const notes = [...new Set(rows.map((r) => r.noteId))];
    // Enough notes, or every row there is was seen (fewer than k came back). The nearest few times `limit` are
    // plenty to rank (and keep their rows within one KNN's reach).
    if (notes.length >= limit || rows.length < k || k === MAX_K) return notes.slice(0, Math.max(limit * 3, 30));
  }
}

/** The hits' scores scaled to [0, 1] within their list (min-max); a list whose scores are all equal scores 1. */
export function minMaxScores(hits: readonly SearchHit[]): number[] {
  const scores = hits.map((h) => h.score);
  const hi = Math.max(...scores);
  const lo = Math.min(...scores);
  return scores.map((s) => (hi > lo ? (s - lo) / (hi - lo) : 1));
}

/**
 * bm25 (any of the words) and semantic rankings fused: each note scores SEMANTIC_WEIGHT × its scaled semantic
 * score + the rest × its scaled bm25 score (0 for a list it is not in); with `fusion: 'rrf'`, the sum of
 * 1 / (RRF_K + rank) over both lists. Where nothing is embedded (or sqlite-vec cannot load) it is the bm25 ranking
 * alone, so the default mode always answers.
 */
export async function searchHybrid(store: Store, query: string, options: HybridOptions = {}): Promise<SearchHit[]> {
  const limit = clampLimit(options.limit);
  const depth = Math.max(limit, FUSION_DEPTH);
  const text = await searchText(store, query, { ...options, words: 'any', limit: depth });
  const semantic = (await unavailable(store)) ? [] : await searchSemantic(store, query, { ...options, limit: depth });
  // bm25 goes first: its snippet shows the matched words (the semantic hit adds its passage's line), and on equal
  // fused scores the sort, which is stable, keeps the lexical order.
  const fused = new Map<string, { hit: SearchHit; score: number }>();
  const add = (hits: SearchHit[], weight: number) => {
    const scaled = options.fusion === 'rrf' ? hits.map((_, i) => 1 / (RRF_K + i + 1)) : minMaxScores(hits).map((s) => weight * s);
    hits.forEach((hit, i) => {
      const score = scaled[i]!;
      const entry = fused.get(hit.path);
      if (!entry) fused.set(hit.path, { hit, score });
      else {
        entry.score += score;
        entry.hit = { ...entry.hit, line: entry.hit.line ?? hit.line };
      }
    });
  };
  add(text, 1 - SEMANTIC_WEIGHT);
  add(semantic, SEMANTIC_WEIGHT);
  return [...fused.values()]
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map(({ hit, score }) => ({ ...hit, score: Math.round(score * 1e5) / 1e5 }));
}

export async function searchByMode(store: Store, query: string, mode: SearchMode, options: HybridOptions = {}): Promise<SearchHit[]> {
  if (mode === 'text') return searchText(store, query, options);
  if (mode === 'semantic') return searchSemantic(store, query, options);
  return searchHybrid(store, query, options);
}
