// The CLI's side of tasks ↔ notes: `cairn task link|unlink ID NOTE`, and the lines `cairn task show` and
// `cairn note tasks` print. Linking goes through the same methods as any client: the note is resolved by
// notes.tasks (path, file name or title), the task's notes field is changed by tasks.update.
import { StoreError } from '../../../store/errors';
import type { TaskRow } from '../../../store/schema';
import type { NoteTasks, TaskNoteLink, TaskNoteVia } from '../../../store/knowledge/taskLinks';
import { MethodError } from '../../methods';
import { ErrorCodes } from '../../protocol';
import type { Caller, TaskChanger } from '../../cli';

const VIA: Record<TaskNoteVia, string> = { task: "the task's notes", front_matter: 'front matter', mention: 'mention' };
const how = (via: TaskNoteVia, line: number | null) => (line === null ? VIA[via] : `${VIA[via]}, line ${line}`);

/** The note's vault path, or null when the index has no such note. */
async function notePath(call: Caller, name: string): Promise<string | null> {
  try {
    return (await call<'notes.tasks', NoteTasks>('notes.tasks', { note: name })).path;
  } catch (err) {
    if (err instanceof MethodError && err.code === ErrorCodes.NotFound) return null;
    throw err;
  }
}

export interface LinkResult {
  task: TaskRow;
  note: string;
  changed: boolean;
}

/** Adds the note (by its vault path) to the task's notes; a note already listed is left as it is. */
export async function linkTaskNote(call: Caller, changeTask: TaskChanger, taskId: string, name: string): Promise<LinkResult> {
  const path = await notePath(call, name);
  if (!path) throw new StoreError('not_found', `No note has the path, file name or title "${name}". Index the vault (cairn index) if the note is new, then link again.`, { note: name });
  const listed = (await call<'tasks.notes', TaskNoteLink[]>('tasks.notes', { taskId })).some((l) => l.via === 'task' && l.path === path);
  if (listed) return { task: await call<'tasks.get', TaskRow>('tasks.get', { id: taskId }), note: path, changed: false };
  return { task: await changeTask(call, taskId, (t) => ({ notes: [...t.notes, path] })), note: path, changed: true };
}

/** Removes every entry of the task's notes that names the note (as written, or resolving to the same note). */
export async function unlinkTaskNote(call: Caller, changeTask: TaskChanger, taskId: string, name: string): Promise<LinkResult> {
  const links = await call<'tasks.notes', TaskNoteLink[]>('tasks.notes', { taskId });
  const path = await notePath(call, name);
  const same = (l: TaskNoteLink) => (path !== null && l.path === path) || l.name?.toLowerCase() === name.toLowerCase();
  const names = links.filter((l) => l.via === 'task' && same(l)).map((l) => l.name!);
  if (!names.length) {
    const fromNote = links.find((l) => l.via !== 'task' && path !== null && l.path === path);
    if (fromNote) throw new StoreError('invalid', `${fromNote.path} names task ${taskId} itself (${how(fromNote.via, fromNote.line)}); edit the note to unlink them.`);
    const listed = links.filter((l) => l.via === 'task').map((l) => l.name);
    throw new StoreError('not_found', `Task ${taskId} does not list the note "${name}" (its notes: ${listed.length ? listed.join(', ') : 'none'}).`, { note: name });
  }
  const task = await changeTask(call, taskId, (t) => ({ notes: t.notes.filter((n) => !names.includes(n)) }));
  return { task, note: path ?? name, changed: true };
}

/** `cairn task show`: one line per related note. */
export function relatedNotesLines(links: readonly TaskNoteLink[]): string[] {
  return [
    `related notes (${links.length}):`,
    ...links.map((l) => `  ${l.path ? `${l.path}${l.line === null ? '' : `:${l.line}`}  ${l.title}` : `(not in the index: ${l.name})`}  (${VIA[l.via]})`),
  ];
}

/** `cairn note tasks`: the note, then one line per linked task. */
export function noteTasksLines(r: NoteTasks): string[] {
  return [`${r.title} (${r.path})`, `tasks (${r.tasks.length}):`, ...r.tasks.map((t) => `  ${t.id}  ${t.status}  ${t.title}  (${how(t.via, t.line)})`)];
}
