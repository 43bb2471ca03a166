// Wires the knowledge side bar: the Knowledge, Tags, Links, Placeholders and Orphans views, their commands
// (Show More, Create Note from a placeholder, Refresh), the vault file watcher, and redraws on store.changed when
// the vault's index changed (by this window, the backend's own watcher, or any other process).
import * as vscode from 'vscode';
import type { NewNoteResult } from '../../store/knowledge/newNotes';
import { KnowledgeTreeProvider } from '../../views/knowledgeTree';
import { SHOW_MORE_COMMAND, type MoreNode } from '../../views/knowledgeNodes';
import { LinksTreeProvider, type LinksNode } from '../../views/linksTree';
import { OrphansTreeProvider } from '../../views/orphansTree';
import { CREATE_PLACEHOLDER_COMMAND, PlaceholdersTreeProvider, type PlaceholderNode } from '../../views/placeholdersTree';
import { TagsTreeProvider } from '../../views/tagsTree';
import type { BackendClient } from '../backendClient';
import type { Messages } from '../messages';
import { safeCommands } from '../safeCommand';
import { VaultFileWatcher } from './vaultFileWatcher';

export interface KnowledgeViews {
  knowledge: KnowledgeTreeProvider;
  tags: TagsTreeProvider;
  links: LinksTreeProvider;
  placeholders: PlaceholdersTreeProvider;
  orphans: OrphansTreeProvider;
  views: { knowledge: vscode.TreeView<unknown>; tags: vscode.TreeView<unknown>; links: vscode.TreeView<unknown>; placeholders: vscode.TreeView<unknown>; orphans: vscode.TreeView<unknown> };
  watcher: VaultFileWatcher;
}

export interface KnowledgeViewsDeps {
  backend: BackendClient;
  messages: Messages;
  log: vscode.LogOutputChannel;
  onError: (err: unknown) => void;
}

/** A placeholder target from what the command was given: a Placeholders item, a Links item, or a name. */
function targetOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  const node = arg as PlaceholderNode | LinksNode | undefined;
  if (node?.kind === 'placeholder') return node.target;
  if (node?.kind === 'link' && node.ref.path === null) return node.ref.target;
  return undefined;
}

export function registerKnowledgeViews(d: KnowledgeViewsDeps): { api: KnowledgeViews; disposables: vscode.Disposable[] } {
  const { backend, messages, log, onError } = d;
  const knowledge = new KnowledgeTreeProvider(backend, onError);
  const tags = new TagsTreeProvider(backend, onError);
  const links = new LinksTreeProvider(backend, onError);
  const placeholders = new PlaceholdersTreeProvider(backend, onError);
  const orphans = new OrphansTreeProvider(backend, onError);
  const view = <T>(id: string, treeDataProvider: vscode.TreeDataProvider<T>) => vscode.window.createTreeView(id, { treeDataProvider, showCollapseAll: true });
  const views = {
    knowledge: view('cairn.knowledge', knowledge),
    tags: view('cairn.tags', tags),
    links: view('cairn.links', links),
    placeholders: view('cairn.placeholders', placeholders),
    orphans: view('cairn.orphans', orphans),
  };
  views.links.message = links.message;
  const watcher = new VaultFileWatcher(backend, log);
  const refreshAll = (debounceMs?: number) => {
    knowledge.refresh(debounceMs);
    tags.refresh(debounceMs);
    links.refresh(debounceMs);
    placeholders.refresh(debounceMs);
    orphans.refresh(debounceMs);
  };
  const command = safeCommands(messages);

  const createFromPlaceholder = async (arg?: unknown) => {
    let target = targetOf(arg);
    if (arg !== undefined && target === undefined) throw new Error('Create Note takes a placeholder (an item of the Placeholders or Links view) or the name a link uses.');
    if (target === undefined) {
      const items = (await placeholders.placeholders()).map((p) => ({ label: p.target, description: p.count === 1 ? '1 link' : `${p.count} links` }));
      if (!items.length) {
        void messages.info('Cairn: There are no placeholders: every link points to a note.');
        return undefined;
      }
      target = (await vscode.window.showQuickPick(items, { title: 'Cairn: Create Note for a Placeholder', placeHolder: 'A name that links use but no note has' }))?.label;
      if (target === undefined) return undefined;
    }
    const created = await backend.request<'notes.createPlaceholder', NewNoteResult>('notes.createPlaceholder', { target });
    log.info(`Created ${created.path} for the placeholder "${target}"`);
    await vscode.window.showTextDocument(vscode.Uri.file(created.absPath), { preview: false });
    return created;
  };

  const disposables: vscode.Disposable[] = [
    knowledge,
    tags,
    links,
    placeholders,
    orphans,
    ...Object.values(views),
    watcher,
    links.onDidChangeMessage((m) => (views.links.message = m)),
    backend.onDidChangeStore((change) => {
      if (!change.aggregates || change.aggregates.some((a) => a.type === 'vault')) refreshAll();
    }),
    backend.onDidRestart(() => refreshAll(0)),
    command(SHOW_MORE_COMMAND, async (node?: MoreNode) => {
      if (node?.kind !== 'more') throw new Error('Show More is run from a "Show more…" item of a Cairn view.');
      await node.showMore();
      return undefined;
    }),
    command(CREATE_PLACEHOLDER_COMMAND, createFromPlaceholder),
    command('cairn.refreshKnowledge', async () => {
      refreshAll(0);
      return undefined;
    }),
  ];
  return { api: { knowledge, tags, links, placeholders, orphans, views, watcher }, disposables };
}
