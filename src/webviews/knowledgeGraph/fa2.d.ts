// The parts of graphology-layout-forceatlas2 the layout drives itself (the package types only its front door): the
// matrices it lays out, the one-iteration function, and the web worker's code as a function to start from a blob.
declare module 'graphology-layout-forceatlas2/helpers' {
  import type Graph from 'graphology';
  /** Nodes: 10 floats each (x, y, …, size at 8); edges: 3 each (source row, target row, weight). */
  export function graphToByteArrays(graph: Graph, getEdgeWeight: () => number): { nodes: Float32Array; edges: Float32Array };
}
declare module 'graphology-layout-forceatlas2/iterate' {
  export default function iterate(settings: Record<string, unknown>, nodes: Float32Array, edges: Float32Array): void;
}
declare module 'graphology-layout-forceatlas2/webworker' {
  /** The worker's body: answers { settings, nodes, edges? } with one iteration's { nodes }. */
  export default function worker(): void;
}
declare module 'graphology-layout-forceatlas2/defaults' {
  const defaults: Record<string, unknown>;
  export default defaults;
}
