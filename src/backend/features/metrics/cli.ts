// cairn metrics burndown | throughput | flow | cycle-time | agents | activity | lists: the dashboard's figures
// (metrics.* methods) as tables, or as the methods answer them with --json.
import { Option, type Command } from 'commander';
import type { ActivityReport } from '../../../store/metrics/activity';
import type { AgentsReport } from '../../../store/metrics/agents';
import type { BurndownReport } from '../../../store/metrics/burndown';
import type { CycleTimeReport, Distribution } from '../../../store/metrics/cycleTime';
import type { CumulativeFlowReport, ThroughputReport } from '../../../store/metrics/flow';
import type { ListsReport } from '../../../store/metrics/lists';
import { BUCKETS, type Bucket } from '../../../store/metrics/time';
import { TASK_STATUSES } from '../../../store/schema';
import type { Caller } from '../../cli';
import { formatTable } from '../../table';

export interface MetricsCliTools {
  sub: (parent: Command, name: string, description: string) => Command;
  withStore: <T>(cmd: Command, fn: (call: Caller) => Promise<T>) => Promise<T>;
  print: (cmd: Command, value: unknown, text: () => string) => void;
  positiveInt: (v: string) => number;
}

interface RangeOptions {
  project?: string;
  from?: string;
  to?: string;
  bucket?: Bucket;
  tz?: string;
}

/** A duration as a person reads it: 45s, 12m, 3h 20m, 2d 4h. */
export function duration(ms: number | null): string {
  if (ms === null) return '-';
  const sign = ms < 0 ? '-' : '';
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${sign}${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${sign}${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${sign}${h}h${m % 60 ? ` ${m % 60}m` : ''}`;
  const d = Math.floor(h / 24);
  return `${sign}${d}d${h % 24 ? ` ${h % 24}h` : ''}`;
}

const num = (n: number | null, digits = 0) => (n === null ? '-' : digits ? n.toFixed(digits) : String(n));
const pct = (n: number | null) => (n === null ? '-' : `${Math.round(n * 100)}%`);
const rangeLine = (r: { from: string; to: string; timeZone: string; bucket?: string; projectId?: string | null }) =>
  `${r.from} .. ${r.to} (${r.timeZone}${r.bucket ? `, by ${r.bucket}` : ''})${r.projectId ? `, project ${r.projectId}` : ''}`;

const withTimeZone = (cmd: Command) => cmd.option('--tz <zone>', 'time zone of the days, IANA (e.g. Europe/Paris; default UTC)');

function withRange(cmd: Command, { project = true, buckets = true } = {}): Command {
  if (project) cmd.option('--project <id>', "one project's tasks (default: the whole store)");
  cmd.option('--from <date>', 'first day, YYYY-MM-DD (default: 30 days or 12 weeks back)').option('--to <date>', 'last day, YYYY-MM-DD (default: today)');
  if (buckets) cmd.addOption(new Option('--bucket <bucket>', 'one row per day or per week (weeks start on Monday)').choices(BUCKETS).default('day'));
  return withTimeZone(cmd);
}

const rangeParams = (o: RangeOptions) => ({ projectId: o.project, from: o.from, to: o.to, bucket: o.bucket, timeZone: o.tz });

function burndownText(r: BurndownReport): string {
  const head = `Sprint ${r.sprint.name} (${r.sprint.id}): ${r.sprint.startsOn} .. ${r.sprint.endsOn} (${r.timeZone})`;
  const rows = r.days.map((d) => [d.date, num(d.remainingTasks), num(d.remainingMinutes), num(d.scopeTasks), num(d.idealTasks, 1), num(d.idealMinutes, 1)]);
  return `${head}\n${formatTable(['DATE', 'REMAINING', 'MINUTES', 'SCOPE', 'IDEAL', 'IDEAL MINUTES'], rows)}`;
}

function distributionLine(what: string, d: Distribution): string {
  return `${what}: ${d.count} task${d.count === 1 ? '' : 's'}, p50 ${duration(d.p50Ms)}, p85 ${duration(d.p85Ms)}, p95 ${duration(d.p95Ms)}, mean ${duration(d.meanMs)}`;
}

function cycleText(r: CycleTimeReport): string {
  const lines = [`Tasks done ${rangeLine(r)}: ${r.count}`, distributionLine('cycle time (in progress → done)', r.cycle), distributionLine('lead time (created → done)', r.lead)];
  if (!r.count) return lines.join('\n');
  lines.push('', formatTable(['SPAN', 'CYCLE', 'LEAD'], r.histogram.map((h) => [h.label, String(h.cycle), String(h.lead)])));
  lines.push('', formatTable(['ID', 'DONE', 'CYCLE', 'LEAD', 'TITLE'], r.tasks.map((t) => [t.id, t.doneAt.replace('T', ' ').slice(0, 16), duration(t.cycleMs), duration(t.leadMs), t.title ?? '(deleted)'])));
  if (r.tasks.length < r.count) lines.push(`(${r.tasks.length} of ${r.count} shown, most recently done first; --limit shows more)`);
  return lines.join('\n');
}

function agentsText(r: AgentsReport): string {
  const head = `Agent runs ${rangeLine(r)}`;
  if (!r.agents.length) return `${head}\n(no runs)`;
  const rows = r.agents.map((a) => [a.agent, String(a.runs), pct(a.successRate), String(a.tokensIn), String(a.tokensOut), num(a.meanQuality, 2), duration(a.meanDurationMs), String(a.errors)]);
  return `${head}\n${formatTable(['AGENT', 'RUNS', 'SUCCESS', 'TOKENS IN', 'TOKENS OUT', 'QUALITY', 'MEAN DURATION', 'ERRORS'], rows)}`;
}

function activityText(r: ActivityReport): string {
  const lines = [`Events ${rangeLine(r)}`, formatTable(['START', 'TOTAL', 'PEOPLE', 'AGENTS'], r.buckets.map((b) => [b.start, String(b.total), String(b.humans), String(b.agents)]))];
  if (r.actors.length) lines.push('', formatTable(['ACTOR', 'EVENTS', 'AS PERSON', 'AS AGENT'], r.actors.map((a) => [a.actor, String(a.total), String(a.humans), String(a.agents)])));
  return lines.join('\n');
}

function listsText(r: ListsReport): string {
  const tasks = (rows: string[][], headers: string[]) => (rows.length ? formatTable(headers, rows) : '(none)');
  return [
    `Blocked tasks: ${r.blocked.total}${r.projectId ? ` (project ${r.projectId})` : ''}`,
    tasks(r.blocked.tasks.map((t) => [t.id, (t.blockedSince ?? t.updatedAt).slice(0, 10), t.waitingOn ? String(t.waitingOn) : '', t.assignee ?? '', t.title]), ['ID', 'BLOCKED SINCE', 'WAITING ON', 'ASSIGNEE', 'TITLE']),
    '',
    `Stale tasks (open, untouched for ${r.stale.days} days): ${r.stale.total}`,
    tasks(r.stale.tasks.map((t) => [t.id, t.status, `${t.idleDays}d`, t.assignee ?? '', t.title]), ['ID', 'STATUS', 'IDLE', 'ASSIGNEE', 'TITLE']),
    '',
    'Most-linked notes',
    tasks(r.mostLinkedNotes.map((n) => [String(n.links), n.path, n.title ?? '(not in the vault yet)']), ['LINKS', 'PATH', 'TITLE']),
  ].join('\n');
}

export function registerMetricsCommands(program: Command, t: MetricsCliTools): void {
  const metrics = t.sub(program, 'metrics', "the dashboard's figures: burndown, throughput, flow, cycle-time, agents, activity, lists");
  withTimeZone(t.sub(metrics, 'burndown', "a sprint's open tasks and estimate per day against the ideal line").argument('<sprintId>'))
    .action(async (sprintId: string, o: { tz?: string }, cmd: Command) => {
      const r = await t.withStore(cmd, (call) => call<'metrics.burndown', BurndownReport>('metrics.burndown', { sprintId, timeZone: o.tz }));
      t.print(cmd, r, () => burndownText(r));
    });
  withRange(t.sub(metrics, 'throughput', 'tasks done per day or week')).action(async (o: RangeOptions, cmd: Command) => {
    const r = await t.withStore(cmd, (call) => call<'metrics.throughput', ThroughputReport>('metrics.throughput', rangeParams(o)));
    t.print(cmd, r, () => `Tasks done ${rangeLine(r)}: ${r.total}\n${formatTable(['START', 'DONE'], r.buckets.map((b) => [b.start, String(b.done)]))}`);
  });
  withRange(t.sub(metrics, 'flow', 'cumulative flow: tasks by status at the end of each day or week')).action(async (o: RangeOptions, cmd: Command) => {
    const r = await t.withStore(cmd, (call) => call<'metrics.cumulativeFlow', CumulativeFlowReport>('metrics.cumulativeFlow', rangeParams(o)));
    t.print(cmd, r, () => `Tasks by status ${rangeLine(r)}\n${formatTable(['START', ...TASK_STATUSES.map((s) => s.toUpperCase())], r.buckets.map((b) => [b.start, ...TASK_STATUSES.map((s) => String(b.byStatus[s]))]))}`);
  });
  withRange(t.sub(metrics, 'cycle-time', 'cycle and lead time of the tasks done in a range'), { buckets: false })
    .option('--limit <n>', 'tasks to list (default 100; the figures cover all)', t.positiveInt)
    .action(async (o: RangeOptions & { limit?: number }, cmd: Command) => {
      const r = await t.withStore(cmd, (call) => call<'metrics.cycleTime', CycleTimeReport>('metrics.cycleTime', { projectId: o.project, from: o.from, to: o.to, timeZone: o.tz, limit: o.limit }));
      t.print(cmd, r, () => cycleText(r));
    });
  withRange(t.sub(metrics, 'agents', 'per agent: runs, success rate, tokens, quality, duration, errors'))
    .option('--agent <name>', 'one agent only')
    .action(async (o: RangeOptions & { agent?: string }, cmd: Command) => {
      const r = await t.withStore(cmd, (call) => call<'metrics.agents', AgentsReport>('metrics.agents', { ...rangeParams(o), agent: o.agent }));
      t.print(cmd, r, () => agentsText(r));
    });
  withRange(t.sub(metrics, 'activity', 'events per day or week by actor, people against agents'), { project: false }).action(async (o: Omit<RangeOptions, 'project'>, cmd: Command) => {
    const r = await t.withStore(cmd, (call) => call<'metrics.activity', ActivityReport>('metrics.activity', { from: o.from, to: o.to, bucket: o.bucket, timeZone: o.tz }));
    t.print(cmd, r, () => activityText(r));
  });
  t.sub(metrics, 'lists', 'blocked tasks, stale tasks and the most-linked notes')
    .option('--project <id>', "one project's tasks (default: the whole store)")
    .option('--limit <n>', 'items per list (default 20)', t.positiveInt)
    .option('--stale-days <n>', 'open tasks untouched for this many days are stale (default 30)', t.positiveInt)
    .action(async (o: { project?: string; limit?: number; staleDays?: number }, cmd: Command) => {
      const r = await t.withStore(cmd, (call) => call<'metrics.lists', ListsReport>('metrics.lists', { projectId: o.project, limit: o.limit, staleDays: o.staleDays }));
      t.print(cmd, r, () => listsText(r));
    });
}
