// Markdown editing inside a real VS Code, on a copy of a real vault (Foam's documentation, 80+ notes) plus a few
// notes of our own: `[[` / `#` / `[[Note#` completion, go-to-definition and hover through VS Code's own provider
// commands, the note commands (New Note from a template, Open Daily Note, New Decision Record, Rename Note through
// the Refactor Preview), and bad input (existing names, illegal characters, a missing template folder, a note
// outside the vault) that writes nothing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FOAM_VAULT } from '../fixtures';
import { waitFor } from '../waitFor';
import type { CairnApi } from '../../src/extension/extension';
import { linkAt, typingAt } from '../../src/extension/markdown/linkAt';
import type { IndexReport } from '../../src/store/knowledge/indexer';
import type { NoteLinks } from '../../src/store/knowledge/links';
import type { NewNoteResult } from '../../src/store/knowledge/newNotes';
import type { RenamePlan } from '../../src/store/knowledge/rename';

const SOURCE_VAULT = FOAM_VAULT;

let api: CairnApi;
let vault: string;
let defaultVault: string;

const abs = (rel: string) => path.join(vault, ...rel.split('/'));
const read = (rel: string) => fs.readFileSync(abs(rel), 'utf8');
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(abs(rel)), { recursive: true });
  fs.writeFileSync(abs(rel), text);
};
const lastError = () => [...api.shownMessages()].reverse().find((m) => m.level === 'error')?.message ?? '';
const errorCount = () => api.shownMessages().filter((m) => m.level === 'error').length;
/** Ours: notes are File items, aliases, headings and blocks Reference items, tags Keyword items (not the editor's word suggestions). */
const ours = (items: vscode.CompletionItem[]) => items.filter((i) => i.kind === vscode.CompletionItemKind.File || i.kind === vscode.CompletionItemKind.Reference || i.kind === vscode.CompletionItemKind.Keyword);
const labelOf = (item: vscode.CompletionItem) => (typeof item.label === 'string' ? item.label : item.label.label);
const insertOf = (item: vscode.CompletionItem) => (typeof item.insertText === 'string' ? item.insertText : (item.insertText?.value ?? labelOf(item)));

async function complete(rel: string, line: number, character: number): Promise<vscode.CompletionItem[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', vscode.Uri.file(abs(rel)), new vscode.Position(line, character));
  return ours(list.items);
}

async function definition(rel: string, line: number, character: number): Promise<{ path: string; line: number }[]> {
  const found = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', vscode.Uri.file(abs(rel)), new vscode.Position(line, character));
  // The built-in Markdown extension may answer for Markdown links too: the same place counts once.
  const places = found.map((d) => {
    const uri = 'targetUri' in d ? d.targetUri : d.uri;
    const range = 'targetUri' in d ? d.targetRange : d.range;
    return JSON.stringify({ path: path.relative(vault, uri.fsPath).split(path.sep).join('/'), line: range.start.line });
  });
  return [...new Set(places)].map((p) => JSON.parse(p) as { path: string; line: number });
}

async function hoverText(rel: string, line: number, character: number): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', vscode.Uri.file(abs(rel)), new vscode.Position(line, character));
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

/** Every file of the vault with its text, to show that a refused command wrote nothing. */
function snapshot(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(vault, p), fs.readFileSync(p, 'utf8'));
    }
  };
  walk(vault);
  return out;
}

const SCRATCH = [
  '# Scratch', // 0
  'See [[', // 1: note names
  'Tagged #proj', // 2: tags
  'About [[Ada Lovelace#', // 3: headings
  'Go [[wikilinks#Section Links|sections]] and ![[embeds]] and [[Ada Lovelace#^born]].', // 4
  'Markdown [the docs](user/features/wikilinks.md) and [[Countess of Lovelace]] and [[Nowhere]].', // 5
  '`[[wikilinks]]` in code', // 6
  '',
].join('\n');

describe('Markdown editing: completion, definition, hover and note commands in the vault', function () {
  this.timeout(120_000);

  before(async () => {
    const ext = vscode.extensions.getExtension<CairnApi>('cairn.cairn');
    assert.ok(ext);
    api = await ext.activate();
    await api.whenReady();
    defaultVault = api.vaultDir;
    vault = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-md-vault-'));
    fs.cpSync(SOURCE_VAULT, vault, { recursive: true });
    write('people/Ada Lovelace.md', '---\naliases: [Countess of Lovelace]\ntags: [person]\n---\n# Ada Lovelace\n\nWrote the first program.\n\n## Early life\n\nBorn in London. ^born\n\n## Work\n\nThe Analytical Engine. #project/alpha\n');
    write('people/Charles Babbage.md', '# Charles Babbage\n');
    write('templates/Meeting.md', '---\ntags: [meeting]\n---\n# {{title}}\n\nHeld on {{date:dddd D MMMM YYYY}}.\n');
    write('scratch.md', SCRATCH);
    await vscode.workspace.getConfiguration('cairn').update('vaultPath', vault, vscode.ConfigurationTarget.Workspace);
    await waitFor('the backend on the copied vault', () => api.vaultDir === vault);
    await api.whenReady();
    const report = await vscode.commands.executeCommand<IndexReport>('cairn.indexVault');
    assert.ok(report && report.notes > 80, `indexed: ${lastError()}`);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('cairn').update('vaultPath', undefined, vscode.ConfigurationTarget.Workspace);
    await waitFor('back on the default vault', () => api.vaultDir === defaultVault);
    fs.rmSync(vault, { recursive: true, force: true });
  });

  it('`[[` offers every note by the link Obsidian would write, and aliases as Note|alias', async () => {
    const items = await complete('scratch.md', 1, 6);
    const byLabel = new Map(items.map((i) => [labelOf(i), i]));
    assert.ok(items.length > 80, `${items.length} items`);
    assert.equal(insertOf(byLabel.get('wikilinks')!), 'wikilinks]]', 'a unique name: the name, and the closing brackets');
    assert.equal(insertOf(byLabel.get('/index')!), '/index]]', 'index.md at the top and user/index.md: the path');
    assert.equal(insertOf(byLabel.get('user/index')!), 'user/index]]');
    assert.equal(insertOf(byLabel.get('Countess of Lovelace')!), 'Ada Lovelace|Countess of Lovelace]]');
    assert.deepEqual(byLabel.get('wikilinks')!.range && (byLabel.get('wikilinks')!.range as vscode.Range).start.character, 6);
  });

  it('`#` offers the vault\'s tags, `[[Note#` its headings; nothing inside plain text', async () => {
    const tags = await complete('scratch.md', 2, 12);
    const labels = tags.map(labelOf);
    for (const t of ['#project/alpha', '#person', '#meeting']) assert.ok(labels.includes(t), `${t} in ${labels.join(' ')}`);
    assert.equal(insertOf(tags.find((i) => labelOf(i) === '#project/alpha')!), 'project/alpha');

    const headings = await complete('scratch.md', 3, 21);
    assert.deepEqual(headings.map((i) => insertOf(i)), ['Ada Lovelace]]', 'Early life]]', 'Work]]']);

    const none = await complete('scratch.md', 0, 5);
    assert.ok(!none.some((i) => labelOf(i) === 'wikilinks'), 'no note names outside [[');
  });

  it('go-to-definition: wikilink to a heading, embed, block, Markdown link and alias; nothing for a placeholder', async () => {
    assert.deepEqual(await definition('scratch.md', 4, 8), [{ path: 'user/features/wikilinks.md', line: 19 }], '[[wikilinks#Section Links]]');
    assert.deepEqual(await definition('scratch.md', 4, 50), [{ path: 'user/features/embeds.md', line: 0 }], '![[embeds]]');
    assert.deepEqual(await definition('scratch.md', 4, 70), [{ path: 'people/Ada Lovelace.md', line: 10 }], '[[Ada Lovelace#^born]]');
    assert.deepEqual(await definition('scratch.md', 5, 12), [{ path: 'user/features/wikilinks.md', line: 0 }], 'a Markdown link');
    assert.deepEqual(await definition('scratch.md', 5, 60), [{ path: 'people/Ada Lovelace.md', line: 4 }], 'by alias, past the front matter');
    assert.deepEqual(await definition('scratch.md', 5, 88), [], '[[Nowhere]] is a placeholder');
  });

  it('hover previews the target: title, path and its first lines (or the section of a heading link)', async () => {
    const ada = await hoverText('scratch.md', 5, 60);
    assert.match(ada, /\*\*Ada Lovelace\*\*/);
    assert.match(ada, /`people\/Ada Lovelace\.md`/);
    assert.match(ada, /Wrote the first program\./);
    const section = await hoverText('scratch.md', 4, 8);
    assert.match(section, /## Section Links/);
    assert.doesNotMatch(section, /## Block Links/, 'only that section');
    assert.equal(await hoverText('scratch.md', 0, 3), '', 'no hover off a link');
  });

  it('New Note from a template: variables filled in, the note opened; an existing name or bad input writes nothing', async () => {
    const made = (await vscode.commands.executeCommand<NewNoteResult>('cairn.newNote', { title: 'Sprint review', template: 'Meeting' }))!;
    assert.equal(made.path, 'Sprint review.md', lastError());
    assert.match(read('Sprint review.md'), /^---\ntags: \[meeting\]\n---\n# Sprint review\n\nHeld on \w+day \d+ \w+ \d{4}\.\n$/);
    await waitFor('the new note in the editor', () => vscode.window.activeTextEditor?.document.uri.fsPath === abs('Sprint review.md'));

    const before = snapshot();
    const errors = errorCount();
    assert.equal(await vscode.commands.executeCommand('cairn.newNote', { title: 'Sprint review' }), undefined);
    assert.match(lastError(), /^Cairn: Sprint review\.md already exists\. Choose another name; Cairn never overwrites a note\.$/);
    assert.equal(await vscode.commands.executeCommand('cairn.newNote', { title: 'a: b?' }), undefined);
    assert.match(lastError(), /contains ":", which cannot be in a note name/);
    await vscode.workspace.getConfiguration('cairn').update('templatesFolder', 'no-templates-here', vscode.ConfigurationTarget.Workspace);
    try {
      assert.equal(await vscode.commands.executeCommand('cairn.newNote', { title: 'Fine', template: 'Meeting' }), undefined);
      assert.match(lastError(), /The templates folder "no-templates-here" does not exist in the vault/);
    } finally {
      await vscode.workspace.getConfiguration('cairn').update('templatesFolder', undefined, vscode.ConfigurationTarget.Workspace);
    }
    assert.equal(errorCount(), errors + 3, 'one message each');
    assert.doesNotMatch(lastError(), /\n\s+at /, 'no stack trace');
    assert.deepEqual(snapshot(), before, 'nothing written');
  });

  it('New Note without arguments asks for a template, then a title; cancelling writes nothing', async () => {
    const before = snapshot();
    let settled = false;
    const running = vscode.commands.executeCommand('cairn.newNote').then((r) => ((settled = true), r));
    // The quick pick lists "Blank note" and the templates; take the next one (Meeting), then cancel the title box.
    await waitFor('the template picked', async () => {
      await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      return settled;
    });
    assert.equal(await running, undefined);
    assert.deepEqual(snapshot(), before);
  });

  it('Open Daily Note makes today\'s note once, then opens it; New Decision Record numbers records', async () => {
    const first = (await vscode.commands.executeCommand<NewNoteResult>('cairn.openDailyNote'))!;
    assert.match(first.path, /^daily\/\d{4}-\d{2}-\d{2}\.md$/, lastError());
    assert.equal(first.created, true);
    fs.appendFileSync(first.absPath, 'kept\n');
    const again = (await vscode.commands.executeCommand<NewNoteResult>('cairn.openDailyNote'))!;
    assert.deepEqual([again.path, again.created], [first.path, false]);
    assert.equal(read(first.path), 'kept\n');
    await waitFor('the daily note in the editor', () => vscode.window.activeTextEditor?.document.uri.fsPath === first.absPath);

    write('decisions/0002-older.md', '# 2. Older\n');
    const adr = (await vscode.commands.executeCommand<NewNoteResult>('cairn.newDecision', { title: 'Use SQLite for the store' }))!;
    assert.equal(adr.path, 'decisions/0003-use-sqlite-for-the-store.md');
    assert.match(read(adr.path), /^# 3\. Use SQLite for the store\n\nDate: \d{4}-\d{2}-\d{2}\n\n## Status\n\nProposed\n\n## Context\n[\s\S]*## Decision\n[\s\S]*## Consequences\n/);
  });

  it('Rename Note asks which notes\' links to update before it writes anything: cancelled, nothing is written', async () => {
    write('elsewhere.md', '# Elsewhere\n\nLinks: [[Ada Lovelace]], [[Ada Lovelace#Work|her work]], ![[Ada Lovelace#^born]], [md](people/Ada%20Lovelace.md), [[Countess of Lovelace]].\n');
    await vscode.commands.executeCommand('cairn.indexVault');
    const before = snapshot();
    const doc = await vscode.workspace.openTextDocument(abs('people/Ada Lovelace.md'));
    await vscode.window.showTextDocument(doc);
    let settled: { applied: boolean; plan: RenamePlan } | undefined | null = null;
    const running = vscode.commands.executeCommand<{ applied: boolean; plan: RenamePlan }>('cairn.renameNote', { newName: 'Ada King' }).then((r) => (settled = r));
    await waitFor('the list of notes to update to be cancelled', async () => {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      return settled !== null;
    }, 30_000);
    await running;
    assert.equal(settled, undefined, lastError());
    assert.deepEqual(snapshot(), before, 'nothing written');
  });

  it('Rename Note with its list of notes accepted as shown (every note ticked) renames the file and updates every link, in open and closed notes', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(abs('people/Ada Lovelace.md')));
    const errors = errorCount();
    let settled: { applied: boolean; plan: RenamePlan } | undefined | null = null;
    const running = vscode.commands.executeCommand<{ applied: boolean; plan: RenamePlan }>('cairn.renameNote', { newName: 'Ada King' }).then((r) => (settled = r));
    // Enter in the list, as a user who reads it and agrees: every note is ticked to start with.
    await waitFor('the list of notes to update to be accepted', async () => {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return settled !== null;
    }, 30_000);
    const result = await running;
    assert.equal(errorCount(), errors, lastError());
    assert.deepEqual(result?.plan.files, ['elsewhere.md', 'scratch.md']);
    assert.equal(result?.plan.edits.length, 5);
    assert.ok(result?.applied, lastError());
    assert.ok(!fs.existsSync(abs('people/Ada Lovelace.md')));
    assert.match(read('people/Ada King.md'), /^---\naliases: \[Countess of Lovelace\]/);
    assert.equal(read('elsewhere.md'), '# Elsewhere\n\nLinks: [[Ada King]], [[Ada King#Work|her work]], ![[Ada King#^born]], [md](people/Ada%20King.md), [[Countess of Lovelace]].\n');
    assert.match(read('scratch.md'), /\[\[Countess of Lovelace\]\]/, 'a link by alias still works and is left alone');
    assert.match(read('scratch.md'), /and \[\[Ada King#\^born\]\]\.$/m, 'a note that was never opened is updated and saved too');
    const links = await waitFor('the index to follow', async () => {
      const l = await api.request<'notes.links', NoteLinks>('notes.links', { note: 'people/Ada King.md' }).catch(() => undefined);
      return l && l.backlinks.length >= 5 ? l : undefined;
    });
    assert.deepEqual([...new Set(links.backlinks.map((b) => b.path))].sort(), ['elsewhere.md', 'scratch.md']);
  });

  it('Rename Note of a much-linked note (without preview) updates every backlink the store knew', async () => {
    const before = await api.request<'notes.links', NoteLinks>('notes.links', { note: 'user/features/wikilinks.md' });
    const linking = [...new Set(before.backlinks.map((b) => b.path!))].filter((p) => p !== 'scratch.md');
    assert.ok(linking.length >= 8, `${linking.length} notes link to it`);
    const r = (await vscode.commands.executeCommand<{ applied: boolean; plan: RenamePlan }>('cairn.renameNote', { note: 'user/features/wikilinks.md', newName: 'Wiki Links', preview: false }))!;
    assert.ok(r?.applied, lastError());
    assert.ok(fs.existsSync(abs('user/features/Wiki Links.md')));
    // The edited notes are saved by VS Code; on a loaded machine a save can land a moment after the command returns.
    const stale = (p: string) => /\[\[wikilinks[\]#|]/.test(read(p).replace(/`[^`\n]*`/g, ''));
    await waitFor('every linking note saved with the new name', () => linking.every((p) => !stale(p))).catch(() => undefined);
    for (const p of linking) assert.ok(!stale(p), `${p} still links the old name`);
    assert.match(read('scratch.md'), /^Go \[\[Wiki Links#Section Links\|sections\]\]/m);
    assert.match(read('scratch.md'), /^`\[\[wikilinks\]\]` in code$/m, 'code is not a link');
    const after = await waitFor('the index to follow', async () => {
      const l = await api.request<'notes.links', NoteLinks>('notes.links', { note: 'user/features/Wiki Links.md' }).catch(() => undefined);
      return l && l.backlinks.length === before.backlinks.length ? l : undefined;
    });
    assert.equal(after.backlinks.length, before.backlinks.length);
  });

  it('a note renamed another way (the Explorer, a WorkspaceEdit) gets its links updated too', async () => {
    write('people/Grace Hopper.md', '# Grace Hopper\n\n## Navy\n\nRear admiral.\n');
    write('grace-fans.md', '# Fans\n\nSee [[Grace Hopper#Navy|the Navy years]] and [her](people/Grace%20Hopper.md).\n');
    await vscode.commands.executeCommand('cairn.indexVault');
    const edit = new vscode.WorkspaceEdit();
    edit.renameFile(vscode.Uri.file(abs('people/Grace Hopper.md')), vscode.Uri.file(abs('people/Grace Brewster Hopper.md')));
    assert.ok(await vscode.workspace.applyEdit(edit), 'renamed');
    const fans = await vscode.workspace.openTextDocument(abs('grace-fans.md'));
    assert.equal(fans.getText(), '# Fans\n\nSee [[Grace Brewster Hopper#Navy|the Navy years]] and [her](people/Grace%20Brewster%20Hopper.md).\n');
    // VS Code saves the files a refactoring changed (files.refactoring.autoSave, on by default) a moment later.
    await waitFor('the edit saved', () => !fans.isDirty && /\[\[Grace Brewster Hopper#Navy\|the Navy years\]\]/.test(read('grace-fans.md')));
  });

  it('a folder renamed or moved another way (the Explorer, drag and drop, a WorkspaceEdit) gets every link into it updated', async () => {
    write('trips/2024/Lisbon.md', '# Lisbon\n\nBack [home](../../trip-index.md) and [[Porto]].\n');
    write('trips/2024/Porto.md', '# Porto\n\nSee [[Lisbon]].\n');
    write('trip-index.md', '---\nnext: "[[trips/2024/Porto]]"\n---\n# Trips\n\n[[trips/2024/Lisbon|Lisbon]], [Porto](trips/2024/Porto.md), [[Lisbon]].\n');
    await vscode.commands.executeCommand('cairn.indexVault');
    const edit = new vscode.WorkspaceEdit();
    edit.renameFile(vscode.Uri.file(abs('trips/2024')), vscode.Uri.file(abs('archive/old/trips-2024')));
    assert.ok(await vscode.workspace.applyEdit(edit), 'moved');
    assert.ok(!fs.existsSync(abs('trips/2024')) && fs.existsSync(abs('archive/old/trips-2024/Porto.md')), 'the folder moved');
    // Path links keep as many folders as they had; the Markdown link is a path from here; [[Lisbon]] still finds it.
    const expected = '---\nnext: "[[old/trips-2024/Porto]]"\n---\n# Trips\n\n[[old/trips-2024/Lisbon|Lisbon]], [Porto](archive/old/trips-2024/Porto.md), [[Lisbon]].\n';
    const index = await vscode.workspace.openTextDocument(abs('trip-index.md'));
    assert.equal(index.getText(), expected);
    // A note inside the moved folder: its link out climbs one folder more; its name-only link still finds Porto.
    const lisbon = await vscode.workspace.openTextDocument(abs('archive/old/trips-2024/Lisbon.md'));
    assert.equal(lisbon.getText(), '# Lisbon\n\nBack [home](../../../trip-index.md) and [[Porto]].\n');
    await waitFor('the edits saved', () => !index.isDirty && !lisbon.isDirty && read('trip-index.md') === expected && /\.\.\/\.\.\/\.\.\/trip-index/.test(read('archive/old/trips-2024/Lisbon.md')));
    const links = await waitFor('the index to follow', async () => {
      const l = await api.request<'notes.links', NoteLinks>('notes.links', { note: 'archive/old/trips-2024/Porto.md' }).catch(() => undefined);
      return l && l.backlinks.length === 3 ? l : undefined;
    });
    assert.deepEqual(links.backlinks.map((b) => `${b.path}:${b.line}`), ['archive/old/trips-2024/Lisbon.md:3', 'trip-index.md:2', 'trip-index.md:6']);
  });

  it('Rename Note refuses an existing name, illegal characters and a note outside the vault, writing nothing', async () => {
    const before = snapshot();
    const outside = path.join(os.tmpdir(), `cairn-outside-${process.pid}.md`);
    fs.writeFileSync(outside, '# Outside\n');
    try {
      const errors = errorCount();
      assert.equal(await vscode.commands.executeCommand('cairn.renameNote', { note: 'people/Ada King.md', newName: 'Charles Babbage', preview: false }), undefined);
      assert.match(lastError(), /^Cairn: people\/Charles Babbage\.md already exists\. Choose another name; Cairn never overwrites a note\.$/);
      assert.equal(await vscode.commands.executeCommand('cairn.renameNote', { note: 'people/Ada King.md', newName: 'Ada | King', preview: false }), undefined);
      assert.match(lastError(), /contains "\|"/);
      assert.equal(await vscode.commands.executeCommand('cairn.renameNote', { note: outside, newName: 'Inside', preview: false }), undefined);
      assert.match(lastError(), /is not a note of the vault/);
      assert.equal(errorCount(), errors + 3);
    } finally {
      fs.rmSync(outside, { force: true });
    }
    assert.deepEqual(snapshot(), before);
  });
});

describe('Markdown editing: the link under the cursor and what is being typed', () => {
  it('finds wikilinks, embeds and Markdown links under the cursor; skips URLs and anchors', () => {
    const line = 'a [[Note#H|x]] b ![[pic.png]] c [t](dir/My%20Note.md#s) d [web](https://x.org/a.md) [top](#here)';
    assert.deepEqual(linkAt(line, 5), { kind: 'wikilink', text: 'Note#H|x', start: 2, end: 14 });
    assert.deepEqual(linkAt(line, 17), { kind: 'embed', text: 'pic.png', start: 17, end: 29 });
    assert.deepEqual(linkAt(line, 40), { kind: 'markdown', text: 'dir/My%20Note.md#s', start: 32, end: 55 });
    assert.equal(linkAt(line, 15), undefined, 'between links');
    assert.equal(linkAt(line, 65), undefined, 'a URL');
    assert.equal(linkAt(line, line.length - 3), undefined, 'an anchor in this note');
    assert.deepEqual(linkAt('[x](<a b.md>)', 2), { kind: 'markdown', text: '<a b.md>', start: 0, end: 13 });
  });

  it('knows a note name, a heading, a block or a tag is being typed', () => {
    assert.deepEqual(typingAt('See [[Wik', ']]'), { kind: 'note', query: 'Wik', from: 6, closed: true });
    assert.deepEqual(typingAt('See ![[', ''), { kind: 'note', query: '', from: 7, closed: false });
    assert.deepEqual(typingAt('[[Note#Sec', ''), { kind: 'heading', note: 'Note', query: 'Sec', from: 7, closed: false });
    assert.deepEqual(typingAt('[[#^b', ']]'), { kind: 'block', note: '', query: 'b', from: 4, closed: true });
    assert.deepEqual(typingAt('text #proj/a', ''), { kind: 'tag', query: 'proj/a', from: 6 });
    assert.deepEqual(typingAt('#t', ''), { kind: 'tag', query: 't', from: 1 });
    assert.equal(typingAt('#', ''), undefined, 'a heading being typed');
    assert.equal(typingAt('## Title', ''), undefined);
    assert.equal(typingAt('a#b', ''), undefined, 'not after a word');
    assert.equal(typingAt('[[Done]] and', ''), undefined);
  });
});
