// The knowledge graph page: a toolbar (whole store or the local graph around the editor's note with its depth; colour
// by kind, folder or tag; filters by kind, folder, tag, relation and orphans; a search box) over the graph, drawn by
// sigma.js in WebGL from a graphology graph (renderer.ts: what keeps 10,000 nodes fluid without a GPU) and laid out by
// ForceAtlas2 in a web worker (layout.ts). A legend says what the colours and shapes mean; nodes are sized by their
// connections; labels appear as you zoom in. Hover shows a node's title, neighbours and its edges; a click (or Enter on
// the search's focused match) opens it. A big graph is drawn without its edges while it is laid out and while the
// camera moves: edges are most of a frame's cost. The filter, colouring,
// search and camera live in the page's state (vscode.setState), so a reload comes back to them. Theme only from VS
// Code's CSS variables.
import '../shared/litNonce';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './graph.css';
import Graph from 'graphology';
import { EdgeLineProgram, NodePointProgram } from 'sigma/rendering';
import type * as z from 'zod/mini';
import {
  COLOR_BY,
  DEFAULT_FILTER,
  GRAPH_KINDS,
  graphViewState,
  toWebview,
  type FromWebview,
  type GraphFilter,
  type GraphKind,
  type GraphMessage,
  type GraphViewState,
  type ViewNodeMessage,
} from '../../views/knowledgeGraph/messages';
import { fillSelect, showBanner, speak, type CheckboxElement, type SelectElement, type TextFieldElement } from '../shared/controls';
import { h, icon, setChildren } from '../shared/dom';
import { onHostMessage, postToHost, savedState, saveState } from '../shared/vscodeApi';
import { LayoutRunner } from './layout';
import { GraphRenderer, NodePointSquareProgram } from './renderer';
import { colorOf, groupColors, KIND_LABELS, KIND_PLURALS, legendOf, SHAPES, sizeOf, type ColorBy, type GraphTheme } from './look';
import { matchesOf, stepFocus } from './search';

type HostMessage = z.infer<typeof toWebview>;
const post = (m: FromWebview) => postToHost(m);

interface NodeAttrs {
  x: number;
  y: number;
  size: number;
  color: string;
  label: string;
  type: 'circle' | 'square';
  node: ViewNodeMessage;
}

/** Past this many edges, edges are drawn only when the picture is still: not while the camera moves, nor while the
 * layout runs (each draw re-reads them all). Without a GPU 18,000 edges cost ~100 ms a frame, 180,000 ~850 ms. */
const EDGES_WHEN_STILL = 5_000;
/** A frame's share of adding a big graph's edges. */
const EDGE_SLICE_MS = 40;
/** Past this many nodes, labels are hidden while the camera moves. */
const HIDE_LABELS_ON_MOVE = 2_000;
/** Neighbours listed in the hover card. */
const HOVER_NEIGHBOURS = 8;
/** Kinds whose click opens something; the others (agent, tag, missing note) show their local graph instead. */
const OPENS = new Set<GraphKind>(['note', 'task', 'entity']);

/** A colour as the canvas writes it (#rrggbb or rgba(…)): sigma reads those, not every CSS form a theme may use. */
function canvasColor(value: string, fallback: string): string {
  const ctx = document.createElement('canvas').getContext('2d')!;
  ctx.fillStyle = fallback;
  if (value.trim()) ctx.fillStyle = value.trim();
  return ctx.fillStyle;
}

function readTheme(): GraphTheme {
  const s = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => canvasColor(s.getPropertyValue(name), fallback);
  const foreground = v('--vscode-foreground', '#cccccc');
  return {
    blue: v('--vscode-charts-blue', '#3794ff'),
    purple: v('--vscode-charts-purple', '#b180d7'),
    orange: v('--vscode-charts-orange', '#d18616'),
    green: v('--vscode-charts-green', '#89d185'),
    yellow: v('--vscode-charts-yellow', '#cca700'),
    red: v('--vscode-charts-red', '#f14c4c'),
    muted: v('--vscode-descriptionForeground', '#888888'),
    // Solid, not translucent: a colour between the text's and the background's (WebGL blends alpha poorly here).
    dimmed: mix(v('--vscode-descriptionForeground', '#888888'), v('--vscode-editor-background', '#1e1e1e'), 0.3),
    foreground,
    background: v('--vscode-editor-background', '#1e1e1e'),
    edge: v('--vscode-editorLineNumber-foreground', foreground),
    font: s.getPropertyValue('--vscode-font-family').trim() || 'sans-serif',
  };
}

const rgbOf = (color: string) => {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  return m ? [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)] : null;
};

/** `share` of colour `a` over colour `b` (both #rrggbb), as #rrggbb. */
function mix(a: string, b: string, share: number): string {
  const x = rgbOf(a);
  const y = rgbOf(b);
  if (!x || !y) return a;
  return `#${x.map((c, i) => Math.round(c * share + y[i]! * (1 - share)).toString(16).padStart(2, '0')).join('')}`;
}

/** Edges [from, to) of a graph message into the graph (`ids`: the message's node ids by index). */
function addEdges(graph: Graph<NodeAttrs>, m: GraphMessage, ids: string[], from: number, to: number): void {
  for (let i = from * 3; i < to * 3; i += 3) graph.addEdge(ids[m.edges[i]!]!, ids[m.edges[i + 1]!]!, { type: 'line', relation: m.types[m.edges[i + 2]!] });
}

/** The same nodes (their own copies of the attributes), no edges. */
function nodesOf(graph: Graph<NodeAttrs>): Graph<NodeAttrs> {
  const copy = new Graph<NodeAttrs>({ multi: true, type: 'directed', allowSelfLoops: false });
  graph.forEachNode((n, a) => {
    copy.addNode(n, { ...a });
  });
  return copy;
}

class KnowledgeGraphPage {
  private state: GraphViewState;
  private seq = 0;
  private graph = new Graph<NodeAttrs>({ multi: true, type: 'directed', allowSelfLoops: false });
  /** The graph sigma draws: `graph` itself, or a big one's nodes alone (its edges are the renderer's edge layer, drawn
   * once it is laid out). */
  private shown = this.graph;
  private renderer: GraphRenderer<NodeAttrs> | undefined;
  private layout: LayoutRunner | undefined;
  private theme: GraphTheme = readTheme();
  private data: GraphMessage | undefined;
  /** The edges of the graph drawn (all of them, also while a big graph's are still being added). */
  private edgeCount = 0;
  private hovered: string | null = null;
  private hoverNeighbours = new Set<string>();
  private matches: string[] = [];
  private focused = -1;
  private matchSet = new Set<string>();
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  /** The filter changed since the last graph drawn: the next one is shown whole (a store change keeps the camera). */
  private resetCamera = false;
  /** A graph past EDGES_WHEN_STILL edges is being laid out: its edges are drawn once it is still. */
  private layingOutBig = false;

  private readonly root = h('main', { className: 'graph-page' });
  private readonly toolbar = h('div', { className: 'toolbar', role: 'toolbar', 'aria-label': 'Graph filters' });
  private readonly kindsBar = h('div', { className: 'kinds', role: 'group', 'aria-label': 'Kinds of node shown' });
  private readonly banner = h('div', { className: 'banner', role: 'alert', hidden: true });
  private readonly stage = h('div', { className: 'stage' });
  private readonly canvasHost = h('div', { className: 'canvas', id: 'graph-canvas', role: 'img', 'aria-label': 'Knowledge graph' });
  private readonly empty = h('div', { className: 'empty', hidden: true, 'aria-live': 'polite' });
  private readonly legend = h('div', { className: 'legend', 'aria-label': 'Legend' });
  private readonly status = h('div', { className: 'status', id: 'graph-status', 'aria-live': 'polite' });
  private readonly hoverCard = h('div', { className: 'hover-card', hidden: true, role: 'tooltip' });
  private readonly live = h('div', { className: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true' });
  private readonly selects: Record<'mode' | 'depth' | 'colorBy' | 'folder' | 'tag' | 'relation' | 'orphans', SelectElement>;
  private readonly kindBoxes = new Map<GraphKind, CheckboxElement>();
  private readonly search: TextFieldElement;
  private readonly matchInfo = h('span', { className: 'match-info', 'aria-live': 'polite' });

  constructor() {
    this.state = savedState(graphViewState) ?? { filter: structuredClone(DEFAULT_FILTER), colorBy: 'kind', search: '', camera: null };
    const select = (label: string, key: string) => h('vscode-single-select', { 'aria-label': label, 'data-filter': key, className: 'filter' }) as SelectElement;
    this.selects = {
      mode: select('Graph', 'mode'),
      depth: select('Depth', 'depth'),
      colorBy: select('Colour by', 'colorBy'),
      folder: select('Folder', 'folder'),
      tag: select('Tag', 'tag'),
      relation: select('Relation', 'relation'),
      orphans: select('Orphans', 'orphans'),
    };
    this.search = h('vscode-textfield', { placeholder: 'Search nodes (Enter opens, ↓↑ next)', 'aria-label': 'Search nodes', 'data-filter': 'search', className: 'search' }) as TextFieldElement;
    this.buildToolbar();
    this.stage.append(this.canvasHost, this.empty, this.legend, this.hoverCard);
    this.root.append(this.toolbar, this.kindsBar, this.banner, this.stage, this.status, this.live);
    document.body.append(this.root);
    this.fillToolbar();
    onHostMessage(toWebview, 'knowledge graph', (m) => {
      try {
        this.receive(m);
      } catch (err) {
        // Said on the page, not only in a console nobody sees.
        showBanner(this.banner, `The graph could not be drawn: ${(err as Error).message}`);
        this.root.removeAttribute('aria-busy');
      }
    });
    // VS Code marks the theme's kind on <body>: new colours.
    new MutationObserver(() => this.themeChanged()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    post({ type: 'ready' });
  }

  // ---- messages from the host --------------------------------------------------------------------------------------

  private receive(m: HostMessage): void {
    switch (m.type) {
      case 'init':
        // A filter from Show in Graph wins over the one the page kept.
        if (m.filter) {
          this.state.filter = m.filter;
          this.state.camera = null;
          this.saveState();
          this.fillToolbar();
        }
        this.query();
        return;
      case 'setFilter':
        this.state.camera = null;
        this.setFilter(m.filter);
        return;
      case 'graph':
        if (m.seq !== this.seq) return; // asked before the filter or the store changed
        this.draw(m);
        return;
      case 'changed':
        this.query();
        return;
      case 'measurePan':
        void this.measurePan(m.token, m.frames, m.motion ?? 'pan');
        return;
      case 'error':
        showBanner(this.banner, m.message);
        return;
    }
  }

  private query(): void {
    this.seq += 1;
    this.root.setAttribute('aria-busy', 'true');
    this.status.textContent = 'Reading the graph…';
    post({ type: 'query', seq: this.seq, filter: this.state.filter });
  }

  private setFilter(filter: GraphFilter): void {
    if (JSON.stringify(filter) === JSON.stringify(this.state.filter)) return;
    this.state.filter = filter;
    this.state.camera = null;
    this.resetCamera = true;
    this.saveState();
    this.fillToolbar();
    this.query();
  }

  private saveState(): void {
    saveState(this.state);
  }

  // ---- toolbar -------------------------------------------------------------------------------------------------------

  private buildToolbar(): void {
    const labelled = (text: string, control: HTMLElement) => h('label', { className: 'field' }, h('span', { className: 'field-label' }, text), control);
    const fit = h('vscode-button', { secondary: true, title: 'Show the whole graph', 'aria-label': 'Fit the graph to the view', 'data-action': 'fit' }, icon('screen-full'), ' Fit');
    fit.addEventListener('click', () => void this.renderer?.getCamera().animatedReset());
    this.toolbar.append(
      labelled('Graph', this.selects.mode),
      labelled('Depth', this.selects.depth),
      labelled('Colour by', this.selects.colorBy),
      labelled('Folder', this.selects.folder),
      labelled('Tag', this.selects.tag),
      labelled('Relation', this.selects.relation),
      labelled('Orphans', this.selects.orphans),
      h('label', { className: 'field search-field' }, h('span', { className: 'field-label' }, 'Search'), h('div', { className: 'search-row' }, this.search, this.matchInfo)),
      fit,
    );
    for (const kind of GRAPH_KINDS) {
      const box = h('vscode-checkbox', { label: KIND_PLURALS[kind], 'data-kind': kind }) as CheckboxElement;
      box.addEventListener('change', () => {
        const kinds = GRAPH_KINDS.filter((k) => this.kindBoxes.get(k)!.checked);
        if (!kinds.length) {
          box.checked = true;
          this.say('At least one kind of node is shown.');
          return;
        }
        this.setFilter({ ...this.state.filter, kinds });
      });
      this.kindBoxes.set(kind, box);
      this.kindsBar.append(box);
    }
    const f = () => this.state.filter;
    this.selects.mode.addEventListener('change', () => this.setFilter({ ...f(), mode: this.selects.mode.value === 'local' ? 'local' : 'whole', center: null }));
    this.selects.depth.addEventListener('change', () => this.setFilter({ ...f(), depth: Math.min(3, Math.max(1, Number(this.selects.depth.value) || 1)) }));
    this.selects.colorBy.addEventListener('change', () => {
      const v = this.selects.colorBy.value as ColorBy;
      this.state.colorBy = (COLOR_BY as readonly string[]).includes(v) ? v : 'kind';
      this.saveState();
      this.recolor();
    });
    this.selects.folder.addEventListener('change', () => this.setFilter({ ...f(), folder: this.selects.folder.value === '\u0000' ? null : this.selects.folder.value }));
    this.selects.tag.addEventListener('change', () => this.setFilter({ ...f(), tag: this.selects.tag.value || null }));
    this.selects.relation.addEventListener('change', () => this.setFilter({ ...f(), relationType: this.selects.relation.value || null }));
    this.selects.orphans.addEventListener('change', () => {
      const v = this.selects.orphans.value;
      this.setFilter({ ...f(), orphans: v === 'hide' || v === 'only' ? v : 'show' });
    });
    this.search.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.runSearch(this.search.value, true), 150);
    });
    this.search.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        clearTimeout(this.searchTimer);
        if (this.search.value !== this.state.search) this.runSearch(this.search.value, true);
        const id = this.matches[this.focused];
        if (id) this.openNode(id);
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        this.focusMatch(stepFocus(this.focused, this.matches.length, e.key === 'ArrowDown' ? 1 : -1));
      } else if (e.key === 'Escape') {
        this.search.value = '';
        this.runSearch('', false);
      }
    });
  }

  private fillToolbar(): void {
    const f = this.state.filter;
    const facets = this.data?.facets ?? { relationTypes: [], folders: [], tags: [] };
    fillSelect(this.selects.mode, [{ label: 'Whole store', value: 'whole' }, { label: 'Local (active note)', value: 'local' }], f.mode);
    fillSelect(this.selects.depth, [1, 2, 3].map((d) => ({ label: String(d), value: String(d) })), String(f.depth));
    this.selects.depth.disabled = f.mode !== 'local';
    fillSelect(this.selects.colorBy, [{ label: 'Kind', value: 'kind' }, { label: 'Folder', value: 'folder' }, { label: 'Tag', value: 'tag' }], this.state.colorBy);
    // '\u0000' stands for "every folder" ('' is the vault's top folder).
    fillSelect(this.selects.folder, [{ label: 'All folders', value: '\u0000' }, { label: '(top folder only)', value: '' }, ...facets.folders.map((d) => ({ label: d, value: d }))], f.folder ?? '\u0000');
    fillSelect(this.selects.tag, [{ label: 'All tags', value: '' }, ...facets.tags.map((t) => ({ label: `#${t}`, value: t }))], f.tag ?? '');
    fillSelect(this.selects.relation, [{ label: 'All relations', value: '' }, ...facets.relationTypes.map((r) => ({ label: r, value: r }))], f.relationType ?? '');
    fillSelect(this.selects.orphans, [{ label: 'Show', value: 'show' }, { label: 'Hide', value: 'hide' }, { label: 'Only orphans', value: 'only' }], f.orphans);
    for (const [kind, box] of this.kindBoxes) box.checked = f.kinds.includes(kind);
    if (this.search.value !== this.state.search) this.search.value = this.state.search;
  }

  // ---- drawing -------------------------------------------------------------------------------------------------------

  private draw(m: GraphMessage): void {
    const arrived = performance.now();
    // Nodes seen before keep the place they are drawn at.
    const previous = this.shown;
    this.data = m;
    this.fillToolbar();
    this.banner.hidden = true;
    this.layout?.stop();
    const graph = new Graph<NodeAttrs>({ multi: true, type: 'directed', allowSelfLoops: false });
    const groups = groupColors(m.nodes, this.state.colorBy, this.theme);
    const spread = Math.sqrt(m.nodes.length + 1) * 10;
    // Nodes seen before keep their place. New ones start in a ring by their distance (local), or (whole store) in a
    // cluster of their top folder or kind, the clusters round a circle: a picture with structure from the first
    // frame, which the layout then refines.
    const clusters = new Map<string, number>();
    for (const n of m.nodes) {
      const key = n.kind === 'note' ? (n.folder ?? '').split('/')[0]! : `:${n.kind}`;
      if (!clusters.has(key)) clusters.set(key, clusters.size);
    }
    const clusterRadius = spread / Math.sqrt(Math.max(clusters.size, 1));
    m.nodes.forEach((n, i) => {
      const before = previous.hasNode(n.id) ? previous.getNodeAttributes(n.id) : undefined;
      const angle = (i * 2.399963) % (2 * Math.PI); // golden angle: spread without clumps
      let x: number;
      let y: number;
      if (n.distance !== undefined) {
        const radius = (n.distance + Math.random() * 0.5) * spread * 0.4;
        [x, y] = [Math.cos(angle) * radius, Math.sin(angle) * radius];
      } else {
        const c = clusters.get(n.kind === 'note' ? (n.folder ?? '').split('/')[0]! : `:${n.kind}`)!;
        const around = (c / clusters.size) * 2 * Math.PI;
        const r = Math.sqrt(Math.random()) * clusterRadius;
        const centre = clusters.size > 1 ? spread : 0;
        [x, y] = [Math.cos(around) * centre + Math.cos(angle) * r, Math.sin(around) * centre + Math.sin(angle) * r];
      }
      graph.addNode(n.id, {
        x: before?.x ?? x,
        y: before?.y ?? y,
        size: sizeOf(n.degree, m.nodes.length),
        color: colorOf(n, this.state.colorBy, groups, this.theme),
        label: n.label,
        type: SHAPES[n.kind],
        node: n,
      });
    });
    const ids = m.nodes.map((n) => n.id);
    const edgeCount = Math.floor(m.edges.length / 3);
    this.graph = graph;
    this.edgeCount = edgeCount;
    this.layingOutBig = edgeCount > EDGES_WHEN_STILL;
    // A big graph is drawn without its edges until it is laid out: they are added after its first frame.
    if (!this.layingOutBig) addEdges(graph, m, ids, 0, edgeCount);
    this.shown = this.layingOutBig ? nodesOf(graph) : graph;
    this.mount(this.shown);
    if (this.resetCamera) {
      this.resetCamera = false;
      this.renderer?.getCamera().setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 });
    }
    this.drawLegend(groups);
    this.showEmpty(m);
    const centre = m.center && graph.hasNode(m.center) ? graph.getNodeAttribute(m.center, 'label') : null;
    this.status.textContent = `${graph.order.toLocaleString('en-US')} nodes · ${edgeCount.toLocaleString('en-US')} edges${centre ? ` · around ${centre}, depth ${this.state.filter.depth}` : ''} · laying out${this.layingOutBig ? ' (edges when still)' : ''}…`;
    document.body.dataset.nodes = String(graph.order);
    document.body.dataset.edges = String(edgeCount);
    document.body.dataset.center = m.center ?? '';
    this.root.removeAttribute('aria-busy');
    if (this.state.search) this.runSearch(this.state.search, false);
    // Two frames: the first lays out what was drawn, the second comes once it is on screen.
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        const now = performance.now();
        document.body.dataset.paintedSeq = String(m.seq);
        document.body.dataset.paintedMs = now.toFixed(1);
        document.body.dataset.drawMs = (now - arrived).toFixed(1);
        post({ type: 'painted', seq: m.seq, nodes: graph.order, edges: edgeCount, timings: { sinceStartMs: now, drawMs: now - arrived } });
        if (graph.size === edgeCount) this.startLayout(m.seq);
        else this.addEdgesInSlices(graph, m, ids, () => this.startLayout(m.seq));
      }),
    );
  }

  private mount(graph: Graph<NodeAttrs>): void {
    const t = this.theme;
    // The message's count: a big graph's edges are still being added when it is first drawn.
    const edges = this.edgeCount;
    const settings = {
      defaultEdgeType: 'line',
      edgeProgramClasses: { line: EdgeLineProgram },
      // Points: one vertex a node (sigma's discs and squares are instanced, ~5x the cost a frame in software WebGL).
      nodeProgramClasses: { circle: NodePointProgram, square: NodePointSquareProgram },
      defaultEdgeColor: this.edgeColor(edges),
      labelColor: { color: t.foreground },
      labelFont: t.font,
      labelSize: 12,
      // Labels by zoom: a node's label shows once the node is drawn this big (zooming in makes it so).
      labelRenderedSizeThreshold: 7,
      labelDensity: 0.5,
      hideEdgesOnMove: edges > EDGES_WHEN_STILL,
      hideLabelsOnMove: graph.order > HIDE_LABELS_ON_MOVE,
      // The hover card (DOM, themed) says what sigma's white box would; the looked-at node's edges are drawn here,
      // on the hover layer, so hovering never redraws the other edges.
      defaultDrawNodeHover: (ctx: CanvasRenderingContext2D, d: { key: string; x: number; y: number }) => this.drawLookedEdges(ctx, d),
      nodeReducer: (id: string, a: NodeAttrs) => this.nodeLook(id, a),
    };
    if (!this.renderer) {
      this.renderer = new GraphRenderer<NodeAttrs>(graph, this.canvasHost, settings as never);
      this.wireEvents(this.renderer);
      // For the UI test and benchmarks: when the edges' layer is whole again, and in how many slices.
      this.renderer.onEdgesDrawn = (slices) => (document.body.dataset.edgesDrawn = JSON.stringify({ atMs: Math.round(performance.now()), slices }));
      if (this.state.camera) this.renderer.getCamera().setState(this.state.camera);
    } else {
      // The reducers read this.graph: none while the graph is swapped, the new ones after.
      this.hovered = null;
      this.hoverNeighbours = new Set();
      this.hoverCard.hidden = true;
      this.renderer.setEdgeLayer(null);
      this.renderer.setGraph(graph);
      // The programs stay; what depends on the graph's size and the theme is set again.
      for (const k of ['defaultEdgeColor', 'labelColor', 'labelFont', 'hideEdgesOnMove', 'hideLabelsOnMove'] as const) this.renderer.setSetting(k, settings[k] as never);
    }
  }

  /** Faint enough that thousands of edges stay a haze, not a sheet: solid, between the line colour and the background. */
  private edgeColor(edges: number): string {
    return mix(this.theme.edge, this.theme.background, edges > 5000 ? 0.22 : 0.45);
  }

  /** A node as drawn: dimmed when another is hovered or searched for, labelled when it is the one looked at. The ones
   * looked at are highlighted: sigma draws them again on its hover layer, above the dimmed ones. */
  private nodeLook(id: string, a: NodeAttrs): Partial<NodeAttrs> & { highlighted?: boolean; forceLabel?: boolean } {
    const focusedMatch = this.matches[this.focused];
    if (this.hovered) {
      if (id === this.hovered) return { ...a, forceLabel: true, highlighted: true };
      if (this.hoverNeighbours.has(id)) return { ...a, forceLabel: this.hoverNeighbours.size <= 30, highlighted: true };
      return { ...a, color: this.theme.dimmed, label: '' };
    }
    if (this.matchSet.size) {
      if (id === focusedMatch) return { ...a, forceLabel: true, highlighted: true };
      if (this.matchSet.has(id)) return { ...a, forceLabel: this.matchSet.size <= 40, highlighted: true };
      return { ...a, color: this.theme.dimmed, label: '' };
    }
    if (id === this.data?.center) return { ...a, forceLabel: true, highlighted: true };
    return a;
  }

  /** The node hovered, else the search's focused match. */
  private looked(): string | null {
    return this.hovered ?? (this.matchSet.size ? (this.matches[this.focused] ?? null) : null);
  }

  /** sigma's hover drawing, called for each highlighted node: for the one looked at, its edges, in the text's colour. */
  private drawLookedEdges(ctx: CanvasRenderingContext2D, d: { key: string; x: number; y: number }): void {
    const r = this.renderer;
    if (!r || d.key !== this.looked() || !this.graph.hasNode(d.key)) return;
    ctx.save();
    ctx.strokeStyle = this.theme.foreground;
    ctx.globalAlpha = 0.7;
    ctx.lineWidth = 1;
    ctx.beginPath();
    this.graph.forEachNeighbor(d.key, (other) => {
      const at = r.getNodeDisplayData(other);
      if (!at) return;
      const p = r.framedGraphToViewport(at);
      ctx.moveTo(d.x, d.y);
      ctx.lineTo(p.x, p.y);
    });
    ctx.stroke();
    ctx.restore();
  }

  /** The nodes' looks changed (hover, search), not their places: sigma redraws the nodes, not the edges. */
  private restyle(): void {
    this.renderer?.restyleNodes();
  }

  private wireEvents(r: GraphRenderer<NodeAttrs>): void {
    r.on('enterNode', ({ node, event }) => this.hover(node, event.x, event.y));
    r.on('leaveNode', () => this.hover(null, 0, 0));
    r.on('clickNode', ({ node }) => this.openNode(node));
    let saveTimer: ReturnType<typeof setTimeout> | undefined;
    r.getCamera().on('updated', (s) => {
      clearTimeout(saveTimer);
      saveTimer = setTimeout(() => {
        this.state.camera = { x: s.x, y: s.y, ratio: s.ratio, angle: s.angle };
        this.saveState();
      }, 300);
    });
  }

  private hover(id: string | null, x: number, y: number): void {
    this.hovered = id;
    this.hoverNeighbours = id ? new Set(this.graph.neighbors(id)) : new Set();
    this.restyle();
    if (!id) {
      this.hoverCard.hidden = true;
      return;
    }
    const n = this.graph.getNodeAttribute(id, 'node');
    const neighbours = [...this.hoverNeighbours].map((o) => this.graph.getNodeAttribute(o, 'label'));
    setChildren(
      this.hoverCard,
      h('div', { className: 'hover-title' }, n.label),
      h('div', { className: 'hover-meta' }, `${KIND_LABELS[n.kind]}${n.type ? ` · ${n.type}` : ''}${n.folder ? ` · ${n.folder}/` : ''} · ${n.degree} connection${n.degree === 1 ? '' : 's'}`),
      neighbours.length
        ? h('ul', { className: 'hover-neighbours' }, ...neighbours.slice(0, HOVER_NEIGHBOURS).map((l) => h('li', {}, l)), neighbours.length > HOVER_NEIGHBOURS ? h('li', { className: 'more' }, `and ${neighbours.length - HOVER_NEIGHBOURS} more`) : null)
        : h('div', { className: 'hover-meta' }, 'No neighbours shown.'),
      h('div', { className: 'hover-hint' }, OPENS.has(n.kind) ? 'Click to open' : 'Click to show its local graph'),
    );
    this.hoverCard.hidden = false;
    const box = this.stage.getBoundingClientRect();
    this.hoverCard.style.left = `${Math.min(x + 14, box.width - this.hoverCard.offsetWidth - 8)}px`;
    this.hoverCard.style.top = `${Math.min(y + 14, box.height - this.hoverCard.offsetHeight - 8)}px`;
  }

  private openNode(id: string): void {
    const n = this.graph.hasNode(id) ? this.graph.getNodeAttribute(id, 'node') : undefined;
    if (!n) return;
    if (OPENS.has(n.kind)) {
      post({ type: 'open', id });
      this.say(`Opening ${n.label}.`);
    } else {
      this.state.camera = null;
      this.setFilter({ ...this.state.filter, mode: 'local', center: id });
    }
  }

  /** A big graph's edges, added a slice a frame (graphology takes microseconds an edge: 180,000 in one go held the
   * page for a second), then `done`; dropped if another graph came meanwhile. */
  private addEdgesInSlices(graph: Graph<NodeAttrs>, m: GraphMessage, ids: string[], done: () => void): void {
    const count = Math.floor(m.edges.length / 3);
    let from = graph.size;
    const step = () => {
      if (this.graph !== graph) return;
      for (const until = performance.now() + EDGE_SLICE_MS; from < count && performance.now() < until; ) {
        const to = Math.min(count, from + 2000);
        addEdges(graph, m, ids, from, to);
        from = to;
      }
      if (from < count) requestAnimationFrame(step);
      else done();
    };
    step();
  }

  private startLayout(seq: number): void {
    if (!this.graph.order) return;
    const layout = new LayoutRunner(this.graph, this.shown);
    this.layout = layout;
    layout.start((r) => {
      if (this.layout !== layout || seq !== this.seq) return;
      document.body.dataset.laidOutAtMs = performance.now().toFixed(1);
      if (this.layingOutBig) this.showEdges();
      this.status.textContent = this.status.textContent!.replace(/ · laying out( \(edges when still\))?…$/, '');
      document.body.dataset.laidOut = String(seq);
      document.body.dataset.layout = JSON.stringify(r);
      post({ type: 'laidOut', seq, layoutIn: r.layoutIn, ms: r.ms, iterations: r.iterations });
    });
  }

  /** The big graph laid out: its edges drawn by the renderer's edge layer, beside the nodes sigma draws. */
  private showEdges(): void {
    const placed = this.shown;
    this.graph.updateEachNodeAttributes(
      (n, a) => {
        a.x = placed.getNodeAttribute(n, 'x');
        a.y = placed.getNodeAttribute(n, 'y');
        return a;
      },
      { attributes: ['x', 'y'] },
    );
    this.layingOutBig = false;
    const t = performance.now();
    const ends: string[] = [];
    this.graph.forEachEdge((_e, _a, source, target) => {
      ends.push(source, target);
    });
    this.renderer?.setEdgeLayer(ends);
    // For the benchmark: the frame that hands every edge to the renderer.
    document.body.dataset.showEdgesMs = (performance.now() - t).toFixed(1);
  }

  private showEmpty(m: GraphMessage): void {
    const none = m.nodes.length === 0;
    this.empty.hidden = !none;
    this.legend.hidden = none;
    if (!none) return;
    const text = m.hint ?? (this.state.filter.mode === 'local' ? 'Nothing around this node under these filters.' : 'Nothing to draw: index the vault (Cairn: Index Knowledge Vault), add entities or tasks, or loosen the filters.');
    setChildren(this.empty, icon('type-hierarchy'), h('p', {}, text));
  }

  private drawLegend(groups: Map<string, string>): void {
    // The kinds on the page (of those asked for), not every kind the filter allows.
    const present = new Set(this.data?.nodes.map((n) => n.kind));
    const legend = legendOf(this.state.filter.kinds.filter((k) => present.has(k)), this.state.colorBy, groups, this.theme);
    setChildren(
      this.legend,
      ...legend.entries.map((e) => h('div', { className: 'legend-entry' }, this.swatch(e.color, e.shape), h('span', {}, e.label))),
      legend.others ? h('div', { className: 'legend-entry more' }, `${legend.others} more in grey`) : null,
      this.state.colorBy !== 'kind' ? h('div', { className: 'legend-entry more' }, 'Squares: tasks and agents') : null,
      h('div', { className: 'legend-entry more' }, 'Size: connections'),
    );
  }

  private swatch(color: string, shape: 'circle' | 'square'): HTMLElement {
    const s = h('span', { className: `swatch ${shape}`, 'aria-hidden': 'true' });
    s.style.background = color;
    return s;
  }

  private recolor(): void {
    if (!this.data) return;
    const groups = groupColors(this.data.nodes, this.state.colorBy, this.theme);
    const recolored = (_id: string, a: NodeAttrs) => ({ ...a, color: colorOf(a.node, this.state.colorBy, groups, this.theme) });
    this.graph.updateEachNodeAttributes(recolored, { attributes: ['color'] });
    if (this.shown !== this.graph) this.shown.updateEachNodeAttributes(recolored, { attributes: ['color'] });
    this.drawLegend(groups);
  }

  private themeChanged(): void {
    this.theme = readTheme();
    if (this.renderer) {
      this.renderer.setSetting('defaultEdgeColor', this.edgeColor(this.edgeCount));
      this.renderer.setSetting('labelColor', { color: this.theme.foreground });
    }
    this.recolor();
  }

  // ---- search --------------------------------------------------------------------------------------------------------

  private runSearch(query: string, zoom: boolean): void {
    this.state.search = query;
    this.saveState();
    const found = query.trim() ? matchesOf(this.graph.mapNodes((id, a) => ({ id, label: a.label, degree: a.node.degree })), query) : [];
    this.matches = found.map((n) => n.id);
    this.matchSet = new Set(this.matches);
    this.focused = this.matches.length ? 0 : -1;
    this.matchInfo.textContent = query.trim() ? (this.matches.length ? `1 of ${this.matches.length}` : 'no match') : '';
    document.body.dataset.matches = String(this.matches.length);
    this.restyle();
    if (zoom && this.matches.length) this.zoomTo(this.matches[0]!);
    if (query.trim()) this.say(this.matches.length ? `${this.matches.length} match${this.matches.length === 1 ? '' : 'es'}: ${this.graph.getNodeAttribute(this.matches[0]!, 'label')}. Enter opens it.` : 'No node matches.');
  }

  private focusMatch(i: number): void {
    if (i < 0) return;
    this.focused = i;
    const id = this.matches[i]!;
    this.matchInfo.textContent = `${i + 1} of ${this.matches.length}`;
    document.body.dataset.focusedMatch = id;
    this.restyle();
    this.zoomTo(id);
    this.say(this.graph.getNodeAttribute(id, 'label'));
  }

  private zoomTo(id: string): void {
    const r = this.renderer;
    const at = r?.getNodeDisplayData(id);
    if (!r || !at) return;
    document.body.dataset.focusedMatch = id;
    // The display data is already in the framed coordinates the camera moves in (sigma's own recipe for zooming to a node).
    void r.getCamera().animate({ x: at.x, y: at.y, ratio: Math.min(r.getCamera().ratio, 0.25) }, { duration: 400 });
  }

  private say(text: string): void {
    speak(this.live, text);
  }

  // ---- measuring -----------------------------------------------------------------------------------------------------

  /** Pans (or zooms in and out) for `frames` frames as a drag (a wheel) would, and reports each frame's time. */
  private async measurePan(token: string, frames: number, motion: 'pan' | 'zoom'): Promise<void> {
    const r = this.renderer;
    if (!r) return;
    const camera = r.getCamera();
    const start = camera.getState();
    // As a drag would: sigma hides what it hides while the mouse moves (edges past EDGES_WHEN_STILL, labels).
    const captor = r.getMouseCaptor() as unknown as { isMoving: boolean };
    captor.isMoving = true;
    const frameMs: number[] = [];
    let last = performance.now();
    await new Promise<void>((resolve) => {
      let i = 0;
      const step = () => {
        const now = performance.now();
        if (i > 0) frameMs.push(now - last);
        last = now;
        if (i++ >= frames) return resolve();
        camera.setState(
          motion === 'zoom'
            ? { ...start, ratio: start.ratio * 2 ** (Math.sin(i / 15) * 1.5) }
            : { ...start, x: start.x + Math.sin(i / 15) * 0.2 * start.ratio, y: start.y + Math.cos(i / 15) * 0.1 * start.ratio },
        );
        requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    });
    // The stop: the edges are drawn again, a slice a frame; each frame until the last is timed too.
    captor.isMoving = false;
    const stopped = performance.now();
    camera.setState(start);
    const stopFrames: number[] = [];
    last = stopped;
    await new Promise<void>((resolve) => {
      const wait = () => {
        const now = performance.now();
        stopFrames.push(now - last);
        last = now;
        if (r.edgesComplete) resolve();
        else requestAnimationFrame(wait);
      };
      requestAnimationFrame(wait);
    });
    // For the UI test and benchmarks, which read the page: the median and the 95th percentile; after the stop, the
    // time until every edge is drawn again and its longest frame.
    const sorted = [...frameMs].sort((a, b) => a - b);
    const stop = { edgesMs: performance.now() - stopped, longestFrameMs: Math.max(...stopFrames), frames: stopFrames.length };
    document.body.dataset[motion === 'zoom' ? 'zoomFrames' : 'panFrames'] = JSON.stringify({ n: sorted.length, p50: sorted[Math.floor(sorted.length / 2)] ?? 0, p95: sorted[Math.floor(sorted.length * 0.95)] ?? 0, stop });
    post({ type: 'frames', token, frameMs });
  }
}

new KnowledgeGraphPage();
