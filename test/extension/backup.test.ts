// Backup, restore and sync inside the real VS Code, with a real backup git repository and a local bare repository
// as the remote: Back Up Now commits (checked with git), the history lists it, Restore brings the old state back
// into the Projects tree, a failing automatic backup notifies once, Sync Now pushes, and a conflict planted by a
// second store (the CLI) shows in the Conflicts view and Keep Theirs resolves it.
import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Connection } from '../../src/store/connection';
import { waitFor } from '../waitFor';
import type { CairnApi } from '../../src/extension/extension';
import type { RestoreOutcome } from '../../src/extension/backup/commands';
import type { BackupResult } from '../../src/sync/backup';
import type { SyncResult } from '../../src/sync/sync';
import type { RemoteInfo } from '../../src/sync/remote';
import type { Project } from '../../src/store/projects';
import type { TaskRow } from '../../src/store/schema';
import type { HistoryNode } from '../../src/views/backupHistoryTree';
import type { ConflictNode } from '../../src/views/conflictsTree';
import { nodeLabel, type TreeNode } from '../../src/views/nodes';

const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();

let api: CairnApi;
let extensionPath: string;

/** The CLI on a second store (another machine, in effect); asynchronous, so the extension host keeps answering. */
function cliOn(store: string, vault: string, ...args: string[]): Promise<Record<string, unknown>> {
  const argv = [path.join(extensionPath, 'dist', 'cli.js'), '--store', store, '--vault', vault, '--json', ...args];
  return new Promise((resolve, reject) =>
    execFile(process.execPath, argv, { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (err, stdout, stderr) =>
      err ? reject(new Error(`cairn ${args.join(' ')} failed: ${stderr}`)) : resolve(JSON.parse(stdout) as Record<string, unknown>),
    ),
  );
}

/** Labels of the Projects tree: each project with the labels of what it holds. */
async function projectsTree(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const p of await api.tree.getChildren()) {
    if (p.kind !== 'project') continue;
    out[p.project.name] = (await api.tree.getChildren(p)).filter((n): n is Exclude<TreeNode, { kind: 'more' }> => n.kind !== 'more').map(nodeLabel);
  }
  return out;
}

/** The newest notification, to say why a command answered nothing. */
const lastMessage = () => JSON.stringify(api.shownMessages().at(-1));
const errorsMatching = (re: RegExp) => api.shownMessages().filter((m) => m.level === 'error' && re.test(m.message)).length;

describe('Backup in VS Code (real git, local bare remote)', function () {
  this.timeout(120_000);
  const config = () => vscode.workspace.getConfiguration('cairn.backup');
  const set = (key: string, value: unknown) => config().update(key, value, vscode.ConfigurationTarget.Workspace);
  let root: string;
  let repo: string;
  let bare: string;
  let project: Project;
  let task: TaskRow;
  let firstBackup: string;

  before(async () => {
    const ext = vscode.extensions.getExtension<CairnApi>('cairn.cairn')!;
    extensionPath = ext.extensionPath;
    api = await ext.activate();
    await api.whenReady();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-backup-it-'));
    repo = path.join(root, 'backup');
    bare = path.join(root, 'remote.git');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    git(bare, 'config', 'receive.denyNonFastForwards', 'true'); // a force-push would fail loudly
    await set('repository', repo);
    await set('includeAgents', false); // the home folder's agents are not this test's business
    await set('idleMinutes', 0);
    await set('onShutdown', false);
  });

  after(async () => {
    for (const key of ['repository', 'remote', 'includeAgents', 'idleMinutes', 'onShutdown', 'privateNotes']) await set(key, undefined);
    // Leave the store as the other suites expect it: empty.
    for (const p of (await api.request('projects.list', {})) as Project[]) await api.request('projects.delete', { id: p.id });
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('Back Up Now commits to the backup repository; the history and the status bar show it', async () => {
    project = (await api.request('projects.create', { name: 'Backed up' })) as Project;
    task = (await api.request('tasks.create', { projectId: project.id, title: 'Original title' })) as TaskRow;
    const result = (await vscode.commands.executeCommand('cairn.backupNow')) as BackupResult;
    assert.equal(result.status, 'committed');
    firstBackup = result.commit!;
    assert.equal(git(repo, 'rev-parse', 'HEAD'), firstBackup, 'the commit is the repository HEAD');
    assert.match(git(repo, 'show', '--stat', '--format=%s', 'HEAD'), /db\/tasks\//, 'the commit holds the tasks as text');

    const items = (await api.backup.history.getChildren()) as HistoryNode[];
    const newest = items[0]!;
    assert.ok(newest.kind === 'backup' && newest.entry.commit === firstBackup, 'the newest history item is the backup');
    const item = api.backup.history.getTreeItem(newest);
    assert.match(String(item.label), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, 'labelled with its date, to the second');
    assert.equal(item.description, result.summary);
    const details = (await api.backup.history.getChildren(newest)).map((d) => (d.kind === 'detail' ? `${d.label}: ${d.description}` : ''));
    assert.ok(details.some((d) => /^size: \d+ files, /.test(d)), `size shown: ${details.join(' | ')}`);
    assert.match(api.backup.statusText(), /Backed up just now/);
  });

  it('Restore shows what would change, then brings the backed-up state back into the Projects tree', async () => {
    const current = (await api.request('tasks.get', { id: task.id })) as TaskRow;
    await api.request('tasks.update', { id: task.id, expectedVersion: current.version, title: 'Changed title' });
    await api.request('tasks.create', { projectId: project.id, title: 'Added after the backup' });
    await waitFor('the change in the tree', async () => (await projectsTree())['Backed up']?.includes('Changed title'));

    // The dry run alone (not confirmed) changes nothing and says what would change, by name.
    const dry = (await vscode.commands.executeCommand('cairn.restoreBackup', firstBackup, { confirm: false })) as RestoreOutcome;
    assert.equal(dry.restored, undefined);
    assert.match(dry.report, /## Tasks: 1 changed, 1 removed/);
    assert.match(dry.report, /Changed \(1\):\n- “Original title”/);
    assert.match(dry.report, /Removed \(1\):\n- “Added after the backup”/);
    assert.equal(((await api.request('tasks.get', { id: task.id })) as TaskRow).title, 'Changed title', 'a dry run changes nothing');

    const done = (await vscode.commands.executeCommand('cairn.restoreBackup', firstBackup, { confirm: true })) as RestoreOutcome;
    assert.ok(done.restored?.safetyCommit, 'the state before the restore was backed up first');
    assert.match(git(repo, 'log', '--format=%H', '-3'), new RegExp(done.restored.safetyCommit), 'the safety backup is in the history (the restore can be undone)');
    const tree = await waitFor('the restored state in the Projects tree', async () => {
      const t = await projectsTree();
      return t['Backed up']?.includes('Original title') && t;
    });
    assert.deepEqual(tree['Backed up'], ['Original title'], 'the task added after the backup is gone');
  });

  it('a backup in the history opens its change as diffs (a row field by field, before and after), and compares with the present', async () => {
    const current = (await api.request('tasks.get', { id: task.id })) as TaskRow;
    await api.request('tasks.update', { id: task.id, expectedVersion: current.version, title: 'Diffed title', priority: 'urgent' });
    const result = (await vscode.commands.executeCommand('cairn.backupNow')) as BackupResult;
    assert.equal(result.status, 'committed');
    const [newest] = (await api.backup.history.getChildren()) as HistoryNode[];
    assert.ok(newest?.kind === 'backup' && newest.entry.commit === result.commit);
    const children = await api.backup.history.getChildren(newest);
    const tasks = children.find((n) => n.kind === 'table' && n.table === 'tasks')!;
    assert.ok(tasks, `a tasks group: ${children.map((c) => c.kind).join(', ')}`);
    assert.match(String(api.backup.history.getTreeItem(tasks).description), /^1 changed$/);
    const [row] = await api.backup.history.getChildren(tasks);
    const rowItem = api.backup.history.getTreeItem(row!);
    assert.equal(rowItem.label, 'Diffed title');
    assert.equal(rowItem.description, 'priority, title'); // the changed fields, in the row's column order
    assert.ok(children.some((n) => n.kind === 'detail' && n.label === 'commit'), 'the details follow the changes');

    await vscode.commands.executeCommand(rowItem.command!.command, ...(rowItem.command!.arguments ?? []));
    const input = await waitFor('the diff editor', () => {
      const i = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return i instanceof vscode.TabInputTextDiff ? i : undefined;
    });
    const before = (await vscode.workspace.openTextDocument(input.original)).getText();
    const after = (await vscode.workspace.openTextDocument(input.modified)).getText();
    assert.match(before, /^  "title": "Original title",$/m);
    assert.match(after, /^  "title": "Diffed title",$/m);
    assert.match(after, /^  "priority": "urgent",$/m, 'one field per line');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

    // Against the present: what changed since (the title again, not backed up) is what a restore would change back.
    const now = (await api.request('tasks.get', { id: task.id })) as TaskRow;
    await api.request('tasks.update', { id: task.id, expectedVersion: now.version, title: 'Title of now' });
    const report = (await vscode.commands.executeCommand('cairn.compareBackupWithPresent', result.commit)) as string;
    assert.match(report, /^# The backup of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d against the present/);
    assert.match(report, /## Tasks: 1 changed/);
    assert.equal(((await api.request('tasks.get', { id: task.id })) as TaskRow).title, 'Title of now', 'comparing changes nothing');
  });

  /** A project of 60 tasks, backed up, whose tasks another program then removes behind Cairn's back (a bad copy, a damaged file): no event says so. */
  async function sixtyTasksRemovedBehindCairnsBack(name: string): Promise<Project> {
    const many = (await api.request('projects.create', { name })) as Project;
    for (let i = 0; i < 60; i++) await api.request('tasks.create', { projectId: many.id, title: `Task ${i}` });
    assert.equal(((await vscode.commands.executeCommand('cairn.backupNow')) as BackupResult).status, 'committed');
    const other = await Connection.open(path.join(api.storeDir, 'cairn.db'), { busyTimeoutMs: 5000, slowQueryMs: 60_000 });
    await other.run('delete from tasks where project_id = ?', [many.id]);
    await other.close();
    return many;
  }

  it('a backup that would record many removals no deletion explains asks first, with the counts; it goes ahead only when told', async () => {
    const many = await sixtyTasksRemovedBehindCairnsBack('Many');
    const head = git(repo, 'rev-parse', 'HEAD');

    const shown = api.shownMessages().length;
    assert.equal(await vscode.commands.executeCommand('cairn.backupNow', { confirmMassDelete: false }), undefined, 'declined: no backup');
    const asked = api.shownMessages().slice(shown);
    assert.ok(
      asked.some((m) => m.level === 'warning' && /^Cairn: this backup would record 60 of \d+ tasks as removed, and no deletion in the event log explains it\. Nothing was changed yet\./.test(m.message)),
      JSON.stringify(asked),
    );
    assert.equal(git(repo, 'rev-parse', 'HEAD'), head, 'nothing was committed');

    const done = (await vscode.commands.executeCommand('cairn.backupNow', { confirmMassDelete: true })) as BackupResult;
    assert.equal(done.status, 'committed', 'told to go ahead, it commits the removals');
    assert.notEqual(git(repo, 'rev-parse', 'HEAD'), head);
    await api.request('projects.delete', { id: many.id });
  });

  it('Restore… in the mass deletion modal opens the restore once the refused backup has let go (not "a backup is running")', async () => {
    const many = await sixtyTasksRemovedBehindCairnsBack('Many again');

    const shown = api.shownMessages().length;
    assert.equal(await vscode.commands.executeCommand('cairn.backupNow', { confirmMassDelete: 'restore' }), undefined);
    // The restore starts as the backup's command ends: it picks a backup (a quick pick), never "try again".
    const said = api.shownMessages().slice(shown);
    assert.ok(said.some((m) => /would record 60 of \d+ tasks as removed/.test(m.message)), JSON.stringify(said));
    assert.deepEqual(said.filter((m) => /is running; try again/.test(m.message)), [], 'the restore was not refused as "a backup is running"');
    for (let i = 0; i < 10; i++) {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen'); // the restore's backup picker: cancelled
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(((await vscode.commands.executeCommand('cairn.backupNow', { confirmMassDelete: true })) as BackupResult).status, 'committed');
    await api.request('projects.delete', { id: many.id });
  });

  it('an automatic backup refused as a mass deletion says what to do in VS Code, not which flag to pass', async () => {
    const many = await sixtyTasksRemovedBehindCairnsBack('Many, automatically');
    const shown = api.shownMessages().length;
    await api.backup.runAutomatic();
    const said = api.shownMessages().slice(shown);
    const failed = said.filter((m) => m.level === 'error');
    assert.equal(failed.length, 1, JSON.stringify(said));
    assert.match(failed[0]!.message, /^Cairn: the automatic backup failed: refused: it would record 60 of \d+ tasks as removed, .*; nothing was committed\. Back Up Now \(Review…\) shows the counts/);
    assert.doesNotMatch(failed[0]!.message, /--allow-mass-delete|allowMassDelete|cairn (backup|restore)/);
    assert.equal(((await vscode.commands.executeCommand('cairn.backupNow', { confirmMassDelete: true })) as BackupResult).status, 'committed');
    await api.request('projects.delete', { id: many.id });
  });

  it('a failed automatic backup shows exactly one notification and the status bar says failed', async () => {
    const notAFolder = path.join(root, 'not-a-folder');
    fs.writeFileSync(notAFolder, 'a file where the backup repository should be');
    await set('repository', notAFolder);
    const pattern = /automatic backup failed.*is a file/;
    const before = errorsMatching(pattern);
    await api.backup.runAutomatic();
    await api.backup.runAutomatic();
    await api.backup.runAutomatic();
    assert.equal(errorsMatching(pattern), before + 1, 'one notification for three failures of the same cause');
    assert.equal(api.backup.statusText(), '$(error) Backup failed');

    // A success ends the failure; failing again afterwards is news, and is notified again.
    await set('repository', repo);
    await api.backup.runAutomatic();
    assert.match(api.backup.statusText(), /Backed up just now/);
    await set('repository', notAFolder);
    await api.backup.runAutomatic();
    assert.equal(errorsMatching(pattern), before + 2);
    await set('repository', repo);
  });

  it('closing VS Code backs up what changed (when enabled), and nothing when nothing changed', async () => {
    await set('onShutdown', true);
    const head = git(repo, 'rev-parse', 'HEAD');
    await api.backup.onShutdown(60_000);
    assert.equal(git(repo, 'rev-parse', 'HEAD'), head, 'no change, no backup');
    await api.request('tasks.create', { projectId: project.id, title: 'Written just before closing' });
    await waitFor('the change seen', async () => (await projectsTree())['Backed up']?.includes('Written just before closing'));
    await api.backup.onShutdown(60_000);
    assert.notEqual(git(repo, 'rev-parse', 'HEAD'), head, 'the change was backed up');
    assert.match(git(repo, 'log', '-1', '--format=%s'), /1 task added/);
    await set('onShutdown', false);
  });

  it('Configure Backup Remote + Sync Now pushes to the bare repository', async () => {
    const info = (await vscode.commands.executeCommand('cairn.configureBackupRemote', bare)) as RemoteInfo;
    assert.equal(info.url, bare);
    assert.equal(info.reachable, true);
    assert.equal(config().get('remote'), bare, 'saved in the settings');
    assert.equal(git(repo, 'remote', 'get-url', 'origin'), bare, "and in the repository's git config");

    const r = (await vscode.commands.executeCommand('cairn.syncNow')) as SyncResult | undefined;
    assert.ok(r, lastMessage());
    assert.equal(r.pushed, true, JSON.stringify(r));
    assert.equal(git(bare, 'rev-parse', 'main'), git(repo, 'rev-parse', 'HEAD'), 'the remote holds the local history');
    const [newest] = (await api.backup.history.getChildren()) as HistoryNode[];
    assert.ok(newest?.kind === 'backup' && newest.entry.pushed === true, 'the history says it is on the remote');
  });

  it('a conflict planted by another machine shows in the Conflicts view; Keep Theirs resolves it', async () => {
    // Machine B: a store synced from the same remote renames the project and pushes.
    const storeB = path.join(root, 'b');
    const vaultB = path.join(root, 'b-vault');
    fs.mkdirSync(vaultB);
    await cliOn(storeB, vaultB, 'init');
    await cliOn(storeB, vaultB, 'remote', 'set', bare);
    await cliOn(storeB, vaultB, 'sync', '--without-agents');
    await cliOn(storeB, vaultB, 'project', 'rename', project.id, 'Renamed on B');
    assert.equal((await cliOn(storeB, vaultB, 'sync', '--without-agents')).pushed, true);

    // Here: the same field, another value.
    const p = (await api.request('projects.get', { id: project.id })) as Project;
    await api.request('projects.update', { id: project.id, expectedVersion: p.version, name: 'Renamed here' });
    const r = (await vscode.commands.executeCommand('cairn.syncNow')) as SyncResult | undefined;
    assert.ok(r, lastMessage());
    assert.equal(r.status, 'merged');
    assert.equal(r.conflicts.length, 1, JSON.stringify(r.conflicts));
    assert.ok(api.shownMessages().some((m) => m.level === 'warning' && /1 to resolve/.test(m.message)), 'the sync says there is a conflict to resolve');

    await vscode.commands.executeCommand('cairn.resolveConflicts');
    const [node] = (await api.backup.conflicts.getChildren()) as ConflictNode[];
    assert.ok(node && node.kind === 'conflict', 'the conflict is listed');
    assert.equal(node.conflict.table, 'projects');
    assert.deepEqual(node.conflict.fields, ['name']);
    const item = api.backup.conflicts.getTreeItem(node);
    assert.equal(item.contextValue, 'conflictRow', 'with the keep mine / keep theirs / edit actions');
    const [side] = await api.backup.conflicts.getChildren(node);
    assert.equal(side?.kind === 'side' && side.description, 'mine “Renamed here” · theirs “Renamed on B”');

    await vscode.commands.executeCommand('cairn.conflict.keepTheirs', node);
    await waitFor('the Conflicts view empty', async () => (await api.backup.conflicts.getChildren()).length === 0);
    assert.equal(((await api.request('projects.get', { id: project.id })) as Project).name, 'Renamed on B');
    await waitFor('their name in the Projects tree', async () => {
      const tree = await projectsTree();
      if (!('Renamed on B' in tree)) throw new Error(`the tree shows ${JSON.stringify(tree)}`);
      return true;
    });
  });

  it('Sync Now asks about each refusal in turn (a mass deletion, then private notes in the history) and goes through', async () => {
    // A private note committed while privateNotes was include: the history to push holds it.
    const note = path.join(api.vaultDir, 'private plan.md');
    await set('privateNotes', 'include');
    const madeVault = !fs.existsSync(api.vaultDir);
    fs.mkdirSync(api.vaultDir, { recursive: true });
    fs.writeFileSync(note, '---\nprivate: true\n---\n# Plan\n');
    assert.equal(((await vscode.commands.executeCommand('cairn.backupNow')) as BackupResult).status, 'committed');
    await set('privateNotes', undefined);
    const many = await sixtyTasksRemovedBehindCairnsBack('Many, synced');

    const shown = api.shownMessages().length;
    const r = (await vscode.commands.executeCommand('cairn.syncNow', { confirmMassDelete: true, confirmPrivateHistory: 'push' })) as SyncResult | undefined;
    const said = api.shownMessages().slice(shown);
    assert.ok(r, JSON.stringify(said));
    assert.equal(r.pushed, true, JSON.stringify(r));
    assert.equal(git(bare, 'rev-parse', 'main'), git(repo, 'rev-parse', 'HEAD'), 'the remote holds the local history');
    assert.ok(said.some((m) => /^Cairn: this sync's backup would record 60 of \d+ tasks as removed/.test(m.message)), JSON.stringify(said));
    assert.ok(said.some((m) => /^Cairn: the history this sync would push to .* holds 1 private note .*private plan\.md/.test(m.message)), JSON.stringify(said));
    assert.deepEqual(said.filter((m) => m.level === 'error'), [], 'no refusal shown as an error');
    fs.rmSync(note);
    // Later suites start from a store without a vault folder.
    if (madeVault) fs.rmSync(api.vaultDir, { recursive: true });
    await api.request('projects.delete', { id: many.id });
  });
});
