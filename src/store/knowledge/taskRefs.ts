// The task ids a note names, as the indexer stores them (table note_task_refs, written with the note's other rows in
// the same transaction): ids listed in the front matter's `tasks` (or `task`) field, and ids written anywhere else
// in the note. Every id-shaped word is kept, task or not: readers join the tasks table, so an id that is not a
// task links nothing, and a task imported later under a mentioned id is linked without re-indexing.
import type { Connection } from '../connection';
import { isTaskId, TASK_ID_IN_TEXT } from './taskIds';

export type TaskRefVia = 'front_matter' | 'mention';

export interface TaskRef {
  taskId: string;
  via: TaskRefVia;
  /** 1-based line of the first place the note names the task this way. */
  line: number;
}

const FRONT_MATTER_KEYS = ['tasks', 'task'];
const CLOSING_FENCE = /^(?:---|\.\.\.)[ \t]*\r?$/m;

/** Where the front matter block ends (the index just past its closing line), or 0 when the note has none. */
function frontMatterEnd(text: string, from: number): number {
  const firstNl = text.indexOf('\n', from);
  if (firstNl === -1 || !/^---[ \t]*\r?$/.test(text.slice(from, firstNl))) return 0;
  const rest = text.slice(firstNl + 1);
  const close = CLOSING_FENCE.exec(rest);
  return close ? firstNl + 1 + close.index + close[0].length : 0;
}

/** Task ids of a front-matter value: a list, or one string of ids separated by commas or spaces. */
function listedIds(frontMatter: Record<string, unknown> | null): Set<string> {
  const ids = new Set<string>();
  for (const key of FRONT_MATTER_KEYS) {
    const value = frontMatter?.[key];
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item !== 'string') continue;
      for (const piece of item.split(/[\s,]+/)) if (isTaskId(piece)) ids.add(piece);
    }
  }
  return ids;
}

/**
 * The task ids a note names. `text` is the whole file (front matter included); `frontMatter` is what the parser
 * read from it (null when absent or broken: ids in a broken front matter still count as mentions).
 */
export function findTaskRefs(text: string, frontMatter: Record<string, unknown> | null): TaskRef[] {
  const listed = listedIds(frontMatter);
  const fmEnd = frontMatter ? frontMatterEnd(text, text.charCodeAt(0) === 0xfeff ? 1 : 0) : 0;
  const refs = new Map<string, TaskRef>();
  let line = 1;
  let counted = 0;
  for (const m of text.matchAll(TASK_ID_IN_TEXT)) {
    for (let nl = text.indexOf('\n', counted); nl !== -1 && nl < m.index; nl = text.indexOf('\n', nl + 1)) line++;
    counted = m.index;
    const via: TaskRefVia = m.index < fmEnd && listed.has(m[0]) ? 'front_matter' : 'mention';
    const key = `${m[0]} ${via}`;
    if (!refs.has(key)) refs.set(key, { taskId: m[0], via, line });
  }
  return [...refs.values()];
}

/** Stores the refs of notes just written (their old refs were deleted with their other rows). */
export async function insertTaskRefs(conn: Connection, rows: { noteId: number; refs: readonly TaskRef[] }[]): Promise<void> {
  const values = rows.flatMap(({ noteId, refs }) => refs.map((r) => [noteId, r.taskId, r.via, r.line]));
  if (!values.length) return;
  await conn.run(
    'INSERT INTO note_task_refs (note_id, task_id, via, line) SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?)',
    [JSON.stringify(values)],
  );
}
