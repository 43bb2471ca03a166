// The Knowledge view: the vault's notes by folder. Each folder's subfolders and notes are fetched when it is
// expanded (notes a page at a time), and everything is dropped on a change of the vault's index, so the view
// shows the index as it is now.
import * as vscode from 'vscode';
import type { BackendClient } from '../extension/backendClient';
import type { FolderSummary, NotePage } from '../store/knowledge/catalog';
import { noteUri, type MoreNode, type NoteNode } from './knowledgeNodes';
import { NoteListTreeProvider } from './noteListTree';

export type FolderNode = { kind: 'folder'; folder: FolderSummary };
export type KnowledgeNode = FolderNode | NoteNode | MoreNode;

export class KnowledgeTreeProvider extends NoteListTreeProvider<FolderNode> {
  private readonly folders = new Map<string, Promise<FolderNode[]>>();

  constructor(backend: BackendClient, onError: (err: unknown) => void) {
    super(backend, onError, (folder, offset, limit) => backend.request<'notes.list', NotePage>('notes.list', { folder, offset, limit }));
  }

  protected override forgetOwn(): void {
    this.folders.clear();
  }

  protected ownItem({ folder: f }: FolderNode): vscode.TreeItem {
    const item = new vscode.TreeItem(f.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `folder\u0000${f.path}`;
    item.resourceUri = noteUri(this.backend.vault, f.path);
    item.iconPath = vscode.ThemeIcon.Folder;
    item.contextValue = 'folder';
    item.description = `${f.total}`;
    item.tooltip = `${f.path}: ${f.total} notes (${f.notes} directly in it)`;
    return item;
  }

  protected async children(node?: FolderNode): Promise<KnowledgeNode[]> {
    const folder = node?.folder.path ?? '';
    const [subfolders, notes] = await Promise.all([this.subfolders(folder), this.pages.nodes(folder)]);
    return [...subfolders, ...notes];
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
