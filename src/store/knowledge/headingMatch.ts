// Hybrid search's fourth ranking: the candidate notes by how closely the words of their title, file path and headings
// match the question's words, each question word by its most similar note word in the GloVe table (soft matching:
// "attach functions to a type" finds "Method Syntax"). Averaging a whole note into one vector (semantic search) blurs
// what a note is about; its title and headings say it in a few words. Measured on both question sets
// (bench/search-quality.bench.ts): recall@5 Foam 0.810 → 0.827, Rust book 0.903 → 0.944. It costs ~4 ms of CPU a
// query at ~75 candidate notes (the headings' words, and each distinct word's similarity to the question's, once).
import type { Store } from '../store';
import { contentWords, loadWordTable, type WordTable } from './embedGlove';
import type { SearchHit } from './search';

/** A word pair less similar than this counts for nothing: unrelated words' GloVe cosines reach about 0.3. */
export const MIN_WORD_SIMILARITY = 0.3;

/** A query word's unit vector, or null where the table lacks it. */
function unitVector(table: WordTable, word: string): Float32Array | null {
  const i = table.index.get(word);
  if (i === undefined) return null;
  // The int8 values times a per-word scale: the scale goes away in the normalisation.
  const d = table.dimensions;
  const v = Float32Array.from(table.values.subarray(i * d, (i + 1) * d));
  const n = Math.hypot(...v);
  if (!n) return null;
  for (let k = 0; k < d; k++) v[k] = v[k]! / n;
  return v;
}

/**
 * A note word's similarity to each query word (unit vectors), rescaled so MIN_WORD_SIMILARITY is 0; null where the
 * table lacks the word. One pass over the word's int8 values per query word, nothing normalised or copied: a one-shot
 * search does this for a few hundred words before V8 has compiled it.
 */
function similarities(table: WordTable, asked: readonly Float32Array[], word: string): Float32Array | null {
  const i = table.index.get(word);
  if (i === undefined) return null;
  const d = table.dimensions;
  const values = table.values;
  const base = i * d;
  let n = 0;
  for (let k = 0; k < d; k++) n += values[base + k]! * values[base + k]!;
  if (!n) return null;
  n = Math.sqrt(n);
  const out = new Float32Array(asked.length);
  for (let q = 0; q < asked.length; q++) {
    const a = asked[q]!;
    let dot = 0;
    for (let k = 0; k < d; k++) dot += a[k]! * values[base + k]!;
    out[q] = Math.max(0, (dot / n - MIN_WORD_SIMILARITY) / (1 - MIN_WORD_SIMILARITY));
  }
  return out;
}

/**
 * The candidates (notes; other kinds are left out) scored in [0, 1]: the mean over the query's known content words of
 * their best similarity to a word of the note's title, path or headings, rescaled so MIN_WORD_SIMILARITY is 0.
 * Best first; empty where no word of the query is in the table.
 */
export async function rankByHeadings(store: Store, query: string, candidates: readonly SearchHit[], table: WordTable = loadWordTable()): Promise<SearchHit[]> {
  const asked = [...new Set(contentWords(query))].flatMap((w) => unitVector(table, w) ?? []);
  const notes = [...new Map(candidates.filter((h) => h.kind === 'note').map((h) => [h.id, h])).values()];
  if (!asked.length || !notes.length) return [];
  const headings = new Map<string, string[]>();
  const rows = await store.conn.all<{ path: string; text: string }>(
    'select n.path, h.text from note_headings h join notes n on n.id = h.note_id where n.path in (select value from json_each(?))',
    [JSON.stringify(notes.map((h) => h.id))],
  );
  for (const r of rows) headings.set(r.path, [...(headings.get(r.path) ?? []), r.text]);
  // Each distinct note word's similarity to each question word, rescaled so MIN_WORD_SIMILARITY is 0 (notes share words).
  const known = new Map<string, Float32Array | null>();
  const similarity = (word: string): Float32Array | null => {
    let s = known.get(word);
    if (s === undefined) known.set(word, (s = similarities(table, asked, word)));
    return s;
  };
  const scored = notes.map((hit) => {
    const best = new Float32Array(asked.length);
    for (const word of new Set(contentWords([hit.title, hit.id.replace(/[-_/.]/g, ' '), ...(headings.get(hit.id) ?? [])].join(' ')))) {
      const s = similarity(word);
      if (s) for (let q = 0; q < best.length; q++) if (s[q]! > best[q]!) best[q] = s[q]!;
    }
    return { ...hit, score: best.reduce((a, b) => a + b, 0) / asked.length };
  });
  return scored.sort((a, b) => b.score - a.score);
}
