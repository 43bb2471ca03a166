// Code lenses in the real extension host (code-server): a TypeScript file whose comments name a note and a task
// (a real task, created through the backend) gets lenses that open them; a file that a vault note links to gets
// "1 note mentions this file"; the lenses follow the store; a 50,000-line file gets lenses only where they mean
// something; the setting turns them off; the lens commands refuse bad arguments with one message.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../waitFor';
import type { CairnApi } from '../../src/extension/extension';
import type { FileMention } from '../../src/store/knowledge/codeRefs';
import type { TaskRow } from '../../src/store/schema';
import { CairnCodeLensProvider } from '../../src/views/codeLenses';
import { scanCommentRefs } from '../../src/views/commentRefs';
import type { TaskNode } from '../../src/views/nodes';

const OURS = new Set(['cairn.openNoteAt', 'cairn.revealTask', 'cairn.showFileMentions']);
const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

let api: CairnApi;
let workspace: string;
let vault: string;
let defaultVault: string;
let task: TaskRow;
let projectId: string;

/** Cairn's lenses of a file (resolving up to `resolve` of them, as the editor does for those in view). */
async function lenses(file: string, resolve = 1000): Promise<vscode.CodeLens[]> {
  const uri = vscode.Uri.file(file);
  await vscode.workspace.openTextDocument(uri); // the command answers for loaded documents only
  const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, resolve)) ?? [];
  return all.filter((l) => l.command && OURS.has(l.command.command));
}
const summary = (ls: vscode.CodeLens[]) => ls.map((l) => [l.range.start.line, l.command!.title, l.command!.command]);
const lastError = () => [...api.shownMessages()].reverse().find((m) => m.level === 'error')?.message ?? '';

function write(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe('Code lenses in source files (real VS Code)', function () {
  let source: string;

  before(async () => {
    const ext = vscode.extensions.getExtension<CairnApi>('cairn.cairn')!;
    api = await ext.activate();
    await api.whenReady();
    workspace = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    defaultVault = api.vaultDir;
    vault = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-lens-')), 'vault');
    write(path.join(vault, 'Some Note.md'), '# Some Note\n\n## Details\n\nWhy [the module](src/a.ts) is shaped so.\n');
    write(path.join(vault, 'Unrelated.md'), '# Unrelated\n\n[elsewhere](lib/b.ts)\n');
    await vscode.workspace.getConfiguration('cairn').update('vaultPath', vault, vscode.ConfigurationTarget.Workspace);
    await waitFor('the backend on the test vault', () => api.vaultDir === vault);
    await api.whenReady();
    assert.equal((await api.request<'knowledge.index', { notes: number }>('knowledge.index', {})).notes, 2);

    projectId = (await api.request<'projects.create', { id: string }>('projects.create', { name: 'Lens project' })).id;
    task = await api.request<'tasks.create', TaskRow>('tasks.create', { projectId, title: 'Wire the lenses', status: 'in_progress' });
    source = write(
      path.join(workspace, 'src', 'a.ts'),
      [
        'export const a = 1;',
        '// see [[Some Note]]',
        `// TODO ${task.id}`,
        `const id = "${task.id}"; // an id in a string is code, not a reference`,
        `// [[No Such Note]] and ${UNKNOWN_ID} mean nothing here`,
        '/* the details: [[Some Note#Details]] */',
        '',
      ].join('\n'),
    );
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // Leave the store as the other suites expect it: no projects, and a vault index that holds no notes.
    await api.request('projects.delete', { id: projectId });
    for (const f of fs.readdirSync(vault)) fs.rmSync(path.join(vault, f), { force: true });
    await api.request('knowledge.index', {});
    await vscode.workspace.getConfiguration('cairn').update('vaultPath', undefined, vscode.ConfigurationTarget.Workspace);
    await waitFor('back on the default vault', () => api.vaultDir === defaultVault);
    fs.rmSync(path.dirname(vault), { recursive: true, force: true });
    fs.rmSync(path.join(workspace, 'src'), { recursive: true, force: true });
  });

  it('a comment naming a note or a task shows its lens; a file a note links to shows "1 note mentions this file"', async () => {
    const found = await lenses(source);
    assert.deepEqual(summary(found), [
      [0, '$(references) 1 note mentions this file', 'cairn.showFileMentions'],
      [1, '$(book) Some Note', 'cairn.openNoteAt'],
      [2, '$(play-circle) Wire the lenses · In progress', 'cairn.revealTask'],
      [5, '$(book) Some Note', 'cairn.openNoteAt'],
    ]);
    const [, note, , heading] = found as [vscode.CodeLens, vscode.CodeLens, vscode.CodeLens, vscode.CodeLens];
    assert.deepEqual(note.command!.arguments, ['Some Note.md']);
    assert.deepEqual([note.range.start.character, note.range.end.character], [7, 20], 'the lens sits on the reference');
    assert.deepEqual(heading.command!.arguments, ['Some Note.md', 3], '[[Some Note#Details]] opens at the heading');
  });

  it('the lenses work: the note opens, the task is revealed in the Projects view, the mentions open at the link', async () => {
    const [file, note, taskLens, heading] = await lenses(source);
    await vscode.commands.executeCommand(note!.command!.command, ...note!.command!.arguments!);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, path.join(vault, 'Some Note.md'));
    await vscode.commands.executeCommand(heading!.command!.command, ...heading!.command!.arguments!);
    assert.equal(vscode.window.activeTextEditor?.selection.active.line, 2, 'at the heading');

    const revealed = await vscode.commands.executeCommand<TaskRow>(taskLens!.command!.command, ...taskLens!.command!.arguments!);
    assert.equal(revealed?.id, task.id);
    await waitFor('the task selected in the Projects view', () => (api.treeView.selection[0] as TaskNode | undefined)?.task?.id === task.id);

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const picked = vscode.commands.executeCommand<FileMention>(file!.command!.command, ...file!.command!.arguments!);
    let done = false;
    void picked.then(() => (done = true));
    await waitFor('the quick pick of mentions accepted', async () => {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return done;
    });
    assert.deepEqual(await picked, { path: 'Some Note.md', title: 'Some Note', line: 5, target: 'src/a.ts' });
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.fsPath, path.join(vault, 'Some Note.md'));
    assert.equal(editor.selection.active.line, 4, 'at the line that links the file');
  });

  it('follow the store: a task moved, a link removed from the note', async () => {
    const current = await api.request<'tasks.get', TaskRow>('tasks.get', { id: task.id });
    await api.request('tasks.update', { id: task.id, expectedVersion: current.version, status: 'done' });
    await waitFor('the task lens to say Done', async () => (await lenses(source)).some((l) => l.command!.title === '$(pass-filled) Wire the lenses · Done'));

    write(path.join(vault, 'Some Note.md'), '# Some Note\n\n## Details\n\nNo link any more.\n');
    await api.request('knowledge.index', {});
    await waitFor('the file lens to go', async () => !(await lenses(source)).some((l) => l.command!.command === 'cairn.showFileMentions'));
  });

  it('a 50,000-line file gets lenses only where they mean something', async () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `export const v${i} = ${i}; // value ${i} of the table`);
    lines[100] = `const s = "${task.id}"; const t = "[[Some Note]]";`;
    lines[25_000] = '// generated from [[Some Note]]';
    lines[30_000] = `// ${UNKNOWN_ID} [[Nowhere]]`;
    lines[49_999] = `# ${task.id}`;
    const big = write(path.join(workspace, 'src', 'big.ts'), lines.join('\n'));
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(big));
    assert.equal(doc.lineCount, 50_000);

    // Figures for the log (no assertion on time), per new version of the file (same references): the provider's own
    // provideCodeLenses (a provider like the registered one, on this document and this backend) and the editor's whole
    // round trip (executeCodeLensProvider, the lenses in view resolved), against getting the text and splitting it.
    const provider = new CairnCodeLensProvider({ lookup: (q) => api.request('codeLens.lookup', q), enabled: () => true, onError: (err) => assert.fail(err) });
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!.toFixed(1);
    const times = { provide: [] as number[], scan: [] as number[], roundTrip: [] as number[], split: [] as number[] };
    const timed = async (into: number[], fn: () => unknown) => {
      const started = performance.now();
      await fn();
      into.push(performance.now() - started);
    };
    await provider.provideCodeLenses(doc, new vscode.CancellationTokenSource().token); // the first asks the backend
    for (let round = 0; round < 7; round++) {
      const edit = new vscode.WorkspaceEdit();
      edit.insert(doc.uri, new vscode.Position(0, 0), ' ');
      await vscode.workspace.applyEdit(edit);
      await timed(times.provide, () => provider.provideCodeLenses(doc, new vscode.CancellationTokenSource().token));
      await timed(times.scan, () => assert.equal(scanCommentRefs(doc.getText()).length, 4));
      await timed(times.roundTrip, () => lenses(big, 2));
      await timed(times.split, () => assert.equal(doc.getText().split('\n').length, 50_000));
    }
    provider.dispose();
    await doc.save();
    console.log(
      `    50k-line file, per new version (median of 7): provideCodeLenses ${median(times.provide)} ms (getText + comment scan alone ${median(times.scan)} ms), editor round trip ${median(times.roundTrip)} ms; getText + split ${median(times.split)} ms`,
    );

    const found = await lenses(big);
    assert.deepEqual(
      found.map((l) => [l.range.start.line, l.command?.command]),
      [
        [25_000, 'cairn.openNoteAt'],
        [49_999, 'cairn.revealTask'],
      ],
    );
  });

  it('cairn.codeLens.enabled = false shows none; true brings them back', async () => {
    const config = vscode.workspace.getConfiguration('cairn');
    await config.update('codeLens.enabled', false, vscode.ConfigurationTarget.Workspace);
    try {
      assert.deepEqual(await lenses(source), []);
    } finally {
      await config.update('codeLens.enabled', undefined, vscode.ConfigurationTarget.Workspace);
    }
    assert.equal((await lenses(source)).length, 3);
  });

  it('the lens commands refuse bad arguments with one message, no stack trace', async () => {
    assert.equal(await vscode.commands.executeCommand('cairn.revealTask'), undefined);
    assert.equal(lastError(), 'Cairn: Reveal Task needs the id of a task.');
    assert.equal(await vscode.commands.executeCommand('cairn.revealTask', UNKNOWN_ID), undefined);
    assert.equal(lastError(), `Cairn: No task with id ${UNKNOWN_ID}.`);
    assert.equal(await vscode.commands.executeCommand('cairn.showFileMentions', 'x'), undefined);
    assert.match(lastError(), /^Cairn: Show File Mentions needs the notes that mention the file/);
    assert.equal(await vscode.commands.executeCommand('cairn.openNoteAt', '../outside.md'), undefined);
    assert.match(lastError(), /^Cairn: \.\.\/outside\.md is not inside the vault /);
    assert.equal(await vscode.commands.executeCommand('cairn.openNoteAt', 'Gone.md'), undefined);
    assert.match(lastError(), /^Cairn: Cannot open Gone\.md: it is no longer in the vault .*Index Knowledge Vault/);
  });
});
