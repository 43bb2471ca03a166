// The notes' vectors (note_chunk_vectors: passages and whole-note rows) held in memory for search by meaning in a
// long-lived process (StoreOptions.vectorsInMemory: the backend, `cairn mcp`). sqlite-vec's KNN is a brute-force
// scan that reads every vector through SQLite's page cache and answers `chunk_id in (…)` filters row by row: a few
// hundred ms a query at 10,000 notes. Here one scan of an array ranks every row.
//
// The array is int16 with a scale per vector (half of float32's ~60 MB at 150,000 passages), and each row keeps a
// bound on how far its quantised distance can be from its exact one (‖v − v̂‖ / ‖v‖, by Cauchy–Schwarz, for a unit
// query; ~3e-5). Where a bound leaves a decision open (which rows are the k nearest, which passage is a note's best,
// which of two notes ranks first, how a shown score rounds), the rows concerned get their exact distance from their
// float32 vectors, read back from vec0 by chunk id (~70 µs each: a few per query). So the notes, their order, their
// passages and their scores are those a scan of vec0 gives.
//
// Read once per process from vec0's table and read again when it changes: a vector never changes under its chunk
// id (note_chunks ids are never reused; an edited passage gets a new row), so the vectors are current while the
// number of them, the highest id and the embedder's state (a refit or another embedder re-embeds under the same
// ids) are the same; those are looked at only after this connection or another wrote.
import type { Store } from '../store';
import { NOTE_ROW_SEQ, VECTOR_TABLE } from './chunkStore';
import { BLOCK, dotScanner, type DotScanner } from './dotScan';
import { writesKey } from './untilWrite';

/** Rounding of the float arithmetic below (the scan sums in float32: ~1e-6 of |v||q|), added to every error bound. */
const ROUNDING = 1e-5;
/** The quantised values' range: ±QUANT (int16). */
const QUANT = 32_767;
/** At most this many nearest rows are taken per query (sqlite-vec's own limit, which the search was tuned with). */
export const MAX_K = 4096;

/** One note ranked by meaning: the mean of its best passage's similarity and its whole-note vector's. */
export interface NoteByMeaning {
  noteId: number;
  /** Its best passage (note_chunks.id). */
  passage: number;
  score: number;
}

/**
 * The cosine distance of two float32 vectors as sqlite-vec's scan computes it, to the bit (float32 sums in order, then
 * the square roots and the division): a distance one float32 step off can round a shown score differently, or swap
 * two near-tied notes, and the in-memory search must answer as sqlite-vec's does.
 */
export function cosineDistance(x: Float32Array, q: Float32Array): number {
  const f = Math.fround;
  let dot = 0, xx = 0, qq = 0; // prettier-ignore
  for (let j = 0; j < x.length; j++) {
    dot = f(dot + f(x[j]! * q[j]!));
    xx = f(xx + f(x[j]! * x[j]!));
    qq = f(qq + f(q[j]! * q[j]!));
  }
  return f(1 - dot / (Math.sqrt(xx) * Math.sqrt(qq)));
}

/** The vectors of one store, as loaded. */
export class NoteVectors {
  /** note id → the rows (indexes into chunkIds, ascending) of that note. */
  private readonly rowsByNote = new Map<number, number[]>();
  /** The rows whose vector is not all zeros, and those whose vector is, ascending (made at the first search). */
  private byZeros: { nonNull: Int32Array; zeros: Int32Array } | undefined;

  constructor(
    readonly dimensions: number,
    /** Per row: its chunk id, its note, 1 for a whole-note row. */
    readonly chunkIds: Float64Array,
    readonly noteIds: Float64Array,
    readonly wholeNote: Uint8Array,
    /** Per row: 1 / |v| of the float32 vector (0 for a vector of zeros). */
    readonly inverseNorms: Float32Array,
    /** Per row: the quantised values' scale (v ≈ scale × value). */
    readonly scales: Float32Array,
    /** Per row: how far the quantised cosine distance may be from the exact one, for any query. */
    readonly errors: Float32Array,
    /** Row i's quantised values at [i × stride, i × stride + dimensions) (zeros up to the stride). */
    readonly values: Int16Array,
    /** The values' row length: dimensions rounded up to whole blocks of the scan. */
    readonly stride: number,
    /** The WebAssembly scan over `values` (in its memory), or null: a JavaScript loop. */
    readonly scanner: DotScanner | null,
  ) {
    for (let i = 0; i < noteIds.length; i++) {
      const rows = this.rowsByNote.get(noteIds[i]!);
      if (rows) rows.push(i);
      else this.rowsByNote.set(noteIds[i]!, [i]);
    }
  }

  get size(): number {
    return this.chunkIds.length;
  }

  /** The dot product of every row's quantised values with the query (float32 sums: within ROUNDING of exact); valid until the next call. */
  dots(query: Float32Array): Float32Array {
    const n = this.size;
    const stride = this.stride;
    if (this.scanner) {
      // The memory: the values, then the query (one stride of float32), then the dot products.
      const at = this.values.byteOffset + this.values.byteLength;
      const q = new Float32Array(this.scanner.memory.buffer, at, stride).fill(0);
      q.set(query.subarray(0, this.dimensions));
      this.scanner.scan(this.values.byteOffset, n, stride / BLOCK, at, at + stride * 4);
      // A view: read before the next scan (the caller does, at once).
      return new Float32Array(this.scanner.memory.buffer, at + stride * 4, n);
    }
    const dim = this.dimensions;
    const values = this.values;
    const out = new Float32Array(n);
    for (let i = 0, o = 0; i < n; i++, o += stride) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0; // prettier-ignore
      let j = 0;
      for (; j + 3 < dim; j += 4) {
        s0 += values[o + j]! * query[j]!;
        s1 += values[o + j + 1]! * query[j + 1]!;
        s2 += values[o + j + 2]! * query[j + 2]!;
        s3 += values[o + j + 3]! * query[j + 3]!;
      }
      for (; j < dim; j++) s0 += values[o + j]! * query[j]!;
      out[i] = s0 + s1 + s2 + s3;
    }
    return out;
  }

  private splitByZeros(): { nonNull: Int32Array; zeros: Int32Array } {
    const all = Int32Array.from({ length: this.size }, (_, i) => i);
    return { nonNull: all.filter((i) => this.inverseNorms[i]! > 0), zeros: all.filter((i) => !(this.inverseNorms[i]! > 0)) };
  }

  /** The rows of this note, ascending. */
  rowsOfNote(noteId: number): readonly number[] {
    return this.rowsByNote.get(noteId) ?? [];
  }

  /**
   * The notes by meaning, best first, at most `limit`, as search by meaning ranks them over the exact (float32)
   * distances: the notes owning the nearest rows (at least `limit` of them unless there are fewer; rows of the
   * `excluded` notes left out), each scored by its best passage and its whole-note row.
   */
  async rank(store: Store, query: Float32Array, limit: number, excluded: readonly number[] | null): Promise<NoteByMeaning[]> {
    const d = new QueryDistances(this, store, query);
    const left = new Set<number>();
    for (const id of excluded ?? []) for (const r of this.rowsOfNote(id)) left.add(r);
    // A row is null (a vector of zeros) whatever the query (unless the query is zeros: then every row is).
    const zeroQuery = !(d.qInv > 0);
    const { nonNull, zeros } = (this.byZeros ??= this.splitByZeros());
    const rows = zeroQuery ? [] : left.size ? nonNull.filter((i) => !left.has(i)) : nonNull;
    const nullRows = zeroQuery ? Int32Array.from({ length: this.size }, (_, i) => i) : zeros;
    const nulls = Array.from(left.size ? nullRows.filter((i) => !left.has(i)) : nullRows);
    const cap = Math.max(limit * 3, 30);
    let candidates: number[] = [];
    // Each note may own several of the nearest rows: take a few per wanted note, and more only when that gave too
    // few notes (as sqlite-vec's KNN did, so the candidates are the same).
    for (let k = Math.min(MAX_K, cap); ; k = Math.min(MAX_K, k * 3)) {
      const nearest = await d.nearest(rows, k);
      const taken = nearest.length + Math.min(nulls.length, k - nearest.length);
      const notes = await d.notesInOrder(nearest, nulls.slice(0, k - nearest.length), cap);
      if (notes.length >= limit || taken < k || k === MAX_K) {
        candidates = notes.slice(0, cap);
        break;
      }
    }
    return d.rankNotes(candidates, limit);
  }
}

/** One query's distances: quantised for every row, exact (read back from vec0) for the rows that decide. */
class QueryDistances {
  readonly approx: Float32Array;
  private readonly exact = new Map<number, number>();
  /** lo(i) of every row (NaN for a null row), kept as rows are refined: nearest() reads 151,217 of them per call at
   *  10,000 notes, where a Map lookup each cost more than the scan. */
  private readonly lows: Float64Array;
  readonly qInv: number;

  constructor(
    private readonly v: NoteVectors,
    private readonly store: Store,
    private readonly query: Float32Array,
  ) {
    const dim = v.dimensions;
    let qq = 0;
    for (let j = 0; j < dim; j++) qq += query[j]! * query[j]!;
    this.qInv = qq > 0 ? 1 / Math.sqrt(qq) : NaN;
    const dots = v.dots(query);
    const out = new Float32Array(v.size);
    const lows = new Float64Array(v.size);
    for (let i = 0; i < out.length; i++) {
      const inv = v.inverseNorms[i]!;
      // NaN for a row of zeros (sqlite-vec's NULL: a quantised vector is zeros only where the vector is) or a query of zeros.
      out[i] = inv > 0 ? 1 - dots[i]! * v.scales[i]! * inv * this.qInv : NaN;
      lows[i] = out[i]! - v.errors[i]! - ROUNDING;
    }
    this.approx = out;
    this.lows = lows;
  }

  isNull(i: number): boolean {
    return this.approx[i] !== this.approx[i];
  }
  /** The lowest and highest exact distance row i can have (not for a null row). */
  lo(i: number): number {
    return this.lows[i]!;
  }
  hi(i: number): number {
    return this.exact.get(i) ?? this.approx[i]! + this.v.errors[i]! + ROUNDING;
  }
  /** As search by meaning counts a passage's distance: a null one as 1. */
  loOr1(i: number): number {
    return this.isNull(i) ? 1 : this.lo(i);
  }
  hiOr1(i: number): number {
    return this.isNull(i) ? 1 : this.hi(i);
  }
  mid(i: number): number {
    return (this.lo(i) + this.hi(i)) / 2;
  }

  private setExact(i: number, distance: number): void {
    this.exact.set(i, distance);
    this.lows[i] = distance;
  }

  /** Computes these rows' exact distances (float32 vectors read from vec0; as a scan of them computes it). */
  async refine(rows: Iterable<number>): Promise<void> {
    const missing = [...new Set(rows)].filter((i) => !this.exact.has(i) && !this.isNull(i));
    if (!missing.length) return;
    const dim = this.v.dimensions;
    const vectors = await this.store.conn.all<{ id: number; e: Buffer }>(
      `select v.chunk_id as id, v.embedding as e from json_each(?) j join ${VECTOR_TABLE} v on v.chunk_id = j.value`,
      [JSON.stringify(missing.map((i) => this.v.chunkIds[i]))],
    );
    const byChunk = new Map(vectors.map((r) => [r.id, r.e]));
    const query = this.query;
    for (const i of missing) {
      const e = byChunk.get(this.v.chunkIds[i]!);
      // Gone since the load (another process deleted it): its quantised distance, until the next search reloads.
      if (!e) {
        this.setExact(i, this.approx[i]!);
        continue;
      }
      const x = new Float32Array(e.buffer.slice(e.byteOffset, e.byteOffset + dim * 4));
      this.setExact(i, cosineDistance(x, query));
    }
  }

  /**
   * The k nearest of these (non-null) rows by exact distance (ties: the lower row), in no particular order: the
   * rows surely among them as they are, the ones near the k-th computed exactly.
   */
  async nearest(rows: ArrayLike<number> & Iterable<number>, k: number): Promise<number[]> {
    if (rows.length <= k) return [...rows];
    const lo = this.lows;
    for (let m = Math.min(rows.length, 2 * k); ; m = Math.min(rows.length, 2 * m)) {
      const byLo = smallest(rows, lo, m);
      const his = byLo.map((i) => this.hi(i)).sort((a, b) => a - b);
      const kthHi = his[k - 1]!;
      // Every row past these has lo (so hi) above the k-th hi: none of them can be among the k.
      if (m < rows.length && lo[byLo[m - 1]!]! <= kthHi) continue;
      const kthLo = lo[byLo[k - 1]!]!;
      const possible = byLo.filter((i) => lo[i]! <= kthHi);
      if (possible.length === k) return possible;
      // Surely in: fewer than k rows can be nearer. The rest compete for what is left by exact distance.
      const sure = possible.filter((i) => this.hi(i) < kthLo);
      const band = possible.filter((i) => !(this.hi(i) < kthLo));
      await this.refine(band);
      band.sort((a, b) => this.lo(a) - this.lo(b) || a - b);
      return [...sure, ...band.slice(0, k - sure.length)];
    }
  }

  /**
   * The notes owning these rows (then the null rows'), in the order of each one's nearest row, exact where `cap`
   * cuts the list.
   */
  async notesInOrder(rows: readonly number[], nulls: readonly number[], cap: number): Promise<number[]> {
    const byNote = new Map<number, number[]>();
    for (const i of rows) {
      const id = this.v.noteIds[i]!;
      const list = byNote.get(id);
      if (list) list.push(i);
      else byNote.set(id, [i]);
    }
    const nullNotes = nulls.map((i) => this.v.noteIds[i]!);
    for (;;) {
      // A note's nearest row: its interval, and the rows that may be it.
      const notes = [...byNote].map(([id, list]) => {
        const hi = Math.min(...list.map((i) => this.hi(i)));
        const contenders = list.filter((i) => this.lo(i) <= hi);
        const lo = Math.min(...contenders.map((i) => this.lo(i)));
        const first = contenders.length === 1 || contenders.every((i) => this.lo(i) === this.hi(i)) ? Math.min(...contenders.filter((i) => this.lo(i) === lo)) : -1;
        return { id, lo, hi, contenders, first };
      });
      notes.sort((a, b) => a.lo + a.hi - (b.lo + b.hi) || a.first - b.first);
      const ordered = [...new Set([...notes.map((n) => n.id), ...nullNotes])];
      if (ordered.length <= cap || notes.length <= cap) return ordered;
      // Cut at cap: the notes on either side must be told apart exactly.
      const unsure = new Set<number>();
      for (let i = Math.max(0, cap - 1); i + 1 < notes.length && i <= cap; i++) {
        const [a, b] = [notes[i]!, notes[i + 1]!];
        if (b.lo <= a.hi && !(a.lo === a.hi && b.lo === b.hi)) for (const n of [a, b]) for (const r of n.contenders) unsure.add(r);
      }
      // Further notes whose interval reaches across the cut.
      const edge = notes[cap - 1]!;
      notes.slice(cap).forEach((n) => n.lo <= edge.hi && n.contenders.forEach((r) => unsure.add(r)));
      notes.slice(0, cap).forEach((n) => n.hi >= notes[cap]!.lo && n.contenders.forEach((r) => unsure.add(r)));
      const before = this.exact.size;
      await this.refine(unsure);
      if (this.exact.size === before) return ordered;
    }
  }

  /** The candidates scored by their best passage and whole-note row, best first, at most `limit`: exact where it shows. */
  async rankNotes(candidates: readonly number[], limit: number): Promise<NoteByMeaning[]> {
    const order = new Map(candidates.map((id, i) => [id, i]));
    for (;;) {
      const scored = candidates.flatMap((id) => {
        const rows = this.v.rowsOfNote(id);
        const passages = rows.filter((i) => !this.v.wholeNote[i]);
        if (!passages.length) return [];
        const whole = rows.find((i) => this.v.wholeNote[i]);
        const bestHi = Math.min(...passages.map((i) => this.hiOr1(i)));
        const contenders = passages.filter((i) => this.loOr1(i) <= bestHi);
        const bestLo = Math.min(...contenders.map((i) => this.loOr1(i)));
        const exactBest = contenders.every((i) => this.loOr1(i) === this.hiOr1(i));
        // Ties: the first row (as a stable sort by distance keeps them).
        const passage = exactBest ? Math.min(...contenders.filter((i) => this.loOr1(i) === bestLo)) : contenders.length === 1 ? contenders[0]! : -1;
        const score = (best: number, w: number | undefined) => (w === undefined ? best : (best + w) / 2);
        const wholeLo = whole === undefined ? undefined : 1 - this.hiOr1(whole);
        const wholeHi = whole === undefined ? undefined : 1 - this.loOr1(whole);
        const lo = score(1 - bestHi, wholeLo);
        const hi = score(1 - bestLo, wholeHi);
        // The order notes were first met in, by their nearest row (search by meaning's tie-break).
        const nearest = Math.min(bestLo, whole === undefined ? Infinity : this.loOr1(whole));
        const rowsToRefine = [...contenders, ...(whole === undefined ? [] : [whole])];
        return [{ id, passage, lo, hi, nearest, rowsToRefine, exact: lo === hi && passage >= 0 }];
      });
      scored.sort((a, b) => b.lo + b.hi - (a.lo + a.hi) || a.nearest - b.nearest || order.get(a.id)! - order.get(b.id)!);
      const unsure = new Set<(typeof scored)[number]>();
      for (let i = 0; i < Math.min(limit, scored.length); i++) {
        const a = scored[i]!;
        const b = scored[i + 1];
        // Its place (against the next: also for the last one shown), its rounded score and its passage must be sure.
        if (b && b.hi >= a.lo && !(a.exact && b.exact)) [a, b].forEach((n) => unsure.add(n));
        if (Math.round(a.lo * 1000) !== Math.round(a.hi * 1000) || a.passage < 0) unsure.add(a);
      }
      const before = this.exact.size;
      await this.refine([...unsure].flatMap((n) => n.rowsToRefine));
      if (!unsure.size || this.exact.size === before) {
        return scored.slice(0, limit).map((n) => ({ noteId: n.id, passage: this.v.chunkIds[n.passage >= 0 ? n.passage : n.rowsToRefine[0]!]!, score: (n.lo + n.hi) / 2 }));
      }
    }
  }
}

/** The `n` rows with the smallest keys, smallest first (ties by row). */
function smallest(rows: ArrayLike<number> & Iterable<number>, key: Float64Array, n: number): number[] {
  if (n >= rows.length) return [...rows].sort((a, b) => key[a]! - key[b]! || a - b);
  // A max-heap of the best n so far: most rows are rejected by one comparison.
  const heap = new Int32Array(n);
  let size = 0;
  const above = (a: number, b: number) => key[a]! > key[b]! || (key[a] === key[b] && a > b);
  let worst = Infinity; // the heap top's key once the heap is full
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (key[row]! > worst) continue;
    if (size < n) {
      let i = size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!above(row, heap[p]!)) break;
        heap[i] = heap[p]!;
        i = p;
      }
      heap[i] = row;
      if (size === n) worst = key[heap[0]!]!;
    } else if (above(heap[0]!, row)) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const c = l + 1 < n && above(heap[l + 1]!, heap[l]!) ? l + 1 : l;
        if (!above(heap[c]!, row)) break;
        heap[i] = heap[c]!;
        i = c;
      }
      heap[i] = row;
      worst = key[heap[0]!]!;
    }
  }
  return [...heap.subarray(0, size)].sort((a, b) => key[a]! - key[b]! || a - b);
}

interface Cached {
  /** (data_version, total_changes()) when last checked: unchanged means nothing was written since. */
  writes: string;
  /** What the vectors were loaded at (see the top of this file). */
  fingerprint: string;
  vectors: NoteVectors;
}

const cache = new WeakMap<Store, Cached>();
/** Loads in progress, so concurrent searches share one. */
const loading = new WeakMap<Store, Promise<NoteVectors>>();

async function fingerprintOf(store: Store): Promise<string> {
  return JSON.stringify(
    await store.conn.get(
      `select (select count(*) from ${VECTOR_TABLE}_rowids) as n, (select max(rowid) from ${VECTOR_TABLE}_rowids) as last,
              (select updated_at from embedding_state where id = 1) as state`,
    ),
  );
}

/**
 * The store's note vectors in memory, current with the store (read again after a write changed them). Only where
 * sqlite-vec is loaded and the vector table exists (the caller checks).
 */
export async function noteVectors(store: Store): Promise<NoteVectors> {
  const pending = loading.get(store);
  if (pending) return pending;
  const load = current(store).finally(() => loading.delete(store));
  loading.set(store, load);
  return load;
}

async function current(store: Store): Promise<NoteVectors> {
  const cached = cache.get(store);
  const writes = await writesKey(store.conn);
  if (cached && cached.writes === writes) return cached.vectors;
  const fingerprint = await fingerprintOf(store);
  if (cached && cached.fingerprint === fingerprint) {
    cached.writes = writes;
    return cached.vectors;
  }
  cache.delete(store); // the old vectors can go before the new ones are read
  const vectors = await readVectors(store);
  // The fingerprint read before the vectors: a write in between makes the next search look again.
  cache.set(store, { writes, fingerprint, vectors });
  return vectors;
}

/** The passages and whole-note rows (note_chunks), by id ascending: their notes and which are whole-note rows. */
interface Owners {
  ids: Float64Array;
  noteIds: Float64Array;
  whole: Uint8Array;
}

/** Where `id` is in the ascending `ids`, or -1. */
function indexOf(ids: Float64Array, id: number): number {
  let lo = 0;
  let hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else if (ids[mid]! > id) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/** Every vector of note_chunk_vectors with its note, in chunk id order, quantised (int16, a scale per vector). */
async function readVectors(store: Store): Promise<NoteVectors> {
  // As three flat JSON arrays: a row per chunk, or an object per chunk, would cost more than the vectors.
  const owned = await store.conn.get<{ ids: string; notes: string; seqs: string }>(
    `select json_group_array(id) as ids, json_group_array(note_id) as notes, json_group_array(seq = ${NOTE_ROW_SEQ}) as seqs from (select id, note_id, seq from note_chunks order by id)`,
  );
  const owners: Owners = {
    ids: Float64Array.from(JSON.parse(owned?.ids ?? '[]') as number[]),
    noteIds: Float64Array.from(JSON.parse(owned?.notes ?? '[]') as number[]),
    whole: Uint8Array.from(JSON.parse(owned?.seqs ?? '[]') as number[]),
  };
  const fromShadow = await readShadowChunks(store, owners);
  if (fromShadow) return fromShadow;
  const rows = (await store.conn.all<{ id: number; e: Buffer }>(`select chunk_id as id, embedding as e from ${VECTOR_TABLE}`)).filter((r) => indexOf(owners.ids, r.id) >= 0).sort((a, b) => a.id - b.id);
  const build = new Builder(rows.length ? rows[0]!.e.length / 4 : 0, Float64Array.from(rows, (r) => r.id), owners);
  rows.forEach((r, i) => build.set(i, new Float32Array(r.e.buffer.slice(r.e.byteOffset, r.e.byteOffset + r.e.length))));
  return build.done();
}

/** The arrays of a NoteVectors, filled one row at a time. */
class Builder {
  private readonly stride: number;
  private readonly scanner: DotScanner | null;
  private readonly values: Int16Array;
  private readonly scales: Float32Array;
  private readonly errors: Float32Array;
  private readonly noteIds: Float64Array;
  private readonly wholeNote: Uint8Array;
  private readonly inverseNorms: Float32Array;

  constructor(
    private readonly dim: number,
    /** The chunk ids, ascending: row i's is chunkIds[i]; each one of owners.ids. */
    private readonly chunkIds: Float64Array,
    owners: Owners,
  ) {
    const n = chunkIds.length;
    this.stride = Math.ceil(dim / BLOCK) * BLOCK;
    // The scan's memory: the values, the query, the dot products.
    this.scanner = n ? dotScanner(n * this.stride * 2 + this.stride * 4 + n * 4) : null;
    this.values = this.scanner ? new Int16Array(this.scanner.memory.buffer, 0, n * this.stride) : new Int16Array(n * this.stride);
    this.scales = new Float32Array(n);
    this.errors = new Float32Array(n);
    this.inverseNorms = new Float32Array(n);
    this.noteIds = new Float64Array(n);
    this.wholeNote = new Uint8Array(n);
    for (let i = 0, j = 0; i < n; i++) {
      while (owners.ids[j]! < chunkIds[i]!) j++;
      this.noteIds[i] = owners.noteIds[j]!;
      this.wholeNote[i] = owners.whole[j]!;
    }
  }

  set(i: number, v: Float32Array): void {
    const dim = this.dim;
    let ss = 0;
    let max = 0;
    for (let j = 0; j < dim; j++) {
      ss += v[j]! * v[j]!;
      max = Math.max(max, Math.abs(v[j]!));
    }
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    const scale = max / QUANT;
    let residual = 0;
    for (let j = 0; j < dim; j++) {
      const q = scale > 0 ? Math.round(v[j]! / scale) : 0;
      this.values[i * this.stride + j] = q;
      residual += (v[j]! - q * scale) ** 2;
    }
    this.inverseNorms[i] = inv;
    this.scales[i] = scale;
    // |q̂·(v − v̂)| / |v| ≤ |v − v̂| / |v| for a unit query; the stored scale's own rounding is within ROUNDING.
    this.errors[i] = Math.sqrt(residual) * inv * (1 + 1e-6);
  }

  done(): NoteVectors {
    return new NoteVectors(this.dim, this.chunkIds, this.noteIds, this.wholeNote, this.inverseNorms, this.scales, this.errors, this.values, this.stride, this.scanner);
  }
}

/**
 * Reads vec0's own storage (sqlite-vec 0.1: per chunk of rows a validity bitmap, the rowids as int64, and the
 * vectors as one float32 blob), two chunks at a time: a row per vector through SQLite costs ~7 µs each and holds
 * every one at once. Undefined where that storage is not as expected: the caller reads the table.
 */
async function readShadowChunks(store: Store, owners: Owners): Promise<NoteVectors | undefined> {
  const t = VECTOR_TABLE;
  try {
    const expected = (await store.conn.get<{ n: number }>(`select count(*) as n from ${t}_rowids`))!.n;
    const first = await store.conn.get<{ e: Buffer }>(`select embedding as e from ${t} limit 1`);
    const dim = first ? first.e.length / 4 : 0;
    // Where each vector is: chunk → its slots' places in owners.ids (-1: an empty slot, or no passage's).
    const slots = new Map<number, Int32Array>();
    const present = new Uint8Array(owners.ids.length);
    let valid = 0;
    for (const c of await store.conn.all<{ id: number; size: number; validity: Buffer; rowids: Buffer }>(`select chunk_id as id, size, validity, rowids from ${t}_chunks`)) {
      if (c.rowids.length !== c.size * 8 || c.validity.length * 8 < c.size) return undefined;
      const at = new Int32Array(c.size).fill(-1);
      for (let i = 0; i < c.size; i++) {
        if (!(c.validity[i >> 3]! & (1 << (i & 7)))) continue;
        valid++;
        at[i] = indexOf(owners.ids, Number(c.rowids.readBigInt64LE(i * 8)));
        if (at[i]! >= 0) present[at[i]!] = 1;
      }
      slots.set(c.id, at);
    }
    if (valid !== expected) return undefined;
    // Row of each present owner: its rank among them.
    const rowOf = new Int32Array(owners.ids.length);
    let n = 0;
    for (let j = 0; j < present.length; j++) rowOf[j] = present[j] ? n++ : -1;
    const build = new Builder(dim, owners.ids.filter((_, j) => present[j] === 1), owners);
    let filled = 0;
    for (let after = -Infinity; ; ) {
      const chunks = await store.conn.all<{ id: number; vectors: Buffer }>(`select rowid as id, vectors from ${t}_vector_chunks00 where rowid > ? order by rowid limit 2`, [after]);
      if (!chunks.length) break;
      for (const c of chunks) {
        const at = slots.get(c.id);
        after = c.id;
        if (!at) continue;
        if (c.vectors.length !== at.length * dim * 4) return undefined;
        const copy = new Float32Array(c.vectors.buffer.slice(c.vectors.byteOffset, c.vectors.byteOffset + c.vectors.length));
        for (let i = 0; i < at.length; i++) {
          if (at[i]! < 0) continue;
          build.set(rowOf[at[i]!]!, copy.subarray(i * dim, (i + 1) * dim));
          filled++;
        }
      }
    }
    return filled === n ? build.done() : undefined;
  } catch {
    return undefined;
  }
}
