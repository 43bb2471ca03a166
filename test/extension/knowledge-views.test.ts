// The knowledge side bar in the real extension host, on a copy of a real vault (Foam's documentation): the
// Knowledge view (folders, notes, paging, click opens), Tags (nested, counts, notes), Links (follows the active
// editor; a backlink opens its line), Placeholders (Create Note writes a new file, never over an existing one),
// Orphans; and edits made in an editor or by another program reach every view through the file watchers.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FOAM_VAULT } from '../fixtures';
import { waitFor } from '../waitFor';
import type { CairnApi } from '../../src/extension/extension';
import type { KnowledgeViews } from '../../src/extension/knowledge/views';
import type { IndexReport } from '../../src/store/knowledge/indexer';
import type { NoteNode, MoreNode } from '../../src/views/knowledgeNodes';
import type { KnowledgeNode } from '../../src/views/knowledgeTree';
import type { LinksNode, LinkGroupNode } from '../../src/views/linksTree';
import type { TagsNode } from '../../src/views/tagsTree';

const SOURCE_VAULT = FOAM_VAULT;

let api: CairnApi;
let views: KnowledgeViews;
let vault: string;
let defaultVault: string;

const labelOf = (provider: { getTreeItem(n: never): vscode.TreeItem }, node: unknown) => {
  const label = provider.getTreeItem(node as never).label;
  return typeof label === 'string' ? label : label?.label;
};
const knowledgeChildren = (node?: KnowledgeNode) => views.knowledge.getChildren(node);
const folderNode = async (name: string, under?: KnowledgeNode) =>
  (await knowledgeChildren(under)).find((n) => n.kind === 'folder' && n.folder.name === name) as KnowledgeNode | undefined;
const notePaths = (nodes: readonly { kind: string }[]) => nodes.filter((n): n is NoteNode => n.kind === 'note').map((n) => n.note.path);
const linkGroups = async () => (await views.links.getChildren()) as LinkGroupNode[];
const group = async (which: 'backlinks' | 'outgoing') => (await linkGroups()).find((g) => g.which === which);
const tagNode = async (tag: string) => ((await views.tags.getChildren()) as TagsNode[]).find((n) => n.kind === 'tag' && n.tag.tag === tag);

async function openNote(rel: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(vault, rel)));
  return vscode.window.showTextDocument(doc, { preview: false });
}

const activeFile = () => vscode.window.activeTextEditor?.document.uri.fsPath;

describe('Knowledge views', function () {
  before(async () => {
    const ext = vscode.extensions.getExtension<CairnApi>('cairn.cairn');
    assert.ok(ext);
    api = await ext.activate();
    await api.whenReady();
    views = api.knowledgeViews;
    defaultVault = api.vaultDir;
    vault = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-views-')), 'vault');
    fs.cpSync(SOURCE_VAULT, vault, { recursive: true });
    await vscode.workspace.getConfiguration('cairn').update('vaultPath', vault, vscode.ConfigurationTarget.Workspace);
    await waitFor('the backend on the copied vault', () => api.vaultDir === vault);
    await api.whenReady();
    const report = await api.request<'knowledge.index', IndexReport>('knowledge.index', {});
    assert.equal(report.notes, 86);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // Leave the shared store's index as the suites after this one expect it: empty.
    fs.rmSync(vault, { recursive: true, force: true });
    fs.mkdirSync(vault);
    assert.equal((await api.request<'knowledge.index', IndexReport>('knowledge.index', {})).notes, 0);
    await vscode.workspace.getConfiguration('cairn').update('vaultPath', undefined, vscode.ConfigurationTarget.Workspace);
    await waitFor('back on the default vault', () => api.vaultDir === defaultVault);
    fs.rmSync(path.dirname(vault), { recursive: true, force: true });
  });

  it('are contributed to the Cairn side bar with their commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const view of ['knowledge', 'tags', 'links', 'placeholders', 'orphans']) assert.ok(all.includes(`cairn.${view}.focus`), `the ${view} view is registered`);
    for (const id of ['createPlaceholderNote', 'refreshKnowledge', 'showMoreNotes']) assert.ok(all.includes(`cairn.${id}`), `cairn.${id} is registered`);
    await vscode.commands.executeCommand('cairn.knowledge.focus');
  });

  it('Knowledge: folders first, then the notes of the folder; a note opens on click', async () => {
    const root = await waitFor('the Knowledge view to list the vault', async () => {
      const nodes = await knowledgeChildren();
      return nodes.length ? nodes : undefined;
    });
    assert.deepEqual(root.filter((n) => n.kind === 'folder').map((n) => labelOf(views.knowledge, n)), ['dev', 'user']);
    assert.deepEqual(notePaths(root), ['404.md', 'inbox.md', 'index.md', 'principles.md']);
    const user = (await folderNode('user'))!;
    assert.equal(views.knowledge.getTreeItem(user).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    const features = (await folderNode('features', user))!;
    const featureNotes = notePaths(await knowledgeChildren(features));
    assert.ok(featureNotes.includes('user/features/wikilinks.md'), featureNotes.join(', '));
    assert.equal(featureNotes.length, fs.readdirSync(path.join(vault, 'user', 'features')).filter((f) => f.endsWith('.md')).length);

    const note = (await knowledgeChildren(features)).find((n) => n.kind === 'note' && n.note.path === 'user/features/wikilinks.md')!;
    const item = views.knowledge.getTreeItem(note);
    assert.equal(item.label, 'wikilinks');
    assert.equal(item.description, 'Wikilinks');
    assert.equal(item.command?.command, 'vscode.open');
    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    await waitFor('the note to open', () => activeFile() === path.join(vault, 'user', 'features', 'wikilinks.md'));
  });

  it('Knowledge: a folder of 520 notes shows 500 and a "Show more" item that loads the rest', async () => {
    fs.mkdirSync(path.join(vault, 'bulk'));
    for (let i = 0; i < 520; i++) fs.writeFileSync(path.join(vault, 'bulk', `n${String(i).padStart(3, '0')}.md`), `# Bulk ${i}\n`);
    await api.request('knowledge.index', {});
    const bulk = await waitFor('the bulk folder', () => folderNode('bulk'));
    const first = await knowledgeChildren(bulk);
    assert.equal(first.length, 501);
    const more = first[500] as MoreNode;
    assert.equal(more.kind, 'more');
    assert.equal(more.hidden, 20);
    const item = views.knowledge.getTreeItem(more);
    assert.equal(item.label, 'Show 20 more…');
    try {
      // The watchers may still report the 520 new files, and a store change starts the pages afresh: then the
      // "Show more" item is back and is clicked again.
      const all = await waitFor('all 520 notes after "Show more"', async () => {
        const children = await knowledgeChildren(bulk);
        if (children.length === 520) return children;
        const last = children[children.length - 1] as MoreNode;
        if (last?.kind === 'more') {
          const cmd = views.knowledge.getTreeItem(last).command!;
          await vscode.commands.executeCommand(cmd.command, ...(cmd.arguments ?? []));
        }
        return undefined;
      });
      assert.equal(new Set(notePaths(all)).size, 520);
    } finally {
      fs.rmSync(path.join(vault, 'bulk'), { recursive: true, force: true });
      await api.request('knowledge.index', {});
    }
  });

  it('Tags: each tag with its count; expanding one lists its notes', async () => {
    const recipe = await waitFor('the #recipe tag', () => tagNode('recipe'));
    assert.ok(recipe.kind === 'tag');
    const item = views.tags.getTreeItem(recipe);
    assert.equal(item.label, '#recipe');
    assert.equal(item.description, String(recipe.tag.count));
    const notes = notePaths(await views.tags.getChildren(recipe));
    assert.equal(notes.length, recipe.tag.count);
    const onDisk = execGrep(/(^|\s)#recipe\b/);
    for (const p of notes) assert.ok(onDisk.includes(p), `${p} has #recipe on disk`);
  });

  it('Links: follows the active editor; backlinks open the line that links', async () => {
    await openNote('user/features/wikilinks.md');
    await waitFor('the Links view to follow the editor', () => views.links.note === 'user/features/wikilinks.md');
    const backlinks = (await waitFor('backlinks', () => group('backlinks')))!;
    const outgoing = (await group('outgoing'))!;
    assert.equal(backlinks.links.length, 10);
    assert.ok(outgoing.links.length > 0);
    const [first] = (await views.links.getChildren(backlinks)) as LinksNode[];
    assert.ok(first && first.kind === 'link');
    const item = views.links.getTreeItem(first);
    assert.equal(item.description, first.ref.context);
    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    const source = path.join(vault, ...first.ref.path!.split('/'));
    await waitFor('the linking note to open at the line', () => activeFile() === source && vscode.window.activeTextEditor!.selection.active.line === first.ref.line - 1);
    assert.match(vscode.window.activeTextEditor!.document.lineAt(first.ref.line - 1).text, /\[\[wikilinks\]\]/);
    await waitFor('the Links view to follow to the linking note', () => views.links.note === first.ref.path);

    const readme = await vscode.workspace.openTextDocument({ language: 'markdown', content: '# not in the vault' });
    await vscode.window.showTextDocument(readme);
    await waitFor('no note outside the vault', () => views.links.note === undefined);
    assert.deepEqual(await views.links.getChildren(), []);
    assert.match(api.knowledgeViews.views.links.message ?? '', /Open a note of the knowledge vault/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Placeholders: Create Note writes the note, opens it, and the placeholder goes away; never over an existing file', async () => {
    const placeholders = await views.placeholders.getChildren();
    assert.ok(placeholders.length > 0, 'the Foam docs link to notes that do not exist');
    const [target] = placeholders;
    assert.ok(target);
    const item = views.placeholders.getTreeItem(target);
    assert.equal(item.contextValue, 'placeholder');
    assert.equal(item.description, target.count === 1 ? '1 link' : `${target.count} links`);
    const file = path.join(vault, `${target.target}.md`);
    assert.ok(!fs.existsSync(file));
    await vscode.commands.executeCommand('cairn.createPlaceholderNote', target);
    await waitFor('the new note to open', () => activeFile() === file);
    assert.equal(fs.readFileSync(file, 'utf8'), `# ${target.target}\n\n`);
    await waitFor('the placeholder to leave the view', async () => !(await views.placeholders.getChildren()).some((p) => p.target === target.target));

    // A name whose file exists (the index not knowing it yet) is refused, and the file is left as it was.
    fs.writeFileSync(path.join(vault, 'Taken.md'), 'keep me\n');
    const errors = api.shownMessages().filter((m) => m.level === 'error').length;
    assert.equal(await vscode.commands.executeCommand('cairn.createPlaceholderNote', 'Taken'), undefined);
    await waitFor('one error', () => api.shownMessages().filter((m) => m.level === 'error').length === errors + 1);
    assert.match(api.shownMessages().at(-1)!.message, /Taken\.md already exists.*never overwrites/);
    assert.equal(fs.readFileSync(path.join(vault, 'Taken.md'), 'utf8'), 'keep me\n');
    assert.equal(await vscode.commands.executeCommand('cairn.createPlaceholderNote', 'bad/../../escape'), undefined);
    assert.match(api.shownMessages().at(-1)!.message, /not a folder inside the vault/);
  });

  it('Orphans: notes with no links either way', async () => {
    const orphans = notePaths(await views.orphans.getChildren());
    assert.ok(orphans.includes('inbox.md'), orphans.join(', '));
    assert.ok(!orphans.includes('user/features/wikilinks.md'));
  });

  it('an edit saved in the editor updates the Links, Tags and Orphans views', async () => {
    const editor = await openNote('inbox.md');
    await waitFor('the Links view on inbox.md', () => views.links.note === 'inbox.md');
    const before = (await waitFor('links of inbox.md', () => group('outgoing')))!.links.length;
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    assert.ok(await editor.edit((e) => e.insert(end, '\n\nSee [[principles]]. #freshly-saved/tag\n')));
    assert.ok(await editor.document.save());
    await waitFor('the new outgoing link in the Links view', async () => {
      const outgoing = await group('outgoing');
      return outgoing && outgoing.links.length === before + 1 && outgoing.links.some((l) => l.path === 'principles.md');
    });
    const parent = await waitFor('the new nested tag', () => tagNode('freshly-saved'));
    const children = await views.tags.getChildren(parent);
    assert.deepEqual(children.map((c) => labelOf(views.tags, c)), ['#tag']);
    assert.deepEqual(notePaths(await views.tags.getChildren(children[0])), ['inbox.md']);
    await waitFor('inbox.md to leave the Orphans view', async () => !notePaths(await views.orphans.getChildren()).includes('inbox.md'));
    // The other side: principles.md now has inbox.md among its backlinks.
    await openNote('principles.md');
    await waitFor('the backlink from inbox.md', async () => (await group('backlinks'))?.links.some((l) => l.path === 'inbox.md' && /\[\[principles\]\]/.test(l.context)));
  });

  it('a note written by another program shows up, through the extension file watcher too', async () => {
    const reports: IndexReport[] = [];
    const sub = views.watcher.onDidIndex((r) => reports.push(r));
    try {
      fs.writeFileSync(path.join(vault, 'dev', 'from-outside.md'), '# From outside\n\nLinks [[index]].\n');
      const dev = (await folderNode('dev'))!;
      await waitFor('the note in the Knowledge view', async () => notePaths(await knowledgeChildren(dev)).includes('dev/from-outside.md'));
      await waitFor('the extension watcher to report it to the backend', () => reports.length > 0);
      fs.rmSync(path.join(vault, 'dev', 'from-outside.md'));
      await waitFor('the note to leave the Knowledge view', async () => !notePaths(await knowledgeChildren(dev)).includes('dev/from-outside.md'));
    } finally {
      sub.dispose();
    }
  });
});

/** Vault-relative paths of the notes whose text matches (what the Tags view should agree with). */
function execGrep(re: RegExp): string[] {
  const out: string[] = [];
  for (const rel of fs.readdirSync(vault, { recursive: true }) as string[]) {
    if (!rel.endsWith('.md')) continue;
    const text = fs.readFileSync(path.join(vault, rel), 'utf8');
    if (re.test(text)) out.push(rel.split(path.sep).join('/'));
  }
  return out;
}
