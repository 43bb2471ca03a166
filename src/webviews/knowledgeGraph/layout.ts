// The layout: ForceAtlas2 in a web worker (started from a blob: URL of its own code, which the page's
// Content-Security-Policy allows and nothing else), so the page never waits on it. The worker is graphology's, wrapped
// so that each message runs as many iterations as fit in BATCH_MS: graphology's own supervisor asks for one iteration
// at a time, so a page busy drawing (a frame of 10,000 nodes on a machine without a GPU) held the layout back to a few
// iterations a second. The page keeps only the positions; the graph it draws takes them every SYNC_MS, so drawing
// never paces the worker. It stops once the picture is still — the nodes' mean move between two samples under a small
// share of the drawing's extent — or after a time that grows with the graph. Where no worker can start, it runs in
// the page in slices of a few milliseconds a frame.
import type Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import FA2_DEFAULTS from 'graphology-layout-forceatlas2/defaults';
import { graphToByteArrays } from 'graphology-layout-forceatlas2/helpers';
import iterate from 'graphology-layout-forceatlas2/iterate';
import fa2Worker from 'graphology-layout-forceatlas2/webworker';

export interface LayoutResult {
  layoutIn: 'worker' | 'page';
  ms: number;
  iterations: number;
}

const SAMPLE_MS = 400;
/** The drawn graph takes the layout's positions this often (a big one less often: each draw costs the page more). */
const SYNC_MS = 250;
/** Iterations the worker runs per message: long enough to outrun a busy page, short enough to stop promptly. */
const BATCH_MS = 120;
/** Iterations before the picture may count as still (ForceAtlas2 starts slowly). */
const MIN_ITERATIONS = 150;
/** Still: the mean move per sample is under this share of the drawing's extent. */
const STILL = 0.002;
/** Floats per node in graphology's node matrix (x at 0, y at 1). */
const PPN = 10;

function settingsFor(graph: Graph): Record<string, unknown> {
  const inferred = forceAtlas2.inferSettings(graph);
  const big = graph.order > 1000;
  return {
    ...FA2_DEFAULTS,
    ...inferred,
    // Barnes-Hut with Gephi's approximation (1.2, graphology's default is 0.5): an iteration at 10,000 nodes takes
    // ~a third of the time, and the picture is the same to the eye.
    barnesHutOptimize: big,
    barnesHutTheta: big ? 1.2 : 0.5,
    adjustSizes: false,
    gravity: 1,
    slowDown: 1 + Math.log10(Math.max(graph.order, 10)),
  };
}

/**
 * Runs in the worker before graphology's code: it takes the message listener and postMessage graphology's worker
 * registers and calls, and answers each { settings, nodes, edges?, batchMs } with { nodes, iterations } after as many
 * iterations as fit in batchMs. Self-contained: its source becomes the worker's.
 */
function batchIterations(): void {
  const scope = self as unknown as { addEventListener: (t: string, f: (e: { data: unknown }) => void) => void; postMessage: (m: unknown, t?: Transferable[]) => void };
  const listen = scope.addEventListener.bind(scope);
  const post = scope.postMessage.bind(scope);
  let once: ((e: { data: unknown }) => void) | undefined;
  let answer: ArrayBuffer | undefined;
  scope.addEventListener = (type, f) => (type === 'message' ? (once = f) : listen(type, f));
  scope.postMessage = (m) => {
    answer = (m as { nodes: ArrayBuffer }).nodes;
  };
  listen('message', (e) => {
    const d = e.data as { settings: unknown; nodes: ArrayBuffer; edges?: ArrayBuffer; batchMs: number };
    const until = performance.now() + d.batchMs;
    let nodes = d.nodes;
    let iterations = 0;
    do {
      once!({ data: { settings: d.settings, nodes, edges: iterations === 0 ? d.edges : undefined } });
      nodes = answer!;
      iterations++;
    } while (performance.now() < until);
    post({ nodes, iterations }, [nodes]);
  });
}

const WORKER_SOURCE = `(${batchIterations.toString()})();\n(${fa2Worker.toString()}).call(this);`;

/** x and y of each node (in the matrix's order) out of graphology's node matrix. */
function positionsOf(matrix: Float32Array): Float64Array {
  const out = new Float64Array((matrix.length / PPN) * 2);
  for (let i = 0, j = 0; i < matrix.length; i += PPN) {
    out[j++] = matrix[i]!;
    out[j++] = matrix[i + 1]!;
  }
  return out;
}

/** The mean move between two samples as a share of the drawing's extent. */
function meanMove(before: Float64Array, after: Float64Array): number {
  if (after.length === 0) return 0;
  let move = 0;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < after.length; i += 2) {
    move += Math.hypot(after[i]! - before[i]!, after[i + 1]! - before[i + 1]!);
    minX = Math.min(minX, after[i]!);
    maxX = Math.max(maxX, after[i]!);
    minY = Math.min(minY, after[i + 1]!);
    maxY = Math.max(maxY, after[i + 1]!);
  }
  const extent = Math.max(maxX - minX, maxY - minY, 1e-9);
  return move / (after.length / 2) / extent;
}

export class LayoutRunner {
  private worker: Worker | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private syncTimer: ReturnType<typeof setInterval> | undefined;
  private frame = 0;
  private stopped = true;

  /** Lays out `graph` (its nodes and edges); `shown`, the graph drawn (the same nodes), takes the positions. */
  constructor(
    private readonly graph: Graph,
    private readonly shown: Graph = graph,
  ) {}

  get running(): boolean {
    return !this.stopped;
  }

  /** Runs until the picture is still (or the time is up); `done` hears where it ran and for how long. */
  start(done: (r: LayoutResult) => void): void {
    this.stop();
    this.stopped = false;
    const { graph, shown } = this;
    const ids = graph.nodes();
    const row = new Map(ids.map((id, i) => [id, i]));
    const matrices = graphToByteArrays(graph, () => 1);
    const settings = settingsFor(graph);
    let xy = positionsOf(matrices.nodes);
    // The drawn graph holds the start already.
    let synced = xy;
    const sync = () => {
      if (synced === xy) return;
      synced = xy;
      const at = xy;
      shown.updateEachNodeAttributes(
        (n, a) => {
          const i = row.get(n);
          if (i !== undefined) {
            a.x = at[2 * i];
            a.y = at[2 * i + 1];
          }
          return a;
        },
        { attributes: ['x', 'y'] },
      );
    };
    this.syncTimer = setInterval(sync, graph.order > 5000 ? 2 * SYNC_MS : SYNC_MS);
    const started = performance.now();
    // The time budget: the picture is shown as it forms, so a big graph is usable long before this.
    const maxMs = Math.min(4000 + graph.order * 2, 24_000);
    let iterations = 0;
    let layoutIn: 'worker' | 'page' = 'worker';
    try {
      const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
      const worker = new Worker(url);
      URL.revokeObjectURL(url);
      this.worker = worker;
      const ask = (nodes: Float32Array, edges?: Float32Array) =>
        worker.postMessage({ settings, nodes: nodes.buffer, edges: edges?.buffer, batchMs: BATCH_MS }, edges ? [nodes.buffer, edges.buffer] : [nodes.buffer]);
      worker.onmessage = (e: MessageEvent<{ nodes: ArrayBuffer; iterations: number }>) => {
        if (this.stopped) return;
        const nodes = new Float32Array(e.data.nodes);
        iterations += e.data.iterations;
        xy = positionsOf(nodes);
        ask(nodes);
      };
      ask(matrices.nodes, matrices.edges);
    } catch {
      // No worker (a page whose policy forbids it): slices in the page.
      this.worker = undefined;
      layoutIn = 'page';
      const slice = () => {
        if (this.stopped) return;
        const until = performance.now() + 8;
        while (performance.now() < until) {
          iterate(settings, matrices.nodes, matrices.edges);
          iterations++;
        }
        xy = positionsOf(matrices.nodes);
        this.frame = requestAnimationFrame(slice);
      };
      this.frame = requestAnimationFrame(slice);
    }
    let last = xy;
    this.timer = setInterval(() => {
      const now = xy;
      const still = iterations >= MIN_ITERATIONS && meanMove(last, now) < STILL;
      last = now;
      const elapsed = performance.now() - started;
      if (!still && elapsed < maxMs) return;
      this.stop();
      sync();
      done({ layoutIn, ms: elapsed, iterations });
    }, SAMPLE_MS);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.syncTimer);
    cancelAnimationFrame(this.frame);
    this.worker?.terminate();
    this.worker = undefined;
  }
}
