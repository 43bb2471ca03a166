// Tasks and notes, linked both ways. A note links to a task by listing its id in the front matter (`tasks: [ID]`)
// or by writing the id in its text (both indexed into note_task_refs); a task links to notes by naming them in its
// own `notes` field (vault-relative path, file name or title, resolved as `cairn note links` resolves a note, at
// query time, so a note renamed or indexed later is found without touching the task).
import { revealTask } from '../crypto/fields';
import { asc, eq, sql } from 'drizzle-orm';
import { StoreError } from '../errors';
import type { Orm } from '../orm';
import { noteTaskRefs, notes, tasks, type TaskStatus } from '../schema';
import { getTask } from '../tasks';
import { nameKeyOf } from './indexer';
import { findNote } from './links';
import type { TaskRefVia } from './taskRefs';

/** How a task and a note are linked: the task's notes field, the note's front matter, or the id in the note's text. */
export type TaskNoteVia = 'task' | TaskRefVia;

export interface TaskNoteLink {
  /** The note's vault-relative path; null when the task names a note the index does not have. */
  path: string | null;
  title: string | null;
  via: TaskNoteVia;
  /** 1-based line where the note names the task; null for the task's own notes field. */
  line: number | null;
  /** The note as the task's notes field names it (via 'task' only). */
  name?: string;
}

export interface NoteTaskLink {
  id: string;
  title: string;
  status: TaskStatus;
  via: TaskNoteVia;
  line: number | null;
}

export interface NoteTasks {
  path: string;
  title: string;
  tasks: NoteTaskLink[];
}

/** The note a name stands for (path, file name or title), or null when the index has none. */
async function lookupNote(orm: Orm, name: string): Promise<{ id: number; path: string; title: string } | null> {
  try {
    return await findNote(orm, name);
  } catch (err) {
    if (err instanceof StoreError && err.kind === 'not_found') return null;
    throw err;
  }
}

/** Every note linked to the task: first those its notes field names (in its order), then those naming it. */
export async function taskNotes(orm: Orm, taskId: string): Promise<TaskNoteLink[]> {
  const task = await getTask(orm, taskId);
  const fromTask: TaskNoteLink[] = [];
  for (const name of task.notes) {
    const note = await lookupNote(orm, name);
    fromTask.push({ path: note?.path ?? null, title: note?.title ?? null, via: 'task', line: null, name });
  }
  const fromNotes = await orm
    .select({ path: notes.path, title: notes.title, via: noteTaskRefs.via, line: noteTaskRefs.line })
    .from(noteTaskRefs)
    .innerJoin(notes, eq(notes.id, noteTaskRefs.noteId))
    .where(eq(noteTaskRefs.taskId, taskId))
    .orderBy(asc(notes.path), asc(noteTaskRefs.via));
  return [...fromTask, ...fromNotes];
}

/** Could this name (from a task's notes field) stand for the note? A cheap test before resolving it for real. */
function mayName(name: string, note: { path: string; title: string }): boolean {
  const n = name.trim().normalize('NFC').toLowerCase().replace(/^\.?\//, '');
  const p = note.path.normalize('NFC').toLowerCase();
  return n === p || `${n}.md` === p || nameKeyOf(n) === nameKeyOf(p) || n === note.title.normalize('NFC').toLowerCase();
}

/** Every task linked to the note (path, file name or title): first those whose notes field names it, then those it names. */
export async function noteTasks(orm: Orm, noteName: string): Promise<NoteTasks> {
  const note = await findNote(orm, noteName);
  const listing = await orm
    .select({ id: tasks.id, title: tasks.title, status: tasks.status, notes: tasks.notes })
    .from(tasks)
    .where(sql`${tasks.notes} <> '[]'`)
    .orderBy(asc(tasks.id));
  const resolved = new Map<string, string | null>();
  const fromTasks: NoteTaskLink[] = [];
  for (const t of listing) {
    for (const name of t.notes) {
      if (!mayName(name, note)) continue;
      if (!resolved.has(name)) resolved.set(name, (await lookupNote(orm, name))?.path ?? null);
      if (resolved.get(name) === note.path) {
        fromTasks.push({ id: t.id, title: t.title, status: t.status, via: 'task', line: null });
        break;
      }
    }
  }
  const fromNote = await orm
    .select({ id: tasks.id, title: tasks.title, status: tasks.status, via: noteTaskRefs.via, line: noteTaskRefs.line })
    .from(noteTaskRefs)
    .innerJoin(tasks, eq(tasks.id, noteTaskRefs.taskId))
    .where(eq(noteTaskRefs.noteId, note.id))
    .orderBy(asc(noteTaskRefs.line), asc(noteTaskRefs.via));
  // An encrypted title is shown decrypted, or as the locked marker: never as ciphertext.
  return { path: note.path, title: note.title, tasks: [...fromTasks, ...fromNote].map((t) => revealTask(orm, t)) };
}
