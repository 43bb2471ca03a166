// Search by meaning and hybrid search. Semantic: the query is embedded with the embedder that made the store's
// vectors, the nearest rows are found (passages and whole-note vectors; filters applied first, so a narrow folder
// still gets its k nearest) by sqlite-vec's KNN in a one-shot process, by one scan of the vectors held in memory in a
// long-lived one (noteVectors.ts; same results), and the notes owning them are ranked by the mean of two similarities:
// the note's best passage (a note that answers in one place) and its whole-note vector (a note about the question
// as a whole). Hybrid: a convex combination of three rankings' scores, each min-max scaled to [0, 1] within its
// top 50 and weighed equally: bm25 over any of the query's words (whole notes, and items), each note's best passage
// by bm25 (with its title and heading path; items are their own passage), and the semantic ranking. Unlike
// reciprocal-rank fusion it keeps how far apart the hits are (a note bm25 finds far ahead stays ahead), which
// measured better on both keyword and paraphrased questions (bench/search-quality.bench.ts; Bruch et al., "An
// Analysis of Fusion Functions for Hybrid Retrieval", 2023). Reciprocal-rank fusion (k = 60) stays available as
// `fusion: 'rrf'`. The passage ranking was added because, on a question set written before the ranking was
// touched (the Rust book's), it found a note that answers in one place of a long chapter (recall@5 0.86 → 0.90,
// paraphrases 0.72 → 0.81, MRR@10 up on both sets), at a cost: its index adds about a second of cold index per
// 50,000 passages, and a search a quarter more time at 10,000 notes. Title-vector, query-expansion, field-weight and
// normalisation variants measured within noise (or helped only the set they were tried on) and were left out.
// With the GloVe embedder a fourth ranking joins at half weight: the candidates by how their title, path and headings
// match the question word by word (headingMatch.ts; recall@5 Foam 0.81 → 0.83, Rust book 0.90 → 0.94).
// Hybrid hits below a relevance floor are not shown (relevant() below): a list that ends where the answers do.
// Hybrid search ranks notes without snippets and makes them only for the hits it shows (a snippet re-reads its
// note's text: the ~150 made for 20 shown cost more than the rankings did at 10,000 notes).
import type { Connection } from '../connection';
import { StoreError } from '../errors';
import type { Store } from '../store';
import { NOTE_ROW_SEQ, VECTOR_TABLE } from './chunkStore';
import { MAX_K, noteVectors, type NoteByMeaning } from './noteVectors';
import { untilWrite } from './untilWrite';
import { ITEM_KINDS, searchItemsSemantic, searchItemsText, SNIPPET_CHARS, type ItemFilters } from './itemSearch';
import { cutAtWord, noteFilters, plain, queryTerms, queryWeight, rankPassages, rankText, SEARCH_KINDS, searchText as searchNotesText, snippetsOf, type SearchHit, type UnsnippetedHit, type NoteHit, type SearchKind, type SearchOptions } from './search';
import { embedPendingItems, readEmbeddingState, storeEmbedder } from './semanticIndex';
import { GLOVE_EMBEDDER_ID, tokenize } from './embedGlove';
import { rankByHeadings } from './headingMatch';
import type { Embedder } from './embedder';

export type SearchMode = 'text' | 'semantic' | 'hybrid';

/** How hybrid search fuses its rankings: by their scaled scores (default) or by reciprocal rank. */
export type Fusion = 'convex' | 'rrf';
/** `floor: false` shows every fused hit, even below the relevance floor (benchmarks measure what the floor costs). */
export type HybridOptions = SearchOptions & { fusion?: Fusion; floor?: boolean };
/** Reciprocal-rank fusion's constant (Cormack et al.): damps the weight of the very first ranks. */
export const RRF_K = 60;
/** Hybrid search's three rankings (words, best passage, meaning) weigh the same: not tuned. */
export const HYBRID_WEIGHT = 1 / 3;
/**
 * With the GloVe embedder, a fourth ranking (headingMatch.ts: the three lists' notes by how their title, path and
 * headings match the question word by word) weighs half as much as each of the three: of 0.25, 0.35 and 0.5, 0.5
 * measured best on both question sets (bench/search-quality.bench.ts).
 */
export const HEADING_WEIGHT = 0.5;
/** A hybrid hit scoring under this share of the best hit's fused score is not shown (unless it has every word). */
export const RELEVANCE_FLOOR = 0.5;
/**
 * ... nor one without evidence of its own: words carrying at least this share of the query's weight (its bm25 over
 * the sum of the query terms' idf), or a similarity of meaning of at least the embedder's minRelevantSimilarity.
 * Measured on both question sets and ten off-topic questions: no answer in the top 10 lost, off-topic lists cut from
 * 10 hits to about 2 (bench/search-quality.bench.ts).
 */
export const MIN_QUERY_COVERAGE = 0.3;
/** How deep each ranking goes before fusion (also the span the scores are scaled over). */
const FUSION_DEPTH = 50;

const clampLimit = (limit: number | undefined) => Math.min(Math.max(limit ?? 20, 1), 200);

/** Why semantic search cannot run here, or null when it can. */
async function unavailable(store: Store): Promise<string | null> {
  if (!store.vecVersion) return `Semantic search needs the sqlite-vec extension, which did not load here (${store.vecError ?? 'unknown reason'}). Use text search (mode "text" / --text).`;
  const state = await readEmbeddingState(store);
  const table = await store.conn.get(`select 1 from sqlite_master where type = 'table' and name = ?`, [VECTOR_TABLE]);
  if (!state || !table) return 'Nothing is embedded yet, so there is nothing to search by meaning: index the vault first (cairn index, or Cairn: Index Knowledge Vault).';
  return null;
}

/**
 * What highlights the query's words (and words they begin) in a snippet, case-insensitively. Made once per search:
 * compiling the expression for each of a search's ~100 hits by meaning cost ~1.5 ms a search.
 */
function highlighter(query: string): (snippet: string) => [number, number][] {
  const words = [...new Set(tokenize(query).filter((w) => w.length >= 3))];
  if (!words.length) return () => [];
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})[\\p{L}\\p{N}]*`, 'giu');
  return (snippet) => [...snippet.matchAll(re)].map((m) => [m.index!, m.index! + m[0].length] as [number, number]);
}

const passageSnippet = (text: string, headings: string[]) => cutAtWord(plain(text).replace(/\s+/g, ' ').trim() || headings.join(' › '), SNIPPET_CHARS);

/** The store's embedder where search by meaning can run here, else undefined. */
async function readyEmbedder(store: Store): Promise<Embedder | undefined> {
  // Kept until the store is written to: reading the embedder's fitted state back is a few ms a query.
  return untilWrite(store, 'readyEmbedder', async () => ((await unavailable(store)) ? undefined : storeEmbedder(store)));
}

/** The query as a vector, or null when no word of it is known to the embedder. */
async function embedQuery(embedder: Embedder, query: string): Promise<Buffer | null> {
  const [q] = await embedder.embed([query]);
  if (!q || q.every((x) => x === 0)) return null;
  return Buffer.from(q.buffer, q.byteOffset, q.byteLength);
}

/** The query as a vector for searching items by meaning, or null where there are no vectors to compare it with. */
export async function queryVector(store: Store, query: string): Promise<Buffer | null> {
  const embedder = await readyEmbedder(store);
  return embedder ? embedQuery(embedder, query) : null;
}

/** Notes by meaning, for a query already embedded. */
async function notesSemantic(store: Store, vector: Buffer, highlight: (snippet: string) => [number, number][], options: SearchOptions): Promise<NoteHit[]> {
  const limit = clampLimit(options.limit);
  const ranked = store.vectorsInMemory ? await rankedInMemory(store, vector, limit, options) : await rankedByVec0(store, vector, limit, options);
  // The text and place of the passages shown only.
  const shown = new Map(
    (
      await store.conn.all<{ id: number; text: string; line: number; headings: string; path: string; title: string }>(
        'select c.id, c.text, c.line, c.headings, n.path, n.title from note_chunks c join notes n on n.id = c.note_id where c.id in (select value from json_each(?))',
        [JSON.stringify(ranked.map((r) => r.passage))],
      )
    ).map((r) => [r.id, r]),
  );
  return ranked.flatMap(({ passage, score }) => {
    const r = shown.get(passage);
    if (!r) return [];
    const snippet = passageSnippet(r.text, JSON.parse(r.headings) as string[]);
    return [{ kind: 'note' as const, id: r.path, path: r.path, title: r.title, score: Math.round(score * 1000) / 1000, snippet, highlights: highlight(snippet), line: r.line }];
  });
}

/** The ranking of notesSemantic in a long-lived process: over the vectors held in memory (noteVectors.ts). */
async function rankedInMemory(store: Store, vector: Buffer, limit: number, options: SearchOptions): Promise<NoteByMeaning[]> {
  const index = await noteVectors(store);
  const { where, params } = noteFilters(options);
  // The notes the filters leave out (usually a few: the templates folder).
  const sql = `select json_group_array(n.id) as ids from notes n where not coalesce((${where.join(' and ')}), 0)`;
  const excluded = where.length
    ? await untilWrite(store, JSON.stringify([sql, params]), async () => JSON.parse((await store.conn.get<{ ids: string }>(sql, params))!.ids) as number[])
    : null;
  const query = new Float32Array(vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength));
  return index.rank(store, query, limit, excluded);
}

/**
 * The ranking of notesSemantic in a one-shot process (the CLI): by sqlite-vec's KNN, which costs less than loading
 * every vector. The notes owning the nearest rows, each scored by the mean of its best passage's similarity and its
 * whole-note row's, best first.
 */
async function rankedByVec0(store: Store, vector: Buffer, limit: number, options: SearchOptions): Promise<NoteByMeaning[]> {
  const candidates = await nearestNotes(store, vector, limit, options);
  if (!candidates.length) return [];
  // Every row of each candidate with its exact distance, by a KNN restricted to those rows (a lookup by id in vec0
  // costs about as much as a scan of it). A vector without any known word has no distance: similarity 0.
  const rowIds = (await store.conn.all<{ id: number }>('select id from note_chunks where note_id in (select value from json_each(?))', [JSON.stringify(candidates)])).map((r) => r.id);
  const rows = await store.conn.all<{ id: number; noteId: number; seq: number; distance: number }>(
    `select c.id, c.note_id as noteId, c.seq, coalesce(v.distance, 1) as distance
       from (select chunk_id, distance from ${VECTOR_TABLE} where embedding match ? and k = ? and chunk_id in (select value from json_each(?))) v
       join note_chunks c on c.id = v.chunk_id
      order by coalesce(v.distance, 1)`,
    [vector, Math.min(MAX_K, rowIds.length), JSON.stringify(rowIds)],
  );
  const notes = new Map<number, { noteId: number; passage?: (typeof rows)[number]; whole?: number }>();
  for (const r of rows) {
    const note = notes.get(r.noteId) ?? { noteId: r.noteId };
    notes.set(r.noteId, note);
    if (r.seq === NOTE_ROW_SEQ) note.whole ??= 1 - r.distance;
    else note.passage ??= r;
  }
  return [...notes.values()]
    .filter((n) => n.passage)
    .map(({ noteId, passage, whole }) => {
      const best = 1 - passage!.distance;
      return { noteId, passage: passage!.id, score: whole === undefined ? best : (best + whole) / 2 };
    })
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
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

export type SearchAllOptions = HybridOptions & { kinds?: readonly SearchKind[] };

/**
 * Which kinds a search looks through: those asked for, else every kind; a note-only filter (folder, tag, type) makes
 * it a search of notes, and asking for other kinds with one is refused (it could only ever filter them all out).
 */
export function searchedKinds(options: SearchAllOptions): { notes: boolean; items: ItemFilters } {
  const noteFilter = (['folder', 'tag', 'type'] as const).find((f) => options[f]?.trim());
  const kinds = options.kinds?.length ? options.kinds : noteFilter ? (['note'] as const) : SEARCH_KINDS;
  if (noteFilter && kinds.some((k) => k !== 'note')) {
    throw new StoreError('invalid', `The ${noteFilter} filter applies to notes only, so it cannot be combined with kind ${kinds.filter((k) => k !== 'note').join(', ')}: leave out kind, or ask for kind note.`);
  }
  return { notes: kinds.includes('note'), items: { kinds: ITEM_KINDS.filter((k) => kinds.includes(k)), project: options.project } };
}

/** Two rankings of one measure (bm25 of two indexes, or cosine of one embedder) merged, best first. */
const merged = (a: SearchHit[], b: SearchHit[], limit: number) => [...a, ...b].sort((x, y) => y.score - x.score).slice(0, limit);

/** Everything asked for, by words: notes (notes_fts) and items (search_items_fts), by bm25. */
export async function searchText(store: Store, query: string, options: SearchAllOptions = {}): Promise<SearchHit[]> {
  const { notes, items } = searchedKinds(options);
  const limit = clampLimit(options.limit);
  const noteHits = notes ? await searchNotesText(store, query, { ...options, limit }) : [];
  return merged(noteHits, await searchItemsText(store, query, items, limit, options.words), limit);
}

/** Everything asked for, by meaning: notes by their passages and whole-note vectors, items by their one vector. */
export async function searchSemantic(store: Store, query: string, options: SearchAllOptions = {}): Promise<SearchHit[]> {
  const why = await unavailable(store);
  if (why) throw new StoreError('invalid', why);
  return semanticHits(store, query, options, (await storeEmbedder(store))!);
}

/** searchSemantic with the store's embedder in hand. */
async function semanticHits(store: Store, query: string, options: SearchAllOptions, embedder: Embedder): Promise<SearchHit[]> {
  const { notes, items } = searchedKinds(options);
  // Items written since the last index run (a task an agent just made) get their vectors first.
  if (items.kinds.length) await embedPendingItems(store, embedder);
  const vector = await embedQuery(embedder, query);
  if (!vector) return []; // no word of the query is known to the embedder
  const limit = clampLimit(options.limit);
  const highlight = highlighter(query);
  const noteHits = notes ? await notesSemantic(store, vector, highlight, { ...options, limit }) : [];
  return merged(noteHits, await searchItemsSemantic(store, vector, items, limit, highlight), limit);
}

/**
 * Three rankings fused (see the top of this file): bm25 over any of the words (notes and items), each note's best
 * passage (items count as their own passage), and meaning (with GloVe, and the notes' titles and headings at
 * HEADING_WEIGHT); each hit scores HYBRID_WEIGHT × its scaled score in each list (0 for a list it is not in), times
 * the list's weight; with `fusion: 'rrf'`, the sum of 1 / (RRF_K + rank) over the three lists. Hits below
 * the relevance floor are left out (relevant()). Where nothing is embedded (or sqlite-vec cannot load) it is the
 * two bm25 rankings alone, so the default mode always answers.
 */
export async function searchHybrid(store: Store, query: string, options: SearchAllOptions = {}): Promise<SearchHit[]> {
  const limit = clampLimit(options.limit);
  const depth = Math.max(limit, FUSION_DEPTH);
  const { notes, items } = searchedKinds(options);
  // The notes' rankings without snippets: only the hits shown get one (below), not the 100 ranked. The passages'
  // ranking (the longest query) and then the relevance floor's word evidence run on the store's search reader, if it
  // has one, while the words' ranking and the search by meaning go on here (at 10,000 real-size notes through one
  // backend on two cores: p50 37 → 35 ms, p95 71 → 58 ms).
  const reader = await store.reader();
  const notePassages = settleLater(notes ? rankPassages(store, query, { ...options, limit: depth }, reader) : Promise.resolve([]));
  const evidence = options.floor === false ? null : settleLater(wordEvidence(store, query, options, depth, reader));
  const noteWords = notes ? await rankText(store, query, { ...options, words: 'any', limit: depth }) : [];
  const text = merged(noteWords, await searchItemsText(store, query, items, depth, 'any'), depth);
  const embedder = await readyEmbedder(store);
  const semantic = embedder ? await semanticHits(store, query, { ...options, limit: depth }, embedder) : [];
  const passages = merged(await notePassages, text.filter((h) => h.kind !== 'note'), depth);
  // The candidates' titles and headings, word by word, where the word table is the embedder's (loaded already); not
  // in reciprocal-rank fusion, where a fourth list's ranks cost keyword questions their first place (MRR 1 → 0.95 on Foam's).
  const byHeadings = embedder?.id === GLOVE_EMBEDDER_ID && options.fusion !== 'rrf' ? await rankByHeadings(store, query, [...text, ...passages, ...semantic]) : [];
  const ranked = fuseRanked([text, passages, semantic, byHeadings], options.fusion, [1, 1, 1, HEADING_WEIGHT]);
  const kept = (evidence ? relevant(ranked, await evidence, text, embedder?.minRelevantSimilarity) : ranked).slice(0, limit);
  // A note shows the snippet of the first list it is in (see fuseRanked): by its words, else its best passage.
  const refs = (list: SearchHit[]) => new Map(list.flatMap((h) => (h.kind === 'note' ? [[h.id, (h as UnsnippetedHit).ref] as const] : [])));
  const byWords = refs(text);
  const byPassage = refs(passages);
  const shownNotes = kept.filter(({ hit }) => hit.kind === 'note').map(({ hit }) => hit.id);
  const [wordSnippets, passageSnippets] = await Promise.all([
    snippetsOf(store, query, 'any', shownNotes.flatMap((id) => (byWords.has(id) ? [byWords.get(id)!] : []))),
    snippetsOf(store, query, 'passages', shownNotes.flatMap((id) => (!byWords.has(id) && byPassage.has(id) ? [byPassage.get(id)!] : [])), reader),
  ]);
  return kept.map(({ hit, score }) => {
    const { ref: _ref, ...shown } = hit as SearchHit & { ref?: number };
    const snippet = hit.kind !== 'note' ? undefined : byWords.has(hit.id) ? wordSnippets.get(byWords.get(hit.id)!) : byPassage.has(hit.id) ? passageSnippets.get(byPassage.get(hit.id)!) : undefined;
    return { ...shown, ...snippet, score: Math.round(score * 1e5) / 1e5 };
  });
}

/** Where searchHybrid's lists are in a fused hit's `from`. */
const BY_WORDS = 0;
const BY_MEANING = 2;

interface Fused {
  hit: SearchHit;
  score: number;
  /** The hit as each fused list had it (undefined where it was not in that list), in the lists' order. */
  from: (SearchHit | undefined)[];
}

/**
 * The rankings fused, best first (see searchHybrid). The first list goes first: its snippet shows the matched
 * words (a later list adds its passage's line), and on equal fused scores the sort, which is stable, keeps its order.
 */
function fuseRanked(lists: SearchHit[][], fusion: Fusion = 'convex', weights: readonly number[] = []): Fused[] {
  const fused = new Map<string, Fused>();
  lists.forEach((hits, list) => {
    const weight = weights[list] ?? 1;
    const scaled = fusion === 'rrf' ? hits.map((_, i) => weight / (RRF_K + i + 1)) : minMaxScores(hits).map((s) => weight * HYBRID_WEIGHT * s);
    hits.forEach((hit, i) => {
      const key = `${hit.kind}\u0000${hit.id}`;
      let entry = fused.get(key);
      if (!entry) fused.set(key, (entry = { hit, score: 0, from: lists.map(() => undefined) }));
      else entry.hit = { ...entry.hit, line: entry.hit.line ?? hit.line };
      entry.score += scaled[i]!;
      entry.from[list] = hit;
    });
  });
  return [...fused.values()].sort((a, b) => b.score - a.score);
}

/** Rankings fused (see searchHybrid), best first, without a floor: the first `limit`. */
export function fuse(lists: SearchHit[][], limit: number, fusion: Fusion = 'convex'): SearchHit[] {
  return fuseRanked(lists, fusion)
    .slice(0, limit)
    .map(({ hit, score }) => ({ ...hit, score: Math.round(score * 1e5) / 1e5 }));
}

/**
 * The fused hits worth showing. Kept: a hit with every word of the query but the stop words (in a note or an item:
 * what the person asked for, however it ranks), and a hit that scores at least RELEVANCE_FLOOR of the best one and
 * has evidence of its own, words (its whole-note or item bm25 at least MIN_QUERY_COVERAGE of the query's weight in
 * that index) or meaning (similarity at least `minSimilarity`; any, where the embedder has none; the nearest hit by
 * meaning needs half of it, as in a small vault, whose few notes fit the word weights loosely, the one answer may
 * score lower). So a question the vault cannot answer gets few hits or none, and a small vault does not list every note.
 */
function relevant(ranked: Fused[], evidence: WordEvidence, anyWord: SearchHit[], minSimilarity: number | undefined): Fused[] {
  if (!ranked.length) return ranked;
  const everyWord = new Set((evidence.everyWord ?? anyWord).map((h) => `${h.kind}\u0000${h.id}`));
  const { weight } = evidence;
  const floor = RELEVANCE_FLOOR * ranked[0]!.score;
  const nearest = Math.max(...ranked.map(({ from }) => from[BY_MEANING]?.score ?? -Infinity));
  return ranked.filter(({ hit, score, from }) => {
    if (everyWord.has(`${hit.kind}\u0000${hit.id}`)) return true;
    if (score < floor) return false;
    const words = from[BY_WORDS];
    const w = hit.kind === 'note' ? weight.note : weight.item;
    if (words && w > 0 && words.score / w >= MIN_QUERY_COVERAGE) return true;
    const meaning = from[BY_MEANING];
    if (!meaning) return false;
    return minSimilarity === undefined || meaning.score >= minSimilarity || (meaning.score === nearest && meaning.score >= minSimilarity / 2);
  });
}

/** What relevant() weighs a hit's words by: the hits with every content word of the query, and the query's weight in each index. */
interface WordEvidence {
  /**
   * searchText with `words: 'every'` (notes without snippets); null for a query of one term (after stop words), where
   * it is the same match as `words: 'any'`, so the list hybrid search already has.
   */
  everyWord: SearchHit[] | null;
  weight: { note: number; item: number };
}

async function wordEvidence(store: Store, query: string, options: SearchAllOptions, depth: number, conn: Connection): Promise<WordEvidence> {
  const { notes, items } = searchedKinds(options);
  let everyWord: SearchHit[] | null = null;
  if (queryTerms(query).length > 1) {
    const noteHits = notes ? await rankText(store, query, { ...options, words: 'every', limit: depth }, conn) : [];
    everyWord = merged(noteHits, await searchItemsText(store, query, items, depth, 'every', conn), depth);
  }
  return { everyWord, weight: { note: await queryWeight(store, query, 'notes_fts', conn), item: await queryWeight(store, query, 'search_items_fts', conn) } };
}

/** A promise awaited later, after other awaits: a failure meanwhile is not an unhandled rejection (the await throws it). */
function settleLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

export async function searchByMode(store: Store, query: string, mode: SearchMode, options: SearchAllOptions = {}): Promise<SearchHit[]> {
  if (mode === 'text') return searchText(store, query, options);
  if (mode === 'semantic') return searchSemantic(store, query, options);
  return searchHybrid(store, query, options);
}
