// The Projects view's filter and grouping (Filter Projects View) and its remembered expansion, in the real VS Code.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from '../waitFor';
import { runCli } from './cli';
import type { CairnApi } from '../../src/extension/extension';
import type { ProjectsFilter } from '../../src/views/projectsFilter';
import type { TaskRow } from '../../src/store/schema';
import { nodeLabel, type GroupNode, type MoreNode, type ProjectNode, type TaskNode, type TreeNode } from '../../src/views/nodes';

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

describe('Projects view: a page at a time', () => {
  let projectId: string;
  const project = () => waitFor('the project row', async () => ((await api.tree.getChildren()) as TreeNode[]).find((n): n is ProjectNode => n.kind === 'project' && n.project.id === projectId));
  const rows = async (node?: TreeNode) => (await api.tree.getChildren(node ?? (await project()))) as TreeNode[];
  const tasksOf = (nodes: TreeNode[]) => nodes.filter((n): n is TaskNode => n.kind === 'task');
  const twistie = async (node: TreeNode) => api.tree.getTreeItem(node).collapsibleState;
  let bulk: TaskRow[];

  before(async () => {
    const ext = vscode.extensions.getExtension<CairnApi>('cairn.cairn')!;
    extensionPath = ext.extensionPath;
    api = await ext.activate();
    await api.whenReady();
    projectId = cli('project', 'add', 'Paged').id;
    bulk = [];
    for (const [from, to] of [[0, 1000], [1000, 1200]] as const) {
      const tasks = Array.from({ length: to - from }, (_, i) => ({ projectId, title: `Bulk ${String(from + i).padStart(4, '0')}`, status: (from + i) % 2 ? ('done' as const) : ('pending' as const) }));
      bulk.push(...(await api.request<'tasks.createMany', TaskRow[]>('tasks.createMany', { tasks })));
    }
  });

  after(async () => {
    await vscode.commands.executeCommand('cairn.clearProjectsFilter');
    cli('project', 'delete', projectId);
  });

  it('a 1,200-task project shows 500, then "Show 500 more…" (700 not shown) asks for the next page', async () => {
    const first = await waitFor('the first page', async () => ((await rows()).length === 501 ? rows() : undefined));
    assert.deepEqual(tasksOf(first).map((n) => n.task.id), bulk.slice(0, 500).map((t) => t.id), 'in id order');
    const more = first.at(-1) as MoreNode;
    assert.equal(more.kind, 'more');
    const item = api.tree.getTreeItem(more);
    assert.deepEqual([item.label, item.description], ['Show 500 more…', '700 not shown']);
    await vscode.commands.executeCommand(item.command!.command, ...item.command!.arguments!);
    const second = await rows();
    assert.equal(tasksOf(second).length, 1000);
    assert.equal(api.tree.getTreeItem(second.at(-1)!).label, 'Show 200 more…');
    await vscode.commands.executeCommand('cairn.showMore', second.at(-1));
    const all = await rows();
    assert.deepEqual(tasksOf(all).map((n) => n.task.id), bulk.map((t) => t.id));
    assert.ok(!all.some((n) => n.kind === 'more'));
  });

  it('hiding done shows the 600 pending tasks: the list keeps the length the user grew it to', async () => {
    await filter({ hideDone: true });
    const shown = await waitFor('the filtered list', async () => {
      const r = await rows();
      return r.length === 600 && r;
    });
    assert.ok(tasksOf(shown).every((n) => n.task.status === 'pending'));
    await vscode.commands.executeCommand('cairn.clearProjectsFilter');
  });

  it("a task's twistie shows only when it has subtasks the filter shows", async () => {
    const parent = cli('task', 'add', '--project', projectId, 'Parent').id as string;
    const sub = cli('task', 'add', '--project', projectId, '--parent', parent, 'Sub').id as string;
    cli('task', 'move', cli('task', 'add', '--project', projectId, '--parent', sub, 'Leaf').id, 'done');
    const find = async (under: TreeNode, id: string) => tasksOf(await rows(under)).find((n) => n.task.id === id);
    const parentRow = async () => waitFor('the parent row', async () => {
      let r = await rows();
      while (!tasksOf(r).some((n) => n.task.id === parent) && r.at(-1)?.kind === 'more') {
        await vscode.commands.executeCommand('cairn.showMore', r.at(-1));
        r = await rows();
      }
      return tasksOf(r).find((n) => n.task.id === parent);
    });
    // Sub has a subtask, Leaf (done): a twistie once the tree has caught up with the writes.
    const subRow = await waitFor('the subtask with its twistie', async () => {
      const s = await find(await parentRow(), sub);
      return s && (await twistie(s)) === vscode.TreeItemCollapsibleState.Collapsed && s;
    });
    assert.equal(await twistie(await parentRow()), vscode.TreeItemCollapsibleState.Collapsed);
    assert.deepEqual((await rows(subRow)).map((n) => nodeLabel(n as TaskNode)), ['Leaf']);

    await filter({ hideDone: true });
    await waitFor('Sub without a twistie once Leaf (done) is hidden', async () => {
      const s = await find(await parentRow(), sub);
      return s && (await twistie(s)) === vscode.TreeItemCollapsibleState.None;
    });
    assert.equal(await twistie(await parentRow()), vscode.TreeItemCollapsibleState.Collapsed, 'Parent still shows Sub');
    await vscode.commands.executeCommand('cairn.clearProjectsFilter');
  });

  it('Reveal Task loads the pages down to a task beyond the first one, and says when the filter hides it', async () => {
    await vscode.commands.executeCommand('cairn.clearProjectsFilter');
    const bigParent = cli('task', 'add', '--project', projectId, 'Big parent').id as string;
    const subtasks = await api.request<'tasks.createMany', TaskRow[]>('tasks.createMany', {
      tasks: Array.from({ length: 600 }, (_, i) => ({ projectId, parentId: bigParent, title: `Step ${i}`, status: i % 2 ? ('done' as const) : ('pending' as const) })),
    });
    // The tree has caught up with the writes (its redraw would drop what the reveal loads).
    await waitFor('the big parent with its twistie', async () => tasksOf(await rows()).find((n) => n.task.id === bigParent)?.hasChildren);
    const far = subtasks[550]!;
    const revealed = await vscode.commands.executeCommand<TaskRow>('cairn.revealTask', far.id);
    assert.equal(revealed?.id, far.id, lastError());
    await waitFor('the far subtask selected in the Projects view', () => (api.treeView.selection[0] as TaskNode | undefined)?.task?.id === far.id);
    assert.ok(!api.shownMessages().some((m) => m.message.includes(`"${far.title}"`)), 'no "not shown" message for a task the view shows');
    const parentNode = tasksOf(await rows()).find((n) => n.task.id === bigParent)!;
    assert.equal(tasksOf(await rows(parentNode)).length, 600, 'its second page was loaded to show it (the first alone holds 500)');

    await filter({ hideDone: true });
    const done = subtasks[551]!;
    await vscode.commands.executeCommand('cairn.revealTask', done.id);
    await waitFor('the message', () => api.shownMessages().some((m) => m.message.includes(`Task "${done.title}" (Done) is not shown in the Projects view: its filter hides it`)));
  });
});
