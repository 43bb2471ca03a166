// Splits a note into passages for semantic search: ~500 characters each, cut at headings and blank lines (never
// inside a fenced code block unless the block alone is too long), each with its heading path and first line.
// What is embedded is the note title and heading path followed by the passage, so a passage keeps its context;
// the content hash over exactly that text decides whether a passage must be embedded again.
import { createHash } from 'node:crypto';

export interface NoteChunk {
  /** 0-based position in the note. */
  seq: number;
  /** The headings above the passage, outermost first. */
  headings: string[];
  /** 1-based line in the file where the passage starts. */
  line: number;
  /** The passage as written (Markdown). */
  text: string;
  /** What the embedder reads: title, heading path, passage. */
  embedText: string;
  /** sha256 (hex, 32 chars) of embedText. */
  hash: string;
}

export const CHUNK_TARGET_CHARS = 500;
/** A paragraph longer than this is cut at sentence ends (or spaces) into pieces of about the target size. */
const CHUNK_MAX_CHARS = 1000;

interface Block {
  line: number;
  text: string;
  headings: string[];
  /** Counts headings: blocks of one section share it (two sections may have the same heading path). */
  section: number;
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** A link reference definition (`[label]: target 'title'`): plumbing, not prose (Foam appends a block of them). */
const LINK_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*\S+/;

/** Paragraphs (and code blocks) of the body, each with the heading path in force where it starts. */
function blocks(body: string, firstLine: number): Block[] {
  const out: Block[] = [];
  const path: { level: number; text: string }[] = [];
  let lines: string[] = [];
  let start = 0;
  let fence: string | null = null;
  let section = 0;
  const flush = () => {
    const text = lines.join('\n').trim();
    if (text) out.push({ line: start, text, headings: path.map((h) => h.text), section });
    lines = [];
  };
  body.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const n = firstLine + i;
    if (fence) {
      lines.push(line);
      if (line.trimStart().startsWith(fence)) fence = null;
      return;
    }
    const f = FENCE.exec(line);
    if (f) {
      if (!lines.length) start = n;
      lines.push(line);
      fence = f[1]!;
      return;
    }
    const h = HEADING.exec(line);
    if (h) {
      flush();
      section++;
      const level = h[1]!.length;
      while (path.length && path[path.length - 1]!.level >= level) path.pop();
      path.push({ level, text: h[2]!.trim() });
      return;
    }
    if (!line.trim()) {
      flush();
      return;
    }
    if (LINK_DEFINITION.test(line)) return;
    if (!lines.length) start = n;
    lines.push(line);
  });
  flush();
  return out;
}

/** Cuts an over-long paragraph at sentence ends, else at spaces, into pieces of about the target size. */
function split(b: Block): Block[] {
  if (b.text.length <= CHUNK_MAX_CHARS) return [b];
  const pieces: Block[] = [];
  let rest = b.text;
  let line = b.line;
  while (rest.length > CHUNK_MAX_CHARS) {
    const window = rest.slice(0, CHUNK_TARGET_CHARS + 200);
    let cut = Math.max(window.lastIndexOf('. ', CHUNK_TARGET_CHARS + 100), window.lastIndexOf('\n', CHUNK_TARGET_CHARS + 100));
    if (cut < CHUNK_TARGET_CHARS / 2) cut = window.lastIndexOf(' ', CHUNK_TARGET_CHARS);
    if (cut < CHUNK_TARGET_CHARS / 2) cut = CHUNK_TARGET_CHARS;
    const piece = rest.slice(0, cut + 1);
    pieces.push({ ...b, line, text: piece.trim() });
    line += piece.split('\n').length - 1;
    rest = rest.slice(cut + 1);
  }
  if (rest.trim()) pieces.push({ ...b, line, text: rest.trim() });
  return pieces;
}

/**
 * The note's passages. `body` is the note without its front matter and `firstLine` the file line it starts on.
 * Consecutive paragraphs under the same heading are joined while the passage stays within the target size.
 * Identical passages of one note are kept once (their hash identifies them).
 */
export function chunkNote(title: string, body: string, firstLine: number): NoteChunk[] {
  const merged: Block[] = [];
  for (const b of blocks(body, firstLine).flatMap(split)) {
    const last = merged[merged.length - 1];
    if (last && last.section === b.section && last.text.length + b.text.length + 2 <= CHUNK_TARGET_CHARS) {
      last.text += '\n\n' + b.text;
    } else merged.push({ ...b });
  }
  const seen = new Set<string>();
  const chunks: NoteChunk[] = [];
  for (const b of merged) {
    const embedText = [title, ...b.headings].join(' › ') + '\n' + b.text;
    const hash = createHash('sha256').update(embedText).digest('hex').slice(0, 32);
    if (seen.has(hash)) continue;
    seen.add(hash);
    chunks.push({ seq: chunks.length, headings: b.headings, line: b.line, text: b.text, embedText, hash });
  }
  // A note with a title and no body text still gets one passage, so it can be found by meaning.
  if (!chunks.length && title.trim()) {
    const hash = createHash('sha256').update(title).digest('hex').slice(0, 32);
    chunks.push({ seq: 0, headings: [], line: firstLine, text: '', embedText: title, hash });
  }
  return chunks;
}

/** The 1-based file line where the body starts, given the whole file text and the body (its tail). */
export function bodyFirstLine(fileText: string, body: string): number {
  const head = fileText.slice(0, fileText.length - body.length);
  let n = 1;
  for (let i = head.indexOf('\n'); i >= 0; i = head.indexOf('\n', i + 1)) n++;
  return n;
}
