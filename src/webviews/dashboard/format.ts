// How the dashboard's figures read: durations in the largest unit that fits, rates as percentages, dates short on an
// axis.
export const STATUS_LABELS = { pending: 'Pending', in_progress: 'In progress', blocked: 'Blocked', done: 'Done', cancelled: 'Cancelled' } as const;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const oneDecimal = (x: number) => (x >= 10 ? String(Math.round(x)) : x.toFixed(1).replace(/\.0$/, ''));

export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < MINUTE) return `${Math.round(ms / 1000)} s`;
  if (ms < HOUR) return `${Math.round(ms / MINUTE)} min`;
  if (ms < DAY) return `${oneDecimal(ms / HOUR)} h`;
  return `${oneDecimal(ms / DAY)} d`;
}

export function formatPercent(rate: number | null): string {
  return rate === null ? '–' : `${Math.round(rate * 100)}%`;
}

/** 2026-11-02 → 11-02 (the range's years are in the caption). */
export const shortDate = (date: string) => (/^\d{4}-\d{2}-\d{2}$/.test(date) ? date.slice(5) : date);
