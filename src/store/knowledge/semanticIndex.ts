// Keeps the passages' vectors current: embeds every passage not embedded yet, with the store's embedder. The
// store remembers which embedder made its vectors (embedding_state); choosing another one, or one of another
// dimension, drops every vector and embeds everything again. The default GloVe embedder is fitted to the vault
// (word frequencies, common component); it is refitted, and everything re-embedded, when the vault has doubled or
// halved since the last fit, so the weights keep describing the vault. Vectors are written in batches, each in one
// transaction with the passages' `embedded` flags, so an interrupted run leaves only work for the next one.
// Once a note's passages all have vectors, its whole-note row gets the normalized mean of them: a vector for the
// note as a whole, from any embedder, with no text to embed twice (and none too long for a model's window). The mean
// is summed as the passages are embedded; only passages embedded by an earlier run are read back from vec0, whose
// point lookups cost ~50 µs each (a cold index of 10,000 notes spent more time reading vectors back than writing them).
import { StoreError } from '../errors';
import { nowIso } from '../ids';
import type { Store } from '../store';
import { ITEM_VECTOR_TABLE, NOTE_ROW_SEQ, VECTOR_TABLE } from './chunkStore';
import { DEFAULT_EMBEDDER, formatEmbedderSpec, normalize, parseEmbedderSpec, type Embedder, type EmbedderSpec } from './embedder';
import { componentSampleStep, countWords, deserializeStats, fitCorpus, fitCounted, GloveEmbedder, loadWordTable, serializeStats, type WordTable } from './embedGlove';
import { DEFAULT_OPENAI_TIMEOUT_MS, OpenAIEmbedder } from './embedOpenAI';
import { TransformersEmbedder } from './embedTransformers';

export interface EmbedReport {
  /** The embedder's short form (glove, transformers:FOLDER, openai:MODEL@URL). */
  embedder: string;
  dimensions: number;
  /** Passages in the store, and how many have a vector. */
  chunks: number;
  embedded: number;
  /** Passages embedded by this run. */
  added: number;
  /** True when every vector was dropped and made again (another embedder, or a refit). */
  reembedded: boolean;
  ms: number;
}

interface StateRow {
  spec: string;
  embedderId: string;
  dimensions: number;
  state: Buffer | null;
  fittedChunks: number;
}

/** Passages embedded and written per transaction. */
const BATCH = 4000;
/** Notes whose whole-note vector is made and written per transaction. */
const NOTE_BATCH = 2000;
/** Selects passage rows (not the whole-note rows) of note_chunks aliased c. */
const PASSAGE = 'c.seq >= 0';
/** The API key of an OpenAI-compatible endpoint is read from this variable, never stored. */
export const API_KEY_ENV = 'CAIRN_EMBEDDINGS_API_KEY';

/** The embedder the store's vectors were made with (its spec), without the fitted state. */
export async function storeEmbedderSpec(store: Store): Promise<string | null> {
  return (await store.conn.get<{ spec: string }>('select spec from embedding_state where id = 1'))?.spec ?? null;
}

export async function readEmbeddingState(store: Store): Promise<StateRow | undefined> {
  return store.conn.get<StateRow>('select spec, embedder_id as embedderId, dimensions, state, fitted_chunks as fittedChunks from embedding_state where id = 1');
}

function requireVec(store: Store): void {
  if (!store.vecVersion) {
    throw new StoreError('store_unavailable', `Semantic search needs the sqlite-vec extension, which did not load here (${store.vecError ?? 'unknown reason'}). Text search still works (mode "text" / --text).`);
  }
}

async function connect(spec: EmbedderSpec): Promise<Embedder> {
  switch (spec.provider) {
    case 'openai':
      return OpenAIEmbedder.connect({ url: spec.url, model: spec.model, apiKey: process.env[spec.apiKeyEnv ?? API_KEY_ENV] || undefined, timeoutMs: spec.timeoutMs ?? DEFAULT_OPENAI_TIMEOUT_MS });
    case 'transformers':
      return TransformersEmbedder.load(spec.model);
    case 'glove':
      throw new Error('glove is fitted, not connected');
  }
}

/** Embedders already connected in this process (a model folder or an endpoint is loaded / probed once). */
const connected = new Map<string, Promise<Embedder>>();
function connectOnce(spec: EmbedderSpec): Promise<Embedder> {
  const key = formatEmbedderSpec(spec);
  let e = connected.get(key);
  if (!e) {
    e = connect(spec);
    connected.set(key, e);
    e.catch(() => connected.delete(key));
  }
  return e;
}

/**
 * Checks that a chosen embedder can work here (sqlite-vec loads; the word table is there, the model folder
 * loads, or the endpoint answers), so that a bad choice is refused before the index changes.
 */
export async function prepareEmbedder(store: Store, spec: EmbedderSpec): Promise<void> {
  requireVec(store);
  if (spec.provider === 'glove') loadWordTable();
  else await connectOnce(spec);
}

/** A vault that doubled or halved since the fit gets a new fit (small vaults change shape fastest). */
const needsRefit = (fitted: number, now: number) => now > 2 * fitted || now < fitted / 2;

/**
 * The embedder that made the store's vectors, ready to embed a query; undefined when nothing was embedded yet.
 * GloVe's fitted state comes from the store, so a query is embedded exactly as the passages were.
 */
export async function storeEmbedder(store: Store): Promise<Embedder | undefined> {
  const row = await readEmbeddingState(store);
  if (!row) return undefined;
  const spec = parseEmbedderSpec(row.spec);
  if (spec.provider === 'glove') {
    const table = loadWordTable();
    return new GloveEmbedder(table, row.state ? deserializeStats(row.state, table) : fitCorpus(table, []));
  }
  return connectOnce(spec);
}

/**
 * Embeds what is not embedded yet. `spec` chooses the embedder (default: the one the store has, else GloVe); a
 * different one than the store has re-embeds everything. An embedder that cannot be reached fails before
 * anything is changed.
 */
export async function embedChunks(store: Store, spec?: EmbedderSpec, log: (m: string) => void = () => undefined): Promise<EmbedReport> {
  const started = performance.now();
  requireVec(store);
  const current = await readEmbeddingState(store);
  const want = spec ?? (current ? parseEmbedderSpec(current.spec) : DEFAULT_EMBEDDER);
  const specText = formatEmbedderSpec(want);
  const total = (await store.conn.get<{ n: number }>(`select count(*) as n from note_chunks c where ${PASSAGE}`))!.n;

  let embedder: Embedder;
  let state: Buffer | null = null;
  let fittedChunks = 0;
  let refit = false;
  if (want.provider === 'glove') {
    const table = loadWordTable();
    refit = current?.spec !== 'glove' || !current.state || needsRefit(current.fittedChunks, total);
    if (refit) {
      const stats = await fitToStore(store, table, total);
      embedder = new GloveEmbedder(table, stats);
      state = serializeStats(stats, table.dimensions);
      fittedChunks = total;
      log(`embeddings: fitted the word weights to ${total} passages`);
    } else {
      embedder = new GloveEmbedder(table, deserializeStats(current!.state!, table));
    }
  } else {
    embedder = await connectOnce(want);
  }

  const tableExists = Boolean(await store.conn.get(`select 1 from sqlite_master where type = 'table' and name = ?`, [VECTOR_TABLE]));
  const reembed = refit || !current || !tableExists || current.embedderId !== embedder.id || current.dimensions !== embedder.dimensions || current.spec !== specText;
  if (reembed) {
    await store.write(async () => {
      await store.conn.run(`drop table if exists ${VECTOR_TABLE}`);
      // Unit vectors: cosine distance, and 1 - distance is the cosine similarity reported as the score.
      await store.conn.run(`create virtual table ${VECTOR_TABLE} using vec0(chunk_id integer primary key, embedding float[${embedder.dimensions}] distance_metric=cosine)`);
      await store.conn.run('update note_chunks set embedded = 0 where embedded <> 0');
      await createItemVectors(store, embedder.dimensions);
      await store.conn.run(
        `insert into embedding_state (id, spec, embedder_id, dimensions, state, fitted_chunks, updated_at) values (1, ?, ?, ?, ?, ?, ?)
         on conflict (id) do update set spec = excluded.spec, embedder_id = excluded.embedder_id, dimensions = excluded.dimensions,
           state = excluded.state, fitted_chunks = excluded.fitted_chunks, updated_at = excluded.updated_at`,
        [specText, embedder.id, embedder.dimensions, state, fittedChunks, nowIso()],
      );
    });
    if (current) log(`embeddings: ${current.spec === specText ? 'refitted' : `switched from ${current.spec} to ${specText}`}; re-embedding all ${total} passages`);
  } else {
    await sweepOrphans(store);
  }

  let added = 0;
  const fresh: FreshSums = new Map();
  // Pipelined: a batch is embedded (JS, this thread) while the one before it is written (SQL, the driver's thread),
  // so the two cores work at once. The next batch is read before the write starts (the write holds the connection),
  // leaving out the batch about to be written, whose flags are set only when its transaction commits. Batches go in
  // id order: a batch's passages then share their pages, so setting their flags rewrites each page once (by seq,
  // each batch touched a page of every note: a cold index wrote 1.9 GB to embed a 55 MB vault).
  const width = embedder.dimensions * 4;
  // The pending ids are listed once, in id order, and each batch is read by its ids: a query per batch for the next
  // pending rows in id order sorted every pending row again (2.8 s of a 55 MB vault's cold index). The list is read
  // again when used up, for passages written meanwhile; the batch still being written is left out of it.
  let queue: number[] = [];
  const nextBatch = async (writing: readonly { id: number }[]) => {
    for (;;) {
      if (!queue.length) {
        const inFlight = new Set(writing.map((p) => p.id));
        queue = (await store.conn.all<{ id: number }>(`select id from note_chunks c where embedded = 0 and ${PASSAGE} order by id`)).map((r) => r.id).filter((id) => !inFlight.has(id));
        if (!queue.length) return [];
      }
      const batch = await store.conn.all<{ id: number; noteId: number; t: string }>(
        `select c.id, c.note_id as noteId, c.embed_text as t from json_each(?) j join note_chunks c on c.id = j.value where c.embedded = 0 and ${PASSAGE} order by c.id`,
        [JSON.stringify(queue.splice(0, BATCH))],
      );
      if (batch.length) return batch;
    }
  };
  let writing: Promise<void> | undefined;
  try {
    for (let pending = await nextBatch([]); pending.length; ) {
      const vectors = await embedYielding(embedder, pending.map((p) => p.t));
      if (writing) await writing;
      const next = await nextBatch(pending);
      // One statement per batch: the ids as JSON, the vectors as one float32 blob that SQL slices per row (JSON
      // number arrays cost more to write and to parse than the embedding itself).
      const ids = JSON.stringify(pending.map((p) => p.id));
      const blob = Buffer.concat(vectors.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength)));
      writing = store.write(async () => {
        // A passage removed while its batch was being embedded is skipped (its id no longer exists).
        await store.conn.run(
          `insert into ${VECTOR_TABLE} (chunk_id, embedding)
           select value, substr(?2, key * ${width} + 1, ${width}) from json_each(?1) where value in (select id from note_chunks where embedded = 0)`,
          [ids, blob],
        );
        await store.conn.run('update note_chunks set embedded = 1 where id in (select value from json_each(?))', [ids]);
      });
      writing.catch(() => undefined); // awaited below: not an unhandled rejection meanwhile
      pending.forEach((p, i) => addFresh(fresh, p.noteId, p.id, vectors[i]!, embedder.dimensions));
      added += pending.length;
      pending = next;
    }
  } finally {
    await writing;
  }
  await embedNotes(store, embedder.dimensions, fresh);
  await embedItems(store, embedder);
  const embedded = (await store.conn.get<{ n: number }>(`select count(*) as n from note_chunks c where embedded = 1 and ${PASSAGE}`))!.n;
  return { embedder: specText, dimensions: embedder.dimensions, chunks: total, embedded, added, reembedded: reembed && Boolean(current), ms: Math.round(performance.now() - started) };
}

/** Passages read at a time by the fit (their text, not held all at once: a 55 MB vault's passages are ~150 MB in memory). */
const FIT_PAGE = 4000;

/**
 * fitCorpus over the store's passages, read a page at a time in id order: words counted in the passages' own text and
 * each title once (not once per passage it heads), the common component from every componentSampleStep-th passage
 * as it is embedded. The same fit as fitCorpus given all of them in that order.
 */
async function fitToStore(store: Store, table: WordTable, passages: number) {
  const counts = new Uint32Array(table.scales.length);
  let total = 0;
  const step = componentSampleStep(passages);
  const sampled: string[] = [];
  let position = 0;
  for (let after = -1; ; ) {
    const rows = await store.conn.all<{ id: number; text: string; embedText: string }>(
      `select id, text, embed_text as embedText from note_chunks c where ${PASSAGE} and id > ? order by id limit ${FIT_PAGE}`,
      [after],
    );
    total += countWords(table, rows.map((r) => r.text), counts);
    for (const r of rows) if (position++ % step === 0) sampled.push(r.embedText);
    if (rows.length < FIT_PAGE) break;
    after = rows[rows.length - 1]!.id;
  }
  total += countWords(table, (await store.conn.all<{ t: string }>('select title as t from notes')).map((r) => r.t), counts);
  return fitCounted(table, counts, total, sampled);
}

/** Texts embedded between two turns of the event loop, so the SQL thread's queued work goes on meanwhile. */
const EMBED_SLICE = 512;

async function embedYielding(embedder: Embedder, texts: string[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += EMBED_SLICE) {
    out.push(...(await embedder.embed(texts.slice(i, i + EMBED_SLICE))));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}

/** Per note, the sum of the passage vectors embedded by this run, and which passages they were. */
type FreshSums = Map<number, { sum: Float32Array; ids: Set<number> }>;

function addFresh(fresh: FreshSums, noteId: number, passageId: number, vector: Float32Array, dimensions: number): void {
  let entry = fresh.get(noteId);
  if (!entry) fresh.set(noteId, (entry = { sum: new Float32Array(dimensions), ids: new Set() }));
  const sum = entry.sum;
  for (let k = 0; k < dimensions; k++) sum[k] = sum[k]! + vector[k]!;
  entry.ids.add(passageId);
}

/**
 * Gives each note whose passages all have vectors, and whose whole-note row has none, the normalized mean of its
 * passage vectors: from `fresh` when this run embedded exactly the note's passages (all of them, and none since
 * removed), else read from vec0. Read and written in one transaction per batch, so the passages cannot change in
 * between.
 */
async function embedNotes(store: Store, dimensions: number, fresh: FreshSums = new Map()): Promise<void> {
  for (let more = true; more; ) {
    more = await store.write(async () => {
      const rows = await store.conn.all<{ id: number; noteId: number }>(
        `select id, note_id as noteId from note_chunks where seq = ${NOTE_ROW_SEQ} and embedded = 0
            and note_id not in (select c.note_id from note_chunks c where c.embedded = 0 and ${PASSAGE})
          limit ${NOTE_BATCH}`,
      );
      if (!rows.length) return false;
      const passagesOf = new Map<number, number[]>();
      for (const r of await store.conn.all<{ id: number; noteId: number }>(`select id, note_id as noteId from note_chunks c where note_id in (select value from json_each(?)) and ${PASSAGE}`, [
        JSON.stringify(rows.map((r) => r.noteId)),
      ])) {
        const ids = passagesOf.get(r.noteId) ?? [];
        ids.push(r.id);
        passagesOf.set(r.noteId, ids);
      }
      const sums = new Map<number, Float32Array>();
      const noteOf = new Map<number, number>();
      for (const { noteId } of rows) {
        const ids = passagesOf.get(noteId) ?? [];
        const known = fresh.get(noteId);
        if (known && known.ids.size === ids.length && ids.every((id) => known.ids.has(id))) sums.set(noteId, Float32Array.from(known.sum));
        else {
          sums.set(noteId, new Float32Array(dimensions));
          for (const id of ids) noteOf.set(id, noteId);
        }
      }
      // Looked up by id (the cross join keeps json_each outside, so vec0 is asked for one chunk_id at a time, which it
      // finds at once; `chunk_id in (…)` would scan the whole vector table).
      const passages = noteOf.size
        ? await store.conn.all<{ id: number; embedding: Uint8Array }>(
            `select v.chunk_id as id, v.embedding from json_each(?) j cross join ${VECTOR_TABLE} v where v.chunk_id = j.value`,
            [JSON.stringify([...noteOf.keys()])],
          )
        : [];
      for (const p of passages) {
        const sum = sums.get(noteOf.get(p.id)!)!;
        const v = new Float32Array(p.embedding.buffer.slice(p.embedding.byteOffset, p.embedding.byteOffset + p.embedding.byteLength));
        for (let k = 0; k < dimensions; k++) sum[k] = sum[k]! + v[k]!;
      }
      const blob = Buffer.concat(rows.map((r) => Buffer.from(normalize(sums.get(r.noteId)!).buffer)));
      await store.conn.run(
        `insert into ${VECTOR_TABLE} (chunk_id, embedding) select value, substr(?2, key * ${dimensions * 4} + 1, ${dimensions * 4}) from json_each(?1)`,
        [JSON.stringify(rows.map((r) => r.id)), blob],
      );
      await store.conn.run('update note_chunks set embedded = 1 where id in (select value from json_each(?))', [JSON.stringify(rows.map((r) => r.id))]);
      return true;
    });
  }
}

/** Vectors whose passage is gone (removed where sqlite-vec could not load, or by a cascade) are deleted. */
async function sweepOrphans(store: Store): Promise<void> {
  const counts = await store.conn.get<{ v: number; c: number }>(
    `select (select count(*) from ${VECTOR_TABLE}_rowids) as v, (select count(*) from note_chunks where embedded = 1) as c`,
  );
  if (counts && counts.v !== counts.c) {
    await store.write(async () => {
      await store.conn.run(`delete from ${VECTOR_TABLE} where chunk_id in (select r.rowid from ${VECTOR_TABLE}_rowids r left join note_chunks c on c.id = r.rowid where c.id is null)`);
      // And passages marked embedded whose vector is missing are embedded again.
      await store.conn.run(`update note_chunks set embedded = 0 where embedded = 1 and id not in (select rowid from ${VECTOR_TABLE}_rowids)`);
    });
  }
}

/** Item text read by the embedder: the title and the start of the body (a mean of word vectors, or a model's window). */
const ITEM_TEXT_CHARS = 4000;

/** (Re)creates the items' vector table, empty, and marks every item as waiting for its vector. */
async function createItemVectors(store: Store, dimensions: number): Promise<void> {
  await store.conn.run(`drop table if exists ${ITEM_VECTOR_TABLE}`);
  await store.conn.run(`create virtual table ${ITEM_VECTOR_TABLE} using vec0(item_id integer primary key, embedding float[${dimensions}] distance_metric=cosine)`);
  await store.conn.run('update search_items set embedded = 0 where embedded <> 0');
}

/** search_items.embedded: 0 no vector or an outdated one; 1 its vector is current; CLAIMED being embedded (or left so by a crash). */
const CLAIMED = 2;

/**
 * Embeds the search items (tasks, entities, memories, sessions, messages) that have no vector or an outdated one, up
 * to `max` of them, with the embedder that made the notes' vectors. A batch is claimed (flag CLAIMED) in the
 * transaction that reads its text, embedded outside any transaction, and written in one more; an item changed
 * meanwhile had its flag reset to 0 by its trigger, so its stale vector is not written and it waits for the next run.
 */
async function embedItems(store: Store, embedder: Embedder, max = Infinity): Promise<number> {
  const exists = await store.conn.get(`select 1 from sqlite_master where type = 'table' and name = ?`, [ITEM_VECTOR_TABLE]);
  if (!exists) await store.write(() => createItemVectors(store, embedder.dimensions));
  const width = embedder.dimensions * 4;
  let added = 0;
  while (added < max) {
    const pending = await store.write(async () => {
      const rows = await store.conn.all<{ id: number; t: string }>(
        `select s.id, substr(f.title || char(10) || f.body, 1, ${ITEM_TEXT_CHARS}) as t
           from search_items s join search_items_fts f on f.rowid = s.id where s.embedded in (0, ${CLAIMED}) limit ${Math.min(BATCH, max - added)}`,
      );
      await store.conn.run(`update search_items set embedded = ${CLAIMED} where id in (select value from json_each(?))`, [JSON.stringify(rows.map((r) => r.id))]);
      return rows;
    });
    if (!pending.length) break;
    const vectors = await embedder.embed(pending.map((p) => p.t));
    const ids = JSON.stringify(pending.map((p) => p.id));
    const blob = Buffer.concat(vectors.map((v) => Buffer.from(v.buffer, v.byteOffset, width)));
    await store.write(async () => {
      // An item embedded before has a vector to replace (vec0 has no upsert; deleted one by one: `in (…)` scans it).
      const stale = await store.conn.all<{ id: number }>(`select j.value as id from json_each(?) j join search_items s on s.id = j.value and s.embedded = ${CLAIMED} join ${ITEM_VECTOR_TABLE}_rowids r on r.rowid = j.value`, [ids]);
      for (const { id } of stale) await store.conn.run(`delete from ${ITEM_VECTOR_TABLE} where item_id = ?`, [id]);
      await store.conn.run(
        `insert into ${ITEM_VECTOR_TABLE} (item_id, embedding)
         select value, substr(?2, key * ${width} + 1, ${width}) from json_each(?1) where value in (select id from search_items where embedded = ${CLAIMED})`,
        [ids, blob],
      );
      await store.conn.run(`update search_items set embedded = 1 where embedded = ${CLAIMED} and id in (select value from json_each(?))`, [ids]);
    });
    added += pending.length;
  }
  return added;
}

/** Items changed since the last index run get their vectors (at most a few thousand per call), where the store has any. */
export async function embedPendingItems(store: Store, embedder?: Embedder, max = 4000): Promise<number> {
  if (!store.vecVersion || store.readOnly) return 0;
  if (!(await store.conn.get(`select 1 from search_items where embedded in (0, ${CLAIMED}) limit 1`))) return 0;
  const using = embedder ?? (await storeEmbedder(store));
  return using ? embedItems(store, using, max) : 0;
}
