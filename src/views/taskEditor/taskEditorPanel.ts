// One task's editor tab: a webview panel (src/webviews/taskEditor/ draws it) fed from the backend. It sends the
// task and what surrounds it (project, sprints, assignees, parent, dependencies, related notes, agent runs, history
// from the event log), and answers the page's checked messages: save the changed fields with the version they were
// read at, change criteria and dependencies, search tasks to pick, render the description's preview, open notes and
// tasks. A change made meanwhile, by any process, reaches the page as the task's new version with who made it; the
// page merges it into its draft (src/views/taskEditor/fields.ts). A save that raced such a change is merged here the
// same way: fields only one side changed are saved, a field both changed is sent back as a choice, never overwritten.
import * as vscode from 'vscode';
import { ErrorCodes, type StoreChanged } from '../../backend/protocol';
import { BackendError, type BackendClient } from '../../extension/backendClient';
import type { Messages } from '../../extension/messages';
import type { AgentSummary } from '../../store/agents/indexer';
import type { SearchHit } from '../../store/knowledge/search';
import type { TaskNoteLink } from '../../store/knowledge/taskLinks';
import type { Project } from '../../store/projects';
import type { AgentRunRow, EventRow, SprintRow } from '../../store/schema';
import type { TaskDependencies } from '../../store/taskWork';
import { WebviewPanelHost } from '../webview/panelHost';
import { descriptionHtml } from './descriptionHtml';
import { DRAFT_FIELDS, draftOf, rebaseChanges, type DraftFields } from './fields';
import { historyEntry } from './history';
import { fromEditor, MAX_MESSAGE_CHARS, toEditor, type EditorContext, type EditorTask, type FromEditor } from './messages';

export const TASK_EDITOR_VIEW_TYPE = 'cairn.taskEditor';
export const TASK_EDITOR_APP = 'taskEditor';
/** Events of the task listed in its history (the newest). */
const HISTORY_LIMIT = 100;
/** Tries of a save whose merge keeps meeting newer versions (another process writing the same task). */
const SAVE_TRIES = 3;

export interface TaskEditorDeps {
  backend: BackendClient;
  messages: Messages;
  log: vscode.LogOutputChannel;
  extensionUri: vscode.Uri;
}

/** What the page reported it shows (after each change). */
export interface EditorState {
  version: number;
  dirty: string[];
  conflicts: string[];
  taken: string[];
}

const tabTitle = (task: Pick<EditorTask, 'title' | 'lockedFields' | 'id'>, dirty: boolean) => {
  const title = task.lockedFields?.includes('title') ? `Task …${task.id.slice(-6)}` : task.title;
  return `${dirty ? '● ' : ''}${title.length > 40 ? `${title.slice(0, 39)}…` : title}`;
};

export class TaskEditorPanel extends WebviewPanelHost<typeof fromEditor, typeof toEditor> {
  private readonly reported = new vscode.EventEmitter<EditorState>();
  /** Fires with what the page shows, after each change. */
  readonly onDidReport = this.reported.event;
  lastState: EditorState | undefined;
  /** The newest version of the task sent to the page. */
  private sentVersion = 0;
  private task: EditorTask | undefined;
  private taskChanged = false;
  private gone = false;

  constructor(
    panel: vscode.WebviewPanel,
    readonly taskId: string,
    private readonly d: TaskEditorDeps,
  ) {
    super(panel, {
      backend: d.backend,
      log: d.log,
      extensionUri: d.extensionUri,
      app: TASK_EDITOR_APP,
      pageTitle: 'Task',
      name: 'the task editor',
      logName: 'Task editor',
      incoming: fromEditor,
      outgoing: toEditor,
      maxMessageChars: MAX_MESSAGE_CHARS,
    });
  }

  private request<R>(method: Parameters<BackendClient['request']>[0], params: unknown): Promise<R> {
    return this.d.backend.request(method, params as never) as Promise<R>;
  }

  protected override async handle(m: FromEditor): Promise<void> {
    switch (m.type) {
      case 'ready':
        await this.sendTask('open');
        await this.sendContext();
        return;
      case 'save':
        return await this.save(m);
      case 'preview':
        await this.port.post({ type: 'preview', seq: m.seq, html: descriptionHtml(m.text) });
        return;
      case 'criteria':
        return await this.action(m.requestId, () => this.request('tasks.criteria', { id: this.taskId, expectedVersion: m.expectedVersion, ...m.op }));
      case 'depend':
        return await this.action(m.requestId, () => this.request('tasks.depend', { id: this.taskId, on: m.on }));
      case 'undepend':
        return await this.action(m.requestId, () => this.request('tasks.undepend', { id: this.taskId, on: m.on }));
      case 'search':
        return await this.search(m);
      case 'openTask':
        await vscode.commands.executeCommand('cairn.openTask', m.taskId);
        return;
      case 'openNote':
        await vscode.commands.executeCommand('cairn.openNoteAt', m.path);
        return;
      case 'reveal':
        await vscode.commands.executeCommand('cairn.revealTask', this.taskId);
        return;
      case 'unlock':
        await vscode.commands.executeCommand('cairn.unlockEncryption');
        await this.sendTask('changed');
        await this.sendContext();
        return;
      case 'state':
        this.lastState = { version: m.version, dirty: m.dirty, conflicts: m.conflicts, taken: m.taken };
        if (this.task) this.panel.title = tabTitle(this.task, m.dirty.length > 0 || m.conflicts.length > 0);
        this.reported.fire(this.lastState);
        return;
    }
  }

  /** Reads the task and sends it, with who changed it since the version the page had. */
  private async sendTask(reason: 'open' | 'changed' | 'saved' | 'action', known?: EditorTask): Promise<EditorTask | undefined> {
    let task: EditorTask;
    try {
      task = known ?? (await this.request<EditorTask>('tasks.get', { id: this.taskId }));
    } catch (err) {
      if (err instanceof BackendError && err.code === ErrorCodes.NotFound) {
        this.gone = true;
        await this.port.post({ type: 'gone', message: 'This task was deleted (the event log keeps its record). What the editor shows was not saved.' });
        return undefined;
      }
      throw err;
    }
    // Who else wrote it: only for a change the page did not make itself.
    const by = reason === 'changed' && this.sentVersion && task.version > this.sentVersion ? await this.changedBy(this.sentVersion) : undefined;
    this.task = task;
    this.sentVersion = task.version;
    this.panel.title = tabTitle(task, (this.lastState?.dirty.length ?? 0) > 0);
    await this.port.post({ type: 'task', task, reason, ...(by?.length ? { by } : {}) });
    return task;
  }

  /** Who wrote the task's versions after `version` (from the event log). */
  private async changedBy(version: number): Promise<{ actor: string; source: string }[]> {
    const events = await this.request<EventRow[]>('events.list', { aggregateType: 'task', aggregateId: this.taskId, limit: 20 });
    const seen = new Map<string, { actor: string; source: string }>();
    for (const e of events) if (e.version > version) seen.set(`${e.actor}\0${e.source}`, { actor: e.actor, source: e.source });
    return [...seen.values()];
  }

  private async sendContext(): Promise<void> {
    const task = this.task;
    if (!task || this.gone) return;
    const [project, sprints, agents, facets, deps, notes, runs, events, parent] = await Promise.all([
      this.request<Project>('projects.get', { id: task.projectId }),
      this.request<SprintRow[]>('sprints.list', { projectId: task.projectId }),
      this.request<AgentSummary[]>('agents.list', {}).catch(() => [] as AgentSummary[]),
      this.request<{ facets?: { assignees: string[] } }>('tasks.board', { columns: [{ status: 'pending', offset: 0, limit: 0 }], facets: true }),
      this.request<TaskDependencies>('tasks.dependencies', { id: task.id }),
      this.request<TaskNoteLink[]>('tasks.notes', { taskId: task.id }).catch(() => [] as TaskNoteLink[]),
      this.request<AgentRunRow[]>('agents.runs', { taskId: task.id, limit: 50 }),
      this.request<EventRow[]>('events.list', { aggregateType: 'task', aggregateId: task.id, limit: HISTORY_LIMIT + 1 }),
      task.parentId ? this.request<EditorTask>('tasks.get', { id: task.parentId }).catch(() => undefined) : Promise.resolve(undefined),
    ]);
    const agentNames = new Map<string, string | undefined>();
    for (const a of agents) if (a.name && !a.shadowed && !agentNames.has(a.name)) agentNames.set(a.name, a.description ?? undefined);
    const context: EditorContext = {
      project: { id: project.id, name: project.name },
      sprints: sprints.map((s) => ({ id: s.id, name: s.name, status: s.status })),
      assignees: [
        ...[...agentNames].map(([name, description]) => ({ name, kind: 'agent' as const, ...(description ? { description: description.slice(0, 200) } : {}) })),
        ...(facets.facets?.assignees ?? []).filter((n) => !agentNames.has(n)).map((name) => ({ name, kind: 'earlier' as const })),
      ],
      parent: task.parentId ? { id: task.parentId, title: parent?.title ?? null, status: parent?.status ?? null } : null,
      dependsOn: deps.dependsOn,
      dependants: deps.dependants,
      notes: notes.map((n) => ({ path: n.path, title: n.title, via: n.via, line: n.line, ...(n.name ? { name: n.name } : {}) })),
      runs: runs.map((r) => ({
        id: r.id,
        agentName: r.agentName,
        outcome: r.outcome,
        startedAt: r.startedAt,
        createdAt: r.createdAt,
        durationMs: r.durationMs,
        tokensIn: r.tokensIn,
        tokensOut: r.tokensOut,
        qualityScore: r.qualityScore,
        errors: r.errors,
        notes: r.notes,
      })),
      history: events.slice(0, HISTORY_LIMIT).map(historyEntry),
      historyMore: events.length > HISTORY_LIMIT,
    };
    await this.port.post({ type: 'context', context });
  }

  private async save(m: Extract<FromEditor, { type: 'save' }>): Promise<void> {
    if (!Object.keys(m.changes).length) {
      await this.port.post({ type: 'saveResult', requestId: m.requestId, ok: true });
      return;
    }
    let expected = m.expectedVersion;
    let changes: Partial<DraftFields> = m.changes;
    const merged = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      try {
        const saved = await this.request<EditorTask>('tasks.update', { id: this.taskId, expectedVersion: expected, ...changes });
        await this.sendTask('saved', saved);
        await this.port.post({ type: 'saveResult', requestId: m.requestId, ok: true, ...(merged.size ? { merged: DRAFT_FIELDS.filter((f) => merged.has(f)) } : {}) });
        return;
      } catch (err) {
        const stale = err instanceof BackendError && err.code === ErrorCodes.Conflict;
        if (!stale || attempt >= SAVE_TRIES) {
          const message = stale ? `The task keeps changing while it is saved: ${(err as Error).message}` : (err as Error).message;
          await this.port.post({ type: 'saveResult', requestId: m.requestId, ok: false, message: `Not saved: ${message}` });
          return;
        }
        // Changed meanwhile: keep what only this save changed, send a field both changed back as a choice.
        const current = await this.sendTask('changed');
        if (!current) {
          await this.port.post({ type: 'saveResult', requestId: m.requestId, ok: false, message: 'Not saved: the task was deleted.' });
          return;
        }
        const r = rebaseChanges(m.base, changes, draftOf(current));
        if (r.conflicts.length) {
          await this.port.post({
            type: 'saveResult',
            requestId: m.requestId,
            ok: false,
            message: 'Not saved: someone else changed the same fields meanwhile. Choose which value to keep, then save again.',
            conflicts: r.conflicts,
          });
          return;
        }
        for (const f of r.theirs) merged.add(f);
        changes = r.apply;
        expected = current.version;
        if (!Object.keys(changes).length) {
          await this.port.post({ type: 'saveResult', requestId: m.requestId, ok: true, merged: DRAFT_FIELDS.filter((f) => merged.has(f)) });
          return;
        }
      }
    }
  }

  /** A change made at once (criteria, dependencies): the page gets the task's new version, or why not. */
  private async action(requestId: string, run: () => Promise<unknown>): Promise<void> {
    try {
      const task = (await run()) as EditorTask;
      await this.sendTask('action', task);
      await this.port.post({ type: 'actionResult', requestId, ok: true });
      await this.sendContext();
    } catch (err) {
      const message = (err as Error).message;
      await this.port.post({ type: 'actionResult', requestId, ok: false, message });
      if (err instanceof BackendError && err.code === ErrorCodes.Conflict) await this.sendTask('changed');
    }
  }

  private async search(m: Extract<FromEditor, { type: 'search' }>): Promise<void> {
    const query = m.query.trim();
    const task = this.task;
    const results: { id: string; title: string; status: EditorTask['status'] | null; project?: string }[] = [];
    if (query && task) {
      const sameProject = m.purpose === 'parent';
      // A pasted id first; then the task search (words, the last one as a prefix).
      if (/^[0-9A-Za-z]{20,40}$/.test(query)) {
        const exact = await this.request<EditorTask>('tasks.get', { id: query }).catch(() => undefined);
        if (exact && (!sameProject || exact.projectId === task.projectId)) results.push({ id: exact.id, title: exact.title, status: exact.status });
      }
      const hits = await this.request<SearchHit[]>('knowledge.search', { query, kind: 'task', mode: 'text', limit: 20, ...(sameProject ? { project: task.projectId } : {}) }).catch(
        (err: Error) => {
          this.d.log.warn(`Task editor: searching tasks failed: ${err.message}`);
          return [] as SearchHit[];
        },
      );
      for (const h of hits) if (!results.some((r) => r.id === h.id)) results.push({ id: h.id, title: h.title, status: (h.status as EditorTask['status']) ?? null, ...(h.projectId && h.projectId !== task.projectId ? { project: h.projectId } : {}) });
    }
    const exclude = new Set([this.taskId, ...(m.purpose === 'dependency' ? (task?.dependsOn ?? []) : task?.parentId ? [task.parentId] : [])]);
    await this.port.post({ type: 'searchResults', seq: m.seq, purpose: m.purpose, results: results.filter((r) => !exclude.has(r.id)).slice(0, 20) });
  }

  /** The task (or what surrounds it: other tasks' titles, runs, notes) changed: send what changed, once per burst. */
  protected override storeChanged(change: StoreChanged): void {
    const touched = change.aggregates;
    // Its own change, or an unlock elsewhere (encrypted fields can be shown now).
    const mine = !touched || touched.some((a) => (a.type === 'task' && a.id === this.taskId) || a.type === 'crypto');
    const relevant = mine || touched!.some((a) => a.type === 'task' || a.type === 'project' || a.type === 'sprint' || a.type === 'agents' || a.type === 'vault');
    if (!relevant) return;
    if (mine) this.taskChanged = true;
    this.refreshSoon(() => {
      const taskChanged = this.taskChanged;
      this.taskChanged = false;
      if (this.gone) return;
      void (async () => {
        if (taskChanged && !(await this.sendTask('changed'))) return;
        await this.sendContext();
      })().catch((err: Error) => this.d.log.warn(`Task editor: reading the task after a change failed: ${err.message}`));
    });
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.reported.dispose();
  }
}
