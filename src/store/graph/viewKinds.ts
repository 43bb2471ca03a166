// The kinds of node the graph view draws, in a file of their own so the protocol and the webview's messages (bundled
// for the browser) can share them without pulling in the store code.
export const GRAPH_KINDS = ['note', 'entity', 'task', 'agent', 'tag', 'placeholder'] as const;
export type GraphKind = (typeof GRAPH_KINDS)[number];
