// The knowledge graph's messages, both ways, as zod schemas: the host checks every message from the webview (untrusted
// input) before anything reaches the backend, and the webview checks what the host sends. The graph goes to the page
// compact: nodes as objects, edges as one flat list of numbers (source index, target index, type index), so 190,000
// edges are a few MB, not tens. Imported by both sides: no vscode, no Node, nothing of the store but its kinds.
import * as z from 'zod/mini';
import { GRAPH_KINDS } from '../../store/graph/viewKinds';
import { token, trimmed, whole } from '../webview/schemaParts';

export { GRAPH_KINDS };
export type GraphKind = (typeof GRAPH_KINDS)[number];

/** Bound on a message's size before it is parsed (a painted message is small; nothing from the page is large). */
export const MAX_MESSAGE_CHARS = 100_000;
export const MAX_DEPTH = 3;
export const COLOR_BY = ['kind', 'folder', 'tag'] as const;

const kind = z.enum(GRAPH_KINDS);
/** A node's id as graph.view makes it: `<kind>:<key>`. */
export const nodeId = z.string().check(z.minLength(3), z.maxLength(1100), z.regex(/^(note|entity|task|agent|tag|placeholder):./, 'must be a node id, <kind>:<key>'));

export const graphFilter = z.strictObject({
  mode: z.enum(['whole', 'local']),
  /** Local mode: the centre, or null to follow the active editor's note. */
  center: z.nullable(nodeId),
  depth: whole(1, MAX_DEPTH),
  kinds: z.array(kind).check(z.minLength(1), z.maxLength(GRAPH_KINDS.length)),
  folder: z.nullable(trimmed(0, 1000)),
  tag: z.nullable(trimmed(1, 200)),
  relationType: z.nullable(trimmed(1, 200)),
  orphans: z.enum(['show', 'hide', 'only']),
});
export type GraphFilter = z.infer<typeof graphFilter>;

export const DEFAULT_FILTER: GraphFilter = { mode: 'whole', center: null, depth: 1, kinds: ['note', 'entity', 'task', 'agent'], folder: null, tag: null, relationType: null, orphans: 'show' };

/** Messages the webview sends. */
export const fromWebview = z.discriminatedUnion('type', [
  /** The page has loaded. */
  z.strictObject({ type: z.literal('ready') }),
  /** The graph under a filter; `seq` pairs the answer with the question (older answers are dropped). */
  z.strictObject({ type: z.literal('query'), seq: whole(0), filter: graphFilter }),
  /** Open a node: a note at its file, a task in its editor, an entity as a read-only document, an agent's file.
   * Only a node of the graph last sent is opened. */
  z.strictObject({ type: z.literal('open'), id: nodeId }),
  /** What the page drew, after each answer: the graph it holds, and its own timings (ms, performance.now()). */
  z.strictObject({
    type: z.literal('painted'),
    seq: whole(0),
    nodes: whole(0),
    edges: whole(0),
    timings: z.strictObject({ sinceStartMs: z.number().check(z.minimum(0)), drawMs: z.number().check(z.minimum(0)) }),
  }),
  /** The layout has settled (or was stopped): where it ran and how long it took. */
  z.strictObject({ type: z.literal('laidOut'), seq: whole(0), layoutIn: z.enum(['worker', 'page']), ms: z.number().check(z.minimum(0)), iterations: whole(0) }),
  /** Frame times while the view was panned or zoomed (the page's own requestAnimationFrame timings). */
  z.strictObject({ type: z.literal('frames'), token, frameMs: z.array(z.number().check(z.minimum(0))).check(z.maxLength(10_000)) }),
]);
export type FromWebview = z.infer<typeof fromWebview>;

const viewNode = z.object({
  id: z.string(),
  kind,
  label: z.string(),
  degree: z.number(),
  folder: z.optional(z.string()),
  tag: z.optional(z.string()),
  type: z.optional(z.string()),
  distance: z.optional(z.number()),
});
export type ViewNodeMessage = z.infer<typeof viewNode>;

/** Messages the host sends. */
export const toWebview = z.discriminatedUnion('type', [
  /** The answer to ready: a filter to start with (Show in Graph), else the page's own. */
  z.object({ type: z.literal('init'), filter: z.optional(graphFilter) }),
  /** A filter to apply now (Show in Graph on a note: local mode around it). */
  z.object({ type: z.literal('setFilter'), filter: graphFilter }),
  z.object({
    type: z.literal('graph'),
    seq: z.number(),
    /** Local mode: the centre's id (null: no note is open to centre on). */
    center: z.nullable(z.string()),
    /** Local mode following the editor, with no vault note open: what to do. */
    hint: z.nullable(z.string()),
    nodes: z.array(viewNode),
    /** Flat triples: source index, target index (into nodes), type index (into types). */
    edges: z.array(z.number()),
    types: z.array(z.string()),
    facets: z.object({ relationTypes: z.array(z.string()), folders: z.array(z.string()), tags: z.array(z.string()) }),
  }),
  /** The store changed (any process), or the editor moved to another note while the local graph follows it: ask again. */
  z.object({ type: z.literal('changed') }),
  /** Measure frame times while panning the view (benchmarks). */
  z.object({ type: z.literal('measurePan'), token, frames: z.number(), motion: z.optional(z.enum(['pan', 'zoom'])) }),
  /** A message from the page was refused (malformed), or a request failed. */
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type ToWebview = z.input<typeof toWebview>;
export type GraphMessage = Extract<z.infer<typeof toWebview>, { type: 'graph' }>;

/** The webview's own state (vscode.setState), restored after a reload or when the tab is shown again. */
export const graphViewState = z.object({
  filter: graphFilter,
  colorBy: z.enum(COLOR_BY),
  search: z.string().check(z.maxLength(200)),
  camera: z.nullable(z.object({ x: z.number(), y: z.number(), ratio: z.number(), angle: z.number() })),
});
export type GraphViewState = z.infer<typeof graphViewState>;
