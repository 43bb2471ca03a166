// Integration tests inside the real VS Code extension host (code-server): the extension activates, every command
// changes the store and the tree, a CLI write reaches the tree, and bad input shows an error and changes nothing.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../waitFor';
import { runCli } from './cli';
import type { CairnApi } from '../../src/extension/extension';
import type { Project } from '../../src/store/projects';
import type { TaskRow } from '../../src/store/schema';
import { nodeLabel, type MoreNode, type ProjectNode, type SprintNode, type TaskNode, type TreeNode } from '../../src/views/nodes';

const EXTENSION_ID = 'cairn.cairn';
let api: CairnApi;
let extensionPath: string;



const roots = () => api.tree.getChildren() as Promise<TreeNode[]>;
async function projectNode(name: string): Promise<ProjectNode | undefined> {
  return (await roots()).find((n): n is ProjectNode => n.kind === 'project' && n.project.name === name);
}
async function childNode<K extends TreeNode['kind']>(parent: TreeNode, kind: K, label: string): Promise<Extract<TreeNode, { kind: K }> | undefined> {
  const kids = await api.tree.getChildren(parent);
  return kids.find((n) => n.kind === kind && n.kind !== 'more' && nodeLabel(n) === label) as
    | Extract<TreeNode, { kind: K }>
    | undefined;
}
const lastError = () => [...api.shownMessages()].reverse().find((m) => m.level === 'error')?.message ?? '';

const cliRun = (...args: string[]) => runCli(extensionPath, api.storeDir, args);

describe('Cairn extension in a real VS Code', function () {
  before(async () => {
    const ext = vscode.extensions.getExtension<CairnApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
    extensionPath = ext.extensionPath;
    api = await ext.activate();
    await api.whenReady();
  });

  it('activates with its store in the workspace and an empty tree', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'a workspace folder is open');
    assert.equal(api.storeDir, path.join(folder, '.cairn'));
    assert.ok(fs.existsSync(path.join(api.storeDir, 'cairn.db')), 'cairn.db was created');
    assert.deepEqual(await roots(), []);
    await waitFor('status bar count', () => api.statusBarText().includes('0 open'));
    console.log(`    activation took ${api.activationMs.toFixed(1)} ms`);
  });

  it('contributes every command under the Cairn category', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of ['createProject', 'createSprint', 'createTask', 'setTaskStatus', 'assignTask', 'rename', 'delete', 'refresh', 'openStoreFolder', 'showLog']) {
      assert.ok(all.includes(`cairn.${id}`), `cairn.${id} is registered`);
    }
    assert.ok(all.includes('cairn.projects.focus'), 'the Projects view is registered');
    await vscode.commands.executeCommand('cairn.projects.focus');
  });

  describe('commands change the store and the tree', () => {
    let project: ProjectNode;
    let sprint: SprintNode;

    it('Create Project', async () => {
      const created = (await vscode.commands.executeCommand('cairn.createProject', 'Apollo')) as Project;
      assert.equal(created.name, 'Apollo');
      project = await waitFor('project in tree', () => projectNode('Apollo'));
      assert.equal(project.project.id, created.id);
      const item = api.tree.getTreeItem(project);
      assert.equal(item.contextValue, 'project');
    });

    it('Create Sprint', async () => {
      await vscode.commands.executeCommand('cairn.createSprint', project, 'Sprint 1');
      project = (await projectNode('Apollo'))!;
      sprint = await waitFor('sprint in tree', () => childNode(project, 'sprint', 'Sprint 1'));
      assert.equal(api.tree.getTreeItem(sprint).contextValue, 'sprint');
    });

    it('Create Task, in a sprint and directly in the project', async () => {
      await vscode.commands.executeCommand('cairn.createTask', sprint, 'Design the lander');
      await vscode.commands.executeCommand('cairn.createTask', project, 'Write the manual');
      const inSprint = await waitFor('task under sprint', async () => childNode((await childNode((await projectNode('Apollo'))!, 'sprint', 'Sprint 1'))!, 'task', 'Design the lander'));
      const inProject = await waitFor('task under project', async () => childNode((await projectNode('Apollo'))!, 'task', 'Write the manual'));
      const item = api.tree.getTreeItem(inSprint);
      assert.equal((item.iconPath as vscode.ThemeIcon).id, 'circle-large-outline', 'a pending task shows the pending icon');
      assert.equal(inProject.task.sprintId, null);
      await waitFor('status bar shows 2 open', () => api.statusBarText().includes('2 open'));
    });

    const task = async (title: string) => {
      const p = (await projectNode('Apollo'))!;
      const direct = await childNode(p, 'task', title);
      if (direct) return direct;
      return childNode((await childNode(p, 'sprint', 'Sprint 1'))!, 'task', title);
    };

    it('Set Task Status', async () => {
      const t = (await task('Design the lander'))!;
      const updated = (await vscode.commands.executeCommand('cairn.setTaskStatus', t, 'in_progress')) as TaskRow;
      assert.equal(updated.status, 'in_progress');
      const node = await waitFor('status in tree', async () => {
        const n = await task('Design the lander');
        return n?.task.status === 'in_progress' && n;
      });
      assert.equal((api.tree.getTreeItem(node).iconPath as vscode.ThemeIcon).id, 'play-circle');
    });

    it('Assign Task', async () => {
      const t = (await task('Design the lander'))!;
      await vscode.commands.executeCommand('cairn.assignTask', t, 'lander-architect');
      const node = await waitFor('assignee in tree', async () => {
        const n = await task('Design the lander');
        return n?.task.assignee === 'lander-architect' && n;
      });
      assert.match(String(api.tree.getTreeItem(node).description), /@lander-architect/);
    });

    it('Rename a task, a sprint and a project', async () => {
      await vscode.commands.executeCommand('cairn.rename', (await task('Write the manual'))!, 'Write the flight manual');
      await waitFor('renamed task', () => task('Write the flight manual'));
      const p = (await projectNode('Apollo'))!;
      await vscode.commands.executeCommand('cairn.rename', (await childNode(p, 'sprint', 'Sprint 1'))!, 'Sprint One');
      await waitFor('renamed sprint', async () => childNode((await projectNode('Apollo'))!, 'sprint', 'Sprint One'));
      await vscode.commands.executeCommand('cairn.rename', (await projectNode('Apollo'))!, 'Apollo 11');
      await waitFor('renamed project', () => projectNode('Apollo 11'));
    });

    it('Delete a task (confirmed) removes it from store and tree', async () => {
      const p = (await projectNode('Apollo 11'))!;
      const t = (await childNode(p, 'task', 'Write the flight manual'))!;
      await vscode.commands.executeCommand('cairn.delete', t, { confirmed: true });
      await waitFor('task gone from tree', async () => !(await childNode((await projectNode('Apollo 11'))!, 'task', 'Write the flight manual')));
      const left = await api.request<'tasks.list', TaskRow[]>('tasks.list', { projectId: p.project.id });
      assert.deepEqual(left.map((x) => x.title), ['Design the lander']);
      const events = await api.request<'events.list', { type: string; source: string }[]>('events.list', { aggregateId: t.task.id });
      assert.equal(events[0]!.type, 'task.deleted');
      assert.equal(events[0]!.source, 'extension');
    });

    it('Refresh, Show Log and Open Store Folder run', async () => {
      assert.equal(await vscode.commands.executeCommand('cairn.refresh'), true);
      assert.equal(await vscode.commands.executeCommand('cairn.showLog'), true);
      assert.equal(await vscode.commands.executeCommand('cairn.openStoreFolder'), api.storeDir);
    });
  });

  describe('changes from outside reach the tree without Refresh', () => {
    it('a task added and moved by the CLI shows up in the tree', async () => {
      const p = (await projectNode('Apollo 11'))!;
      const started = Date.now();
      const created = cliRun('task', 'add', '--project', p.project.id, '--assignee', 'cli-agent', 'Added from a terminal');
      const node = await waitFor('CLI task in tree', async () => childNode((await projectNode('Apollo 11'))!, 'task', 'Added from a terminal'));
      console.log(`    CLI write reached the tree after ${Date.now() - started} ms`);
      assert.equal(node.task.id, created.id);
      cliRun('task', 'move', created.id, 'done');
      const done = await waitFor('CLI move in tree', async () => {
        const n = await childNode((await projectNode('Apollo 11'))!, 'task', 'Added from a terminal');
        return n?.task.status === 'done' && n;
      });
      assert.equal((api.tree.getTreeItem(done).iconPath as vscode.ThemeIcon).id, 'pass-filled');
    });
  });

  describe('bad input shows an error and changes nothing', () => {
    const snapshot = async () => JSON.stringify([await api.request('projects.list', {}), await api.request('tasks.list', {}), await api.request('sprints.list', {})]);

    it('an empty project name', async () => {
      const before = await snapshot();
      const result = await vscode.commands.executeCommand('cairn.createProject', '   ');
      assert.equal(result, undefined);
      assert.match(lastError(), /name must not be empty/);
      assert.equal(await snapshot(), before);
    });

    it('an unknown status', async () => {
      const p = (await projectNode('Apollo 11'))!;
      const t = (await api.tree.getChildren(p)).find((n): n is TaskNode => n.kind === 'task')!;
      const before = await snapshot();
      await vscode.commands.executeCommand('cairn.setTaskStatus', t, 'finished-ish');
      assert.match(lastError(), /status must be one of pending, in_progress, blocked, done, cancelled/);
      assert.equal(await snapshot(), before);
    });

    it('a task for a project that does not exist', async () => {
      const before = await snapshot();
      const ghost = { kind: 'project', project: { id: '01GHOSTGHOSTGHOSTGHOSTGHOS', name: 'Ghost', version: 1, taskCounts: {} } };
      await vscode.commands.executeCommand('cairn.createTask', ghost, 'Haunt');
      assert.match(lastError(), /No project with id 01GHOSTGHOSTGHOSTGHOSTGHOS/);
      assert.equal(await snapshot(), before);
    });

    it('a stale version (someone else changed the task meanwhile)', async () => {
      const p = (await projectNode('Apollo 11'))!;
      const stale = (await api.tree.getChildren(p)).find((n): n is TaskNode => n.kind === 'task')!;
      cliRun('task', 'assign', stale.task.id, 'someone-else');
      await waitFor('tree sees the other change', async () => {
        const n = (await api.tree.getChildren((await projectNode('Apollo 11'))!)).find((x): x is TaskNode => x.kind === 'task' && x.task.id === stale.task.id);
        return n?.task.assignee === 'someone-else';
      });
      const before = await snapshot();
      await vscode.commands.executeCommand('cairn.assignTask', stale, 'me');
      assert.match(lastError(), /changed by someone else/);
      assert.equal(await snapshot(), before);
    });
  });

  describe('the backend process', () => {
    it('is restarted when it dies, and says so', async () => {
      const pid = api.backendPid();
      assert.ok(pid, 'backend is running');
      process.kill(pid, 'SIGKILL');
      await waitFor('restart warning', () => api.shownMessages().some((m) => m.level === 'warning' && /restarted/.test(m.message)));
      await waitFor('a new backend', () => api.backendPid() !== undefined && api.backendPid() !== pid);
      const projects = await api.request<'projects.list', Project[]>('projects.list', {});
      assert.ok(projects.some((p) => p.name === 'Apollo 11'), 'the store is served again');
    });

    it('reports a store that cannot be opened, without touching it, and recovers', async () => {
      const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
      const badStore = path.join(folder, 'not-a-store');
      fs.mkdirSync(badStore, { recursive: true });
      const badDb = path.join(badStore, 'cairn.db');
      fs.writeFileSync(badDb, 'these are my notes, not a database\n'.repeat(200));
      const hash = () => crypto.createHash('sha256').update(fs.readFileSync(badDb)).digest('hex');
      const before = hash();
      const config = vscode.workspace.getConfiguration('cairn');
      await config.update('storePath', 'not-a-store', vscode.ConfigurationTarget.Workspace);
      try {
        await waitFor('store error message', () => /not a SQLite database/.test(lastError()));
        assert.equal(api.storeDir, badStore);
        assert.equal(hash(), before, 'the file was not modified');
        assert.deepEqual(fs.readdirSync(badStore), ['cairn.db'], 'no files were added beside it');
        assert.match(api.statusBarText(), /warning/);
      } finally {
        await config.update('storePath', undefined, vscode.ConfigurationTarget.Workspace);
      }
      await waitFor('back on the workspace store', async () => api.storeDir === path.join(folder, '.cairn') && (await projectNode('Apollo 11')));
    });
  });

  describe('a long project', () => {
    it('shows its first page of tasks and a "Show more" item that shows the rest', async () => {
      const project = (await vscode.commands.executeCommand('cairn.createProject', 'Big')) as Project;
      for (let i = 0; i < 520; i++) await api.request('tasks.create', { projectId: project.id, title: `bulk ${String(i).padStart(3, '0')}` });
      const firstPage = await waitFor('first page', async () => {
        const p = await projectNode('Big');
        const kids = p && (await api.tree.getChildren(p));
        return kids?.some((k) => k.kind === 'more') && kids;
      });
      assert.equal(firstPage.filter((k) => k.kind === 'task').length, 500);
      const more = firstPage.find((k): k is MoreNode => k.kind === 'more')!;
      assert.equal(more.hidden, 20);
      const item = api.tree.getTreeItem(more);
      assert.equal(item.label, 'Show 20 more…');
      assert.equal(item.command?.command, 'cairn.showMore');
      await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
      const all = await api.tree.getChildren((await projectNode('Big'))!);
      assert.equal(all.filter((k) => k.kind === 'task').length, 520);
      assert.ok(!all.some((k) => k.kind === 'more'));
      await vscode.commands.executeCommand('cairn.delete', (await projectNode('Big'))!, { confirmed: true });
      await waitFor('big project gone', async () => !(await projectNode('Big')));
    });
  });

  describe('deleting a project', () => {
    it('removes it with its sprints and tasks', async () => {
      const p = (await projectNode('Apollo 11'))!;
      await vscode.commands.executeCommand('cairn.delete', p, { confirmed: true });
      await waitFor('project gone', async () => (await roots()).length === 0);
      assert.deepEqual(await api.request('tasks.list', { projectId: p.project.id }), []);
      await waitFor('status bar back to 0 open', () => api.statusBarText().includes('0 open'));
    });
  });
});
