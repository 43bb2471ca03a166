// The dashboard's host: one webview panel (src/webviews/dashboard/ draws it) fed from the backend's metrics methods.
// It answers the page's checked messages (every figure under a filter, in one answer; Copy CSV from the figures it
// last sent; open a listed task or note) and tells the page when the store changed, so the page asks again. It only
// reads: the dashboard writes nothing.
import * as vscode from 'vscode';
import type { StoreChanged } from '../../backend/protocol';
import type { BackendClient } from '../../extension/backendClient';
import type { Project } from '../../store/projects';
import type { SprintRow } from '../../store/schema';
import { WebviewPanelHost } from '../webview/panelHost';
import { chartCsv } from './csv';
import { metricsParams, rangeOf, sprintFor } from './dashboardQuery';
import { fromWebview, MAX_MESSAGE_CHARS, toWebview, type DashboardData, type DashboardFilter, type FromWebview, type Reports } from './messages';

export const DASHBOARD_VIEW_TYPE = 'cairn.dashboard';
export const DASHBOARD_APP = 'dashboard';

export interface DashboardDeps {
  backend: BackendClient;
  log: vscode.LogOutputChannel;
  extensionUri: vscode.Uri;
  /** The time zone of the days and weeks (the machine's). */
  timeZone: () => string;
}

export interface DashboardPainted {
  seq: number;
  charts: Extract<FromWebview, { type: 'painted' }>['charts'];
  timings: { sinceStartMs: number; drawMs: number };
  /** From the command (or the panel's restore) to this paint, on the host's clock. */
  sinceOpenedMs: number;
}

export class DashboardPanel extends WebviewPanelHost<typeof fromWebview, typeof toWebview> {
  private readonly painted = new vscode.EventEmitter<DashboardPainted>();
  /** Fires with what the page drew, after each answer. */
  readonly onDidPaint = this.painted.event;
  lastPainted: DashboardPainted | undefined;
  /** The figures last sent (Copy CSV writes these: what the page shows, never text the page sends). */
  lastData: DashboardData | undefined;
  private pendingFilter: DashboardFilter | undefined;
  private sprints: SprintRow[] = [];
  private projectsChanged = false;
  private readonly openedAt: number;

  constructor(
    panel: vscode.WebviewPanel,
    private readonly d: DashboardDeps,
    filter?: DashboardFilter,
    openedAt = performance.now(),
  ) {
    super(panel, {
      backend: d.backend,
      log: d.log,
      extensionUri: d.extensionUri,
      app: DASHBOARD_APP,
      pageTitle: 'Dashboard',
      name: 'the dashboard',
      logName: 'Dashboard',
      incoming: fromWebview,
      outgoing: toWebview,
      maxMessageChars: MAX_MESSAGE_CHARS,
    });
    this.pendingFilter = filter;
    this.openedAt = openedAt;
  }

  /** Shows the dashboard with this filter (opened again from a project's context menu). */
  showFilter(filter: DashboardFilter): void {
    this.panel.reveal();
    // A hidden panel's page is gone (no retainContextWhenHidden): the page that comes back gets it with its init.
    this.pendingFilter = filter;
    void this.port.post({ type: 'setFilter', filter });
  }

  protected override async handle(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        return await this.sendInit(true);
      case 'query':
        // The page has the filter it was handed: a page that comes back later keeps its own.
        if (JSON.stringify(m.filter) === JSON.stringify(this.pendingFilter)) this.pendingFilter = undefined;
        return await this.query(m.seq, m.filter);
      case 'copyCsv':
        return await this.copyCsv(m.chart);
      case 'openTask':
        await vscode.commands.executeCommand('cairn.openTask', m.taskId);
        return;
      case 'openNote':
        // Only a note the page was sent: a page made to post any path opens nothing else.
        if (!this.lastData?.reports.lists?.mostLinkedNotes.some((n) => n.path === m.path)) throw new Error(`${m.path} is not among the most-linked notes shown.`);
        await vscode.commands.executeCommand('cairn.openNoteAt', m.path);
        return;
      case 'createProject':
        await vscode.commands.executeCommand('cairn.createProject');
        return;
      case 'painted':
        this.lastPainted = { seq: m.seq, charts: m.charts, timings: m.timings, sinceOpenedMs: performance.now() - this.openedAt };
        this.painted.fire(this.lastPainted);
        return;
    }
  }

  private async sendInit(withFilter: boolean): Promise<void> {
    const [projects, sprints] = await Promise.all([
      this.d.backend.request<'projects.list', Project[]>('projects.list', {}),
      this.d.backend.request<'sprints.list', SprintRow[]>('sprints.list', {}),
    ]);
    this.sprints = sprints;
    const filter = withFilter ? this.pendingFilter : undefined;
    if (withFilter) this.pendingFilter = undefined;
    await this.port.post({
      type: 'init',
      projects: projects.map((p) => ({ id: p.id, name: p.name })),
      sprints: sprints.map((s) => ({ id: s.id, name: s.name, projectId: s.projectId, startsOn: s.startsOn })),
      ...(filter ? { filter } : {}),
    });
  }

  /** Every report under the filter, read at once; a method that fails leaves its report out, with why. */
  private async query(seq: number, filter: DashboardFilter): Promise<void> {
    const timeZone = this.d.timeZone();
    const range = rangeOf(filter, Date.now(), timeZone);
    const p = metricsParams(filter, sprintFor(filter, this.sprints), range, timeZone);
    const b = this.d.backend;
    const names = ['burndown', 'throughput', 'cumulativeFlow', 'cycleTime', 'agents', 'activity', 'lists'] as const;
    const settled = await Promise.allSettled([
      p.burndown ? b.request('metrics.burndown', p.burndown) : Promise.resolve(null),
      b.request('metrics.throughput', p.throughput),
      b.request('metrics.cumulativeFlow', p.cumulativeFlow),
      b.request('metrics.cycleTime', p.cycleTime),
      b.request('metrics.agents', p.agents),
      b.request('metrics.activity', p.activity),
      b.request('metrics.lists', p.lists),
      // The agent filter's choices: every agent with runs in the range, whichever is chosen.
      filter.agent ? b.request('metrics.agents', { ...p.agents, agent: undefined }) : Promise.resolve(undefined),
    ]);
    const reports = {} as Record<(typeof names)[number], unknown>;
    const errors: DashboardData['errors'] = {};
    names.forEach((name, i) => {
      const s = settled[i]!;
      if (s.status === 'fulfilled') reports[name] = s.value;
      else {
        reports[name] = null;
        errors[name] = (s.reason as Error).message;
      }
    });
    const everyAgent = settled[7]!.status === 'fulfilled' && settled[7]!.value ? settled[7]!.value : reports.agents;
    const agentNames = ((everyAgent as { agents?: { agent: string }[] } | null)?.agents ?? []).map((a) => a.agent);
    const message = { type: 'data' as const, seq, from: range.from, to: range.to, timeZone, agentNames, reports: reports as Reports, errors };
    this.lastData = toWebview.parse(message) as DashboardData;
    await this.port.post(message);
  }

  private async copyCsv(chart: Extract<FromWebview, { type: 'copyCsv' }>['chart']): Promise<void> {
    const out = this.lastData && chartCsv(chart, this.lastData);
    if (!out) throw new Error('There are no figures for this chart to copy yet.');
    await vscode.env.clipboard.writeText(out.csv);
    await this.port.post({ type: 'copied', chart, rows: out.rows });
  }

  /** Any change may move a figure (activity counts every event): one refresh per burst. */
  protected override storeChanged(change: StoreChanged): void {
    const touched = change.aggregates?.map((a) => a.type);
    if (!touched || touched.some((t) => t === 'project' || t === 'sprint')) this.projectsChanged = true;
    this.refreshSoon(() => {
      const projectsChanged = this.projectsChanged;
      this.projectsChanged = false;
      void (async () => {
        if (projectsChanged) await this.sendInit(false).catch((err: Error) => this.d.log.warn(`Dashboard: reading projects failed: ${err.message}`));
        await this.port.post({ type: 'changed' });
      })();
    });
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.painted.dispose();
  }
}
