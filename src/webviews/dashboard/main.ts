// The dashboard page: a toolbar of filters (project, sprint, range, day or week, agent) and a grid of cards: the
// sprint's burndown, throughput, cumulative flow, cycle and lead time, agents (table and runs over time), activity
// (people against agents) and the lists (blocked, stale, most-linked notes: rows open the task or the note). The host
// reads every figure in one answer; the page draws them with uPlot (charts.ts) in the theme's colours (theme.ts),
// tells the host what it drew (each chart's data and its own timings), and draws again when the theme or the width
// changes. Filters live in the page's state (vscode.setState), so a reload comes back with them. No framework: plain
// DOM and @vscode-elements controls.
import '../shared/litNonce';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import type uPlot from 'uplot';
import type * as z from 'zod/mini';
import {
  CHART_IDS,
  dashboardViewState,
  DEFAULT_FILTER,
  FLOW_STATUSES,
  RANGE_DAYS,
  toWebview,
  type ChartId,
  type DashboardFilter,
  type DashboardViewState,
  type FromWebview,
  type PaintedChart,
} from '../../views/dashboard/messages';
import { fillSelect, showBanner, speak, type SelectElement, type TextFieldElement } from '../shared/controls';
import { h, icon, setChildren } from '../shared/dom';
import { onHostMessage, postToHost, savedState, saveState } from '../shared/vscodeApi';
import { drawChart, type ChartSpec } from './charts';
import { formatDuration, formatPercent, shortDate, STATUS_LABELS } from './format';
import { readTheme, type ChartTheme } from './theme';

type HostMessage = z.infer<typeof toWebview>;
type Data = Extract<HostMessage, { type: 'data' }>;
const post = (m: FromWebview) => postToHost(m);

/** The agents drawn over time at most (the table lists them all). */
const MAX_AGENT_LINES = 6;

interface Card {
  id: ChartId;
  section: HTMLElement;
  subtitle: HTMLElement;
  body: HTMLElement;
  empty: HTMLElement;
  copy: HTMLElement;
}

const TITLES: Record<ChartId, string> = {
  burndown: 'Sprint burndown',
  throughput: 'Throughput',
  cumulativeFlow: 'Cumulative flow',
  cycleTime: 'Cycle and lead time',
  agents: 'Agents',
  agentsOverTime: 'Agent runs over time',
  activity: 'Activity: people and agents',
  blocked: 'Blocked tasks',
  stale: 'Stale tasks',
  mostLinkedNotes: 'Most-linked notes',
};
/** The cards in reading order: each half-width card beside another, the wide ones (wide in buildCard) on their own row. */
const CARD_ORDER: readonly ChartId[] = ['burndown', 'throughput', 'cumulativeFlow', 'cycleTime', 'activity', 'agents', 'agentsOverTime', 'mostLinkedNotes', 'blocked', 'stale'];
/** Cards that draw a chart (the others a table or a list). */
const PLOTTED = new Set<ChartId>(['burndown', 'throughput', 'cumulativeFlow', 'cycleTime', 'agentsOverTime', 'activity']);

class Dashboard {
  private state: DashboardViewState;
  private projects: { id: string; name: string }[] = [];
  private sprints: { id: string; name: string; projectId: string; startsOn: string | null }[] = [];
  private agentNames: string[] = [];
  private started = false;
  private seq = 0;
  private data: Data | undefined;
  private readonly plots = new Map<ChartId, uPlot>();
  /** Each chart's spec as last drawn (drawn again on a theme change or a resize). */
  private readonly specs = new Map<ChartId, ChartSpec>();
  private theme: ChartTheme = readTheme();
  private resizeQueued = false;

  private readonly root = h('main', { className: 'dashboard' });
  private readonly toolbar = h('div', { className: 'toolbar', role: 'toolbar', 'aria-label': 'Dashboard filters' });
  private readonly banner = h('div', { className: 'banner', role: 'alert', hidden: true });
  private readonly caption = h('p', { className: 'caption', id: 'dashboard-caption' });
  private readonly emptyState = h('section', { className: 'empty-state', hidden: true, 'aria-live': 'polite' });
  private readonly grid = h('div', { className: 'grid' });
  private readonly live = h('div', { className: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true', id: 'dashboard-live' });
  private readonly cards = new Map<ChartId, Card>();
  private readonly selects: Record<'project' | 'sprint' | 'range' | 'bucket' | 'agent', SelectElement>;
  private readonly fromField: TextFieldElement;
  private readonly toField: TextFieldElement;
  private readonly customRange = h('div', { className: 'custom-range' });

  constructor() {
    this.state = savedState(dashboardViewState) ?? { filter: structuredClone(DEFAULT_FILTER) };
    const select = (label: string, key: string) => h('vscode-single-select', { 'aria-label': label, 'data-filter': key, className: 'filter' }) as SelectElement;
    this.selects = { project: select('Project', 'project'), sprint: select('Sprint', 'sprint'), range: select('Range', 'range'), bucket: select('Per', 'bucket'), agent: select('Agent', 'agent') };
    const dateField = (label: string, key: string) => h('vscode-textfield', { type: 'date', 'aria-label': label, 'data-filter': key, className: 'filter date' }) as TextFieldElement;
    this.fromField = dateField('From', 'from');
    this.toField = dateField('To', 'to');
    this.buildToolbar();
    for (const id of CHART_IDS) this.cards.set(id, this.buildCard(id));
    this.grid.append(...CARD_ORDER.map((id) => this.cards.get(id)!.section));
    this.root.append(this.toolbar, this.banner, this.caption, this.emptyState, this.grid, this.live);
    document.body.append(this.root);
    onHostMessage(toWebview, 'dashboard', (m) => this.receive(m));
    // VS Code marks the theme's kind on <body>: new colours, so every chart is drawn again.
    new MutationObserver(() => this.themeChanged()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    new ResizeObserver(() => this.queueResize()).observe(this.grid);
    post({ type: 'ready' });
  }

  // ---- messages from the host --------------------------------------------------------------------------------------

  private receive(m: HostMessage): void {
    switch (m.type) {
      case 'init':
        this.projects = m.projects;
        this.sprints = m.sprints;
        if (m.filter) this.state.filter = m.filter;
        this.saveState();
        this.fillToolbar();
        if (!this.started || m.filter) {
          this.started = true;
          this.query();
        }
        return;
      case 'setFilter':
        this.setFilter(m.filter);
        return;
      case 'data':
        if (m.seq !== this.seq) return; // asked before the filter or the store changed
        this.draw(m);
        return;
      case 'changed':
        this.query();
        return;
      case 'copied':
        this.say(`Copied ${m.rows} row${m.rows === 1 ? '' : 's'} of ${TITLES[m.chart]} as CSV.`);
        this.flashCopied(m.chart);
        return;
      case 'error':
        showBanner(this.banner, m.message);
        return;
    }
  }

  private query(): void {
    this.seq += 1;
    this.root.setAttribute('aria-busy', 'true');
    post({ type: 'query', seq: this.seq, filter: this.state.filter });
  }

  private setFilter(filter: DashboardFilter): void {
    if (JSON.stringify(filter) === JSON.stringify(this.state.filter)) return;
    this.state.filter = filter;
    this.saveState();
    this.fillToolbar();
    this.query();
  }

  private saveState(): void {
    saveState(this.state);
  }

  private say(text: string): void {
    speak(this.live, text);
  }

  // ---- toolbar -------------------------------------------------------------------------------------------------------

  private buildToolbar(): void {
    const labelled = (text: string, control: HTMLElement) => h('label', { className: 'field' }, h('span', { className: 'field-label' }, text), control);
    this.customRange.append(labelled('From', this.fromField), labelled('To', this.toField));
    this.toolbar.append(
      labelled('Project', this.selects.project),
      labelled('Sprint', this.selects.sprint),
      labelled('Range', this.selects.range),
      this.customRange,
      labelled('Per', this.selects.bucket),
      labelled('Agent', this.selects.agent),
    );
    const f = () => this.state.filter;
    this.selects.project.addEventListener('change', () => {
      const projectId = this.selects.project.value || null;
      const sprintKept = f().sprintId && this.sprints.some((s) => s.id === f().sprintId && (!projectId || s.projectId === projectId));
      this.setFilter({ ...f(), projectId, sprintId: sprintKept ? f().sprintId : null });
    });
    this.selects.sprint.addEventListener('change', () => this.setFilter({ ...f(), sprintId: this.selects.sprint.value || null }));
    this.selects.range.addEventListener('change', () => {
      const v = this.selects.range.value;
      if (v === 'custom') {
        const shown = this.data ? { from: this.data.from, to: this.data.to } : { from: '', to: '' };
        if (shown.from && shown.to) this.setFilter({ ...f(), range: { kind: 'between', ...shown } });
        else this.customRange.hidden = false;
        this.fillToolbar();
        return;
      }
      this.setFilter({ ...f(), range: { kind: 'last', days: Number(v) || 30 } });
    });
    const dates = () => {
      const from = this.fromField.value;
      const to = this.toField.value;
      const valid = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from <= to;
      this.fromField.invalid = !valid;
      this.toField.invalid = !valid;
      if (valid) this.setFilter({ ...f(), range: { kind: 'between', from, to } });
    };
    this.fromField.addEventListener('change', dates);
    this.toField.addEventListener('change', dates);
    this.selects.bucket.addEventListener('change', () => this.setFilter({ ...f(), bucket: this.selects.bucket.value === 'week' ? 'week' : 'day' }));
    this.selects.agent.addEventListener('change', () => this.setFilter({ ...f(), agent: this.selects.agent.value || null }));
  }

  private fillToolbar(): void {
    const f = this.state.filter;
    fillSelect(this.selects.project, [{ label: 'All projects', value: '' }, ...this.projects.map((p) => ({ label: p.name, value: p.id }))], f.projectId ?? '');
    const projectName = (id: string) => this.projects.find((p) => p.id === id)?.name ?? '';
    const sprints = this.sprints.filter((s) => !f.projectId || s.projectId === f.projectId);
    fillSelect(
      this.selects.sprint,
      [{ label: 'Newest sprint', value: '' }, ...sprints.map((s) => ({ label: f.projectId ? s.name : `${s.name} (${projectName(s.projectId)})`, value: s.id }))],
      f.sprintId ?? '',
    );
    const range = f.range.kind === 'last' ? String(f.range.days) : 'custom';
    fillSelect(this.selects.range, [...RANGE_DAYS.map((d) => ({ label: `Last ${d} days`, value: String(d) })), { label: 'Custom range', value: 'custom' }], range, `Last ${range} days`);
    this.customRange.hidden = f.range.kind !== 'between';
    if (f.range.kind === 'between') {
      this.fromField.value = f.range.from;
      this.toField.value = f.range.to;
    }
    fillSelect(this.selects.bucket, [{ label: 'Day', value: 'day' }, { label: 'Week', value: 'week' }], f.bucket);
    fillSelect(this.selects.agent, [{ label: 'All agents', value: '' }, ...this.agentNames.map((a) => ({ label: a, value: a }))], f.agent ?? '');
  }

  // ---- cards ---------------------------------------------------------------------------------------------------------

  private buildCard(id: ChartId): Card {
    const headingId = `title-${id}`;
    const subtitle = h('span', { className: 'subtitle' });
    const copy = h('vscode-button', { secondary: true, 'data-copy': id, title: `Copy the data of ${TITLES[id]} as CSV`, 'aria-label': `Copy ${TITLES[id]} as CSV` }, icon('copy'), ' Copy CSV');
    copy.addEventListener('click', () => post({ type: 'copyCsv', chart: id }));
    const body = h('div', { className: PLOTTED.has(id) ? 'plot' : 'rows' });
    if (PLOTTED.has(id)) body.setAttribute('role', 'img');
    const empty = h('p', { className: 'empty', hidden: true });
    const wide = id === 'agents' || id === 'cumulativeFlow';
    const section = h(
      'section',
      { className: `card${wide ? ' wide' : ''}`, 'data-chart': id, 'aria-labelledby': headingId },
      h('header', {}, h('h2', { id: headingId }, TITLES[id]), subtitle, copy),
      body,
      empty,
    );
    return { id, section, subtitle, body, empty, copy };
  }

  private flashCopied(id: ChartId): void {
    const card = this.cards.get(id);
    if (!card) return;
    card.section.classList.add('copied');
    setTimeout(() => card.section.classList.remove('copied'), 1200);
  }

  /** Shows a card's empty state (the reason) instead of its chart, table or list. */
  private setEmpty(card: Card, reason: string | null): void {
    card.empty.hidden = reason === null;
    card.body.hidden = reason !== null;
    if (reason !== null) card.empty.textContent = reason;
    card.section.classList.toggle('is-empty', reason !== null);
  }

  // ---- drawing -------------------------------------------------------------------------------------------------------

  private draw(d: Data): void {
    const arrived = performance.now();
    this.data = d;
    this.agentNames = d.agentNames;
    this.fillToolbar();
    this.banner.hidden = true;
    const zone = d.timeZone === 'UTC' || d.timeZone === 'Etc/UTC' ? 'UTC' : d.timeZone;
    this.caption.textContent = `${d.from} to ${d.to} (${zone}), per ${this.state.filter.bucket}${this.state.filter.projectId ? `, ${this.projects.find((p) => p.id === this.state.filter.projectId)?.name ?? 'one project'}` : ', all projects'}`;
    const noProjects = this.projects.length === 0;
    this.emptyState.hidden = !noProjects;
    this.grid.hidden = noProjects;
    if (noProjects) this.showEmptyStore();
    const painted: PaintedChart[] = [];
    for (const id of CHART_IDS) painted.push(this.drawCard(id, d));
    this.root.removeAttribute('aria-busy');
    // Two frames: the first lays out what was drawn, the second comes once it is on screen.
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        const now = performance.now();
        // For the UI test and benchmarks: which answer is on screen, and when it got there (the page's own clock).
        document.body.dataset.paintedSeq = String(d.seq);
        document.body.dataset.paintedMs = now.toFixed(1);
        post({ type: 'painted', seq: d.seq, charts: painted, timings: { sinceStartMs: now, drawMs: now - arrived } });
      }),
    );
  }

  private showEmptyStore(): void {
    const create = h('vscode-button', { 'data-action': 'create-project' }, icon('add'), ' Create Project');
    create.addEventListener('click', () => post({ type: 'createProject' }));
    setChildren(
      this.emptyState,
      icon('graph'),
      h('h2', {}, 'Nothing to chart yet'),
      h('p', {}, 'The dashboard charts the work in this store: sprints burning down, tasks done, how long they take, what agents run. It is empty until there is a project with tasks.'),
      h('p', {}, 'Create a project, add tasks (from the Projects view, the task board, or the terminal: cairn task add), and the charts fill in as the work moves.'),
      create,
    );
  }

  /** Draws one card from its report; returns what it drew. */
  private drawCard(id: ChartId, d: Data): PaintedChart {
    const card = this.cards.get(id)!;
    const reportOf: Record<ChartId, keyof Data['reports']> = {
      burndown: 'burndown',
      throughput: 'throughput',
      cumulativeFlow: 'cumulativeFlow',
      cycleTime: 'cycleTime',
      agents: 'agents',
      agentsOverTime: 'agents',
      activity: 'activity',
      blocked: 'lists',
      stale: 'lists',
      mostLinkedNotes: 'lists',
    };
    const error = d.errors[reportOf[id]];
    const chart = error ? { spec: null, empty: `These figures could not be read: ${error}`, subtitle: '' } : this.chartOf(id, d);
    card.subtitle.textContent = chart.subtitle;
    this.plots.get(id)?.destroy();
    this.plots.delete(id);
    this.specs.delete(id);
    this.setEmpty(card, chart.empty);
    let drawn: PaintedChart = { id, labels: [], series: [], empty: chart.empty !== null };
    if (chart.spec && chart.empty === null) {
      this.specs.set(id, chart.spec);
      this.plot(id);
      card.body.setAttribute('aria-label', `${TITLES[id]}: ${chart.spec.series.map((s) => s.label).join(', ')} over ${chart.spec.labels.length} ${id === 'cycleTime' ? 'spans' : this.state.filter.bucket === 'week' && id !== 'burndown' ? 'weeks' : 'days'}`);
    }
    if (chart.spec) drawn = { id, labels: chart.spec.labels, series: chart.spec.series.map((s) => ({ label: s.label, values: s.values })), empty: chart.empty !== null };
    if ('rows' in chart && chart.rows) {
      setChildren(card.body, chart.rows.element);
      drawn = { id, labels: chart.rows.labels, series: chart.rows.series, empty: chart.empty !== null };
    }
    card.section.dataset.drawn = JSON.stringify(drawn);
    return drawn;
  }

  /** What a card shows: a chart's spec or a table's rows, why it is empty (null: it is not), and its subtitle. */
  private chartOf(id: ChartId, d: Data): { spec: ChartSpec | null; empty: string | null; subtitle: string; rows?: { element: HTMLElement; labels: string[]; series: PaintedChart['series'] } } {
    const r = d.reports;
    const per = this.state.filter.bucket === 'week' ? 'week' : 'day';
    const axisLabel = shortDate;
    switch (id) {
      case 'burndown': {
        const b = r.burndown;
        if (!b) return { spec: null, empty: 'No sprint to burn down: create a sprint (a project\'s context menu in the Projects view, or cairn sprint add) and put tasks in it.', subtitle: '' };
        const spec: ChartSpec = {
          labels: b.days.map((x) => x.date),
          axisLabel,
          leftUnit: 'tasks',
          rightUnit: 'minutes',
          series: [
            { label: 'Remaining tasks', values: b.days.map((x) => x.remainingTasks), color: 0, kind: 'line' },
            { label: 'Ideal tasks', values: b.days.map((x) => x.idealTasks), color: 6, kind: 'line', dash: [6, 4] },
            { label: 'Remaining estimate (min)', values: b.days.map((x) => x.remainingMinutes), color: 2, kind: 'line', right: true },
            { label: 'Ideal estimate (min)', values: b.days.map((x) => x.idealMinutes), color: 2, kind: 'line', dash: [2, 4], right: true },
          ],
        };
        const empty = b.days.every((x) => !x.scopeTasks) ? `No tasks in ${b.sprint.name} yet: move tasks into it to see it burn down.` : null;
        return { spec, empty, subtitle: `${b.sprint.name}, ${b.sprint.startsOn} to ${b.sprint.endsOn}` };
      }
      case 'throughput': {
        const t = r.throughput!;
        const spec: ChartSpec = { labels: t.buckets.map((b) => b.start), axisLabel, leftUnit: 'tasks', series: [{ label: 'Done', values: t.buckets.map((b) => b.done), color: 1, kind: 'bar' }] };
        return { spec, empty: t.total ? null : 'No task was done in this range.', subtitle: `${t.total} done, per ${per}` };
      }
      case 'cumulativeFlow': {
        const c = r.cumulativeFlow!;
        // Bottom up: done, cancelled, in progress, blocked, pending (what is finished at the bottom).
        const order = ['done', 'cancelled', 'in_progress', 'blocked', 'pending'] as const;
        const colors: Record<(typeof FLOW_STATUSES)[number], number> = { done: 1, cancelled: 7, in_progress: 0, blocked: 3, pending: 2 };
        const spec: ChartSpec = {
          labels: c.buckets.map((b) => b.start),
          axisLabel,
          leftUnit: 'tasks',
          stacked: true,
          series: order.map((s) => ({ label: STATUS_LABELS[s], values: c.buckets.map((b) => b.byStatus[s] ?? 0), color: colors[s], kind: 'area' as const })),
        };
        const any = c.buckets.some((b) => FLOW_STATUSES.some((s) => (b.byStatus[s] ?? 0) > 0));
        return { spec, empty: any ? null : 'No tasks in this range.', subtitle: `tasks by status at the end of each ${per}` };
      }
      case 'cycleTime': {
        const c = r.cycleTime!;
        const spec: ChartSpec = {
          labels: c.histogram.map((x) => x.label),
          leftUnit: 'tasks',
          series: [
            { label: 'Cycle time (in progress → done)', values: c.histogram.map((x) => x.cycle), color: 0, kind: 'bar' },
            { label: 'Lead time (created → done)', values: c.histogram.map((x) => x.lead), color: 4, kind: 'bar' },
          ],
        };
        const sub = c.count
          ? `${c.count} done · cycle median ${formatDuration(c.cycle.p50Ms)}, 85% ${formatDuration(c.cycle.p85Ms)} · lead median ${formatDuration(c.lead.p50Ms)}, 85% ${formatDuration(c.lead.p85Ms)}`
          : '';
        return { spec, empty: c.count ? null : 'No task was done in this range.', subtitle: sub };
      }
      case 'agentsOverTime': {
        const a = r.agents!;
        const shown = a.agents.slice(0, MAX_AGENT_LINES);
        const spec: ChartSpec = {
          labels: a.buckets.map((b) => b.start),
          axisLabel,
          leftUnit: 'runs',
          series: shown.map((x, i) => ({ label: x.agent, values: a.buckets.map((b) => b.byAgent[x.agent]?.runs ?? 0), color: i, kind: 'line' as const })),
        };
        const cut = a.agents.length > shown.length ? ` (the ${shown.length} with most runs)` : '';
        return { spec, empty: a.agents.length ? null : 'No agent runs in this range. Agents record theirs with cairn agent run-log or the MCP tool agent_log_run.', subtitle: `runs per ${per}${cut}` };
      }
      case 'activity': {
        const a = r.activity!;
        const spec: ChartSpec = {
          labels: a.buckets.map((b) => b.start),
          axisLabel,
          leftUnit: 'events',
          series: [
            { label: 'People', values: a.buckets.map((b) => b.humans), color: 0, kind: 'bar' },
            { label: 'Agents', values: a.buckets.map((b) => b.agents), color: 4, kind: 'bar' },
          ],
        };
        const total = a.buckets.reduce((s, b) => s + b.total, 0);
        return { spec, empty: total ? null : 'Nothing was written to the store in this range.', subtitle: `${total} events, per ${per}, whole store` };
      }
      case 'agents':
        return this.agentsTable(d);
      case 'blocked':
      case 'stale':
      case 'mostLinkedNotes':
        return this.list(id, d);
    }
  }

  private agentsTable(d: Data): ReturnType<Dashboard['chartOf']> {
    const a = d.reports.agents!;
    const columns = ['Runs', 'Success', 'Tokens in', 'Tokens out', 'Mean quality', 'Mean duration', 'Errors'];
    const table = h(
      'table',
      { className: 'agents' },
      h('caption', { className: 'sr-only' }, 'Runs per agent in the range'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Agent'), ...columns.map((c) => h('th', { scope: 'col', className: 'num' }, c)))),
      h(
        'tbody',
        {},
        ...a.agents.map((x) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, x.agent),
            ...[
              String(x.runs),
              formatPercent(x.successRate),
              x.tokensIn.toLocaleString('en-US'),
              x.tokensOut.toLocaleString('en-US'),
              x.meanQuality === null ? '–' : x.meanQuality.toFixed(2),
              formatDuration(x.meanDurationMs),
              String(x.errors),
            ].map((v) => h('td', { className: 'num' }, v)),
          ),
        ),
      ),
    );
    const series = (label: string, pick: (x: (typeof a.agents)[number]) => number | null) => ({ label, values: a.agents.map(pick) });
    return {
      spec: null,
      empty: a.agents.length ? null : 'No agent runs in this range.',
      subtitle: this.state.filter.agent ? `only ${this.state.filter.agent}` : `${a.agents.length} agent${a.agents.length === 1 ? '' : 's'}`,
      rows: {
        element: h('div', { className: 'table-wrap' }, table),
        labels: a.agents.map((x) => x.agent),
        series: [
          series('runs', (x) => x.runs),
          series('successRate', (x) => x.successRate),
          series('tokensIn', (x) => x.tokensIn),
          series('tokensOut', (x) => x.tokensOut),
          series('meanQuality', (x) => x.meanQuality),
          series('meanDurationMs', (x) => x.meanDurationMs),
          series('errors', (x) => x.errors),
        ],
      },
    };
  }

  /** A list of tasks or notes: each row a button (Enter or a click opens it). */
  private list(id: 'blocked' | 'stale' | 'mostLinkedNotes', d: Data): ReturnType<Dashboard['chartOf']> {
    const l = d.reports.lists!;
    const row = (label: string, detail: string, open: FromWebview, key: string) => {
      const button = h('button', { type: 'button', className: 'row', 'data-open': key }, h('span', { className: 'row-title' }, label), h('span', { className: 'row-detail' }, detail));
      button.addEventListener('click', () => post(open));
      return h('li', {}, button);
    };
    if (id === 'mostLinkedNotes') {
      const notes = l.mostLinkedNotes;
      const element = h('ul', { className: 'list', 'aria-label': TITLES[id] }, ...notes.map((n) => row(n.title || n.path, `${n.links} link${n.links === 1 ? '' : 's'} · ${n.path}`, { type: 'openNote', path: n.path }, n.path)));
      return {
        spec: null,
        empty: notes.length ? null : 'No note is linked to yet (whole vault).',
        subtitle: 'whole vault',
        rows: { element, labels: notes.map((n) => n.path), series: [{ label: 'links', values: notes.map((n) => n.links) }] },
      };
    }
    const part = id === 'blocked' ? l.blocked : l.stale;
    const tasks = part.tasks as (typeof l.blocked.tasks[number] | typeof l.stale.tasks[number])[];
    const detail = (t: (typeof tasks)[number]) =>
      'idleDays' in t
        ? `${STATUS_LABELS[t.status as keyof typeof STATUS_LABELS] ?? t.status} · untouched ${t.idleDays} days${t.assignee ? ` · ${t.assignee}` : ''}`
        : `${t.blockedSince ? `blocked since ${t.blockedSince.slice(0, 10)}` : 'blocked'}${t.waitingOn ? ` · waits on ${t.waitingOn}` : ''}${t.assignee ? ` · ${t.assignee}` : ''}`;
    const element = h('ul', { className: 'list', 'aria-label': TITLES[id] }, ...tasks.map((t) => row(t.title || t.id, detail(t), { type: 'openTask', taskId: t.id }, t.id)));
    const more = part.total > tasks.length ? `, the ${tasks.length} oldest shown` : '';
    return {
      spec: null,
      empty: tasks.length ? null : id === 'blocked' ? 'No task is blocked.' : `No open task has gone untouched for ${l.stale.days} days.`,
      subtitle: id === 'blocked' ? `${part.total} blocked${more}` : `${part.total} open, untouched for ${l.stale.days} days${more}`,
      rows: { element, labels: tasks.map((t) => t.id), series: [] },
    };
  }

  /** Draws (again) a chart from its spec, at its card's width. */
  private plot(id: ChartId): void {
    const spec = this.specs.get(id);
    const card = this.cards.get(id)!;
    if (!spec) return;
    this.plots.get(id)?.destroy();
    card.body.replaceChildren();
    const width = Math.max(240, card.body.clientWidth || card.section.clientWidth - 24);
    this.plots.set(id, drawChart(card.body, spec, this.theme, width));
  }

  private themeChanged(): void {
    const before = this.theme.foreground;
    this.theme = readTheme();
    for (const id of this.specs.keys()) this.plot(id);
    if (this.theme.foreground !== before) document.body.dataset.chartForeground = this.theme.foreground;
  }

  private queueResize(): void {
    if (this.resizeQueued) return;
    this.resizeQueued = true;
    requestAnimationFrame(() => {
      this.resizeQueued = false;
      for (const [id, u] of this.plots) {
        const card = this.cards.get(id)!;
        const width = Math.max(240, card.body.clientWidth);
        if (Math.abs(width - u.width) > 1) u.setSize({ width, height: u.height });
      }
    });
  }
}

new Dashboard();
