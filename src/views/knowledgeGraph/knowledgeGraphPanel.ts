// The knowledge graph's host: one webview panel (src/webviews/knowledgeGraph/ draws it) fed from the backend's
// graph.view. It answers the page's checked messages (the graph under a filter, read page by page and sent compact;
// open a node it sent), tells the page when the store changed or, while the local graph follows the editor, when the
// editor moved to another note. It only reads: the graph writes nothing.
import * as vscode from 'vscode';
import type { StoreChanged } from '../../backend/protocol';
import type { BackendClient } from '../../extension/backendClient';
import type { GraphView, ViewNode } from '../../store/graph/view';
import { WebviewPanelHost } from '../webview/panelHost';
import { fromWebview, MAX_MESSAGE_CHARS, toWebview, type FromWebview, type GraphFilter, type GraphMessage } from './messages';

export const KNOWLEDGE_GRAPH_VIEW_TYPE = 'cairn.knowledgeGraph';
export const KNOWLEDGE_GRAPH_APP = 'knowledgeGraph';
/** Nodes per graph.view call (10,000 notes with their tasks and entities: one or two calls). */
const PAGE_NODES = 20_000;

export interface KnowledgeGraphDeps {
  backend: BackendClient;
  log: vscode.LogOutputChannel;
  extensionUri: vscode.Uri;
  /** The node of the editor the local graph follows (`note:<path>`, `entity:<name>`), or null when none was open. */
  activeNode: () => string | null;
  /** Opens a node of the graph (a note, task or entity), beside the graph. */
  open: (node: ViewNode, graph: vscode.WebviewPanel) => Promise<unknown>;
}

export interface GraphPainted {
  seq: number;
  nodes: number;
  edges: number;
  timings: { sinceStartMs: number; drawMs: number };
  /** From the command (or the panel's restore) to this paint, on the host's clock. */
  sinceOpenedMs: number;
}
export type GraphLaidOut = Extract<FromWebview, { type: 'laidOut' }> & { sinceOpenedMs: number };

export class KnowledgeGraphPanel extends WebviewPanelHost<typeof fromWebview, typeof toWebview> {
  private readonly painted = new vscode.EventEmitter<GraphPainted>();
  private readonly laidOut = new vscode.EventEmitter<GraphLaidOut>();
  private readonly framed = new vscode.EventEmitter<Extract<FromWebview, { type: 'frames' }>>();
  /** Fires with what the page drew, after each answer. */
  readonly onDidPaint = this.painted.event;
  /** Fires when the page's layout has settled. */
  readonly onDidLayOut = this.laidOut.event;
  /** Fires with frame times the page measured while panning (measurePan). */
  readonly onDidMeasureFrames = this.framed.event;
  lastPainted: GraphPainted | undefined;
  /** What the page was last sent: the totals and the filter (tests compare them with the store's). */
  lastSent: { seq: number; filter: GraphFilter; center: string | null; nodes: number; edges: number } | undefined;
  private nodes = new Map<string, ViewNode>();
  private pendingFilter: GraphFilter | undefined;
  private lastFilter: GraphFilter | undefined;
  private openedAt: number;

  constructor(
    panel: vscode.WebviewPanel,
    private readonly d: KnowledgeGraphDeps,
    filter?: GraphFilter,
    openedAt = performance.now(),
  ) {
    super(panel, {
      backend: d.backend,
      log: d.log,
      extensionUri: d.extensionUri,
      app: KNOWLEDGE_GRAPH_APP,
      pageTitle: 'Knowledge Graph',
      name: 'the knowledge graph',
      logName: 'Knowledge graph',
      // ForceAtlas2 runs in a web worker that graphology starts from a blob: URL of its own code.
      blobWorkers: true,
      incoming: fromWebview,
      outgoing: toWebview,
      maxMessageChars: MAX_MESSAGE_CHARS,
    });
    this.pendingFilter = filter;
    this.openedAt = openedAt;
  }

  /** Shows the graph with this filter (Show in Graph again on another note). */
  showFilter(filter: GraphFilter, openedAt = performance.now()): void {
    this.openedAt = openedAt;
    this.panel.reveal(undefined, true);
    // A hidden panel's page is gone (no retainContextWhenHidden): the page that comes back gets it when ready.
    this.pendingFilter = filter;
    void this.port.post({ type: 'setFilter', filter });
  }

  /** The editor moved: a local graph that follows it asks again (nothing else does). */
  editorChanged(): void {
    const f = this.lastFilter;
    if (f?.mode === 'local' && f.center === null && this.d.activeNode() !== this.lastSent?.center) void this.port.post({ type: 'changed' });
  }

  protected override async handle(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        await this.port.post({ type: 'init', ...(this.pendingFilter ? { filter: this.pendingFilter } : {}) });
        return;
      case 'query':
        if (JSON.stringify(m.filter) === JSON.stringify(this.pendingFilter)) this.pendingFilter = undefined;
        return await this.query(m.seq, m.filter);
      case 'open': {
        // Only a node the page was sent: a page made to post any id opens nothing else.
        const node = this.nodes.get(m.id);
        if (!node) throw new Error(`${m.id} is not in the graph shown.`);
        await this.d.open(node, this.panel);
        return;
      }
      case 'painted':
        this.lastPainted = { seq: m.seq, nodes: m.nodes, edges: m.edges, timings: m.timings, sinceOpenedMs: performance.now() - this.openedAt };
        this.painted.fire(this.lastPainted);
        return;
      case 'laidOut':
        this.laidOut.fire({ ...m, sinceOpenedMs: performance.now() - this.openedAt });
        return;
      case 'frames':
        this.framed.fire(m);
        return;
    }
  }

  /** The graph under the filter, every page of it, sent as one compact message. */
  private async query(seq: number, filter: GraphFilter): Promise<void> {
    this.lastFilter = filter;
    const center = filter.mode === 'local' ? (filter.center ?? this.d.activeNode()) : null;
    if (filter.mode === 'local' && !center) {
      this.nodes = new Map();
      this.lastSent = { seq, filter, center: null, nodes: 0, edges: 0 };
      const hint = 'Open a note of the vault (or use Show in Graph on one) to see its local graph.';
      await this.port.post({ type: 'graph', seq, center: null, hint, nodes: [], edges: [], types: [], facets: { relationTypes: [], folders: [], tags: [] } });
      return;
    }
    const params = {
      mode: filter.mode,
      ...(center ? { center, depth: filter.depth } : {}),
      kinds: filter.kinds,
      ...(filter.folder !== null ? { folder: filter.folder } : {}),
      ...(filter.tag !== null ? { tag: filter.tag } : {}),
      ...(filter.relationType !== null ? { relationType: filter.relationType } : {}),
      orphans: filter.orphans,
    };
    const nodes: ViewNode[] = [];
    const edges: GraphView['edges'] = [];
    let facets: GraphView['facets'];
    let centerId: string | null = null;
    for (let offset: number | null = 0; offset !== null; ) {
      const page: GraphView = await this.d.backend.request<'graph.view', GraphView>('graph.view', { ...params, offset, limit: PAGE_NODES });
      nodes.push(...page.nodes);
      for (const e of page.edges) edges.push(e);
      facets ??= page.facets;
      centerId = page.center;
      offset = page.nextOffset;
    }
    const message = compact(seq, centerId, nodes, edges, facets);
    this.nodes = new Map(nodes.map((n) => [n.id, n]));
    this.lastSent = { seq, filter, center: centerId, nodes: message.nodes.length, edges: message.edges.length / 3 };
    await this.port.post(message);
  }

  /** Any change may move the graph (a note indexed, a task's notes, an entity): one refresh per burst. */
  protected override storeChanged(_change: StoreChanged): void {
    this.refreshSoon(() => void this.port.post({ type: 'changed' }));
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.painted.dispose();
    this.laidOut.dispose();
    this.framed.dispose();
  }
}

/** The graph as the page takes it: edges as (source, target, type) index triples. */
function compact(seq: number, center: string | null, nodes: ViewNode[], edges: GraphView['edges'], facets: GraphView['facets']): GraphMessage {
  const at = new Map(nodes.map((n, i) => [n.id, i]));
  const types: string[] = [];
  const typeAt = new Map<string, number>();
  const flat: number[] = [];
  for (const e of edges) {
    const s = at.get(e.source);
    const t = at.get(e.target);
    if (s === undefined || t === undefined) continue; // a page read after a change: the next refresh has it
    let type = typeAt.get(e.type);
    if (type === undefined) typeAt.set(e.type, (type = types.push(e.type) - 1));
    flat.push(s, t, type);
  }
  return {
    type: 'graph',
    seq,
    center,
    hint: null,
    nodes: nodes.map(({ key: _key, ...n }) => n),
    edges: flat,
    types,
    facets: facets ?? { relationTypes: [], folders: [], tags: [] },
  };
}
