// The dashboard in the real VS Code: on a store with a known history (task events with chosen times, written as a sync
// brings them; agent runs and notes through the backend), the command opens a webview panel whose page (the real
// bundle, with uPlot, in the workbench's browser) draws every chart and reports what it drew; each chart's numbers
// equal an independent computation here (test/store/metrics/history.ts replays the events the plain way). Copy CSV
// puts the figures on the clipboard; list rows open the task or the note; hostile messages are refused; a run
// recorded meanwhile reaches the open dashboard. The DOM itself (reload, themes, screenshots, the empty store) is
// driven by test/ui/dashboard.js.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CairnApi } from '../../src/extension/extension';
import type { DashboardPainted } from '../../src/views/dashboard/dashboardPanel';
import type { DashboardFilter, PaintedChart } from '../../src/views/dashboard/messages';
import type { Project } from '../../src/store/projects';
import { waitFor } from '../waitFor';
import { refActivity, refBurndown, refCycle, refDays, refFlow, refThroughput } from '../store/metrics/history';
import { runCli } from './cli';
import { dashboardHistory, writeHistory, type DashboardHistory } from './dashboardHistory';
import { nextPosted } from './taskPanels';

let api: CairnApi;
let extensionPath: string;
let project: Project;
let sprint: { id: string; name: string };
let history: DashboardHistory;

const FROM = '2026-11-01';
const TO = '2026-11-10';
const SPRINT_START = '2026-11-02';
const SPRINT_END = '2026-11-06';
const FILTER = (): DashboardFilter => ({ projectId: project.id, sprintId: null, range: { kind: 'between', from: FROM, to: TO }, bucket: 'day', agent: null });
/** The runs the test records (each on a task of the project, so the project's figures count it): agent, day, outcome,
 *  duration, tokens, quality, errors. */
const RUNS = [
  { agent: 'coder', startedAt: '2026-11-03T10:00:00.000Z', outcome: 'success', durationMs: 60_000, tokensIn: 1200, tokensOut: 300, qualityScore: 0.8, errors: 0 },
  { agent: 'coder', startedAt: '2026-11-04T11:00:00.000Z', outcome: 'failure', durationMs: 180_000, tokensIn: 2000, tokensOut: 150, errors: 2 },
  { agent: 'coder', startedAt: '2026-11-09T15:00:00.000Z', outcome: 'success', durationMs: 90_000, tokensIn: 800, tokensOut: 400, qualityScore: 0.9, errors: 0 },
  { agent: 'reviewer', startedAt: '2026-11-05T09:00:00.000Z', outcome: 'success', durationMs: 30_000, tokensIn: 500, tokensOut: 100, qualityScore: 0.6, errors: 0 },
] as const;
const NOTES: Record<string, string> = {
  'dash-hub.md': '# Hub\n',
  'dash-spoke-1.md': 'See [[dash-hub]] and [[dash-leaf]].\n',
  'dash-spoke-2.md': 'Back to [[dash-hub]].\n',
  'dash-spoke-3.md': 'Also [[dash-hub]].\n',
  'dash-leaf.md': 'A leaf.\n',
};

const dashboard = () => {
  const d = api.dashboard.current();
  assert.ok(d, 'a dashboard is open');
  return d;
};
const chart = (p: DashboardPainted, id: PaintedChart['id']) => {
  const c = p.charts.find((x) => x.id === id);
  assert.ok(c, `the page drew ${id}`);
  return c;
};
const series = (c: PaintedChart, label: string) => {
  const s = c.series.find((x) => x.label === label);
  assert.ok(s, `${c.id} has the series ${label} (it has ${c.series.map((x) => x.label).join(', ')})`);
  return s.values;
};
/** The next paint of the page that shows the test's range. */
const paintedOver = (what: string, ok: (p: DashboardPainted) => boolean = () => true) =>
  waitFor(what, () => {
    const p = api.dashboard.current()?.lastPainted;
    return p && chart(p, 'throughput').labels[0] === FROM && ok(p) ? p : undefined;
  }, 30_000);
const newestSeq = async () => (await api.request<'events.list', { seq: number }[]>('events.list', { limit: 1 }))[0]?.seq ?? 0;
const timeZone = () => dashboard().lastData!.timeZone;

let vaultExisted = false;

describe('Dashboard (webview)', function () {
  before(async () => {
    const ext = vscode.extensions.getExtension<CairnApi>('cairn.cairn');
    assert.ok(ext);
    api = await ext.activate();
    extensionPath = ext.extensionPath;
    await api.whenReady();
    project = await api.request<'projects.create', Project>('projects.create', { name: 'Dashboard project' });
    sprint = await api.request<'sprints.create', { id: string; name: string }>('sprints.create', { projectId: project.id, name: 'Sprint 7', startsOn: SPRINT_START, endsOn: SPRINT_END });
    history = dashboardHistory({ projectId: project.id, sprintId: sprint.id, start: SPRINT_START });
    await writeHistory(api.storeDir, history, project.id);
    for (const [i, r] of RUNS.entries()) await api.request('agents.recordRun', { ...r, taskId: history.tasks[i % 2 ? 'F' : 'A']!.id });
    vaultExisted = fs.existsSync(api.vaultDir);
    fs.mkdirSync(api.vaultDir, { recursive: true });
    for (const [file, text] of Object.entries(NOTES)) fs.writeFileSync(path.join(api.vaultDir, file), text);
    await api.request('knowledge.index', { create: true });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await api.request('projects.delete', { id: project.id });
    for (const file of Object.keys(NOTES)) fs.rmSync(path.join(api.vaultDir, file), { force: true });
    // The vault as the next suites find it: none at all for the Knowledge vault tests, and no notes in the index.
    await api.request('knowledge.index', {});
    if (!vaultExisted) fs.rmSync(api.vaultDir, { recursive: true, force: true });
  });

  it('Cairn: Open Dashboard opens the dashboard for the project of its context menu, with a strict page, and every chart painted', async () => {
    assert.ok((await vscode.commands.getCommands(true)).includes('cairn.openDashboard'));
    await vscode.commands.executeCommand('cairn.openDashboard', { kind: 'project', project });
    const d = dashboard();
    assert.equal(d.panel.viewType, 'cairn.dashboard');
    assert.deepEqual(d.panel.webview.options.localResourceRoots?.map((u) => u.path), [vscode.Uri.joinPath(vscode.Uri.file(extensionPath), 'dist', 'webviews').path]);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(d.panel.webview.html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{20,}'(;|$)/);
    assert.doesNotMatch(csp.split(d.panel.webview.cspSource).join('SELF'), /unsafe-inline|unsafe-eval|https?:|\*/);
    const first = await waitFor('the page to paint the project\'s charts', () => d.lastPainted, 30_000);
    assert.equal(first.charts.length, 10, 'every chart, table and list');
    // Measured: from the command to every chart painted, on the host's clock and on the page's own.
    console.log(`      dashboard: command → all charts painted ${first.sinceOpenedMs.toFixed(0)} ms; page: navigation → painted ${first.timings.sinceStartMs.toFixed(0)} ms, answer → painted ${first.timings.drawMs.toFixed(1)} ms`);
    // The project came from the context menu: the lists are the project's.
    assert.deepEqual(chart(first, 'blocked').labels, [history.tasks.B!.id]);
    d.showFilter(FILTER());
    await paintedOver('the page to paint the test\'s range');
  });

  it('burndown: remaining tasks and estimate per day of the newest sprint, and the ideal line, as a replay of the events gives them', async () => {
    const p = await paintedOver('the burndown');
    const c = chart(p, 'burndown');
    const days = refDays(SPRINT_START, SPRINT_END);
    assert.deepEqual(c.labels, days);
    const ref = refBurndown(history.events, { sprintId: sprint.id, days, timeZone: timeZone() });
    assert.deepEqual(series(c, 'Remaining tasks'), ref.map((x) => x.remaining));
    assert.deepEqual(series(c, 'Remaining estimate (min)'), ref.map((x) => x.minutes));
    const ideal = (base: number) => days.map((_, i) => Math.round(((base * (days.length - 1 - i)) / (days.length - 1)) * 100) / 100);
    assert.deepEqual(series(c, 'Ideal tasks'), ideal(ref[0]!.remaining));
    assert.deepEqual(series(c, 'Ideal estimate (min)'), ideal(ref[0]!.minutes));
    assert.equal(c.empty, false);
    // By hand, for the first day (UTC): A, B, E open (225 min); C and G come the day after.
    if (timeZone() === 'UTC') assert.deepEqual([ref[0]!.remaining, ref[0]!.minutes], [3, 225]);
  });

  it('throughput and cumulative flow per day equal the replayed events', async () => {
    const p = await paintedOver('the flow charts');
    const starts = refDays(FROM, TO);
    const o = { projectId: project.id, starts, bucket: 'day' as const, timeZone: timeZone() };
    const t = chart(p, 'throughput');
    assert.deepEqual(t.labels, starts);
    assert.deepEqual(series(t, 'Done'), refThroughput(history.events, o));
    assert.equal(series(t, 'Done').reduce((a, b) => a! + b!, 0), 4, 'A, C, G and F (once, done again after reopening)');
    const flow = chart(p, 'cumulativeFlow');
    const ref = refFlow(history.events, o);
    for (const [status, label] of [['pending', 'Pending'], ['in_progress', 'In progress'], ['blocked', 'Blocked'], ['done', 'Done'], ['cancelled', 'Cancelled']] as const) {
      assert.deepEqual(series(flow, label), ref.map((r) => r[status]), status);
    }
  });

  it('cycle and lead time: the histogram of the tasks done in the range', async () => {
    const p = await paintedOver('the cycle time chart');
    const c = chart(p, 'cycleTime');
    const HOUR = 3_600_000;
    const DAY = 24 * HOUR;
    const edges = [0, HOUR, 4 * HOUR, DAY, 2 * DAY, 4 * DAY, 7 * DAY, 14 * DAY, 28 * DAY];
    assert.deepEqual(c.labels, ['< 1h', '1-4h', '4-24h', '1-2d', '2-4d', '4-7d', '1-2w', '2-4w', '4w+']);
    const ref = refCycle(history.events, { projectId: project.id, from: FROM, to: TO, timeZone: timeZone() });
    const histogram = (list: number[]) => edges.map((from, i) => list.filter((ms) => ms >= from && (i === edges.length - 1 || ms < edges[i + 1]!)).length);
    assert.deepEqual(series(c, 'Cycle time (in progress → done)'), histogram(ref.cycles));
    assert.deepEqual(series(c, 'Lead time (created → done)'), histogram(ref.leads));
    assert.equal(ref.count, 4);
    assert.equal(ref.cycles.length, 3, 'C was never in progress: a lead time, no cycle time');
  });

  it('agents: the table (runs, success rate, tokens, mean quality, mean duration, errors) and runs per day, from the runs recorded', async () => {
    const p = await paintedOver('the agents table');
    const table = chart(p, 'agents');
    const agents = [...new Set(RUNS.map((r) => r.agent))].sort((a, b) => RUNS.filter((r) => r.agent === b).length - RUNS.filter((r) => r.agent === a).length);
    assert.deepEqual(table.labels, agents);
    const runsOf = (a: string) => RUNS.filter((r) => r.agent === a);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
    const round4 = (x: number | null) => (x === null ? null : Math.round(x * 10_000) / 10_000);
    assert.deepEqual(series(table, 'runs'), agents.map((a) => runsOf(a).length));
    assert.deepEqual(series(table, 'successRate'), agents.map((a) => round4(runsOf(a).filter((r) => r.outcome === 'success').length / runsOf(a).length)));
    assert.deepEqual(series(table, 'tokensIn'), agents.map((a) => runsOf(a).reduce((s, r) => s + r.tokensIn, 0)));
    assert.deepEqual(series(table, 'tokensOut'), agents.map((a) => runsOf(a).reduce((s, r) => s + r.tokensOut, 0)));
    assert.deepEqual(series(table, 'meanQuality'), agents.map((a) => round4(mean(runsOf(a).flatMap((r) => ('qualityScore' in r ? [r.qualityScore] : []))))));
    assert.deepEqual(series(table, 'meanDurationMs'), agents.map((a) => Math.round(mean(runsOf(a).map((r) => r.durationMs))!)));
    assert.deepEqual(series(table, 'errors'), agents.map((a) => runsOf(a).reduce((s, r) => s + r.errors, 0)));
    const overTime = chart(p, 'agentsOverTime');
    assert.deepEqual(overTime.labels, refDays(FROM, TO));
    for (const a of agents) {
      assert.deepEqual(series(overTime, a), overTime.labels.map((day) => runsOf(a).filter((r) => new Date(r.startedAt).toLocaleDateString('en-CA', { timeZone: timeZone() }) === day).length), a);
    }
  });

  it('activity: events per day by people and by agents, from the log', async () => {
    const p = await paintedOver('the activity chart');
    const c = chart(p, 'activity');
    const ref = refActivity(history.events, { starts: refDays(FROM, TO), bucket: 'day', timeZone: timeZone() });
    assert.deepEqual(series(c, 'People'), ref.map((b) => b.humans));
    assert.deepEqual(series(c, 'Agents'), ref.map((b) => b.agents));
    assert.ok(ref.some((b) => b.humans > 0) && ref.some((b) => b.agents > 0));
  });

  it('lists: the blocked task, the stale tasks (open, untouched 30 days, oldest first) and the most-linked notes', async () => {
    const p = await paintedOver('the lists');
    const open = Object.values(history.tasks).filter((t) => ['pending', 'in_progress', 'blocked'].includes(t.status));
    assert.deepEqual(chart(p, 'blocked').labels, open.filter((t) => t.status === 'blocked').map((t) => t.id));
    const cutoff = new Date(Date.now() - 30 * 86_400_000).toISOString();
    assert.deepEqual(chart(p, 'stale').labels, open.filter((t) => t.updatedAt < cutoff).sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : 1)).map((t) => t.id));
    const notes = chart(p, 'mostLinkedNotes');
    const links = Object.fromEntries(notes.labels.map((l, i) => [l, notes.series[0]!.values[i]]));
    const inbound = (name: string) => Object.values(NOTES).join('\n').split(`[[${name}]]`).length - 1;
    assert.equal(links['dash-hub.md'], inbound('dash-hub'));
    assert.equal(links['dash-leaf.md'], inbound('dash-leaf'));
    assert.ok(notes.labels.indexOf('dash-hub.md') < notes.labels.indexOf('dash-leaf.md'), 'most links first');
  });

  it('Copy CSV writes the chart\'s figures to the clipboard', async () => {
    const d = dashboard();
    await paintedOver('the charts');
    const copied = nextPosted(d, 'copied', (m) => m.chart === 'throughput');
    assert.ok(d.port.receive({ type: 'copyCsv', chart: 'throughput' }));
    assert.equal((await copied).rows, 10);
    const done = refThroughput(history.events, { projectId: project.id, starts: refDays(FROM, TO), bucket: 'day', timeZone: timeZone() });
    assert.equal(await vscode.env.clipboard.readText(), ['start,done', ...refDays(FROM, TO).map((day, i) => `${day},${done[i]}`)].join('\r\n') + '\r\n');
    const agents = nextPosted(d, 'copied', (m) => m.chart === 'agents');
    d.port.receive({ type: 'copyCsv', chart: 'agents' });
    await agents;
    const lines = (await vscode.env.clipboard.readText()).trimEnd().split('\r\n');
    assert.equal(lines[0], 'agent,runs,successRate,tokensIn,tokensOut,meanQuality,meanDurationMs,errors');
    assert.equal(lines[1], 'coder,3,0.6667,4000,850,0.85,110000,2');
  });

  it('a list row opens its task in the task editor, and a note at its file; a note not listed is refused', async () => {
    const d = dashboard();
    await paintedOver('the lists');
    const blocked = history.tasks.B!;
    d.port.receive({ type: 'openTask', taskId: blocked.id });
    await waitFor('the task editor to open on the blocked task', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.label.includes(blocked.title)), 30_000);
    d.port.receive({ type: 'openNote', path: 'dash-hub.md' });
    await waitFor('the note to open', () => vscode.window.activeTextEditor?.document.uri.fsPath === path.join(api.vaultDir, 'dash-hub.md'), 30_000);
    const refusal = nextPosted(d, 'error');
    d.port.receive({ type: 'openNote', path: '../../etc/passwd' });
    assert.match((await refusal).message, /not among the most-linked notes/);
    assert.notEqual(vscode.window.activeTextEditor?.document.uri.fsPath, '/etc/passwd');
  });

  it('hostile or malformed messages are refused, logged and answered with an error; nothing is written', async () => {
    const d = dashboard();
    const before = await newestSeq();
    const hostile: unknown[] = [
      null,
      'query',
      [],
      { type: 'drop table' },
      { type: 'query', seq: 1, filter: { ...FILTER(), projectId: { $ne: null } } },
      { type: 'query', seq: -1, filter: FILTER() },
      { type: 'query', seq: 1, filter: { ...FILTER(), range: { kind: 'last', days: 1e9 } } },
      { type: 'query', seq: 1, filter: { ...FILTER(), range: { kind: 'between', from: "2026-11-01'; drop table tasks; --", to: TO } } },
      { type: 'query', seq: 1, filter: { ...FILTER(), bucket: 'year' } },
      { type: 'query', seq: 1, filter: FILTER(), sql: 'select 1' },
      { type: 'copyCsv', chart: 'passwords' },
      { type: 'openTask', taskId: 'x'.repeat(10_000) },
      { type: 'openNote', path: '' },
      { type: 'painted', seq: 1, charts: Array.from({ length: 50 }, () => ({ id: 'throughput', labels: [], series: [], empty: false })), timings: { sinceStartMs: 1, drawMs: 1 } },
      { type: 'painted', seq: 1, charts: [], timings: { sinceStartMs: 1, drawMs: 1 }, padding: 'x'.repeat(3_000_000) },
    ];
    for (const message of hostile) {
      const refusal = nextPosted(d, 'error');
      assert.equal(d.port.receive(message), false, `refused: ${JSON.stringify(message)?.slice(0, 120)}`);
      assert.match((await refusal).message, /^Cairn refused a message from the dashboard: /);
    }
    assert.equal(await newestSeq(), before, 'no event was written');
  });

  it('a run recorded by the CLI meanwhile shows up on the open dashboard without a refresh', async () => {
    const d = dashboard();
    d.showFilter({ ...FILTER(), range: { kind: 'last', days: 7 } });
    await waitFor('the last 7 days painted', () => d.lastPainted && chart(d.lastPainted, 'throughput').labels.length === 7 ? d.lastPainted : undefined, 30_000);
    runCli(extensionPath, api.storeDir, ['agent', 'run-log', '--agent', 'night-shift', '--task', history.tasks.G!.id, '--outcome', 'success', '--tokens-in', '42']);
    const p = await waitFor('the new agent in the table', () => {
      const last = d.lastPainted;
      return last && chart(last, 'agents').labels.includes('night-shift') ? last : undefined;
    }, 30_000);
    assert.deepEqual(series(chart(p, 'agents'), 'tokensIn')[chart(p, 'agents').labels.indexOf('night-shift')], 42);
  });

  it('a range with nothing in it draws each chart\'s empty state, not blank charts', async () => {
    const d = dashboard();
    d.showFilter({ ...FILTER(), projectId: null, range: { kind: 'between', from: '2020-01-01', to: '2020-01-07' } });
    const p = await waitFor('the empty range painted', () => (d.lastPainted && chart(d.lastPainted, 'throughput').labels[0] === '2020-01-01' ? d.lastPainted : undefined), 30_000);
    for (const id of ['throughput', 'cumulativeFlow', 'cycleTime', 'agents', 'agentsOverTime', 'activity'] as const) assert.equal(chart(p, id).empty, true, id);
  });
});
