// The task editor's messages, both ways, as zod/mini schemas (like the board's, src/views/taskBoard/messages.ts):
// the host checks every message from the page before anything reaches the backend, the page checks what the host
// sends. Imported by both sides: no vscode, no Node, nothing of the store but types.
import * as z from 'zod/mini';
import { BOARD_PRIORITIES, BOARD_STATUSES } from '../taskBoard/messages';
import { entityId, token, trimmed, whole } from '../webview/schemaParts';
import { DRAFT_FIELDS, type DraftField } from './fields';

/** Bound on a message's size before it is parsed (a description is at most 100,000 characters). */
export const MAX_MESSAGE_CHARS = 1_000_000;
/** The store's limits (src/store/valueRules.ts), so a bad value is refused here with the same words. */
export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 100_000;

const status = z.enum(BOARD_STATUSES);
const priority = z.enum(BOARD_PRIORITIES);
const item = whole(1, 1000);

/** The draft fields a save may carry (each optional: a save sends only what changed). */
const draftPatch = z.strictObject({
  title: z.optional(
    z.string().check(
      z.trim(),
      z.minLength(1, 'the title must not be empty'),
      z.maxLength(TITLE_MAX, `the title must be at most ${TITLE_MAX} characters`),
      z.refine((s) => !/[\u0000-\u001f]/.test(s), 'the title must not contain control characters or line breaks'),
    ),
  ),
  description: z.optional(z.string().check(z.maxLength(DESCRIPTION_MAX))),
  status: z.optional(status),
  priority: z.optional(priority),
  assignee: z.optional(z.nullable(trimmed(1, 200))),
  tags: z.optional(z.array(trimmed(1, 100)).check(z.maxLength(100))),
  estimatedMinutes: z.optional(z.nullable(z.number().check(z.minimum(0), z.maximum(10_000_000)))),
  sprintId: z.optional(z.nullable(entityId)),
  parentId: z.optional(z.nullable(entityId)),
});

const draftField = z.enum(DRAFT_FIELDS);

const criteriaOp = z.union([
  z.strictObject({ add: trimmed(1, 2000), at: z.optional(item) }),
  z.strictObject({ check: item }),
  z.strictObject({ uncheck: item }),
  z.strictObject({ remove: item }),
  z.strictObject({ move: item, to: item }),
]);
export type CriteriaOp = z.infer<typeof criteriaOp>;

/** Messages the page sends. */
export const fromEditor = z.discriminatedUnion('type', [
  /** The page is up and asks for the task. */
  z.strictObject({ type: z.literal('ready') }),
  /** Save the changed fields, if the task is still at the version the page read; `base` holds their values as read. */
  z.strictObject({ type: z.literal('save'), requestId: token, expectedVersion: whole(1), changes: draftPatch, base: draftPatch }),
  /** Render this description (Markdown) for the preview. */
  z.strictObject({ type: z.literal('preview'), seq: whole(0), text: z.string().check(z.maxLength(DESCRIPTION_MAX)) }),
  /** Change the acceptance criteria (numbered from 1), at the version the page shows. */
  z.strictObject({ type: z.literal('criteria'), requestId: token, expectedVersion: whole(1), op: criteriaOp }),
  /** Make the task wait for another, or stop waiting. */
  z.strictObject({ type: z.literal('depend'), requestId: token, on: entityId }),
  z.strictObject({ type: z.literal('undepend'), requestId: token, on: entityId }),
  /** Tasks to pick as the parent (same project) or a dependency (any project). */
  z.strictObject({ type: z.literal('search'), seq: whole(0), purpose: z.enum(['parent', 'dependency']), query: z.string().check(z.maxLength(200)) }),
  z.strictObject({ type: z.literal('openTask'), taskId: entityId }),
  /** Open a related note, by its vault-relative path. */
  z.strictObject({ type: z.literal('openNote'), path: trimmed(1, 1000) }),
  z.strictObject({ type: z.literal('reveal') }),
  z.strictObject({ type: z.literal('unlock') }),
  /** What the page shows now (after each change): the integration tests and the tab's title follow it. */
  z.strictObject({
    type: z.literal('state'),
    version: whole(0),
    dirty: z.array(draftField).check(z.maxLength(DRAFT_FIELDS.length)),
    conflicts: z.array(draftField).check(z.maxLength(DRAFT_FIELDS.length)),
    taken: z.array(draftField).check(z.maxLength(DRAFT_FIELDS.length)),
  }),
]);
export type FromEditor = z.infer<typeof fromEditor>;

const nullableString = z.nullable(z.string());
const nullableNumber = z.nullable(z.number());

/** A task as the editor shows it (tasks.get, revealed). */
const editorTask = z.object({
  id: z.string(),
  projectId: z.string(),
  sprintId: nullableString,
  parentId: nullableString,
  title: z.string(),
  description: z.string(),
  status,
  priority,
  assignee: nullableString,
  tags: z.array(z.string()),
  estimatedMinutes: nullableNumber,
  actualMinutes: nullableNumber,
  tokensIn: nullableNumber,
  tokensOut: nullableNumber,
  qualityScore: nullableNumber,
  notes: z.array(z.string()),
  dependsOn: z.array(z.string()),
  criteria: z.array(z.object({ text: z.string(), done: z.boolean() })),
  startedAt: nullableString,
  completedAt: nullableString,
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
  secretFields: z.optional(z.array(z.string())),
  lockedFields: z.optional(z.array(z.string())),
  damagedFields: z.optional(z.array(z.string())),
});
export type EditorTask = z.infer<typeof editorTask>;

const taskRef = z.object({ id: z.string(), title: nullableString, status: z.nullable(status) });
export type TaskRefView = z.infer<typeof taskRef>;

const historyEntry = z.object({
  seq: z.number(),
  version: z.number(),
  at: z.string(),
  actor: z.string(),
  source: z.string(),
  /** What happened, in words: "created", "moved to Done", "changed title, priority". */
  summary: z.string(),
  changes: z.array(z.object({ field: z.string(), from: z.string(), to: z.string() })),
});
export type HistoryEntry = z.infer<typeof historyEntry>;

const editorContext = z.object({
  project: z.object({ id: z.string(), name: z.string() }),
  sprints: z.array(z.object({ id: z.string(), name: z.string(), status: z.string() })),
  /** Who a task can be assigned to: the agents Cairn has indexed, then earlier assignees. */
  assignees: z.array(z.object({ name: z.string(), kind: z.enum(['agent', 'earlier']), description: z.optional(z.string()) })),
  parent: z.nullable(taskRef),
  dependsOn: z.array(taskRef),
  dependants: z.array(taskRef),
  notes: z.array(z.object({ path: nullableString, title: nullableString, via: z.string(), line: nullableNumber, name: z.optional(z.string()) })),
  runs: z.array(
    z.object({
      id: z.string(),
      agentName: z.string(),
      outcome: z.string(),
      startedAt: nullableString,
      createdAt: z.string(),
      durationMs: nullableNumber,
      tokensIn: nullableNumber,
      tokensOut: nullableNumber,
      qualityScore: nullableNumber,
      errors: z.number(),
      notes: z.string(),
    }),
  ),
  history: z.array(historyEntry),
  /** More events than shown. */
  historyMore: z.boolean(),
});
export type EditorContext = z.infer<typeof editorContext>;

const conflict = z.object({ field: draftField, mine: z.unknown(), theirs: z.unknown() });

/** Messages the host sends. */
export const toEditor = z.discriminatedUnion('type', [
  /** The task as the store has it now; `by` names who changed it since the page's version (a change made meanwhile). */
  z.object({
    type: z.literal('task'),
    task: editorTask,
    reason: z.enum(['open', 'changed', 'saved', 'action']),
    by: z.optional(z.array(z.object({ actor: z.string(), source: z.string() }))),
  }),
  z.object({ type: z.literal('context'), context: editorContext }),
  z.object({ type: z.literal('preview'), seq: z.number(), html: z.string() }),
  z.object({
    type: z.literal('searchResults'),
    seq: z.number(),
    purpose: z.enum(['parent', 'dependency']),
    results: z.array(z.object({ id: z.string(), title: z.string(), status: z.nullable(status), project: z.optional(z.string()) })),
  }),
  /** ok: saved (merged with a change made meanwhile when `merged` names fields); else why not, with the conflicts to choose. */
  z.object({ type: z.literal('saveResult'), requestId: z.string(), ok: z.boolean(), message: z.optional(z.string()), conflicts: z.optional(z.array(conflict)), merged: z.optional(z.array(draftField)) }),
  z.object({ type: z.literal('actionResult'), requestId: z.string(), ok: z.boolean(), message: z.optional(z.string()) }),
  /** The task is gone (deleted); the page keeps what it shows, read-only. */
  z.object({ type: z.literal('gone'), message: z.string() }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type ToEditor = z.input<typeof toEditor>;

/** The fields a draft holds (DRAFT_FIELDS), as the task has them. */
const draftFieldMask = { title: true, description: true, status: true, priority: true, assignee: true, tags: true, estimatedMinutes: true, sprintId: true, parentId: true } as const satisfies Record<DraftField, true>;

/** The page's own state (vscode.setState): which task, and the unsaved draft with the version it was read at. */
export const editorViewState = z.object({
  taskId: entityId,
  base: z.optional(editorTask),
  draft: z.optional(z.pick(editorTask, draftFieldMask)),
  conflicts: z.optional(z.array(conflict)),
  descriptionMode: z.optional(z.enum(['write', 'preview'])),
  scrollY: z.optional(z.number().check(z.minimum(0))),
});
export type EditorViewState = z.infer<typeof editorViewState>;
