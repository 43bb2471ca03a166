// sigma.js as the graph needs it at 10,000 nodes and 190,000 edges, where WebGL may be software (no GPU: every
// changed WebGL canvas is rasterised and read back on the CPU each frame):
// - nodes are points (one vertex each), not sigma's instanced discs and squares, which cost ~5x more per frame there;
// - the edges' layer is drawn again only when what it shows changed (the camera, the size, the edges or nodes sigma
//   processed): hovering, searching and labels redraw the nodes alone, and an unchanged edges canvas is not read back;
// - a big graph's edges are not sigma's at all but an EdgeLayer's (edgeLayer.ts), drawn a range a frame onto the edges
//   canvas, which keeps the earlier ranges: sigma would read 190,000 edges in one go (0.6 s) and, without a GPU,
//   drawing them all takes ~850 ms, which in one frame would freeze the page each time the camera stops.
// Both lean on sigma 3's internals (its render() and clear(), the edge programs and WebGL contexts it keeps, whether it
// must re-read the graph), named in SigmaInternals below; the version is pinned by package-lock.json and the integration and UI tests draw through it.
import type { Attributes } from 'graphology-types';
import Sigma from 'sigma';
import { NodePointProgram } from 'sigma/rendering';
import { EdgeLayer } from './edgeLayer';

/** A square point: the disc's point sprite, filled to a square a little smaller than the disc's box (same weight). */
export class NodePointSquareProgram extends NodePointProgram {
  override getDefinition(): ReturnType<NodePointProgram['getDefinition']> {
    return {
      ...super.getDefinition(),
      FRAGMENT_SHADER_SOURCE: /* glsl */ `
precision mediump float;
varying vec4 v_color;
varying float v_border;
void main(void) {
  vec2 m = abs(gl_PointCoord - vec2(0.5, 0.5));
  gl_FragColor = max(m.x, m.y) < 0.42 ? v_color : vec4(0.0);
}
`,
    };
  }
}

/** Edges of the first slice; later slices are sized from the frames the earlier ones took. */
const FIRST_SLICE_EDGES = 12_000;
/** A slice's frame: short enough that input and the hover card stay live while a big layer fills in. */
const SLICE_FRAME_MS = 80;

interface SigmaInternals {
  edgePrograms: Record<string, unknown>;
  webGLContexts: Record<string, WebGLRenderingContext>;
  settings: { hideEdgesOnMove: boolean };
  needToProcess: boolean;
}

/** Stands in for the edges' WebGL context while sigma clears the canvases and the edges stay as drawn. */
const KEEP: Pick<WebGLRenderingContext, 'bindFramebuffer' | 'clear'> = { bindFramebuffer: () => undefined, clear: () => undefined };

export class GraphRenderer<N extends Attributes = Attributes> extends Sigma<N> {
  /** Bumped whenever sigma re-reads edges or positions (a process, a refresh that touches edges). */
  private edgesVersion = 0;
  private drawnEdges = '';
  private keepEdges = false;
  /** Bumped when the edges' layer starts over: a slice of an older drawing finds it changed and stops. */
  private edgesDrawing = 0;
  /** Every edge of the current picture is on the canvas (the last slice drawn). */
  edgesComplete = true;
  /** Told when the last slice of the edges' layer is drawn: how many slices it took. */
  onEdgesDrawn: ((slices: number) => void) | undefined;
  /** A big graph's edges, drawn here rather than by sigma (whose graph then holds the nodes alone). */
  private layer: EdgeLayer | undefined;
  /** Bumped each time sigma places the nodes anew (its process): the layer's edges are then placed again. */
  private placesVersion = 0;
  private layerPlacedAt = -1;

  override refresh(opts?: Parameters<Sigma<N>['refresh']>[0]): this {
    if (!opts?.partialGraph || opts.partialGraph.edges?.length) this.edgesVersion++;
    return super.refresh(opts);
  }

  /** What the edges' layer shows now: nothing while the camera moves (hideEdgesOnMove), else the edges from here. */
  private edgesKey(): string {
    const internals = this as unknown as SigmaInternals;
    const captor = this.getMouseCaptor() as unknown as { isMoving: boolean; draggedEvents: number; currentWheelDirection: number };
    const camera = this.getCamera();
    // As sigma's render() decides it.
    const moving = camera.isAnimated() || captor.isMoving || captor.draggedEvents || captor.currentWheelDirection;
    if (internals.settings.hideEdgesOnMove && moving) return 'hidden';
    const c = camera.getState();
    const { width, height } = this.getDimensions();
    return `${this.edgesVersion}|${c.x}|${c.y}|${c.ratio}|${c.angle}|${width}|${height}|${window.devicePixelRatio}`;
  }

  /** The nodes' looks changed (a reducer's colour, label, highlight), not their places or sizes: sigma updates them
   * in place and redraws, without re-reading the edges (a full refresh at 190,000 edges takes a second). */
  restyleNodes(): void {
    if ((this as unknown as SigmaInternals).needToProcess) {
      // Not drawn yet: there is nothing to update in place.
      this.scheduleRefresh();
      return;
    }
    this.refresh({ partialGraph: { nodes: this.getGraph().nodes() }, skipIndexation: true, schedule: true });
  }

  /** sigma's render() (private in its types), in front of which drawEdgesOrKeep puts itself. */
  private readonly baseRender = (Sigma.prototype as unknown as { render: (this: Sigma<N>) => Sigma<N> }).render;

  /** The edges' canvas keeps what the earlier slices drew when a later frame draws the next. */
  override createWebGLContext(id: string, options?: Parameters<Sigma<N>['createWebGLContext']>[1]): WebGLRenderingContext {
    return super.createWebGLContext(id, id === 'edges' ? { ...options, preserveDrawingBuffer: true } : options);
  }

  constructor(...args: ConstructorParameters<typeof Sigma<N>>) {
    super(...args);
    // Every render sigma starts (refresh, the camera, a scheduled frame) goes through this.render.
    (this as unknown as { render: () => GraphRenderer<N> }).render = () => this.drawEdgesOrKeep();
  }

  private drawEdgesOrKeep(): this {
    // Sized first, as render() would: a resized canvas is blank and its key differs.
    this.resize();
    if ((this as unknown as SigmaInternals).needToProcess) {
      this.edgesVersion++;
      this.placesVersion++;
    }
    const key = this.edgesKey();
    this.keepEdges = key === this.drawnEdges;
    this.drawnEdges = key;
    if (!this.keepEdges) return this.drawEdgesFromFirstSlice(key);
    const internals = this as unknown as SigmaInternals;
    const programs = internals.edgePrograms;
    internals.edgePrograms = {};
    try {
      return this.baseRender.call(this) as this;
    } finally {
      internals.edgePrograms = programs;
      this.keepEdges = false;
    }
  }

  /** Draws these edges itself (`ends`: each edge's source and target node keys, one after the other), or none:
   * sigma's graph then holds the nodes, and its own edges only when it is small. */
  setEdgeLayer(ends: readonly string[] | null): void {
    this.layer?.kill();
    this.layer = ends?.length ? new EdgeLayer((this as unknown as SigmaInternals).webGLContexts.edges!, ends) : undefined;
    this.layerPlacedAt = -1;
    this.edgesVersion++;
    this.scheduleRender();
  }

  override kill(): void {
    this.layer?.kill();
    this.layer = undefined;
    super.kill();
  }

  /** sigma's render, then the layer's edges from their first slice; the next slices follow a frame apart. */
  private drawEdgesFromFirstSlice(key: string): this {
    const drawing = ++this.edgesDrawing;
    this.baseRender.call(this);
    const layer = this.layer;
    if (key === 'hidden' || !layer) {
      this.edgesComplete = key !== 'hidden';
      if (this.edgesComplete) this.onEdgesDrawn?.(1);
      return this;
    }
    if (this.layerPlacedAt !== this.placesVersion) {
      layer.unplace();
      this.layerPlacedAt = this.placesVersion;
    }
    const slice = (from: number, to: number) =>
      layer.draw(from, to, this.getRenderParams(), this.getSetting('defaultEdgeColor') as string, (node) => this.getNodeDisplayData(node));
    let size = FIRST_SLICE_EDGES;
    slice(0, size);
    this.edgesComplete = size >= layer.count;
    if (this.edgesComplete) {
      this.onEdgesDrawn?.(1);
      return this;
    }
    let from = size;
    let slices = 1;
    let last = performance.now();
    const next = () => {
      // Superseded: the camera moved, the nodes or edges changed, or the renderer was killed.
      if (drawing !== this.edgesDrawing || key !== this.edgesKey() || layer !== this.layer) return;
      const now = performance.now();
      // The frame the last slice took sizes this one, towards SLICE_FRAME_MS.
      size = Math.max(500, Math.round(Math.min(4, Math.max(0.25, SLICE_FRAME_MS / Math.max(1, now - last))) * size));
      last = now;
      slice(from, from + size);
      from += size;
      slices++;
      if (from < layer.count) requestAnimationFrame(next);
      else {
        this.edgesComplete = true;
        this.onEdgesDrawn?.(slices);
      }
    };
    requestAnimationFrame(next);
    return this;
  }

  override clear(): this {
    if (!this.keepEdges) return super.clear();
    const internals = this as unknown as SigmaInternals;
    const contexts = internals.webGLContexts;
    internals.webGLContexts = { ...contexts, edges: KEEP as WebGLRenderingContext };
    try {
      return super.clear();
    } finally {
      internals.webGLContexts = contexts;
    }
  }
}
