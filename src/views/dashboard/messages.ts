// The dashboard's messages, both ways, as zod schemas: the host checks every message from the webview (untrusted
// input) before anything reaches the backend, and the webview checks what the host sends. The reports are the
// metrics methods' answers (src/store/metrics/), cut to the fields the page draws. Imported by both sides, so it
// imports no vscode, no Node and nothing of the store but types.
import * as z from 'zod/mini';
import type { TaskStatus } from '../../store/schema';
import { entityId, trimmed, whole } from '../webview/schemaParts';

/** The charts, tables and lists of the page, in the order drawn; each has a Copy CSV action. */
export const CHART_IDS = ['burndown', 'throughput', 'cumulativeFlow', 'cycleTime', 'agents', 'agentsOverTime', 'activity', 'blocked', 'stale', 'mostLinkedNotes'] as const;
export type ChartId = (typeof CHART_IDS)[number];

export const FLOW_STATUSES = ['pending', 'in_progress', 'blocked', 'done', 'cancelled'] as const satisfies readonly TaskStatus[];
type Exhaustive<A extends string, B extends string> = [Exclude<B, A>] extends [never] ? true : never;
const _statusesComplete: Exhaustive<(typeof FLOW_STATUSES)[number], TaskStatus> = true;
void _statusesComplete;

/** Most buckets (days) an answer holds: MAX_BUCKETS of src/store/metrics/time.ts. */
export const MAX_POINTS = 3660;
/** Bound on a message's size before it is parsed (a painted message of ten years of days is ~300 KB). */
export const MAX_MESSAGE_CHARS = 2_000_000;
/** The range presets, in days up to today. */
export const RANGE_DAYS = [7, 14, 30, 90, 365] as const;

const date = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD'));

export const dashboardFilter = z.strictObject({
  projectId: z.nullable(entityId),
  /** The burndown's sprint; null: the newest sprint of the project (or of all). */
  sprintId: z.nullable(entityId),
  range: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('last'), days: whole(1, MAX_POINTS) }),
    z.strictObject({ kind: z.literal('between'), from: date, to: date }),
  ]),
  bucket: z.enum(['day', 'week']),
  /** The per-agent charts for one agent only. */
  agent: z.nullable(trimmed(1, 200)),
});
export type DashboardFilter = z.infer<typeof dashboardFilter>;

export const DEFAULT_FILTER: DashboardFilter = { projectId: null, sprintId: null, range: { kind: 'last', days: 30 }, bucket: 'day', agent: null };

const chartId = z.enum(CHART_IDS);
const value = z.nullable(z.number());
/** What one chart (or table or list) was drawn from: its x labels and each series' values. */
const paintedChart = z.strictObject({
  id: chartId,
  labels: z.array(z.string().check(z.maxLength(1000))).check(z.maxLength(MAX_POINTS)),
  series: z.array(z.strictObject({ label: z.string().check(z.maxLength(300)), values: z.array(value).check(z.maxLength(MAX_POINTS)) })).check(z.maxLength(20)),
  /** Drawn as the empty state (nothing to show in the range) instead of a chart. */
  empty: z.boolean(),
});
export type PaintedChart = z.infer<typeof paintedChart>;

/** Messages the webview sends. */
export const fromWebview = z.discriminatedUnion('type', [
  /** The page has loaded and asks for the projects and sprints its filters list. */
  z.strictObject({ type: z.literal('ready') }),
  /** Every figure under a filter; `seq` pairs the answer with the question (older answers are dropped). */
  z.strictObject({ type: z.literal('query'), seq: whole(0), filter: dashboardFilter }),
  /** Copy a chart's data, as the host last sent it, to the clipboard as CSV. */
  z.strictObject({ type: z.literal('copyCsv'), chart: chartId }),
  z.strictObject({ type: z.literal('openTask'), taskId: entityId }),
  /** Open a note of the most-linked list (only a path that list holds is opened). */
  z.strictObject({ type: z.literal('openNote'), path: trimmed(1, 1000) }),
  /** The empty store's call to action. */
  z.strictObject({ type: z.literal('createProject') }),
  /** What the page drew, after each answer: each chart's data, and its own timings (ms, performance.now()). */
  z.strictObject({
    type: z.literal('painted'),
    seq: whole(0),
    charts: z.array(paintedChart).check(z.maxLength(CHART_IDS.length)),
    /** The page's clock: since its navigation started, and from the answer's arrival to every chart painted. */
    timings: z.strictObject({ sinceStartMs: z.number().check(z.minimum(0)), drawMs: z.number().check(z.minimum(0)) }),
  }),
]);
export type FromWebview = z.infer<typeof fromWebview>;

const nullableNumber = z.nullable(z.number());
const distribution = z.object({ count: z.number(), meanMs: nullableNumber, p50Ms: nullableNumber, p85Ms: nullableNumber, p95Ms: nullableNumber });
const agentFigures = {
  runs: z.number(),
  successRate: nullableNumber,
  tokensIn: z.number(),
  tokensOut: z.number(),
  meanQuality: nullableNumber,
  meanDurationMs: nullableNumber,
  errors: z.number(),
};
const listedTask = { id: z.string(), title: z.string(), projectId: z.string(), status: z.string(), assignee: z.nullable(z.string()), updatedAt: z.string() };

export const reports = z.object({
  burndown: z.nullable(
    z.object({
      sprint: z.object({ id: z.string(), name: z.string(), projectId: z.string(), startsOn: z.string(), endsOn: z.string() }),
      days: z.array(z.object({ date: z.string(), remainingTasks: nullableNumber, remainingMinutes: nullableNumber, scopeTasks: nullableNumber, idealTasks: z.number(), idealMinutes: z.number() })),
    }),
  ),
  throughput: z.nullable(z.object({ total: z.number(), buckets: z.array(z.object({ start: z.string(), done: z.number() })) })),
  cumulativeFlow: z.nullable(z.object({ buckets: z.array(z.object({ start: z.string(), byStatus: z.record(z.enum(FLOW_STATUSES), z.number()) })) })),
  cycleTime: z.nullable(
    z.object({
      count: z.number(),
      cycle: distribution,
      lead: distribution,
      histogram: z.array(z.object({ label: z.string(), fromMs: z.number(), toMs: nullableNumber, cycle: z.number(), lead: z.number() })),
    }),
  ),
  agents: z.nullable(
    z.object({
      agents: z.array(z.object({ agent: z.string(), ...agentFigures })),
      buckets: z.array(z.object({ start: z.string(), byAgent: z.record(z.string(), z.object(agentFigures)) })),
    }),
  ),
  activity: z.nullable(z.object({ buckets: z.array(z.object({ start: z.string(), total: z.number(), humans: z.number(), agents: z.number() })) })),
  lists: z.nullable(
    z.object({
      blocked: z.object({ total: z.number(), tasks: z.array(z.object({ ...listedTask, blockedSince: z.nullable(z.string()), waitingOn: z.number() })) }),
      stale: z.object({ days: z.number(), total: z.number(), tasks: z.array(z.object({ ...listedTask, idleDays: z.number() })) }),
      mostLinkedNotes: z.array(z.object({ path: z.string(), title: z.nullable(z.string()), links: z.number() })),
    }),
  ),
});
export type Reports = z.infer<typeof reports>;
export type ReportName = keyof Reports;

/** Messages the host sends. */
export const toWebview = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('init'),
    projects: z.array(z.object({ id: z.string(), name: z.string() })),
    sprints: z.array(z.object({ id: z.string(), name: z.string(), projectId: z.string(), startsOn: z.nullable(z.string()) })),
    /** A filter to apply now (opened from a project's context menu). */
    filter: z.optional(dashboardFilter),
  }),
  z.object({
    type: z.literal('data'),
    seq: z.number(),
    /** The range the figures cover (local dates) and its time zone. */
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    /** Agents with runs in the range (the agent filter's choices). */
    agentNames: z.array(z.string()),
    reports,
    /** Why a report is missing (its method failed), by report. */
    errors: z.partialRecord(z.enum(['burndown', 'throughput', 'cumulativeFlow', 'cycleTime', 'agents', 'activity', 'lists']), z.string()),
  }),
  /** The store changed (any process): ask again. */
  z.object({ type: z.literal('changed') }),
  z.object({ type: z.literal('setFilter'), filter: dashboardFilter }),
  z.object({ type: z.literal('copied'), chart: chartId, rows: z.number() }),
  /** A message from the page was refused (malformed), or a request failed. */
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type ToWebview = z.input<typeof toWebview>;
export type DashboardData = Extract<z.infer<typeof toWebview>, { type: 'data' }>;

/** The webview's own state (vscode.setState), restored after a reload or when the tab is shown again. */
export const dashboardViewState = z.object({ filter: dashboardFilter });
export type DashboardViewState = z.infer<typeof dashboardViewState>;
