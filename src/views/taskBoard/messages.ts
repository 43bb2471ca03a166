// The task board's messages, both ways, as zod schemas: the host checks every message from the webview (untrusted
// input: a page could be made to post anything) before anything reaches the backend, and the webview checks what
// the host sends. Imported by both sides, so it imports no vscode, no Node and nothing of the store but types.
// zod/mini: the same validation as zod with a tree-shakable API, so the webview bundle carries ~20 KB of it, not ~450 KB.
import * as z from 'zod/mini';
import type { TaskPriority, TaskStatus } from '../../store/schema';
import { describeIssues, entityId, token, trimmed, whole } from '../webview/schemaParts';

/** The board's columns, in order (the store's TASK_STATUSES; checked against its type below). */
export const BOARD_STATUSES = ['pending', 'in_progress', 'blocked', 'done', 'cancelled'] as const satisfies readonly TaskStatus[];
export const BOARD_PRIORITIES = ['urgent', 'high', 'medium', 'low'] as const satisfies readonly TaskPriority[];
// Both lists name every value of the store's types (a new status fails to compile here, not at run time).
type Exhaustive<A extends string, B extends string> = [Exclude<B, A>] extends [never] ? true : never;
const _statusesComplete: Exhaustive<(typeof BOARD_STATUSES)[number], TaskStatus> = true;
const _prioritiesComplete: Exhaustive<(typeof BOARD_PRIORITIES)[number], TaskPriority> = true;
void _statusesComplete;
void _prioritiesComplete;

export const STATUS_LABELS: Record<TaskStatus, string> = { pending: 'Pending', in_progress: 'In progress', blocked: 'Blocked', done: 'Done', cancelled: 'Cancelled' };

/** Most cards a page can ask for; the webview asks for far fewer. */
export const MAX_PAGE = 500;
/** Bound on a message's size before it is parsed (a card page is ~100 KB at most). */
export const MAX_MESSAGE_CHARS = 1_000_000;

const status = z.enum(BOARD_STATUSES);
const priority = z.enum(BOARD_PRIORITIES);
const shortText = (max: number) => z.string().check(z.maxLength(max));

const assigneeFilter = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('any') }),
  /** The user's own name (setting cairn.userName, else $CAIRN_ACTOR, else the OS user). */
  z.strictObject({ kind: z.literal('mine') }),
  z.strictObject({ kind: z.literal('unassigned') }),
  z.strictObject({ kind: z.literal('name'), name: trimmed(1, 200) }),
]);
const sprintFilter = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('any') }),
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('id'), id: entityId }),
]);

export const boardFilter = z.strictObject({
  projectId: z.nullable(entityId),
  sprint: sprintFilter,
  assignee: assigneeFilter,
  tag: z.nullable(trimmed(1, 100)),
  priority: z.nullable(priority),
  text: shortText(200),
});
export type BoardFilter = z.infer<typeof boardFilter>;

export const EMPTY_FILTER: BoardFilter = { projectId: null, sprint: { kind: 'any' }, assignee: { kind: 'any' }, tag: null, priority: null, text: '' };

const columnRequest = z.strictObject({ status, offset: whole(0, 10_000_000), limit: whole(0, MAX_PAGE) });
const LANE_MODES = ['none', 'sprint', 'assignee'] as const;
export type LaneMode = (typeof LANE_MODES)[number];
/** A swimlane's key in the page ("s:<sprint id>", "a:<assignee>"; "s:", "a:" for none), echoed with its answer. */
const laneKey = z.string().check(z.maxLength(210));

/** Messages the webview sends. */
export const fromWebview = z.discriminatedUnion('type', [
  /** The page has loaded and asks for what it needs to draw (projects, sprints, who "mine" is). */
  z.strictObject({ type: z.literal('ready') }),
  /** Pages of columns under a filter; `seq` pairs the answer with the question (older answers are dropped). */
  z.strictObject({
    type: z.literal('query'),
    seq: whole(0),
    filter: boardFilter,
    columns: z.array(columnRequest).check(z.minLength(1), z.maxLength(BOARD_STATUSES.length)),
    facets: z.boolean(),
    /** Also list the swimlanes with cards (by sprint or assignee). */
    lanes: z.optional(z.enum(['sprint', 'assignee'])),
    /** Which swimlane these pages are for (its filter is already in `filter`): echoed with the answer. */
    lane: z.optional(laneKey),
  }),
  /**
   * Move a card to another column, if the task is still at the version the card showed; into another swimlane, the
   * lane's sprint (null: no sprint) or assignee (null: unassigned) too.
   */
  z.strictObject({
    type: z.literal('move'),
    moveId: token,
    taskId: entityId,
    expectedVersion: whole(1),
    status,
    sprintId: z.optional(z.nullable(entityId)),
    assignee: z.optional(z.nullable(trimmed(1, 200))),
  }),
  /** Move a card within its column: between the cards shown above (after) and below (before) it; null at an end. */
  z.strictObject({ type: z.literal('reorder'), moveId: token, taskId: entityId, expectedVersion: whole(1), after: z.nullable(entityId), before: z.nullable(entityId) }),
  /** Quick "new task" in a column. */
  z.strictObject({ type: z.literal('create'), requestId: token, status, title: trimmed(1, 500), projectId: z.nullable(entityId), sprintId: z.nullable(entityId), assignee: z.optional(z.nullable(trimmed(1, 200))) }),
  /** Show the task in the Projects view. */
  z.strictObject({ type: z.literal('reveal'), taskId: entityId }),
  /** Open the task's editor (Enter or a double-click on its card). */
  z.strictObject({ type: z.literal('open'), taskId: entityId }),
  /** What the page drew (after each render that changed the cards shown): ids of the cards in the DOM. */
  z.strictObject({ type: z.literal('painted'), cardIds: z.array(entityId).check(z.maxLength(2000)), totals: z.partialRecord(status, whole(0)) }),
]);
export type FromWebview = z.infer<typeof fromWebview>;

const boardCard = z.object({
  id: z.string(),
  projectId: z.string(),
  sprintId: z.nullable(z.string()),
  parentId: z.nullable(z.string()),
  title: z.string(),
  status,
  priority,
  assignee: z.nullable(z.string()),
  tags: z.array(z.string()),
  estimatedMinutes: z.nullable(z.number()),
  criteriaDone: z.number(),
  criteriaTotal: z.number(),
  dependsOn: z.number(),
  waitingOn: z.number(),
  updatedAt: z.string(),
  version: z.number(),
  /** Place in the column once moved within it (src/store/taskRank.ts); null: by priority, then id. */
  rank: z.optional(z.nullable(z.number())),
  secretFields: z.optional(z.array(z.string())),
  lockedFields: z.optional(z.array(z.string())),
  damagedFields: z.optional(z.array(z.string())),
});
export type BoardCard = z.infer<typeof boardCard>;

const boardColumn = z.object({ status, total: whole(0), offset: whole(0), cards: z.array(boardCard) });
export type BoardColumn = z.infer<typeof boardColumn>;

/** Messages the host sends. */
export const toWebview = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('init'),
    projects: z.array(z.object({ id: z.string(), name: z.string() })),
    sprints: z.array(z.object({ id: z.string(), name: z.string(), projectId: z.string() })),
    me: z.string(),
    /** A filter to apply now (the board was opened from a project's context menu). */
    filter: z.optional(boardFilter),
  }),
  z.object({
    type: z.literal('columns'),
    seq: z.number(),
    columns: z.array(boardColumn),
    facets: z.optional(z.object({ assignees: z.array(z.string()), tags: z.array(z.string()) })),
    lanes: z.optional(z.array(z.object({ key: z.nullable(z.string()), total: z.number() }))),
    lane: z.optional(z.string()),
  }),
  /** The store changed (any process): ask again for what is shown. */
  z.object({ type: z.literal('changed'), projectsChanged: z.boolean() }),
  z.object({ type: z.literal('setFilter'), filter: boardFilter }),
  /** ok: the store took the move (the card's new version); else why not (the webview puts the card back). */
  z.object({ type: z.literal('moveResult'), moveId: z.string(), ok: z.boolean(), version: z.optional(z.number()), message: z.optional(z.string()) }),
  z.object({ type: z.literal('created'), requestId: z.string(), ok: z.boolean(), message: z.optional(z.string()) }),
  /** A message from the page was refused (malformed), or a request failed. */
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type ToWebview = z.input<typeof toWebview>;

/** The webview's own state (vscode.setState), restored after a reload or when the tab is shown again. */
export const boardViewState = z.object({
  filter: boardFilter,
  shown: z.array(status).check(z.maxLength(BOARD_STATUSES.length)),
  scroll: z.record(z.string(), z.number().check(z.minimum(0))),
  selected: z.nullable(z.string().check(z.maxLength(100))),
  /** Swimlanes: none, by sprint or by assignee (absent in a state saved before there were lanes). */
  lanes: z.optional(z.enum(LANE_MODES)),
});
export type BoardViewState = z.infer<typeof boardViewState>;

export const DEFAULT_VIEW_STATE: BoardViewState = { filter: EMPTY_FILTER, shown: ['pending', 'in_progress', 'blocked', 'done'], scroll: {}, selected: null };

/** The order of cards in a column, as the store pages them (src/store/taskBoard.ts): cards moved within the column
 *  by rank first, then urgent first, then by id. */
export function compareCards(a: Pick<BoardCard, 'priority' | 'id' | 'rank'>, b: Pick<BoardCard, 'priority' | 'id' | 'rank'>): number {
  const ra = a.rank ?? null;
  const rb = b.rank ?? null;
  if (ra !== rb) {
    if (ra === null) return 1;
    if (rb === null) return -1;
    return ra - rb;
  }
  const priority = BOARD_PRIORITIES.indexOf(a.priority) - BOARD_PRIORITIES.indexOf(b.priority);
  return priority !== 0 ? priority : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export { describeIssues };
