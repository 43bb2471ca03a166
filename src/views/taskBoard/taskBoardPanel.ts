// The task board's host: one webview panel (src/webviews/taskBoard/ draws it) fed from the backend. It answers the
// page's checked messages (query pages of columns, move a card to another column or within its own, create a task,
// open or reveal one) and tells the page when the store changed, so the page asks again for what it shows and keeps
// its scroll and selection. Every change goes through the backend's own methods (tasks.update, tasks.reorder, with
// the version the card showed), so a move the store refuses comes back as a refusal and the page puts the card back.
import * as vscode from 'vscode';
import type { StoreChanged } from '../../backend/protocol';
import type { BackendClient } from '../../extension/backendClient';
import type { Messages } from '../../extension/messages';
import type { Project } from '../../store/projects';
import type { SprintRow } from '../../store/schema';
import { WebviewPanelHost } from '../webview/panelHost';
import { boardParams } from './boardQuery';
import { fromWebview, MAX_MESSAGE_CHARS, STATUS_LABELS, toWebview, type BoardColumn, type BoardFilter, type FromWebview } from './messages';

export const TASK_BOARD_VIEW_TYPE = 'cairn.taskBoard';
export const TASK_BOARD_APP = 'taskBoard';

export interface TaskBoardDeps {
  backend: BackendClient;
  messages: Messages;
  log: vscode.LogOutputChannel;
  extensionUri: vscode.Uri;
  /** Who "mine" is. */
  me: () => string;
  /** Picks the project of a new task when the board shows several. */
  pickProject: () => Promise<string | undefined>;
}

export interface Painted {
  cardIds: string[];
  totals: Partial<Record<string, number>>;
}

/** Store changes a board shows: tasks, and the projects and sprints its filters list. */
const BOARD_AGGREGATES = new Set(['task', 'project', 'sprint']);

export class TaskBoardPanel extends WebviewPanelHost<typeof fromWebview, typeof toWebview> {
  private readonly painted = new vscode.EventEmitter<Painted>();
  /** Fires with what the page drew, after each render that changed the cards shown. */
  readonly onDidPaint = this.painted.event;
  lastPainted: Painted | undefined;
  /** A filter to hand the page with its next `init` (the board was opened for a project before the page was up). */
  private pendingFilter: BoardFilter | undefined;
  private projectsChanged = false;

  constructor(
    panel: vscode.WebviewPanel,
    private readonly d: TaskBoardDeps,
    filter?: BoardFilter,
  ) {
    super(panel, {
      backend: d.backend,
      log: d.log,
      extensionUri: d.extensionUri,
      app: TASK_BOARD_APP,
      pageTitle: 'Task Board',
      name: 'the task board',
      logName: 'Task board',
      incoming: fromWebview,
      outgoing: toWebview,
      maxMessageChars: MAX_MESSAGE_CHARS,
    });
    this.pendingFilter = filter;
  }

  /** Shows the board with this filter (opened again from a project's context menu). */
  showFilter(filter: BoardFilter): void {
    this.panel.reveal();
    this.pendingFilter = filter;
    void this.port.post({ type: 'setFilter', filter });
  }

  protected override async handle(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        return await this.sendInit(true);
      case 'query':
        return await this.query(m);
      case 'move':
        return await this.move(m);
      case 'reorder':
        return await this.reorder(m);
      case 'create':
        return await this.create(m);
      case 'reveal':
        await vscode.commands.executeCommand('cairn.revealTask', m.taskId);
        return;
      case 'open':
        await vscode.commands.executeCommand('cairn.openTask', m.taskId);
        return;
      case 'painted':
        this.lastPainted = { cardIds: m.cardIds, totals: m.totals };
        this.painted.fire(this.lastPainted);
        return;
    }
  }

  private async sendInit(withFilter: boolean): Promise<void> {
    const [projects, sprints] = await Promise.all([
      this.d.backend.request<'projects.list', Project[]>('projects.list', {}),
      this.d.backend.request<'sprints.list', SprintRow[]>('sprints.list', {}),
    ]);
    const filter = withFilter ? this.pendingFilter : undefined;
    if (withFilter) this.pendingFilter = undefined;
    await this.port.post({
      type: 'init',
      projects: projects.map((p) => ({ id: p.id, name: p.name })),
      sprints: sprints.map((s) => ({ id: s.id, name: s.name, projectId: s.projectId })),
      me: this.d.me(),
      ...(filter ? { filter } : {}),
    });
  }

  private async query(m: Extract<FromWebview, { type: 'query' }>): Promise<void> {
    const answer = await this.d.backend.request<'tasks.board', { columns: BoardColumn[]; facets?: { assignees: string[]; tags: string[] }; lanes?: { key: string | null; total: number }[] }>(
      'tasks.board',
      boardParams(m.filter, m.columns, this.d.me(), m.facets, m.lanes),
    );
    await this.port.post({
      type: 'columns',
      seq: m.seq,
      columns: answer.columns,
      ...(answer.facets ? { facets: answer.facets } : {}),
      ...(answer.lanes ? { lanes: answer.lanes } : {}),
      ...(m.lane !== undefined ? { lane: m.lane } : {}),
    });
  }

  private async move(m: Extract<FromWebview, { type: 'move' }>): Promise<void> {
    const { taskId, expectedVersion, status, sprintId, assignee } = m;
    const lane = sprintId !== undefined ? (sprintId ? ' in that sprint' : ' out of its sprint') : assignee !== undefined ? (assignee ? `, assigned to ${assignee}` : ', unassigned') : '';
    await this.moveAnswered(m.moveId, `The task was not moved to ${STATUS_LABELS[status]}${lane}`, () =>
      this.d.backend.request<'tasks.update', { version: number }>('tasks.update', {
        id: taskId,
        expectedVersion,
        status,
        ...(sprintId !== undefined ? { sprintId } : {}),
        ...(assignee !== undefined ? { assignee } : {}),
      }),
    );
  }

  private async reorder(m: Extract<FromWebview, { type: 'reorder' }>): Promise<void> {
    await this.moveAnswered(m.moveId, 'The task was not moved within its column', () =>
      this.d.backend.request<'tasks.reorder', { version: number }>('tasks.reorder', { id: m.taskId, expectedVersion: m.expectedVersion, after: m.after, before: m.before }),
    );
  }

  /** Runs a move and answers the page: the card's new version, or why not (also shown as a warning). */
  private async moveAnswered(moveId: string, notMoved: string, run: () => Promise<{ version: number }>): Promise<void> {
    try {
      const task = await run();
      await this.port.post({ type: 'moveResult', moveId, ok: true, version: task.version });
    } catch (err) {
      const message = `${notMoved}: ${(err as Error).message}`;
      void this.d.messages.warning(`Cairn: ${message}`);
      await this.port.post({ type: 'moveResult', moveId, ok: false, message });
    }
  }

  private async create(m: Extract<FromWebview, { type: 'create' }>): Promise<void> {
    try {
      const projectId = m.projectId ?? (await this.d.pickProject());
      if (!projectId) {
        await this.port.post({ type: 'created', requestId: m.requestId, ok: false, message: 'No project chosen: the task was not created.' });
        return;
      }
      await this.d.backend.request('tasks.create', { projectId, title: m.title, status: m.status, ...(m.sprintId ? { sprintId: m.sprintId } : {}), ...(m.assignee ? { assignee: m.assignee } : {}) });
      await this.port.post({ type: 'created', requestId: m.requestId, ok: true });
    } catch (err) {
      const message = `The task was not created: ${(err as Error).message}`;
      void this.d.messages.warning(`Cairn: ${message}`);
      await this.port.post({ type: 'created', requestId: m.requestId, ok: false, message });
    }
  }

  /** Many changes in a burst (an agent's run, a sync) make one refresh. */
  protected override storeChanged(change: StoreChanged): void {
    const touched = change.aggregates?.map((a) => a.type);
    if (touched && !touched.some((t) => BOARD_AGGREGATES.has(t))) return;
    if (!touched || touched.some((t) => t === 'project' || t === 'sprint')) this.projectsChanged = true;
    this.refreshSoon(() => {
      const projectsChanged = this.projectsChanged;
      this.projectsChanged = false;
      void (async () => {
        if (projectsChanged) await this.sendInit(false).catch((err: Error) => this.d.log.warn(`Task board: reading projects failed: ${err.message}`));
        await this.port.post({ type: 'changed', projectsChanged });
      })();
    });
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.painted.dispose();
  }
}
