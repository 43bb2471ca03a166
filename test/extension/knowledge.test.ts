// Integration tests for the knowledge vault commands in the real extension host: Index Knowledge Vault (missing
// folder, summary, skipped files), Search Knowledge with a query argument (paths, titles, snippets, highlights,
// opening a note at its first match), bad input, and the cairn.vaultPath setting.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../waitFor';
import type { CairnApi } from '../../src/extension/extension';
import type { IndexReport } from '../../src/store/knowledge/indexer';
import type { SearchHit } from '../../src/store/knowledge/search';

let api: CairnApi;
let workspace: string;

const last = (level: 'info' | 'error') => [...api.shownMessages()].reverse().find((m) => m.level === level)?.message ?? '';
const index = (options?: { create?: boolean }) => vscode.commands.executeCommand<IndexReport | undefined>('cairn.indexVault', ...(options ? [options] : []));
const search = (query: unknown, options?: { open?: boolean }) => vscode.commands.executeCommand<SearchHit[] | undefined>('cairn.searchKnowledge', query, options);

const NOTES: Record<string, string> = {
  'Apollo.md': '# Apollo Program\n\nThe lunar module landed in the Sea of Tranquility.\n\nSee [[Saturn V]] and [[Missing Note]].\n',
  'rockets/Saturn V.md': '---\ntags: [rocket]\n---\n# Saturn V\n\nA three-stage rocket.\nIts first stage burned kerosene and liquid oxygen.\n',
};

describe('Knowledge vault', function () {
  before(async () => {
    const ext = vscode.extensions.getExtension<CairnApi>('cairn.cairn');
    assert.ok(ext);
    api = await ext.activate();
    await api.whenReady();
    workspace = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  });

  it('contributes Index Knowledge Vault and Search Knowledge', async () => {
    const all = await vscode.commands.getCommands(true);
    assert.ok(all.includes('cairn.indexVault'));
    assert.ok(all.includes('cairn.searchKnowledge'));
    assert.equal(api.vaultDir, path.join(workspace, '.cairn', 'vault'), 'the default vault is <store>/vault');
  });

  it('a missing vault folder gives one error that offers to create it, and creates nothing', async () => {
    assert.ok(!fs.existsSync(api.vaultDir));
    const errorsBefore = api.shownMessages().filter((m) => m.level === 'error').length;
    assert.equal(await index(), undefined);
    assert.match(last('error'), /knowledge vault folder .*\.cairn\/vault does not exist/);
    assert.doesNotMatch(last('error'), /\n\s+at /, 'no stack trace');
    assert.equal(api.shownMessages().filter((m) => m.level === 'error').length, errorsBefore + 1, 'exactly one error');
    assert.ok(!fs.existsSync(api.vaultDir), 'the vault folder was not created');
  });

  it('a search before any indexing finds nothing and offers Index Now', async () => {
    assert.deepEqual(await search('anything'), []);
    assert.match(last('info'), /has not been indexed yet/);
  });

  it('indexes notes and sums up: notes, links, skipped files', async () => {
    for (const [rel, text] of Object.entries(NOTES)) {
      fs.mkdirSync(path.dirname(path.join(api.vaultDir, rel)), { recursive: true });
      fs.writeFileSync(path.join(api.vaultDir, rel), text);
    }
    fs.writeFileSync(path.join(api.vaultDir, 'blob.md'), Buffer.from([0x23, 0x20, 0x00, 0x01, 0x02]));
    const report = await index();
    assert.ok(report, `index failed: ${last('error')}`);
    assert.equal(report.notes, 2);
    assert.deepEqual(report.links, { resolved: 1, unresolved: 1 });
    assert.deepEqual(report.skipped.map((s) => s.path), ['blob.md']);
    assert.match(last('info'), /indexed 2 notes .*links: 1 resolved, 1 unresolved; 1 skipped/);
  });

  it('Search Knowledge with a query returns path, title, snippet and highlights', async () => {
    // Hybrid search: the note with the word comes first; notes near in meaning may follow.
    const hits = (await search('kerosene'))!;
    const hit = hits[0] as SearchHit;
    assert.equal(hit.path, 'rockets/Saturn V.md');
    assert.equal(hit.title, 'Saturn V');
    assert.match(hit.snippet, /burned kerosene and liquid oxygen/);
    assert.deepEqual(hit.highlights.map(([s, e]) => hit.snippet.slice(s, e).toLowerCase()), ['kerosene']);

    const prefix = (await search('lunar mod'))!;
    assert.deepEqual([prefix[0]!.path, prefix[0]!.title], ['Apollo.md', 'Apollo Program']);
    assert.ok((await search('zeppelin'))!.every((h) => h.highlights.length === 0), 'no note has the word');
  });

  it('opening a hit shows the note at the first line with a matched term', async () => {
    await search('kerosene', { open: true });
    const editor = await waitFor('editor on the note', () => vscode.window.activeTextEditor?.document.uri.fsPath.endsWith('Saturn V.md') && vscode.window.activeTextEditor);
    assert.equal(editor.selection.start.line, 6);
    assert.equal(editor.document.getText(editor.selection).toLowerCase(), 'kerosene');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('finds tasks, entities and memories too: a task hit reveals the task, a memory or an entity opens as a document', async () => {
    const { id: projectId } = await api.request<'projects.create', { id: string }>('projects.create', { name: 'Launch' });
    // Each item also has a word nothing else in the store has, so the hit opened is that item however the store's other
    // content (other suites' tasks, vectors made while searching) moves the ranking.
    const task = await api.request<'tasks.create', { id: string }>('tasks.create', { projectId, title: 'Order kerosene for the first stage from Zorblax' });
    await api.request('memory.remember', { type: 'decision', content: 'We buy kerosene only from the certified supplier Quuxcorp' });
    await api.request('graph.createEntities', { entities: [{ name: 'RP-1', entityType: 'fuel', observations: ['A refined kerosene blended by Flimflam'] }] });
    const hits = (await search('kerosene'))!;
    assert.deepEqual(new Set(hits.map((h) => h.kind)), new Set(['note', 'task', 'memory', 'entity']), JSON.stringify(hits.map((h) => [h.kind, h.id])));
    assert.deepEqual(hits.filter((h) => h.kind === 'task').map((h) => h.id), [task.id]);

    // The tree shows the new task first (its refresh follows store.changed), so there is a row to reveal.
    await waitFor('the task in the Projects tree', async () => {
      const project = (await api.tree.getChildren()).find((n) => n.kind === 'project' && n.project.id === projectId);
      return project && (await api.tree.getChildren(project)).some((n) => n.kind === 'task' && n.task.id === task.id);
    });
    assert.deepEqual((await search('zorblax'))!.map((h) => h.id), [task.id]);
    // Reveal Task selects its row (or, where the view cannot show it, names the task in a message). The view draws a
    // new row a moment after its data has it, so opening is tried again until the row is there to select.
    await waitFor('the task revealed', async () => {
      await search('zorblax', { open: true });
      return (api.treeView.selection as { task?: { id: string } }[]).some((n) => n.task?.id === task.id) || api.shownMessages().some((m) => m.message.includes(task.id));
    });

    assert.equal((await search('quuxcorp', { open: true }))![0]?.kind, 'memory');
    const memoryDoc = await waitFor('the memory as a document', () => vscode.window.activeTextEditor?.document.getText().startsWith('# Memory (decision)') && vscode.window.activeTextEditor);
    assert.match(memoryDoc.document.getText(), /We buy kerosene only from the certified supplier Quuxcorp/);
    assert.equal(memoryDoc.document.isDirty, false, 'read-only, nothing to save');
    assert.equal((await search('flimflam', { open: true }))![0]?.id, 'RP-1');
    await waitFor('the entity as a document', () => vscode.window.activeTextEditor?.document.getText().includes('A refined kerosene') && vscode.window.activeTextEditor);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('bad input: an empty or non-text query gives one error message', async () => {
    assert.equal(await search('   '), undefined);
    assert.match(last('error'), /^Cairn: query must not be empty$/);
    assert.equal(await search(42), undefined);
    assert.match(last('error'), /^Cairn: query must be a string$/);
    assert.equal(await index('yes' as never), undefined);
    assert.match(last('error'), /Index Knowledge Vault takes no argument/);
  });

  it('run from a view\'s title bar with a row selected (VS Code passes the row and the selection), index and search work as with no argument', async () => {
    fs.mkdirSync(api.vaultDir, { recursive: true });
    fs.writeFileSync(path.join(api.vaultDir, 'title-bar.md'), '# Title bar\n');
    const row = { kind: 'folder', folder: { path: 'notes', notes: 2 } };
    const errors = api.shownMessages().filter((m) => m.level === 'error').length;
    const report = await vscode.commands.executeCommand<IndexReport | undefined>('cairn.indexVault', row, [row]);
    assert.ok(report && report.notes >= 1, last('error'));
    // Search Knowledge opens its search box: nothing is searched for the row, no error.
    assert.equal(await vscode.commands.executeCommand('cairn.searchKnowledge', row, [row]), undefined);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(api.shownMessages().filter((m) => m.level === 'error').length, errors, last('error'));
    fs.rmSync(path.join(api.vaultDir, 'title-bar.md'));
    await index();
  });

  it('follows the cairn.vaultPath setting (relative to the workspace) and can create the folder', async () => {
    const config = vscode.workspace.getConfiguration('cairn');
    const other = path.join(workspace, 'my-notes');
    await config.update('vaultPath', 'my-notes', vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('the backend on the new vault', () => api.vaultDir === other);
      await api.whenReady();
      assert.equal(await index(), undefined);
      assert.match(last('error'), /my-notes does not exist/);
      assert.ok(!fs.existsSync(other));
      const report = (await index({ create: true }))!;
      assert.ok(fs.statSync(other).isDirectory(), 'Create Folder created it');
      assert.equal(report.notes, 0);
      assert.deepEqual((await search('kerosene'))!.filter((h) => h.kind === 'note'), [], 'no note: the new vault is empty (tasks, memories and entities are in the store)');
    } finally {
      await config.update('vaultPath', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('back on the default vault', () => api.vaultDir === path.join(workspace, '.cairn', 'vault'));
    assert.equal((await index())!.notes, 2);
    assert.equal((await search('kerosene', undefined))!.find((h) => h.kind === 'note')?.path, 'rockets/Saturn V.md');
  });
});
