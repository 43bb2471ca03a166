// The palette and context-menu commands. Each one asks the backend to change the store and returns what the
// backend answered; the tree and the status bar refresh from the store.changed notification that follows, not
// from here. Given explicit arguments (as the tests and other extensions do), a command asks nothing.
import * as vscode from 'vscode';
import { name } from '../store/valueRules';
import { TASK_STATUSES, type TaskStatus } from '../store/schema';
import { nodeLabel, type EntityNode, type MoreNode, type ProjectNode, type SprintNode, type TaskNode } from '../views/nodes';
import type { ProjectsTreeProvider } from '../views/projectsTree';
import { STATUS_ICONS } from '../views/taskPresentation';
import type { BackendClient } from './backendClient';
import type { Messages } from './messages';
import { pickers } from './pickers';
import { isViewRowCall, safeCommands } from './safeCommand';

export interface CommandDeps {
  backend: BackendClient;
  tree: ProjectsTreeProvider;
  messages: Messages;
  log: vscode.LogOutputChannel;
  refresh: () => Promise<void>;
}

const projectName = name('name');
/** Input-box validation with the protocol's own rules, so the box and the backend agree. */
const validateName = (value: string) => {
  const r = projectName.safeParse(value);
  return r.success ? undefined : r.error.issues[0]?.message;
};

export function registerCommands(d: CommandDeps): vscode.Disposable[] {
  const { backend, messages } = d;

  const command = safeCommands(messages);

  const ask = (prompt: string, value = '', placeHolder?: string) =>
    vscode.window.showInputBox({ prompt, value, placeHolder, validateInput: validateName, ignoreFocusOut: true });

  const { pickProject, pickTask, pickNode } = pickers(backend, messages);

  return [
    command('cairn.createProject', async (...args: unknown[]) => {
      if (args[0] !== undefined && typeof args[0] !== 'string' && !isViewRowCall(args)) throw new Error('Create Project takes no argument, or the new project\'s name.');
      const name = typeof args[0] === 'string' ? args[0] : await ask('Name of the new project', '', 'e.g. Website relaunch');
      if (name === undefined) return undefined;
      const project = await backend.request('projects.create', { name });
      return project;
    }),

    command('cairn.createSprint', async (target?: ProjectNode, name?: string) => {
      const project = target?.project ?? (await pickProject('Project for the new sprint'));
      if (!project) return undefined;
      name ??= await ask(`Name of the new sprint in ${project.name}`, '', 'e.g. Sprint 1');
      if (name === undefined) return undefined;
      return backend.request('sprints.create', { projectId: project.id, name });
    }),

    command('cairn.createTask', async (target?: ProjectNode | SprintNode, title?: string) => {
      const projectId = target?.kind === 'sprint' ? target.sprint.projectId : (target?.project ?? (await pickProject('Project for the new task')))?.id;
      if (!projectId) return undefined;
      title ??= await ask('Title of the new task', '', 'What needs doing?');
      if (title === undefined) return undefined;
      return backend.request('tasks.create', { projectId, title, sprintId: target?.kind === 'sprint' ? target.sprint.id : undefined });
    }),

    command('cairn.setTaskStatus', async (target?: TaskNode, status?: TaskStatus) => {
      const task = target?.task ?? (await pickTask('Task to move'));
      if (!task) return undefined;
      if (status === undefined) {
        const picked = await vscode.window.showQuickPick(
          TASK_STATUSES.map((s) => ({ label: `$(${STATUS_ICONS[s].icon}) ${STATUS_ICONS[s].label}`, description: s === task.status ? 'current' : '', status: s })),
          { placeHolder: `New status for "${task.title}"` },
        );
        status = picked?.status;
      }
      if (status === undefined) return undefined;
      return backend.request('tasks.update', { id: task.id, expectedVersion: task.version, status });
    }),

    command('cairn.assignTask', async (target?: TaskNode, agent?: string | null) => {
      const task = target?.task ?? (await pickTask('Task to assign'));
      if (!task) return undefined;
      if (agent === undefined) {
        const typed = await vscode.window.showInputBox({
          prompt: `Agent (or person) to assign "${task.title}" to; leave empty to unassign`,
          value: task.assignee ?? '',
          placeHolder: 'e.g. code-reviewer',
          ignoreFocusOut: true,
          validateInput: (v) => (v.trim() === '' ? undefined : validateName(v)),
        });
        if (typed === undefined) return undefined;
        agent = typed.trim() === '' ? null : typed;
      }
      return backend.request('tasks.update', { id: task.id, expectedVersion: task.version, assignee: agent });
    }),

    command('cairn.rename', async (target?: EntityNode, name?: string) => {
      target ??= await pickNode('Project, sprint or task to rename');
      if (!target) return undefined;
      name ??= await ask(`New name for "${nodeLabel(target)}"`, nodeLabel(target));
      if (name === undefined) return undefined;
      if (target.kind === 'project') return backend.request('projects.update', { id: target.project.id, expectedVersion: target.project.version, name });
      if (target.kind === 'sprint') return backend.request('sprints.update', { id: target.sprint.id, expectedVersion: target.sprint.version, name });
      return backend.request('tasks.update', { id: target.task.id, expectedVersion: target.task.version, title: name });
    }),

    command('cairn.delete', async (target?: EntityNode, options?: { confirmed?: boolean }) => {
      target ??= await pickNode('Project, sprint or task to delete');
      if (!target) return undefined;
      if (!options?.confirmed) {
        const detail =
          target.kind === 'project'
            ? `Its sprints and ${Object.values(target.project.taskCounts).reduce((a, b) => a + (b ?? 0), 0)} tasks are deleted with it. The event log keeps the record.`
            : target.kind === 'sprint'
              ? 'Its tasks stay in the project, without a sprint.'
              : 'The event log keeps the record.';
        const choice = await vscode.window.showWarningMessage(`Delete ${target.kind} "${nodeLabel(target)}"?`, { modal: true, detail }, 'Delete');
        if (choice !== 'Delete') return undefined;
      }
      if (target.kind === 'project') return backend.request('projects.delete', { id: target.project.id, expectedVersion: target.project.version });
      if (target.kind === 'sprint') return backend.request('sprints.delete', { id: target.sprint.id, expectedVersion: target.sprint.version });
      return backend.request('tasks.delete', { id: target.task.id, expectedVersion: target.task.version });
    }),

    command('cairn.refresh', async () => {
      await d.refresh();
      return true;
    }),

    command('cairn.openStoreFolder', async () => {
      const uri = vscode.Uri.file(backend.store);
      const inWorkspace = vscode.workspace.getWorkspaceFolder(uri) !== undefined;
      if (vscode.env.uiKind === vscode.UIKind.Desktop && !vscode.env.remoteName) await vscode.commands.executeCommand('revealFileInOS', uri);
      else if (inWorkspace) await vscode.commands.executeCommand('revealInExplorer', uri);
      else await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
      return backend.store;
    }),

    command('cairn.showMore', async (node: MoreNode) => {
      await d.tree.showMore(node);
      return true;
    }),

    command('cairn.showLog', async () => {
      d.log.show(true);
      return true;
    }),
  ];
}
