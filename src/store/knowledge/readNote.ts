// Reads one note of the vault, whole or one section, with a version an agent hands back when it writes: the note's
// text as it is on disk now (the index may lag a moment behind an edit).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { StoreError } from '../errors';
import type { Store } from '../store';
import { readTextFile } from '../textFile';
import { DEFAULT_MAX_FILE_BYTES } from './indexer';
import { findNote } from './links';
import { parseNote } from './markdown';
import { findHeading } from './navigate';
import { absoluteInVault } from './noteFiles';
import type { ParsedHeading } from './types';

export interface NoteText {
  path: string;
  title: string;
  /** A hash of the file's bytes: the note is unchanged while its version is. */
  version: string;
  /** The whole note, or the section asked for (its heading line to the next heading of its level or above). */
  text: string;
  /** The section's first and last line (1-based, in the file); the whole note: 1 to its last line. */
  fromLine: number;
  toLine: number;
  headings: ParsedHeading[];
}

export const versionOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

export async function readNote(store: Store, vault: string, ref: string, heading?: string): Promise<NoteText> {
  const note = await findNote(store.orm, ref);
  const abs = absoluteInVault(vault, note.path);
  let size: number;
  try {
    size = fs.statSync(abs).size;
  } catch {
    throw new StoreError('not_found', `${note.path} is in the index but no longer in the vault. Index the vault again.`, { path: note.path });
  }
  const read = readTextFile(abs, size, DEFAULT_MAX_FILE_BYTES);
  if ('reason' in read) throw new StoreError('invalid', `${note.path} cannot be read as a note: ${read.reason}.`, { path: note.path });
  const parsed = parseNote(read.text, note.path);
  const lines = read.text.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n').split('\n');
  let fromLine = 1;
  let toLine = lines.length;
  if (heading !== undefined) {
    const found = findHeading(parsed.headings, heading);
    if (!found) {
      const known = parsed.headings.map((h) => `"${h.text}"`).join(', ') || 'none';
      throw new StoreError('not_found', `${note.path} has no heading "${heading}". Its headings: ${known}.`, { path: note.path, heading });
    }
    fromLine = found.line;
    const next = parsed.headings.find((h) => h.line > found.line && h.level <= found.level);
    toLine = next ? next.line - 1 : lines.length;
    while (toLine > fromLine && !lines[toLine - 1]!.trim()) toLine--;
  }
  return {
    path: note.path,
    title: parsed.title,
    version: versionOf(read.bytes),
    text: lines.slice(fromLine - 1, toLine).join('\n'),
    fromLine,
    toLine,
    headings: parsed.headings,
  };
}
