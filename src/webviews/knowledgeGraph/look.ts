// How a node looks: its colour (by kind, folder or tag, from the theme's chart colours), its shape (by kind) and its
// size (by degree), and the legend that says so. Pure: the theme's colours come in, nothing reads the DOM.
import type { GraphKind } from '../../views/knowledgeGraph/messages';

export type ColorBy = 'kind' | 'folder' | 'tag';

/** The theme's colours the graph uses (VS Code's --vscode-charts-* and text colours), as canvas colour strings. */
export interface GraphTheme {
  blue: string;
  purple: string;
  orange: string;
  green: string;
  yellow: string;
  red: string;
  muted: string;
  /** Nodes that are not looked at while others are (hover, search). */
  dimmed: string;
  foreground: string;
  background: string;
  edge: string;
  font: string;
}

export const KIND_PLURALS: Record<GraphKind, string> = {
  note: 'Notes',
  entity: 'Entities',
  task: 'Tasks',
  agent: 'Agents',
  tag: 'Tags',
  placeholder: 'Missing notes',
};

export const KIND_LABELS: Record<GraphKind, string> = {
  note: 'Note',
  entity: 'Entity',
  task: 'Task',
  agent: 'Agent',
  tag: 'Tag',
  placeholder: 'Missing note',
};

/** Squares for the work (tasks, agents), discs for knowledge. */
export const SHAPES: Record<GraphKind, 'circle' | 'square'> = { note: 'circle', entity: 'circle', task: 'square', agent: 'square', tag: 'circle', placeholder: 'circle' };

export function kindColor(kind: GraphKind, t: GraphTheme): string {
  return { note: t.blue, entity: t.purple, task: t.orange, agent: t.green, tag: t.yellow, placeholder: t.muted }[kind];
}

/** The colours of folders or tags, most common first; the rest share the muted colour. */
export function paletteOf(t: GraphTheme): string[] {
  return [t.blue, t.orange, t.green, t.purple, t.red, t.yellow];
}

export interface Legend {
  entries: { label: string; color: string; shape: 'circle' | 'square' }[];
  /** Values past the palette, drawn in the muted colour. */
  others: number;
}

/** The group a node is coloured by (its folder or tag; other kinds keep their kind's colour). */
export function groupOf(node: { kind: GraphKind; folder?: string; tag?: string }, by: ColorBy): string | null {
  if (by === 'kind' || node.kind !== 'note') return null;
  if (by === 'folder') return (node.folder ?? '').split('/')[0] || '(top)';
  return node.tag ? node.tag.split('/')[0]! : '(no tag)';
}

/** Colours by group: the commonest groups get the palette's colours, in order. */
export function groupColors(nodes: readonly { kind: GraphKind; folder?: string; tag?: string }[], by: ColorBy, t: GraphTheme): Map<string, string> {
  const counts = new Map<string, number>();
  for (const n of nodes) {
    const g = groupOf(n, by);
    if (g !== null) counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  const palette = paletteOf(t);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([g]) => g);
  return new Map(ranked.map((g, i) => [g, palette[i] ?? t.muted]));
}

export function colorOf(node: { kind: GraphKind; folder?: string; tag?: string }, by: ColorBy, groups: Map<string, string>, t: GraphTheme): string {
  const g = groupOf(node, by);
  return g === null ? (by === 'kind' ? kindColor(node.kind, t) : t.muted) : (groups.get(g) ?? t.muted);
}

export function legendOf(kinds: readonly GraphKind[], by: ColorBy, groups: Map<string, string>, t: GraphTheme): Legend {
  if (by === 'kind') return { entries: kinds.map((k) => ({ label: KIND_LABELS[k], color: kindColor(k, t), shape: SHAPES[k] })), others: 0 };
  const shown = [...groups].filter(([, c]) => c !== t.muted);
  return {
    entries: [...shown.map(([g, color]) => ({ label: by === 'tag' && !g.startsWith('(') ? `#${g}` : g, color, shape: 'circle' as const })), { label: 'Other kinds', color: t.muted, shape: 'square' as const }],
    others: groups.size - shown.length,
  };
}

/** Size by connections: a disc's radius grows with the square root of its degree, within bounds. */
export function sizeOf(degree: number, nodeCount: number): number {
  // Smaller the more there are: ~8 px at 20 nodes, ~3 px at 1,000, ~2 px at 10,000 (at the camera's first zoom).
  const base = Math.min(Math.max(60 / Math.sqrt(nodeCount + 1), 1.2), 6);
  return Math.min(base * (1 + Math.sqrt(degree) * 0.25), 24);
}
