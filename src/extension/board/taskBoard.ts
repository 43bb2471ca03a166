// Wires the task board (src/views/taskBoard/): the command Cairn: Open Task Board (from the palette, the Projects
// view's title bar, a project's or sprint's context menu: then filtered to it), one board panel at a time, and the
// serializer that brings the panel back after a window reload (the page restores its filters, scroll and selection
// from its own state).
import * as vscode from 'vscode';
import { defaultActorName } from '../../backend/actor';
import type { Project } from '../../store/projects';
import { EMPTY_FILTER, type BoardFilter } from '../../views/taskBoard/messages';
import { TASK_BOARD_VIEW_TYPE, TaskBoardPanel, type TaskBoardDeps } from '../../views/taskBoard/taskBoardPanel';
import type { ProjectNode, SprintNode } from '../../views/nodes';
import { panelOptions } from '../../views/webview/webviewHost';
import type { BackendClient } from '../backendClient';
import type { Messages } from '../messages';
import { safeCommands } from '../safeCommand';
import { SinglePanel } from '../singlePanel';

export interface TaskBoardApi {
  /** The open board, if any. */
  current(): TaskBoardPanel | undefined;
}

/** "Mine" on the board: setting cairn.userName, else $CAIRN_ACTOR, else the OS user (the name the CLI records). */
export function myName(): string {
  return vscode.workspace.getConfiguration('cairn').get<string>('userName')?.trim() || defaultActorName();
}

function filterFor(target: ProjectNode | SprintNode | undefined): BoardFilter | undefined {
  if (target?.kind === 'project') return { ...EMPTY_FILTER, projectId: target.project.id };
  if (target?.kind === 'sprint') return { ...EMPTY_FILTER, projectId: target.sprint.projectId, sprint: { kind: 'id', id: target.sprint.id } };
  return undefined;
}

export function registerTaskBoard(o: { context: vscode.ExtensionContext; backend: BackendClient; messages: Messages; log: vscode.LogOutputChannel }): {
  disposables: vscode.Disposable[];
  api: TaskBoardApi;
} {
  const { backend } = o;
  const boards = new SinglePanel<TaskBoardPanel>();
  const deps: TaskBoardDeps = {
    backend,
    messages: o.messages,
    log: o.log,
    extensionUri: o.context.extensionUri,
    me: myName,
    pickProject: async () => {
      const projects = await backend.request<'projects.list', Project[]>('projects.list', {});
      if (projects.length === 1) return projects[0].id;
      if (projects.length === 0) {
        void o.messages.warning('There are no projects yet: create one first.', 'Create Project').then((c) => c && vscode.commands.executeCommand('cairn.createProject'));
        return undefined;
      }
      const picked = await vscode.window.showQuickPick(
        projects.map((p) => ({ label: p.name, description: p.id, id: p.id })),
        { placeHolder: 'Project for the new task' },
      );
      return picked?.id;
    },
  };
  const command = safeCommands(o.messages);
  return {
    api: { current: () => boards.current },
    disposables: [
      command('cairn.openTaskBoard', async (target?: ProjectNode | SprintNode) => {
        const filter = filterFor(target);
        boards.show(
          filter,
          (current, f) => current.showFilter(f),
          () => new TaskBoardPanel(vscode.window.createWebviewPanel(TASK_BOARD_VIEW_TYPE, 'Task Board', vscode.ViewColumn.Active, panelOptions(o.context.extensionUri)), deps, filter),
        );
        return true;
      }),
      boards.restoreOn(TASK_BOARD_VIEW_TYPE, (panel) => new TaskBoardPanel(panel, deps)),
      boards,
    ],
  };
}
