// The search box's logic: which nodes match (every word of the query in the label, case-insensitive; best first:
// the label itself, then labels that start with the query, then the most connected), and which match has the keyboard's focus.
export interface Searchable {
  id: string;
  label: string;
  degree: number;
}

export const MAX_MATCHES = 500;

export function matchesOf<T extends Searchable>(nodes: Iterable<T>, query: string): T[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  const q = query.trim().toLowerCase();
  const found: { node: T; rank: number }[] = [];
  for (const node of nodes) {
    const label = node.label.toLowerCase();
    // The label itself first, then labels that start with the query, then the rest.
    if (words.every((w) => label.includes(w))) found.push({ node, rank: label === q ? 2 : label.startsWith(q) ? 1 : 0 });
  }
  found.sort((a, b) => b.rank - a.rank || b.node.degree - a.node.degree || (a.node.label < b.node.label ? -1 : 1));
  return found.slice(0, MAX_MATCHES).map((f) => f.node);
}

/** The match focused after a step (ArrowDown +1, ArrowUp -1), wrapping around. */
export function stepFocus(focused: number, count: number, step: 1 | -1): number {
  if (count === 0) return -1;
  return (((focused + step) % count) + count) % count;
}
