// Questions about one note's links: what links to it (backlinks, with the line that links) and what it links to.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { StoreError } from '../errors';
import type { Orm } from '../orm';
import { noteLinks, notes } from '../schema';
import { nameKeyOf } from './indexer';
import { isNotePath } from './scan';

export interface LinkRef {
  /** The other note (vault-relative path), or null for a placeholder. */
  path: string | null;
  title: string | null;
  target: string;
  kind: string;
  line: number;
  context: string;
}

export interface NoteLinks {
  path: string;
  title: string;
  backlinks: LinkRef[];
  outgoing: LinkRef[];
}

/** Finds a note by vault-relative path, else by file name or title (case-insensitive). */
export async function findNote(orm: Orm, pathOrTitle: string): Promise<{ id: number; path: string; title: string }> {
  const wanted = pathOrTitle.replace(/\\/g, '/').replace(/^\.?\//, '');
  const pick = { id: notes.id, path: notes.path, title: notes.title };
  const [byPath] = await orm.select(pick).from(notes).where(eq(notes.path, wanted.endsWith('.md') ? wanted : `${wanted}.md`));
  if (byPath) return byPath;
  const [byName] = await orm.select(pick).from(notes).where(eq(notes.nameKey, nameKeyOf(wanted))).orderBy(sql`length(${notes.path})`, notes.path).limit(1);
  if (byName) return byName;
  const [byTitle] = await orm.select(pick).from(notes).where(sql`lower(${notes.title}) = ${wanted.toLowerCase()}`).orderBy(notes.path).limit(1);
  if (byTitle) return byTitle;
  throw new StoreError('not_found', `No note has the path, file name or title "${pathOrTitle}". If it is new, index the vault again.`, { note: pathOrTitle });
}

export async function noteLinksOf(orm: Orm, pathOrTitle: string): Promise<NoteLinks> {
  const note = await findNote(orm, pathOrTitle);
  const backlinks = await orm
    .select({ path: notes.path, title: notes.title, target: noteLinks.target, kind: noteLinks.kind, line: noteLinks.line, context: noteLinks.context })
    .from(noteLinks)
    .innerJoin(notes, eq(notes.id, noteLinks.noteId))
    .where(and(eq(noteLinks.targetPath, note.path), sql`${noteLinks.noteId} <> ${note.id}`))
    .orderBy(asc(notes.path), asc(noteLinks.line));
  const target = sql<string | null>`(select title from notes t where t.path = ${noteLinks.targetPath})`;
  const outgoing = await orm
    .select({ path: noteLinks.targetPath, title: target, target: noteLinks.target, kind: noteLinks.kind, line: noteLinks.line, context: noteLinks.context })
    .from(noteLinks)
    .where(eq(noteLinks.noteId, note.id))
    .orderBy(asc(noteLinks.line));
  return { path: note.path, title: note.title, backlinks, outgoing };
}

/**
 * A wikilink that names a file by its path (`[[src/a.ts]]`: a folder and an extension other than .md) mentions that
 * file (codeRefs.ts); it is not a note waiting to be written. `[[Node.js]]`, without a folder, may well be one.
 */
export const namesFilePath = (target: string) => /[\\/][^\\/]*\.[A-Za-z0-9]{1,10}$/.test(target) && !isNotePath(target);

/** Links to notes that do not exist, grouped by the name they use (the Placeholders view). */
export async function placeholders(orm: Orm): Promise<{ target: string; count: number }[]> {
  const rows = await orm
    .select({ target: noteLinks.target, count: sql<number>`count(*)` })
    .from(noteLinks)
    .where(and(isNull(noteLinks.targetPath), sql`${noteLinks.kind} <> 'markdown'`, sql`${noteLinks.target} <> ''`))
    .groupBy(sql`lower(${noteLinks.target})`)
    .orderBy(sql`count(*) desc`, noteLinks.target);
  return rows.filter((r) => !namesFilePath(r.target));
}
