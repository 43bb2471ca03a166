// Quick picks of the store's projects, sprints and tasks, for commands run from the palette (no row given).
import * as vscode from 'vscode';
import type { Project } from '../store/projects';
import type { SprintRow, TaskRow } from '../store/schema';
import type { EntityNode } from '../views/nodes';
import { STATUS_ICONS } from '../views/taskPresentation';
import type { BackendClient } from './backendClient';
import type { Messages } from './messages';

export function pickers(backend: BackendClient, messages: Messages) {
  async function pickProject(placeHolder: string): Promise<Project | undefined> {
    const projects = await backend.request<'projects.list', Project[]>('projects.list', {});
    if (projects.length === 0) {
      const choice = await messages.warning('There are no projects yet.', 'Create Project');
      if (choice) await vscode.commands.executeCommand('cairn.createProject');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      projects.map((p) => ({ label: p.name, description: p.id, project: p })),
      { placeHolder, matchOnDescription: true },
    );
    return picked?.project;
  }

  async function pickTask(placeHolder: string): Promise<TaskRow | undefined> {
    const tasks = await backend.request<'tasks.list', TaskRow[]>('tasks.list', { status: ['pending', 'in_progress', 'blocked'] });
    const picked = await vscode.window.showQuickPick(
      tasks.map((t) => ({
        label: `$(${STATUS_ICONS[t.status].icon}) ${t.title}`,
        description: t.assignee ? `@${t.assignee}` : '',
        detail: t.id,
        task: t,
      })),
      { placeHolder, matchOnDescription: true, matchOnDetail: true },
    );
    return picked?.task;
  }

  /** Picks any project, sprint or open task (Rename and Delete from the palette). */
  async function pickNode(placeHolder: string): Promise<EntityNode | undefined> {
    const [projects, sprints, tasks] = await Promise.all([
      backend.request<'projects.list', Project[]>('projects.list', {}),
      backend.request<'sprints.list', SprintRow[]>('sprints.list', {}),
      backend.request<'tasks.list', TaskRow[]>('tasks.list', { status: ['pending', 'in_progress', 'blocked'] }),
    ]);
    type Item = vscode.QuickPickItem & { node?: EntityNode };
    const section = (label: string): Item => ({ label, kind: vscode.QuickPickItemKind.Separator });
    const items: Item[] = [
      section('Projects'),
      ...projects.map((project): Item => ({ label: `$(project) ${project.name}`, detail: project.id, node: { kind: 'project', project } })),
      section('Sprints'),
      ...sprints.map((sprint): Item => ({ label: `$(milestone) ${sprint.name}`, detail: sprint.id, node: { kind: 'sprint', sprint } })),
      section('Open tasks'),
      ...tasks.map((task): Item => ({ label: `$(${STATUS_ICONS[task.status].icon}) ${task.title}`, description: task.assignee ? `@${task.assignee}` : '', detail: task.id, node: { kind: 'task', task, hasChildren: false } })),
    ];
    return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true, matchOnDetail: true }))?.node;
  }

  return { pickProject, pickTask, pickNode };
}
