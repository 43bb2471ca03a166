// The Knowledge view: the vault's notes by folder. Each folder's subfolders and notes are fetched when it is
// expanded (notes a page at a time), and everything is dropped on a change of the vault's index, so the view
// shows the index as it is now.
import * as vscode from 'vscode';
import { CachedTreeProvider } from './cachedTree';
import type { BackendClient } from '../extension/backendClient';
import type { FolderSummary, NotePage } from '../store/knowledge/catalog';
import { moreItem, noteItem, NotePages, noteTooltip, noteUri, type MoreNode, type NoteNode } from './knowledgeNodes';

export type FolderNode = { kind: 'folder'; folder: FolderSummary };
export type KnowledgeNode = FolderNode | NoteNode | MoreNode;

export class KnowledgeTreeProvider extends CachedTreeProvider<KnowledgeNode> {
  private readonly folders = new Map<string, Promise<FolderNode[]>>();
  private readonly pages: NotePages;

  constructor(
    private readonly backend: BackendClient,
    private readonly onError: (err: unknown) => void,
  ) {
    super();
    this.pages = new NotePages(
      (folder, offset, limit) => this.backend.request<'notes.list', NotePage>('notes.list', { folder, offset, limit }),
      () => this.emitter.fire(undefined),
    );
  }

  protected forget(): void {
    this.folders.clear();
    this.pages.clear();
  }

  getTreeItem(node: KnowledgeNode): vscode.TreeItem {
    if (node.kind === 'note') return noteItem(this.backend.vault, node);
    if (node.kind === 'more') return moreItem(node);
    const f = node.folder;
    const item = new vscode.TreeItem(f.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `folder\u0000${f.path}`;
    item.resourceUri = noteUri(this.backend.vault, f.path);
    item.iconPath = vscode.ThemeIcon.Folder;
    item.contextValue = 'folder';
    item.description = `${f.total}`;
    item.tooltip = `${f.path}: ${f.total} notes (${f.notes} directly in it)`;
    return item;
  }

  resolveTreeItem(item: vscode.TreeItem, node: KnowledgeNode): vscode.TreeItem {
    if (node.kind === 'note') item.tooltip = noteTooltip(node.note);
    return item;
  }

  async getChildren(node?: KnowledgeNode): Promise<KnowledgeNode[]> {
    try {
      if (node && node.kind !== 'folder') return [];
      const folder = node?.folder.path ?? '';
      const [subfolders, notes] = await Promise.all([this.subfolders(folder), this.pages.nodes(folder)]);
      return [...subfolders, ...notes];
    } catch (err) {
      this.onError(err);
      return [];
    }
  }

  private subfolders(parent: string): Promise<FolderNode[]> {
    let list = this.folders.get(parent);
    if (!list) {
      list = this.backend
        .request<'notes.folders', FolderSummary[]>('notes.folders', { parent })
        .then((rows) => rows.map((folder): FolderNode => ({ kind: 'folder', folder })));
      list.catch(() => this.folders.delete(parent));
      this.folders.set(parent, list);
    }
    return list;
  }
}
