// Each chart's data as CSV (RFC 4180: comma-separated, CRLF lines, fields quoted when they hold a comma, quote or line
// break), from the figures the host last sent the page. A text cell a spreadsheet would run as a formula (=, +, -, @
// first) is written with a leading apostrophe: task titles and note names are anyone's text.
import type { ChartId, DashboardData } from './messages';
import { FLOW_STATUSES } from './messages';

type Cell = string | number | null;

function cell(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** A chart's CSV and its row count; undefined when the figures for it are missing (its method failed). */
export function chartCsv(chart: ChartId, d: DashboardData): { csv: string; rows: number } | undefined {
  const r = d.reports;
  const table = (header: string[], rows: Cell[][]) => ({ csv: toCsv(header, rows), rows: rows.length });
  switch (chart) {
    case 'burndown':
      return r.burndown
        ? table(
            ['date', 'remainingTasks', 'remainingMinutes', 'scopeTasks', 'idealTasks', 'idealMinutes'],
            r.burndown.days.map((x) => [x.date, x.remainingTasks, x.remainingMinutes, x.scopeTasks, x.idealTasks, x.idealMinutes]),
          )
        : undefined;
    case 'throughput':
      return r.throughput ? table(['start', 'done'], r.throughput.buckets.map((b) => [b.start, b.done])) : undefined;
    case 'cumulativeFlow':
      return r.cumulativeFlow ? table(['start', ...FLOW_STATUSES], r.cumulativeFlow.buckets.map((b) => [b.start, ...FLOW_STATUSES.map((s) => b.byStatus[s] ?? 0)])) : undefined;
    case 'cycleTime':
      return r.cycleTime ? table(['span', 'fromMs', 'toMs', 'cycleTasks', 'leadTasks'], r.cycleTime.histogram.map((h) => [h.label, h.fromMs, h.toMs, h.cycle, h.lead])) : undefined;
    case 'agents':
      return r.agents
        ? table(
            ['agent', 'runs', 'successRate', 'tokensIn', 'tokensOut', 'meanQuality', 'meanDurationMs', 'errors'],
            r.agents.agents.map((a) => [a.agent, a.runs, a.successRate, a.tokensIn, a.tokensOut, a.meanQuality, a.meanDurationMs, a.errors]),
          )
        : undefined;
    case 'agentsOverTime':
      return r.agents
        ? table(
            ['start', 'agent', 'runs', 'successRate', 'tokensIn', 'tokensOut', 'meanQuality', 'meanDurationMs', 'errors'],
            r.agents.buckets.flatMap((b) =>
              Object.entries(b.byAgent)
                .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
                .map(([agent, f]) => [b.start, agent, f.runs, f.successRate, f.tokensIn, f.tokensOut, f.meanQuality, f.meanDurationMs, f.errors]),
            ),
          )
        : undefined;
    case 'activity':
      return r.activity ? table(['start', 'total', 'humans', 'agents'], r.activity.buckets.map((b) => [b.start, b.total, b.humans, b.agents])) : undefined;
    case 'blocked':
      return r.lists
        ? table(['id', 'title', 'assignee', 'blockedSince', 'waitingOn', 'updatedAt'], r.lists.blocked.tasks.map((t) => [t.id, t.title, t.assignee, t.blockedSince, t.waitingOn, t.updatedAt]))
        : undefined;
    case 'stale':
      return r.lists
        ? table(['id', 'title', 'status', 'assignee', 'idleDays', 'updatedAt'], r.lists.stale.tasks.map((t) => [t.id, t.title, t.status, t.assignee, t.idleDays, t.updatedAt]))
        : undefined;
    case 'mostLinkedNotes':
      return r.lists ? table(['path', 'title', 'links'], r.lists.mostLinkedNotes.map((n) => [n.path, n.title, n.links])) : undefined;
  }
}
