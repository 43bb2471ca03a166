// The Projects view's filter and grouping (Filter Projects View) and its remembered expansion, in the real VS Code.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from '../waitFor';
import { runCli } from './cli';
import type { CairnApi } from '../../src/extension/extension';
import type { ProjectsFilter } from '../../src/views/projectsFilter';
import { nodeLabel, type GroupNode, type ProjectNode, type TreeNode } from '../../src/views/nodes';

let api: CairnApi;
let extensionPath: string;
const cli = (...args: string[]) => runCli(extensionPath, api.storeDir, args);
const lastError = () => [...api.shownMessages()].reverse().find((m) => m.level === 'error')?.message ?? '';
const filter = (change: Partial<ProjectsFilter>) => vscode.commands.executeCommand<ProjectsFilter | undefined>('cairn.filterProjects', change);

describe('Projects view: filter, grouping and remembered expansion', () => {
  let projectId: string;

  const project = () => waitFor('the project row', async () => ((await api.tree.getChildren()) as TreeNode[]).find((n): n is ProjectNode => n.kind === 'project' && n.project.id === projectId));
  /** Labels of the project's rows and, for each sprint or group, of its rows. */
  async function shown(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    const rows = (await api.tree.getChildren(await project())) as TreeNode[];
    out[''] = rows.filter((n) => n.kind === 'task').map((n) => nodeLabel(n as never));
    for (const n of rows) if (n.kind === 'sprint' || n.kind === 'group') out[nodeLabel(n)] = ((await api.tree.getChildren(n)) as TreeNode[]).map((c) => nodeLabel(c as never));
    return out;
  }

  before(async () => {
    const ext = vscode.extensions.getExtension<CairnApi>('cairn.cairn')!;
    extensionPath = ext.extensionPath;
    api = await ext.activate();
    await api.whenReady();
    await vscode.workspace.getConfiguration('cairn').update('userName', 'tester', vscode.ConfigurationTarget.Global);
    projectId = cli('project', 'add', 'Filter lab').id;
    const sprint = cli('sprint', 'add', '--project', projectId, 'Sprint A').id;
    const add = (title: string, ...opts: string[]) => cli('task', 'add', '--project', projectId, ...opts, title).id as string;
    add('Mine, pending', '--assignee', 'tester');
    cli('task', 'move', add('Mine, done', '--assignee', 'tester', '--sprint', sprint), 'done');
    const big = add('Coder at work', '--assignee', 'coder', '--priority', 'high');
    cli('task', 'move', big, 'in_progress');
    add('Subtask of the coder', '--parent', big, '--assignee', 'coder');
    cli('task', 'move', add('Stuck, nobody on it', '--sprint', sprint), 'blocked');
  });

  after(async () => {
    await vscode.commands.executeCommand('cairn.clearProjectsFilter');
    await vscode.workspace.getConfiguration('cairn').update('userName', undefined, vscode.ConfigurationTarget.Global);
    cli('project', 'delete', projectId);
  });

  it('shows the whole project by sprint to start with, and no filter beside the title', async () => {
    assert.deepEqual(await shown(), { '': ['Mine, pending', 'Coder at work'], 'Sprint A': ['Mine, done', 'Stuck, nobody on it'] });
    assert.equal(api.treeView.description, undefined);
  });

  it('hides done and cancelled tasks; the filter is named beside the title', async () => {
    assert.deepEqual(await filter({ hideDone: true }), { hideDone: true, mine: false, groupBy: 'sprint' });
    await waitFor('the done task hidden', async () => !JSON.stringify(await shown()).includes('Mine, done'));
    assert.deepEqual(await shown(), { '': ['Mine, pending', 'Coder at work'], 'Sprint A': ['Stuck, nobody on it'] });
    assert.equal(api.treeView.description, 'hiding done');
  });

  it('"only my tasks" keeps tasks assigned to me (cairn.userName); sprints with none of them go', async () => {
    await filter({ mine: true });
    await waitFor('only mine', async () => JSON.stringify(await shown()) === JSON.stringify({ '': ['Mine, pending'] }));
    assert.equal(api.treeView.description, "@tester's tasks · hiding done");
  });

  it('groups by status, assignee or priority, in each one\'s order, with counts', async () => {
    await filter({ mine: false, hideDone: false, groupBy: 'status' });
    await waitFor('grouped by status', async () => 'Pending' in (await shown()));
    assert.deepEqual(await shown(), { '': [], Pending: ['Mine, pending', 'Subtask of the coder'], 'In progress': ['Coder at work'], Blocked: ['Stuck, nobody on it'], Done: ['Mine, done'] });
    const groups = ((await api.tree.getChildren(await project())) as TreeNode[]).filter((n): n is GroupNode => n.kind === 'group');
    assert.deepEqual(groups.map((g) => api.tree.getTreeItem(g).description), ['2', '1', '1', '1']);
    assert.equal(api.treeView.description, 'by status');

    await filter({ groupBy: 'assignee' });
    await waitFor('grouped by assignee', async () => Object.keys(await shown()).join() === ',@coder,@tester,Unassigned');
    assert.deepEqual((await shown())['@tester'], ['Mine, pending', 'Mine, done']);
    await filter({ groupBy: 'priority', hideDone: true });
    await waitFor('grouped by priority', async () => Object.keys(await shown()).join() === ',High,Medium');
    assert.equal(api.treeView.description, 'hiding done · by priority');
  });

  it('a bad filter is refused with a message, and the filter stays as it was', async () => {
    assert.equal(await filter({ groupBy: 'colour' as never }), undefined);
    assert.match(lastError(), /Filter Projects View takes no argument, or \{ hideDone\?: boolean, mine\?: boolean, groupBy\?: sprint \| status \| assignee \| priority \}/);
    assert.equal(api.treeView.description, 'hiding done · by priority');
  });

  it('Clear Filter shows the whole tree again', async () => {
    await vscode.commands.executeCommand('cairn.clearProjectsFilter');
    await waitFor('the sprint back', async () => 'Sprint A' in (await shown()));
    assert.equal(api.treeView.description, undefined);
  });

  it('rows the user expands are drawn expanded again (kept in the workspace state), until collapsed', async () => {
    const node = await project();
    assert.equal(api.tree.getTreeItem(node).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    await vscode.commands.executeCommand('cairn.projects.focus');
    await api.treeView.reveal(node, { expand: true });
    await waitFor('the expansion remembered', () => api.tree.getTreeItem(node).collapsibleState === vscode.TreeItemCollapsibleState.Expanded);
    await vscode.commands.executeCommand('workbench.actions.treeView.cairn.projects.collapseAll');
    await waitFor('the collapse remembered', () => api.tree.getTreeItem(node).collapsibleState === vscode.TreeItemCollapsibleState.Collapsed);
  });
});
