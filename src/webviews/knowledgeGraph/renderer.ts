// sigma.js as the graph needs it at 10,000 nodes and 190,000 edges, where WebGL may be software (no GPU: every
// changed WebGL canvas is rasterised and read back on the CPU each frame):
// - nodes are points (one vertex each), not sigma's instanced discs and squares, which cost ~5x more per frame there;
// - the edges' layer is drawn again only when what it shows changed (the camera, the size, the edges or nodes sigma
//   processed): hovering, searching and labels redraw the nodes alone, and an unchanged edges canvas is not read back;
// - a big edges layer is drawn a slice a frame (EdgeLineSliceProgram), its canvas kept between them: without a GPU
//   190,000 edges take ~850 ms to draw, which in one frame would freeze the page each time the camera stops.
// Both lean on sigma 3's internals (its render() and clear(), the edge programs and WebGL contexts it keeps, whether it
// must re-read the graph), named in SigmaInternals below; the version is pinned by package-lock.json and the integration and UI tests draw through it.
import type { Attributes } from 'graphology-types';
import Sigma from 'sigma';
import { EdgeLineProgram, NodePointProgram } from 'sigma/rendering';
import type { ProgramInfo } from 'sigma/rendering';

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

/** Edges per slice to start with; later slices are sized from the frames the earlier ones took. */
const FIRST_SLICE_EDGES = 12_000;
/** A slice's frame: short enough that input and the hover card stay live while a big layer fills in. */
const SLICE_FRAME_MS = 80;

/** sigma's line edges, able to draw one range of its vertices and, after the first range, to skip uploading the
 * buffer again (unchanged: a change to the edges starts the drawing over from the first slice). */
export class EdgeLineSliceProgram extends EdgeLineProgram {
  /** The vertices drawn, [from, to); null: all of them. */
  slice: [number, number] | null = null;

  protected override bindProgram(program: ProgramInfo): void {
    if (!this.slice || this.slice[0] === 0) return super.bindProgram(program);
    const { gl, buffer } = program;
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    let offset = 0;
    for (const attr of this.ATTRIBUTES) offset += this.bindAttribute(attr, program, offset);
    gl.bindBuffer(gl.ARRAY_BUFFER, null);
  }

  override drawWebGL(method: number, { gl, frameBuffer }: ProgramInfo): void {
    gl.bindFramebuffer(gl.FRAMEBUFFER, frameBuffer);
    const [from, to] = this.slice ?? [0, this.verticesCount];
    const end = Math.min(to, this.verticesCount);
    if (end > from) gl.drawArrays(method, from, end - from);
  }
}

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
    if ((this as unknown as SigmaInternals).needToProcess) this.edgesVersion++;
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

  /** The sliced edge program, when the edges are drawn with it. */
  private sliced(): EdgeLineSliceProgram | undefined {
    const programs = (this as unknown as SigmaInternals).edgePrograms;
    return Object.values(programs).find((p): p is EdgeLineSliceProgram => p instanceof EdgeLineSliceProgram);
  }

  /** sigma's render, the edges' layer cleared and drawn from its first slice; the next slices follow a frame apart. */
  private drawEdgesFromFirstSlice(key: string): this {
    const drawing = ++this.edgesDrawing;
    const program = this.sliced();
    if (key === 'hidden' || !program) {
      this.edgesComplete = key !== 'hidden';
      return this.baseRender.call(this) as this;
    }
    let size = FIRST_SLICE_EDGES * program.VERTICES;
    program.slice = [0, size];
    try {
      this.baseRender.call(this);
    } finally {
      program.slice = null;
    }
    this.edgesComplete = size >= program.verticesCount;
    if (this.edgesComplete) {
      this.onEdgesDrawn?.(1);
      return this;
    }
    let from = size;
    let slices = 1;
    let last = performance.now();
    const next = () => {
      // Superseded: the camera moved, the edges changed, or the renderer was killed.
      if (drawing !== this.edgesDrawing || key !== this.edgesKey() || program !== this.sliced()) return;
      const now = performance.now();
      // The frame the last slice took sizes this one, towards SLICE_FRAME_MS.
      size = Math.round(Math.min(4, Math.max(0.25, SLICE_FRAME_MS / Math.max(1, now - last))) * size);
      size -= size % program.VERTICES;
      last = now;
      program.slice = [from, from + size];
      try {
        program.render(this.getRenderParams());
      } finally {
        program.slice = null;
      }
      from += size;
      slices++;
      if (from < program.verticesCount) requestAnimationFrame(next);
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
