// The default embedder: GloVe 6B 100d word vectors (the 50,000 most frequent words, post-processed "all-but-the-top",
// int8, built into dist/glove-50k-int8.bin by scripts/build-embeddings.mjs) averaged with SIF weights a/(a + p(w)), where p(w) is
// the word's frequency in the vault itself, then with the corpus's common component removed (Arora et al., "A
// simple but tough-to-beat baseline for sentence embeddings"). The frequencies and the component are the
// embedder's fitted state: fitCorpus computes them from the vault's passages, and the store keeps them so that
// queries and later passages are embedded the same way. Only content words count: function words are dropped (a
// small vault's counts are too noisy to weigh them down reliably, and a question is mostly made of them), and so
// are link targets and URLs (markup, not meaning).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../errors';
import { normalize, type Embedder } from './embedder';
import { STOPWORDS } from './search';

/** Names the vectors: a change to the table or to how words are weighed or chosen needs a new id (re-embeds). */
export const GLOVE_EMBEDDER_ID = 'glove-6b-100d-abtt3-sif-content';
export const WORD_TABLE_FILE = 'glove-50k-int8.bin';
const MAGIC = 'CAIRNWV3';
const HEADER_BYTES = 24;
/** SIF's smoothing constant: words more frequent than about this share of the text weigh little. */
const SIF_A = 1e-3;
/** Passages sampled to estimate the common component (enough for a stable 100×100 second moment). */
const COMPONENT_SAMPLE = 4_000;

export interface WordTable {
  /** word → its index in the table (a hash table over the table's bytes: see WordIndex). */
  index: WordIndex;
  dimensions: number;
  /** Per word: value = int8 × scale. */
  scales: Float32Array;
  values: Int8Array;
}

/** The vault's word statistics that SIF needs, and the common component to remove (null: none). */
export interface CorpusStats {
  /** Occurrences of each table word in the vault (by table index). */
  counts: Uint32Array;
  /** All word tokens seen, in the table or not. */
  total: number;
  component: Float32Array | null;
}

/** Finds the table beside the bundle (dist/) or, in development, in the repository's dist/. */
export function findWordTable(start = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    for (const candidate of [path.join(dir, WORD_TABLE_FILE), path.join(dir, 'dist', WORD_TABLE_FILE)]) if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) {
      throw new StoreError('store_unavailable', `The word-vector table ${WORD_TABLE_FILE} was not found beside Cairn (searched up from ${start}). Build it with "node esbuild.mjs" (or "node scripts/build-embeddings.mjs"), or reinstall the extension.`);
    }
  }
}

const tables = new Map<string, WordTable>();

/**
 * Reads the table once per process (~6 MB, scripts/build-embeddings.mjs describes its layout): every part is a view
 * of the bytes read, the words' hash table included, so a one-shot `cairn search` pays the read and nothing more.
 */
export function loadWordTable(file = findWordTable()): WordTable {
  const cached = tables.get(file);
  if (cached) return cached;
  let buf = fs.readFileSync(file);
  if (buf.length < HEADER_BYTES || buf.toString('latin1', 0, 8) !== MAGIC) throw new StoreError('corrupt', `${file} is not a Cairn word-vector table. Rebuild it with "node scripts/build-embeddings.mjs --force".`);
  const count = buf.readUInt32LE(8);
  const dimensions = buf.readUInt32LE(12);
  const blobBytes = buf.readUInt32LE(16);
  const slotCount = buf.readUInt32LE(20);
  const damaged = () => new StoreError('corrupt', `${file} is truncated or damaged. Rebuild it with "node scripts/build-embeddings.mjs --force".`);
  if (blobBytes % 4 || slotCount <= count || slotCount & (slotCount - 1) || buf.length !== HEADER_BYTES + blobBytes + (count + 1) * 4 + slotCount * 4 + count * 4 + count * dimensions) throw damaged();
  // The arrays are read in place, which needs 4-byte alignment (a file this size is read into a buffer of its own).
  if (buf.byteOffset % 4) buf = Buffer.from(buf);
  let at = buf.byteOffset + HEADER_BYTES;
  const view = <T>(make: new (b: ArrayBufferLike, offset: number, length: number) => T, length: number, bytesPer: number): T => {
    const v = new make(buf.buffer, at, length);
    at += length * bytesPer;
    return v;
  };
  const lines = view(Uint8Array, blobBytes, 1);
  const starts = view(Int32Array, count + 1, 4);
  const slots = view(Int32Array, slotCount, 4);
  const scales = view(Float32Array, count, 4);
  const values = view(Int8Array, count * dimensions, 1);
  if (starts[count]! > blobBytes || starts[0] !== 1) throw damaged();
  const table: WordTable = { index: new WordIndex(lines, starts, slots), dimensions, scales, values };
  tables.set(file, table);
  return table;
}

/**
 * The table's words → their index, by the hash table built into the file (open addressing, FNV-1a of the word's
 * UTF-8 bytes): nothing to build at load, where a Map of 50,000 strings took ~30 ms and its garbage more, and hashing
 * the words at load ~10 ms, which a one-shot CLI search paid before its first lookup.
 */
export class WordIndex {
  constructor(
    /** The words, each between two newlines: word i is lines[starts[i], starts[i + 1] - 1). */
    private readonly lines: Uint8Array,
    private readonly starts: Int32Array,
    /** A word's index + 1 at its hash's slot or the next free one after it; 0 is empty. */
    private readonly slots: Int32Array,
  ) {}

  get size(): number {
    return this.starts.length - 1;
  }

  get(word: string): number | undefined {
    // An ASCII word (most) is hashed and compared as it is; any other as its UTF-8 bytes.
    let h = FNV_OFFSET;
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i);
      if (c > 0x7f) return this.getBytes(Buffer.from(word, 'utf8'));
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    return this.find(h, word, 0, word.length, false);
  }

  /**
   * The index of text[start, end), an ASCII run, lower-cased, without making it a string: the embedder looks up every
   * word of every passage (twice in an index run), and the strings it made were a tenth of the run's CPU, in GC.
   */
  getLowerAscii(text: string, start: number, end: number): number | undefined {
    let h = FNV_OFFSET;
    for (let i = start; i < end; i++) h = Math.imul(h ^ lowerAscii(text.charCodeAt(i)), FNV_PRIME);
    return this.find(h, text, start, end, true);
  }

  /** The word at text[start, end) (lower-cased ASCII if `lower`) whose hash is h. */
  private find(h: number, text: string, start: number, end: number, lower: boolean): number | undefined {
    const slots = this.slots;
    const mask = slots.length - 1;
    const length = end - start;
    // At most every slot once: a damaged table without an empty slot must not loop forever.
    for (let slot = (h >>> 0) & mask, probes = 0; slots[slot] !== 0 && probes <= mask; slot = (slot + 1) & mask, probes++) {
      const w = slots[slot]! - 1;
      const at = this.starts[w]!;
      if (this.starts[w + 1]! - 1 - at !== length) continue;
      let k = 0;
      if (lower) while (k < length && this.lines[at + k] === lowerAscii(text.charCodeAt(start + k))) k++;
      else while (k < length && this.lines[at + k] === text.charCodeAt(start + k)) k++;
      if (k === length) return w;
    }
    return undefined;
  }

  private getBytes(bytes: Buffer): number | undefined {
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let slot = hashBytes(bytes) & mask, probes = 0; slots[slot] !== 0 && probes <= mask; slot = (slot + 1) & mask, probes++) {
      const w = slots[slot]! - 1;
      const start = this.starts[w]!;
      if (this.starts[w + 1]! - 1 - start === bytes.length && bytes.compare(this.lines, start, start + bytes.length) === 0) return w;
    }
    return undefined;
  }

  /** The words in table order. */
  *keys(): IterableIterator<string> {
    const text = Buffer.from(this.lines.buffer, this.lines.byteOffset, this.lines.length);
    for (let i = 0; i < this.size; i++) yield text.toString('utf8', this.starts[i]!, this.starts[i + 1]! - 1);
  }
}

/** An ASCII code lower-cased (A–Z to a–z). */
const lowerAscii = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the bytes (scripts/build-embeddings.mjs hashes the table's words the same way). */
function hashBytes(bytes: Uint8Array): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  return h >>> 0;
}

const ASCII = /^[\x00-\x7f]*$/;

/** Lower-cased runs of letters and digits: the only tokens the table holds (an ASCII fast path: most notes). */
export function tokenize(text: string): string[] {
  const lower = text.toLowerCase();
  return (ASCII.test(lower) ? lower.match(/[a-z0-9]+/g) : lower.match(/[\p{L}\p{N}]+/gu)) ?? [];
}

/** Markdown link targets, autolinks and bare URLs: addresses, not prose. */
const LINK_TARGETS = /\]\([^)\s]*(?:\s+"[^"]*")?\)|<?\bhttps?:\/\/[^\s>)]+>?/g;

/** The words that carry meaning: tokens outside link targets, without function words. */
export function contentWords(text: string): string[] {
  return tokenize(text.replace(LINK_TARGETS, ' ')).filter((w) => !STOPWORDS.has(w));
}

/**
 * The table indices of the text's known content words (unknown words are dropped), and how many it had: the words
 * contentWords gives, without a string for each. The embedder looks up every word of every passage, twice in an
 * index run; the strings it made were a tenth of the run's CPU, mostly in GC.
 */
export function wordIds(table: WordTable, text: string): { ids: number[]; words: number } {
  const { stop, missing } = stopWordsOf(table);
  const linkless = text.replace(LINK_TARGETS, ' ');
  // An ASCII text is lower-cased as it is read; any other first (as tokenize does: that can change its length).
  const t = ASCII.test(linkless) ? linkless : linkless.toLowerCase();
  const ids: number[] = [];
  let words = 0;
  for (let i = 0; i < t.length; ) {
    const start = i;
    let ascii = true;
    for (let n = wordCharLength(t, i); n > 0; n = wordCharLength(t, i)) {
      if (n > 1 || t.charCodeAt(i) > 0x7f) ascii = false;
      i += n;
    }
    if (i === start) {
      i += t.codePointAt(i)! > 0xffff ? 2 : 1; // a whole surrogate pair, a lone surrogate alone
      continue;
    }
    let id: number | undefined;
    if (ascii) {
      id = table.index.getLowerAscii(t, start, i);
      if (id !== undefined ? stop[id] : missing.size > 0 && missing.has(t.slice(start, i).toLowerCase())) continue;
    } else {
      const word = t.slice(start, i);
      if (STOPWORDS.has(word)) continue;
      id = table.index.get(word);
    }
    words++;
    if (id !== undefined) ids.push(id);
  }
  return { ids, words };
}

/** How many code units the letter or digit at t[i] takes (tokenize's [\p{L}\p{N}]); 0 where there is none. */
function wordCharLength(t: string, i: number): number {
  if (i >= t.length) return 0;
  const c = t.charCodeAt(i);
  if (c < 0x80) return isAsciiWordChar(c) ? 1 : 0;
  LETTER_OR_DIGIT.lastIndex = i;
  if (!LETTER_OR_DIGIT.test(t)) return 0;
  return LETTER_OR_DIGIT.lastIndex - i;
}
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/uy;

const isAsciiWordChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);

/** Which of a table's words are stop words (by index), and the stop words it does not hold. */
const stopWordsByTable = new WeakMap<WordTable, { stop: Uint8Array; missing: Set<string> }>();
function stopWordsOf(table: WordTable): { stop: Uint8Array; missing: Set<string> } {
  let known = stopWordsByTable.get(table);
  if (!known) {
    known = { stop: new Uint8Array(table.scales.length), missing: new Set() };
    for (const w of STOPWORDS) {
      const i = table.index.get(w);
      if (i === undefined) known.missing.add(w);
      else known.stop[i] = 1;
    }
    stopWordsByTable.set(table, known);
  }
  return known;
}

/**
 * A table word's SIF weight a/(a + p(w)) times its int8 scale, so embedding is one multiply-add per value; rounded to
 * float32, as when these were kept in a Float32Array. Worked out per word used, not for all 50,000 up front (a one-shot
 * query uses a few).
 */
function sifWeight(table: WordTable, stats: CorpusStats, i: number): number {
  return Math.fround((SIF_A / (SIF_A + stats.counts[i]! / Math.max(stats.total, 1))) * table.scales[i]!);
}

/** SIF-weighted sum of the words' vectors (not yet normalized; zero when no word is known). */
function sifVector(table: WordTable, stats: CorpusStats, ids: readonly number[]): Float32Array {
  const d = table.dimensions;
  const values = table.values;
  const v = new Float32Array(d);
  for (const i of ids) {
    const w = sifWeight(table, stats, i);
    const base = i * d;
    for (let k = 0; k < d; k++) v[k] = v[k]! + w * values[base + k]!;
  }
  return v;
}

function removeComponent(v: Float32Array, u: Float32Array | null): Float32Array {
  if (!u) return v;
  let dot = 0;
  for (let k = 0; k < v.length; k++) dot += v[k]! * u[k]!;
  for (let k = 0; k < v.length; k++) v[k] = v[k]! - dot * u[k]!;
  return v;
}

/** The first principal direction (uncentered) of the vectors: power iteration on their 100×100 second moment. */
function firstComponent(vectors: Float32Array[], d: number): Float32Array | null {
  if (vectors.length < 2) return null;
  const m = new Float64Array(d * d);
  for (const v of vectors) {
    const n = Math.hypot(...v) || 1; // unit vectors: long passages must not dominate
    for (let i = 0; i < d; i++) {
      const vi = v[i]! / n;
      for (let j = i; j < d; j++) m[i * d + j] = m[i * d + j]! + (vi * v[j]!) / n;
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) m[i * d + j] = m[j * d + i]!;
  let u = new Float64Array(d).fill(1 / Math.sqrt(d));
  for (let iter = 0; iter < 100; iter++) {
    const next = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += m[i * d + j]! * u[j]!;
      next[i] = s;
    }
    const n = Math.hypot(...next);
    if (!n) return null;
    for (let i = 0; i < d; i++) next[i] = next[i]! / n;
    u = next;
  }
  return Float32Array.from(u);
}

/**
 * The state the embedder is fitted with: word counts of the vault's text (`countTexts`, default the passages: pass
 * each note's text once, so a title repeated in front of every passage does not count as a frequent word) and the
 * common component of the passages (`texts`, as they are embedded).
 */
export function fitCorpus(table: WordTable, texts: readonly string[], countTexts: readonly string[] = texts): CorpusStats {
  const counts = new Uint32Array(table.scales.length);
  const total = countWords(table, countTexts, counts);
  const step = componentSampleStep(texts.length);
  const sampled: string[] = [];
  for (let n = 0; n < texts.length; n += step) sampled.push(texts[n]!);
  return fitCounted(table, counts, total, sampled);
}

/** Adds the texts' known content words to `counts` (by table index); returns how many word tokens they had. */
export function countWords(table: WordTable, texts: Iterable<string>, counts: Uint32Array): number {
  let total = 0;
  for (const text of texts) {
    const { ids, words } = wordIds(table, text);
    total += words;
    for (const i of ids) counts[i]!++;
  }
  return total;
}

/** Of `passages` passages, every this-many-th one (from the first) is sampled for the common component. */
export const componentSampleStep = (passages: number) => Math.max(1, Math.floor(passages / COMPONENT_SAMPLE));

/** fitCorpus from words already counted (countWords) and the sampled passages: a fit read a page at a time. */
export function fitCounted(table: WordTable, counts: Uint32Array, total: number, sampledTexts: readonly string[]): CorpusStats {
  const sampled = sampledTexts.map((t) => wordIds(table, t).ids);
  const stats: CorpusStats = { counts, total, component: null };
  const sample = sampled.map((ids) => sifVector(table, stats, ids));
  stats.component = firstComponent(sample, table.dimensions);
  return stats;
}

/** The state as bytes for the store: u32 total | u32 has component | f32 component[d] | u32 counts[n]. */
export function serializeStats(stats: CorpusStats, dimensions: number): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(Math.min(stats.total, 0xffffffff), 0);
  head.writeUInt32LE(stats.component ? 1 : 0, 4);
  const component = Buffer.from((stats.component ?? new Float32Array(dimensions)).buffer.slice(0));
  return Buffer.concat([head, component, Buffer.from(stats.counts.buffer.slice(0))]);
}

export function deserializeStats(bytes: Uint8Array, table: WordTable): CorpusStats {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const d = table.dimensions;
  const expected = 8 + d * 4 + table.scales.length * 4;
  if (buf.length !== expected) throw new StoreError('corrupt', 'The stored word statistics do not fit the word-vector table; index again to refit them.');
  const copy = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
  return {
    total: buf.readUInt32LE(0),
    component: buf.readUInt32LE(4) ? new Float32Array(copy, 8, d) : null,
    counts: new Uint32Array(copy, 8 + d * 4, table.scales.length),
  };
}

export class GloveEmbedder implements Embedder {
  readonly id = GLOVE_EMBEDDER_ID;
  readonly dimensions: number;
  /**
   * Off-topic questions' best notes measured 0.1–0.4 on two real vaults and ten such questions; the notes that answer
   * a question, where meaning finds them, mostly above 0.3 (bench/search-quality.bench.ts, its floor figures).
   */
  readonly minRelevantSimilarity = 0.3;

  constructor(
    private readonly table: WordTable,
    readonly stats: CorpusStats,
  ) {
    this.dimensions = table.dimensions;
  }

  embedSync(text: string): Float32Array {
    return normalize(removeComponent(sifVector(this.table, this.stats, wordIds(this.table, text).ids), this.stats.component));
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedSync(t));
  }
}
