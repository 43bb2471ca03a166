// The task editor's form fields and how two versions of them meet: the fields a user edits and saves together
// (the draft), the three-way merge that a change made meanwhile by anyone else goes through (taken where only they
// changed a field, offered as a choice where both did, differently), and estimates as people type them. Pure (no
// DOM, no vscode): the page merges live, the host merges a save that raced a change, with the same function.
import type { TaskPriority, TaskStatus } from '../../store/schema';

/** The fields edited in the form and saved together with the version they were read at (tasks.update). */
export const DRAFT_FIELDS = ['title', 'description', 'status', 'priority', 'assignee', 'tags', 'estimatedMinutes', 'sprintId', 'parentId'] as const;
export type DraftField = (typeof DRAFT_FIELDS)[number];

export interface DraftFields {
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  assignee: string | null;
  tags: string[];
  estimatedMinutes: number | null;
  sprintId: string | null;
  parentId: string | null;
}

export const FIELD_LABELS: Record<DraftField, string> = {
  title: 'Title',
  description: 'Description',
  status: 'Status',
  priority: 'Priority',
  assignee: 'Assignee',
  tags: 'Tags',
  estimatedMinutes: 'Estimate',
  sprintId: 'Sprint',
  parentId: 'Parent',
};

export function draftOf(task: DraftFields): DraftFields {
  return {
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    assignee: task.assignee,
    tags: [...task.tags],
    estimatedMinutes: task.estimatedMinutes,
    sprintId: task.sprintId,
    parentId: task.parentId,
  };
}

/** Values compare by content (tags are lists). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/** The fields where `draft` differs from `base`: what a save sends. */
export function dirtyFields(base: DraftFields, draft: DraftFields): DraftField[] {
  return DRAFT_FIELDS.filter((f) => !sameValue(base[f], draft[f]));
}

export interface FieldConflict {
  field: DraftField;
  mine: unknown;
  theirs: unknown;
}

export interface MergeResult {
  /** The draft after the merge: their changes taken where only they changed a field, mine kept elsewhere. */
  draft: DraftFields;
  /** Fields they changed that the draft took. */
  taken: DraftField[];
  /** Fields both changed, to different values: the draft keeps mine until the user chooses. */
  conflicts: FieldConflict[];
}

/**
 * Three-way merge of a draft read at `base` with the store's `theirs`, field by field. `fixed` fields (locked:
 * the user cannot edit them) always take theirs.
 */
export function mergeDraft(base: DraftFields, draft: DraftFields, theirs: DraftFields, fixed: readonly string[] = []): MergeResult {
  const next = draftOf(draft);
  const taken: DraftField[] = [];
  const conflicts: FieldConflict[] = [];
  for (const f of DRAFT_FIELDS) {
    const b = base[f];
    const mine = draft[f];
    const their = theirs[f];
    if (fixed.includes(f)) {
      if (!sameValue(mine, their)) (next as unknown as Record<string, unknown>)[f] = their;
      continue;
    }
    if (sameValue(their, b)) continue; // they did not change it
    if (sameValue(mine, b)) {
      (next as unknown as Record<string, unknown>)[f] = Array.isArray(their) ? [...their] : their;
      taken.push(f);
    } else if (!sameValue(mine, their)) conflicts.push({ field: f, mine, theirs: their });
  }
  return { draft: next, taken, conflicts };
}

/**
 * A save that found the task changed meanwhile: which of `changes` (read at `base`) still apply to `current`. A
 * field they changed too, to another value, is a conflict; one they changed to the same value needs no write.
 */
export function rebaseChanges(
  base: Partial<DraftFields>,
  changes: Partial<DraftFields>,
  current: DraftFields,
): { apply: Partial<DraftFields>; conflicts: FieldConflict[]; theirs: DraftField[] } {
  const apply: Partial<DraftFields> = {};
  const conflicts: FieldConflict[] = [];
  const theirs: DraftField[] = [];
  for (const f of DRAFT_FIELDS) {
    if (!(f in changes)) continue;
    const mine = changes[f];
    if (sameValue(current[f], base[f])) (apply as Record<string, unknown>)[f] = mine;
    else if (!sameValue(current[f], mine)) conflicts.push({ field: f, mine, theirs: current[f] });
  }
  for (const f of DRAFT_FIELDS) if (f in base && !sameValue(current[f], base[f])) theirs.push(f);
  return { apply, conflicts, theirs };
}

/**
 * An estimate as typed: "90" or "90m" (minutes), "1.5h", "2d" (days of 24 h, as the board shows them), "1h 30m".
 * Empty is no estimate (null); anything else is undefined (not an estimate).
 */
export function parseMinutes(input: string): number | null | undefined {
  const s = input.trim().toLowerCase();
  if (!s) return null;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const unit: Record<string, number> = { m: 1, min: 1, mins: 1, h: 60, hr: 60, hrs: 60, d: 1440 };
  let total = 0;
  let parts = 0;
  let rest = s;
  const part = /^(\d+(?:\.\d+)?)\s*(mins?|m|hrs?|h|d)(?![a-z])\s*/;
  for (let m = part.exec(rest); m; m = part.exec(rest)) {
    total += Number(m[1]) * unit[m[2]]!;
    parts += 1;
    rest = rest.slice(m[0].length);
  }
  if (rest || !parts) return undefined;
  return Math.round(total * 100) / 100;
}
