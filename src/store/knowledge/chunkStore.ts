// Writes notes' passages (note_chunks) inside the indexer's transaction, keeping every passage whose text did
// not change (same note, same hash) with its vector, and removing the vectors of passages that are gone. The
// vectors live in the vec0 table note_chunk_vectors, which exists only once something was embedded and can be
// read only where sqlite-vec loads; where it cannot, stale vectors are swept later (semanticIndex.ts).
// Each note also gets one whole-note row (seq NOTE_ROW_SEQ, no text): its vector is the mean of the note's passage
// vectors (semanticIndex.ts), so it lives, changes and goes exactly as the passages do. Its hash is made from the
// passages' hashes, so it is kept while they all are and replaced (vector dropped, mean taken again) when any changes.
import { createHash } from 'node:crypto';
import type { Connection } from '../connection';
import type { NoteChunk } from './chunk';

export const VECTOR_TABLE = 'note_chunk_vectors';
/** One vector per search item (tasks, entities, memories: itemSearch.ts), keyed by search_items.id. */
export const ITEM_VECTOR_TABLE = 'search_item_vectors';
/** The seq of a note's whole-note row; its passages have seq 0, 1, … */
export const NOTE_ROW_SEQ = -1;

/** The whole-note row of a note with these passages (none for a note without passages). */
function noteRow(chunks: readonly NoteChunk[]): NoteChunk[] {
  if (!chunks.length) return [];
  const hash = createHash('sha256').update('note\n' + chunks.map((c) => c.hash).join('\n')).digest('hex').slice(0, 32);
  return [{ seq: NOTE_ROW_SEQ, headings: [], line: chunks[0]!.line, text: '', embedText: '', hash }];
}

/** True when the vector table exists and sqlite-vec is loaded, so it can be written. */
export async function vectorTableUsable(conn: Connection, vecLoaded: boolean): Promise<boolean> {
  if (!vecLoaded) return false;
  return Boolean(await conn.get(`select 1 from sqlite_master where type = 'table' and name = ?`, [VECTOR_TABLE]));
}

/**
 * Replaces the passages of these notes (id → passages), and their whole-note rows. Kept: passages whose hash the
 * note still has (their position, headings and line are updated; their vector stays). Dropped, with their vectors:
 * the others.
 */
export async function writeChunks(conn: Connection, vectors: boolean, passages: Map<number, NoteChunk[]>): Promise<void> {
  if (!passages.size) return;
  const byNote = new Map([...passages].map(([id, chunks]) => [id, [...chunks, ...noteRow(chunks)]]));
  const keep = JSON.stringify([...byNote].flatMap(([id, chunks]) => chunks.map((c) => [id, c.hash])));
  const ids = JSON.stringify([...byNote.keys()]);
  const stale = `select c.id from note_chunks c where c.note_id in (select value from json_each(?1))
                   and (c.note_id, c.hash) not in (select value->>0, value->>1 from json_each(?2))`;
  const staleIds = (await conn.all<{ id: number }>(stale, [ids, keep])).map((r) => r.id);
  if (vectors) await deleteVectors(conn, staleIds);
  await conn.run('delete from note_chunks where id in (select value from json_each(?))', [JSON.stringify(staleIds)]);
  const rows = [...byNote].flatMap(([id, chunks]) => chunks.map((c) => [id, c.seq, JSON.stringify(c.headings), c.line, textAt(c), c.embedText, c.hash]));
  await conn.run(
    `insert into note_chunks (note_id, seq, headings, line, text_at, embed_text, hash)
     select value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6 from json_each(?) where true
     on conflict (note_id, hash) do update set seq = excluded.seq, headings = excluded.headings, line = excluded.line`,
    [JSON.stringify(rows)],
  );
}

/**
 * Where a passage's own text starts in its embed_text, as SQLite's substr counts (1-based, in characters: a surrogate
 * pair is one): note_chunks.text is derived from embed_text (drizzle/0024), which ends with the text.
 */
export function textAt(chunk: Pick<NoteChunk, 'text' | 'embedText'>): number {
  if (!chunk.embedText.endsWith(chunk.text)) throw new Error('a passage\'s embed_text does not end with its text');
  const prefix = chunk.embedText.length - chunk.text.length;
  let chars = 0;
  for (let i = 0; i < prefix; i++) {
    const c = chunk.embedText.charCodeAt(i);
    const pairEnd = c >= 0xdc00 && c <= 0xdfff && i > 0 && (chunk.embedText.charCodeAt(i - 1) & 0xfc00) === 0xd800;
    if (!pairEnd) chars++;
  }
  return chars + 1;
}

/** Drops the vectors of these notes' passages (before the notes are deleted; the passages go by cascade). */
export async function dropNoteVectors(conn: Connection, noteIds: readonly number[]): Promise<void> {
  if (!noteIds.length) return;
  const rows = await conn.all<{ id: number }>('select id from note_chunks where note_id in (select value from json_each(?))', [JSON.stringify(noteIds)]);
  await deleteVectors(conn, rows.map((r) => r.id));
}

/** Up to this many vectors are deleted one by one; more, by one scan of the vector table (about as costly as 200). */
const POINT_DELETES = 200;

/**
 * Deletes these rows' vectors: vec0 finds a row by `chunk_id = ?` at once (~0.1 ms), but answers `chunk_id in (…)`
 * by scanning the whole table (~25 ms at 10k notes), so one edit's few rows go one statement each.
 */
async function deleteVectors(conn: Connection, chunkIds: readonly number[]): Promise<void> {
  if (chunkIds.length > POINT_DELETES) {
    await conn.run(`delete from ${VECTOR_TABLE} where chunk_id in (select value from json_each(?))`, [JSON.stringify(chunkIds)]);
    return;
  }
  for (const id of chunkIds) await conn.run(`delete from ${VECTOR_TABLE} where chunk_id = ?`, [id]);
}
