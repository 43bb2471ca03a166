// The dashboard's pure parts, without a browser or VS Code: the filter turned into the metrics methods' params (the
// last N days in a time zone, the newest sprint), each chart's CSV (quoting, formulas kept from running), the message
// schemas both ways, colours made see-through, and how figures read.
import * as assert from 'node:assert/strict';
import { chartCsv, toCsv } from '../../src/views/dashboard/csv';
import { metricsParams, rangeOf, sprintFor } from '../../src/views/dashboard/dashboardQuery';
import { CHART_IDS, DEFAULT_FILTER, fromWebview, toWebview, type DashboardData, type DashboardFilter } from '../../src/views/dashboard/messages';
import { formatDuration, formatPercent, shortDate } from '../../src/webviews/dashboard/format';
import { withAlpha } from '../../src/webviews/dashboard/color';

const NOW = Date.parse('2026-03-10T23:30:00Z');

const data = (): DashboardData => ({
  type: 'data',
  seq: 1,
  from: '2026-03-01',
  to: '2026-03-02',
  timeZone: 'UTC',
  agentNames: ['coder'],
  errors: {},
  reports: {
    burndown: { sprint: { id: 'S', name: 'S1', projectId: 'P', startsOn: '2026-03-01', endsOn: '2026-03-02' }, days: [{ date: '2026-03-01', remainingTasks: 2, remainingMinutes: 90, scopeTasks: 2, idealTasks: 2, idealMinutes: 90 }, { date: '2026-03-02', remainingTasks: null, remainingMinutes: null, scopeTasks: null, idealTasks: 0, idealMinutes: 0 }] },
    throughput: { total: 3, buckets: [{ start: '2026-03-01', done: 1 }, { start: '2026-03-02', done: 2 }] },
    cumulativeFlow: { buckets: [{ start: '2026-03-01', byStatus: { pending: 1, in_progress: 2, blocked: 0, done: 3, cancelled: 0 } }] },
    cycleTime: { count: 1, cycle: { count: 1, meanMs: 5, p50Ms: 5, p85Ms: 5, p95Ms: 5 }, lead: { count: 1, meanMs: 9, p50Ms: 9, p85Ms: 9, p95Ms: 9 }, histogram: [{ label: '< 1h', fromMs: 0, toMs: 3_600_000, cycle: 1, lead: 1 }] },
    agents: {
      agents: [{ agent: 'coder', runs: 2, successRate: 0.5, tokensIn: 10, tokensOut: 4, meanQuality: null, meanDurationMs: 1000, errors: 1 }],
      buckets: [{ start: '2026-03-01', byAgent: { coder: { runs: 2, successRate: 0.5, tokensIn: 10, tokensOut: 4, meanQuality: null, meanDurationMs: 1000, errors: 1 } } }, { start: '2026-03-02', byAgent: {} }],
    },
    activity: { buckets: [{ start: '2026-03-01', total: 3, humans: 2, agents: 1 }] },
    lists: {
      blocked: { total: 1, tasks: [{ id: 'T1', title: '=HYPERLINK("x"), "quoted"', projectId: 'P', status: 'blocked', assignee: null, updatedAt: '2026-03-01T00:00:00.000Z', blockedSince: null, waitingOn: 2 }] },
      stale: { days: 30, total: 0, tasks: [] },
      mostLinkedNotes: [{ path: 'a, b.md', title: null, links: 4 }],
    },
  },
});

describe('dashboard (pure parts)', () => {
  it('the last N days end today in the time zone; a chosen range is kept as it is', () => {
    assert.deepEqual(rangeOf({ ...DEFAULT_FILTER, range: { kind: 'last', days: 7 } }, NOW, 'UTC'), { from: '2026-03-04', to: '2026-03-10' });
    // 23:30 UTC is already the 11th in Paris.
    assert.deepEqual(rangeOf({ ...DEFAULT_FILTER, range: { kind: 'last', days: 1 } }, NOW, 'Europe/Paris'), { from: '2026-03-11', to: '2026-03-11' });
    assert.deepEqual(rangeOf({ ...DEFAULT_FILTER, range: { kind: 'between', from: '2025-01-01', to: '2025-02-01' } }, NOW, 'UTC'), { from: '2025-01-01', to: '2025-02-01' });
  });

  it('the burndown\'s sprint: the chosen one of the project, else the one that starts last', () => {
    const sprints = [
      { id: 'A', projectId: 'P', startsOn: '2026-01-01' },
      { id: 'B', projectId: 'P', startsOn: '2026-02-01' },
      { id: 'C', projectId: 'Q', startsOn: '2026-03-01' },
    ];
    assert.equal(sprintFor({ ...DEFAULT_FILTER, projectId: 'P' }, sprints), 'B');
    assert.equal(sprintFor(DEFAULT_FILTER, sprints), 'C');
    assert.equal(sprintFor({ ...DEFAULT_FILTER, projectId: 'P', sprintId: 'A' }, sprints), 'A');
    assert.equal(sprintFor({ ...DEFAULT_FILTER, projectId: 'P', sprintId: 'C' }, sprints), 'B', 'a sprint of another project is not the project\'s');
    assert.equal(sprintFor({ ...DEFAULT_FILTER, projectId: 'R' }, sprints), null);
  });

  it('each metric\'s params: the project, the range and bucket, the agent; activity and the vault are the whole store\'s', () => {
    const f: DashboardFilter = { projectId: 'P', sprintId: null, range: { kind: 'last', days: 30 }, bucket: 'week', agent: 'coder' };
    const p = metricsParams(f, 'S', { from: '2026-02-01', to: '2026-03-01' }, 'UTC');
    assert.deepEqual(p.burndown, { sprintId: 'S', timeZone: 'UTC' });
    assert.deepEqual(p.throughput, { projectId: 'P', from: '2026-02-01', to: '2026-03-01', timeZone: 'UTC', bucket: 'week' });
    assert.deepEqual(p.agents, { projectId: 'P', from: '2026-02-01', to: '2026-03-01', timeZone: 'UTC', bucket: 'week', agent: 'coder' });
    assert.deepEqual(p.activity, { from: '2026-02-01', to: '2026-03-01', timeZone: 'UTC', bucket: 'week' });
    assert.deepEqual(p.lists, { projectId: 'P', limit: 20, staleDays: 30 });
    assert.equal(metricsParams(DEFAULT_FILTER, null, { from: '2026-02-01', to: '2026-03-01' }, 'UTC').burndown, null);
  });

  it('CSV: CRLF lines, fields quoted when needed, text that a spreadsheet would run as a formula kept as text', () => {
    assert.equal(toCsv(['a', 'b'], [['x,y', 'say "hi"'], [null, -1], ['=1+1', '@cmd']]), 'a,b\r\n"x,y","say ""hi"""\r\n,-1\r\n\'=1+1,\'@cmd\r\n');
    const d = data();
    assert.equal(chartCsv('throughput', d)!.csv, 'start,done\r\n2026-03-01,1\r\n2026-03-02,2\r\n');
    assert.equal(chartCsv('burndown', d)!.csv.split('\r\n')[2], '2026-03-02,,,,0,0');
    assert.equal(chartCsv('cumulativeFlow', d)!.csv, 'start,pending,in_progress,blocked,done,cancelled\r\n2026-03-01,1,2,0,3,0\r\n');
    assert.equal(chartCsv('agents', d)!.csv.split('\r\n')[1], 'coder,2,0.5,10,4,,1000,1');
    assert.equal(chartCsv('agentsOverTime', d)!.rows, 1, 'one row per agent and bucket with runs');
    assert.equal(chartCsv('blocked', d)!.csv.split('\r\n')[1], 'T1,"\'=HYPERLINK(""x""), ""quoted""",,,2,2026-03-01T00:00:00.000Z');
    assert.equal(chartCsv('mostLinkedNotes', d)!.csv, 'path,title,links\r\n"a, b.md",,4\r\n');
    for (const id of CHART_IDS) assert.ok(chartCsv(id, d), id);
    assert.equal(chartCsv('throughput', { ...d, reports: { ...d.reports, throughput: null } }), undefined, 'no figures, no CSV');
  });

  it('messages: the page\'s are checked strictly (unknown fields, bad ranges, unknown charts refused); the host\'s parse', () => {
    assert.ok(fromWebview.safeParse({ type: 'query', seq: 1, filter: DEFAULT_FILTER }).success);
    assert.ok(fromWebview.safeParse({ type: 'copyCsv', chart: 'burndown' }).success);
    for (const bad of [
      { type: 'query', seq: 1, filter: { ...DEFAULT_FILTER, extra: 1 } },
      { type: 'query', seq: 1, filter: { ...DEFAULT_FILTER, range: { kind: 'between', from: 'yesterday', to: '2026-01-01' } } },
      { type: 'query', seq: 1, filter: { ...DEFAULT_FILTER, range: { kind: 'last', days: 0 } } },
      { type: 'copyCsv', chart: 'secrets' },
      { type: 'openNote', path: '' },
      { type: 'openTask', taskId: 'x'.repeat(101) },
    ]) {
      assert.equal(fromWebview.safeParse(bad).success, false, JSON.stringify(bad));
    }
    assert.ok(toWebview.safeParse(data()).success);
  });

  it('colours and figures read well', () => {
    assert.equal(withAlpha('#3794ff', 0.35), 'rgba(55, 148, 255, 0.35)');
    assert.equal(withAlpha('#abc', 0.5), 'rgba(170, 187, 204, 0.5)');
    assert.equal(withAlpha('rgb(1, 2, 3)', 0.1), 'rgba(1, 2, 3, 0.1)');
    assert.equal(withAlpha('red', 0.1), 'red');
    assert.deepEqual([formatDuration(null), formatDuration(30_000), formatDuration(5 * 60_000), formatDuration(90 * 60_000), formatDuration(3 * 86_400_000)], ['–', '30 s', '5 min', '1.5 h', '3 d']);
    assert.deepEqual([formatPercent(null), formatPercent(0.6667)], ['–', '67%']);
    assert.equal(shortDate('2026-11-02'), '11-02');
  });
});
