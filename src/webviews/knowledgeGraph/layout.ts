// The layout: ForceAtlas2 in a web worker (graphology's supervisor starts it from a blob: URL of its own code, which
// the page's Content-Security-Policy allows and nothing else), so the page never waits on it. The worker lays out a
// copy of the graph (nodes and edges, no attributes); the drawn graph takes its positions a few times a second, so
// drawing (each draw of 190,000 edges costs the page a frame) never paces the worker. It stops once the picture is
// still — the nodes' mean move between two samples under a small share of the drawing's extent — or after a time
// that grows with the graph. Where no worker can start, it runs in the page in slices of a few milliseconds a frame.
import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import FA2Layout from 'graphology-layout-forceatlas2/worker';

export interface LayoutResult {
  layoutIn: 'worker' | 'page';
  ms: number;
  iterations: number;
}

const SAMPLE_MS = 400;
/** The drawn graph takes the layout's positions this often. */
const SYNC_MS = 250;
/** Iterations before the picture may count as still (ForceAtlas2 starts slowly). */
const MIN_ITERATIONS = 150;
/** Still: the mean move per sample is under this share of the drawing's extent. */
const STILL = 0.002;

function settingsFor(graph: Graph) {
  const inferred = forceAtlas2.inferSettings(graph);
  return { ...inferred, barnesHutOptimize: graph.order > 1000, adjustSizes: false, gravity: 1, slowDown: 1 + Math.log10(Math.max(graph.order, 10)) };
}

/** A bare copy for the worker: the same nodes (positions, sizes) and edges, nothing else. */
function layoutCopy(graph: Graph): Graph {
  const copy = new Graph({ type: graph.type, multi: graph.multi, allowSelfLoops: false });
  graph.forEachNode((n, a) => {
    copy.addNode(n, { x: a.x as number, y: a.y as number, size: a.size as number });
  });
  graph.forEachEdge((_e, _a, s, t) => {
    copy.addEdge(s, t);
  });
  return copy;
}

function positions(graph: Graph): Float64Array {
  const out = new Float64Array(graph.order * 2);
  let i = 0;
  graph.forEachNode((_n, a) => {
    out[i++] = a.x as number;
    out[i++] = a.y as number;
  });
  return out;
}

/** The mean move between two samples as a share of the drawing's extent (1 when the node count changed). */
function meanMove(before: Float64Array, after: Float64Array): number {
  if (before.length !== after.length || after.length === 0) return after.length === 0 ? 0 : 1;
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
  private worker: FA2Layout | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private syncTimer: ReturnType<typeof setInterval> | undefined;
  private frame = 0;
  private stopped = true;
  private unlisten: (() => void) | undefined;

  constructor(private readonly graph: Graph) {}

  get running(): boolean {
    return !this.stopped;
  }

  /** Runs until the picture is still (or the time is up); `done` hears where it ran and for how long. */
  start(done: (r: LayoutResult) => void): void {
    this.stop();
    this.stopped = false;
    const shown = this.graph;
    const graph = layoutCopy(shown);
    const sync = () =>
      shown.updateEachNodeAttributes(
        (n, a) => {
          a.x = graph.getNodeAttribute(n, 'x');
          a.y = graph.getNodeAttribute(n, 'y');
          return a;
        },
        { attributes: ['x', 'y'] },
      );
    // A big graph's draw costs the page more (every edge, each time): it takes the positions less often.
    this.syncTimer = setInterval(sync, shown.size > 50_000 ? 4 * SYNC_MS : shown.size > 10_000 ? 2 * SYNC_MS : SYNC_MS);
    const started = performance.now();
    const maxMs = Math.min(4000 + graph.order * 3, 45_000);
    let iterations = 0;
    const counter = () => iterations++;
    graph.on('eachNodeAttributesUpdated', counter);
    this.unlisten = () => graph.off('eachNodeAttributesUpdated', counter);
    let layoutIn: 'worker' | 'page' = 'worker';
    try {
      this.worker = new FA2Layout(graph, { settings: settingsFor(graph) });
      this.worker.start();
    } catch {
      // No worker (a page whose policy forbids it): slices in the page.
      this.worker = undefined;
      layoutIn = 'page';
      const settings = settingsFor(graph);
      const slice = () => {
        if (this.stopped) return;
        const until = performance.now() + 8;
        while (performance.now() < until) {
          forceAtlas2.assign(graph, { iterations: 1, settings });
        }
        this.frame = requestAnimationFrame(slice);
      };
      this.frame = requestAnimationFrame(slice);
    }
    let last = positions(graph);
    this.timer = setInterval(() => {
      const now = positions(graph);
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
    this.unlisten?.();
    this.unlisten = undefined;
    clearInterval(this.timer);
    clearInterval(this.syncTimer);
    cancelAnimationFrame(this.frame);
    this.worker?.kill();
    this.worker = undefined;
  }
}
