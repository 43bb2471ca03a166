// Keeps a tool's answer within a token budget, so one call never floods an agent's context (the MCP memory server's
// read_graph answers 50–80k tokens on a big graph).
import { estimateTokens } from '../../store/tokens';

export { estimateTokens };

export const DEFAULT_MAX_TOKENS = 20_000;

export interface Fitted {
  value: unknown;
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

/** The value whole when its JSON fits `maxTokens`, else with its lists cut to the largest share that fits. */
export function fitToBudget(value: unknown, maxTokens: number, serialise: (v: unknown) => string): Fitted {
  if (estimateTokens(serialise(value)) <= maxTokens) return { value };
  const lists = listsOf(value);
  const total = lists.reduce((n, l) => n + l.items.length, 0);
  if (total === 0) return { value };
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
  return { value: fitted, cut: { kept, total, fields: lists.map((l) => l.field || '(the list)') } };
}
