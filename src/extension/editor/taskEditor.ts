// Wires the task editor (src/views/taskEditor/): the command Cairn: Open Task (a click on a task in the Projects
// view, Enter or a double-click on a board card, a card's context menu, the palette), one editor tab per task (opening
// it again shows that tab), and the serializer that brings the tabs back after a window reload (the page keeps
// its task id and unsaved draft in its own state).
import * as vscode from 'vscode';
import * as z from 'zod/mini';
import type { TaskRow } from '../../store/schema';
import type { TaskNode } from '../../views/nodes';
import { TASK_EDITOR_VIEW_TYPE, TaskEditorPanel, type TaskEditorDeps } from '../../views/taskEditor/taskEditorPanel';
import { STATUS_ICONS } from '../../views/taskPresentation';
import { panelOptions } from '../../views/webview/webviewHost';
import type { BackendClient } from '../backendClient';
import type { Messages } from '../messages';
import { safeCommands } from '../safeCommand';

export interface TaskEditorApi {
  /** The open editor of a task, if any. */
  get(taskId: string): TaskEditorPanel | undefined;
  /** Every open task editor. */
  all(): TaskEditorPanel[];
}

/** What the page keeps (src/views/taskEditor/messages.ts editorViewState); only the id is needed to come back. */
const restoredState = z.object({ taskId: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)) });

/** The task an Open Task invocation names: a tree node, a task row, an id, or a board card's context ({ taskId }). */
export function taskIdOf(target: unknown): string | undefined {
  if (typeof target === 'string') return target.trim() || undefined;
  if (!target || typeof target !== 'object') return undefined;
  const t = target as Partial<TaskNode> & { taskId?: unknown; id?: unknown };
  if (t.kind === 'task' && t.task) return t.task.id;
  if (typeof t.taskId === 'string') return t.taskId;
  if (typeof t.id === 'string' && 'version' in t && 'projectId' in t) return t.id;
  return undefined;
}

export function registerTaskEditor(o: { context: vscode.ExtensionContext; backend: BackendClient; messages: Messages; log: vscode.LogOutputChannel }): {
  disposables: vscode.Disposable[];
  api: TaskEditorApi;
} {
  const { backend } = o;
  const open = new Map<string, TaskEditorPanel>();
  const deps: TaskEditorDeps = { backend, messages: o.messages, log: o.log, extensionUri: o.context.extensionUri };
  const adopt = (editor: TaskEditorPanel) => {
    open.get(editor.taskId)?.dispose();
    open.set(editor.taskId, editor);
    editor.onDidDispose(() => {
      if (open.get(editor.taskId) === editor) open.delete(editor.taskId);
    });
    return editor;
  };

  async function pickTask(): Promise<string | undefined> {
    const tasks = await backend.request<'tasks.list', TaskRow[]>('tasks.list', { status: ['pending', 'in_progress', 'blocked'], limit: 5000 });
    const picked = await vscode.window.showQuickPick(
      tasks.map((t) => ({ label: `$(${STATUS_ICONS[t.status].icon}) ${t.title}`, description: t.assignee ? `@${t.assignee}` : '', detail: t.id, id: t.id })),
      { placeHolder: 'Task to open (open tasks; paste an id for any other)', matchOnDescription: true, matchOnDetail: true },
    );
    return picked?.id;
  }

  const command = safeCommands(o.messages);
  return {
    api: { get: (id) => open.get(id), all: () => [...open.values()] },
    disposables: [
      command('cairn.openTask', async (target?: unknown) => {
        const id = taskIdOf(target) ?? (target === undefined ? await pickTask() : undefined);
        if (!id) {
          if (target !== undefined) throw new Error('Open Task needs a task (a task of the Projects view, a card of the board, or a task id).');
          return undefined;
        }
        const existing = open.get(id);
        if (existing) {
          existing.panel.reveal();
          return existing;
        }
        // Refused here, before a tab opens, when there is no such task.
        const task = await backend.request<'tasks.get', TaskRow>('tasks.get', { id });
        const panel = vscode.window.createWebviewPanel(TASK_EDITOR_VIEW_TYPE, task.title, vscode.ViewColumn.Active, panelOptions(o.context.extensionUri));
        return adopt(new TaskEditorPanel(panel, task.id, deps));
      }),
      vscode.window.registerWebviewPanelSerializer(TASK_EDITOR_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state) => {
          const parsed = restoredState.safeParse(state);
          if (!parsed.success) {
            o.log.warn('A task editor tab came back without its task; it was closed.');
            panel.dispose();
            return;
          }
          adopt(new TaskEditorPanel(panel, parsed.data.taskId, deps));
        },
      }),
      { dispose: () => [...open.values()].forEach((e) => e.dispose()) },
    ],
  };
}
