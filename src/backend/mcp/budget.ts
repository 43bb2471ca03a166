// Keeps a tool's answer within a token budget, so one call never floods an agent's context (the MCP memory server's
// read_graph answers 50–80k tokens on a big graph).
import { estimateTokens } from '../../store/tokens';

export { estimateTokens };

export const DEFAULT_MAX_TOKENS = 20_000;

export interface Fitted {
  value: unknown;
  /** `value` serialised (what the check measured, so the answer need not serialise it again). */
  text: string;
  /** Present when lists were cut: how many items of how many were kept, and in which fields. */
  cut?: { kept: number; total: number; fields: string[] };
}

/** The lists a value can be cut in: itself when a list, else its own fields that are lists. */
function listsOf(value: unknown): { field: string; items: unknown[] }[] {
  if (Array.isArray(value)) return [{ field: '', items: value }];
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .filter((e): e is [string, unknown[]] => Array.isArray(e[1]) && e[1].length > 0)
      .map(([field, items]) => ({ field, items }));
  }
  return [];
}

function keep(value: unknown, lists: { field: string; items: unknown[] }[], fraction: number): unknown {
  const cut = (items: unknown[]) => items.slice(0, Math.floor(items.length * fraction));
  if (Array.isArray(value)) return cut(value);
  const copy = { ...(value as Record<string, unknown>) };
  for (const l of lists) copy[l.field] = cut(l.items);
  return copy;
}

interface GraphPage {
  entities: { name: string }[];
  relations: { from: string }[];
  offset: number;
  nextOffset: number | null;
}
const isGraphPage = (v: unknown): v is GraphPage =>
  typeof v === 'object' && v !== null && Array.isArray((v as GraphPage).entities) && Array.isArray((v as GraphPage).relations) && typeof (v as GraphPage).offset === 'number' && 'nextOffset' in v;

/** A page of the graph keeps its first n nodes, their relations, and a nextOffset that continues after them. */
function graphPageOf(page: GraphPage, n: number): GraphPage {
  const entities = page.entities.slice(0, n);
  const kept = new Set(entities.map((e) => e.name));
  const cut = n < page.entities.length;
  return { ...page, entities, relations: page.relations.filter((r) => kept.has(r.from)), nextOffset: cut ? page.offset + n : page.nextOffset };
}

/** The value whole when its JSON fits `maxTokens`, else with its lists cut to the largest share that fits. */
export function fitToBudget(value: unknown, maxTokens: number, serialise: (v: unknown) => string): Fitted {
  const whole = serialise(value);
  // A text costs at most a token a character: one no longer than the budget fits without counting.
  if (whole.length <= maxTokens || estimateTokens(whole) <= maxTokens) return { value, text: whole };
  if (isGraphPage(value)) {
    // Paged: the page ends earlier, so paging on from nextOffset misses nothing.
    let lo = 0;
    let hi = value.entities.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (estimateTokens(serialise(graphPageOf(value, mid))) <= maxTokens) lo = mid;
      else hi = mid - 1;
    }
    const page = graphPageOf(value, lo);
    return { value: page, text: serialise(page), cut: { kept: lo, total: value.entities.length, fields: ['entities'] } };
  }
  const lists = listsOf(value);
  const total = lists.reduce((n, l) => n + l.items.length, 0);
  if (total === 0) return { value, text: whole };
  // Binary search on the share of every list kept (1/1024 steps).
  let lo = 0;
  let hi = 1024;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (estimateTokens(serialise(keep(value, lists, mid / 1024))) <= maxTokens) lo = mid;
    else hi = mid - 1;
  }
  const fitted = keep(value, lists, lo / 1024);
  const kept = listsOf(fitted).reduce((n, l) => n + l.items.length, 0);
  return { value: fitted, text: serialise(fitted), cut: { kept, total, fields: lists.map((l) => l.field || '(the list)') } };
}
