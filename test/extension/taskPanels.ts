// What the task board's and the task editor's integration tests share: the extension activated with a project of
// the suite's own (its tasks kept by title, the project deleted and the tabs closed afterwards), and a wait for the
// next message a panel's host posts to its page.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CairnApi } from '../../src/extension/extension';
import type { Project } from '../../src/store/projects';
import type { TaskRow } from '../../src/store/schema';

export interface TaskProject {
  api: CairnApi;
  extensionPath: string;
  project: Project;
  /** The tasks `seed` added, by title. */
  tasks: Record<string, TaskRow>;
}

export type AddTask = (title: string, more?: Record<string, unknown>) => Promise<TaskRow>;

/** Activates the extension, waits for its store, and makes project `name` with the tasks `seed` adds (in order). */
export async function openTaskProject(name: string, seed: (add: AddTask) => Promise<void>): Promise<TaskProject> {
  const ext = vscode.extensions.getExtension<CairnApi>('cairn.cairn');
  assert.ok(ext);
  const api = await ext.activate();
  await api.whenReady();
  const project = await api.request<'projects.create', Project>('projects.create', { name });
  const tasks: Record<string, TaskRow> = {};
  await seed(async (title, more = {}) => (tasks[title] = await api.request<'tasks.create', TaskRow>('tasks.create', { projectId: project.id, title, ...more })));
  return { api, extensionPath: ext.extensionPath, project, tasks };
}

/** Closes every editor tab and deletes the suite's project. */
export async function closeTaskProject(api: CairnApi, project: Project): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await api.request('projects.delete', { id: project.id });
}

/** The next message the panel's host posts to its page of `type` that matches `match`. */
export function nextPosted<M extends { type: string }, T extends M['type']>(
  panel: { port: { onDidPost: vscode.Event<M> } },
  type: T,
  match: (m: Extract<M, { type: T }>) => boolean = () => true,
): Promise<Extract<M, { type: T }>> {
  return new Promise((resolve) => {
    const sub = panel.port.onDidPost((m) => {
      if (m.type === type && match(m as Extract<M, { type: T }>)) {
        sub.dispose();
        resolve(m as Extract<M, { type: T }>);
      }
    });
  });
}
