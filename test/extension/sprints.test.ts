// A sprint's life from VS Code: Start Sprint, Edit Sprint (goal and dates), Close Sprint with its question of where
// the unfinished tasks go, in the real VS Code; the store (read through the CLI) and the tree show the result.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from '../waitFor';
import { runCli } from './cli';
import type { CairnApi } from '../../src/extension/extension';
import type { SprintRow } from '../../src/store/schema';
import type { SprintNode, TreeNode } from '../../src/views/nodes';

let api: CairnApi;
let extensionPath: string;
const cli = (...args: string[]) => runCli(extensionPath, api.storeDir, args);
const lastError = () => [...api.shownMessages()].reverse().find((m) => m.level === 'error')?.message ?? '';

describe('Sprints: start, edit goal and dates, close with the unfinished tasks moved', () => {
  let projectId: string;
  let s1: string;
  let s2: string;
  const sprintRow = (id: string): SprintRow => cli('sprint', 'list', '--project', projectId).find((s: SprintRow) => s.id === id);
  const sprintNode = () =>
    waitFor('the sprint row', async () => {
      const project = ((await api.tree.getChildren()) as TreeNode[]).find((n) => n.kind === 'project' && n.project.id === projectId);
      return project && ((await api.tree.getChildren(project)) as TreeNode[]).find((n): n is SprintNode => n.kind === 'sprint' && n.sprint.id === s1);
    });

  before(async () => {
    const ext = vscode.extensions.getExtension<CairnApi>('cairn.cairn')!;
    extensionPath = ext.extensionPath;
    api = await ext.activate();
    await api.whenReady();
    projectId = cli('project', 'add', 'Sprint lab').id;
    s1 = cli('sprint', 'add', '--project', projectId, 'Sprint 1').id;
    s2 = cli('sprint', 'add', '--project', projectId, 'Sprint 2').id;
    for (const title of ['Left over', 'Also left']) cli('task', 'add', '--project', projectId, '--sprint', s1, title);
    cli('task', 'move', cli('task', 'add', '--project', projectId, '--sprint', s1, 'Finished').id, 'done');
  });

  after(() => cli('project', 'delete', projectId));

  it('Start Sprint on a sprint row makes it active from today; the row shows status and dates', async () => {
    const started = await vscode.commands.executeCommand<SprintRow>('cairn.startSprint', await sprintNode());
    assert.equal(started?.status, 'active', lastError());
    assert.match(started!.startsOn ?? '', /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(sprintRow(s1).status, 'active');
    await waitFor('the row to show it', async () => api.tree.getTreeItem(await sprintNode()).description === `active · ${started!.startsOn} → …`);
  });

  it('Edit Sprint sets the goal and the last day; a day that is no date is refused', async () => {
    const edited = await vscode.commands.executeCommand<SprintRow>('cairn.editSprint', s1, { goal: 'Ship sign-up', endsOn: '2099-12-31' });
    assert.deepEqual([edited?.goal, edited?.endsOn], ['Ship sign-up', '2099-12-31'], lastError());
    assert.equal(await vscode.commands.executeCommand('cairn.editSprint', s1, { endsOn: '2099-02-30' }), undefined);
    assert.match(lastError(), /not a real calendar date/);
    assert.equal(sprintRow(s1).endsOn, '2099-12-31');
  });

  it('Close Sprint asks where the 2 unfinished tasks go; the first answer, the next sprint, moves both', async () => {
    let settled: unknown = null;
    const running = vscode.commands.executeCommand<{ moved: number; sprint: SprintRow }>('cairn.closeSprint', s1).then((r) => (settled = r));
    await waitFor('the question answered', async () => {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return settled !== null;
    }, 30_000);
    const result = await running;
    assert.equal(result?.moved, 2, lastError());
    assert.equal(sprintRow(s1).status, 'closed');
    const tasks = cli('task', 'list', '--project', projectId) as { title: string; sprintId: string }[];
    assert.deepEqual(Object.fromEntries(tasks.map((t) => [t.title, t.sprintId === s1 ? 1 : t.sprintId === s2 ? 2 : 0])), { 'Left over': 2, 'Also left': 2, Finished: 1 });
  });

  it('bad input is refused with a message: a closed sprint, an unknown one, a wrong option', async () => {
    assert.equal(await vscode.commands.executeCommand('cairn.closeSprint', s1, { moveOpenTo: null }), undefined);
    assert.match(lastError(), /Sprint Sprint 1 is closed already/);
    assert.equal(await vscode.commands.executeCommand('cairn.startSprint', 'no-such-sprint'), undefined);
    assert.match(lastError(), /No sprint with id no-such-sprint/);
    assert.equal(await vscode.commands.executeCommand('cairn.closeSprint', s2, { moveOpenTo: 5 }), undefined);
    assert.match(lastError(), /Close Sprint takes a sprint, then optionally \{ moveOpenTo/);
    assert.equal(sprintRow(s2).status, 'planned');
  });
});
