// The Orphans view: notes that link to no other note and that no note links to, a page at a time.
import * as vscode from 'vscode';
import { CachedTreeProvider } from './cachedTree';
import type { BackendClient } from '../extension/backendClient';
import type { NotePage } from '../store/knowledge/catalog';
import { moreItem, noteItem, NotePages, noteTooltip, type MoreNode, type NoteNode } from './knowledgeNodes';

export type OrphanNode = NoteNode | MoreNode;

export class OrphansTreeProvider extends CachedTreeProvider<OrphanNode> {
  private readonly pages: NotePages;

  constructor(
    private readonly backend: BackendClient,
    private readonly onError: (err: unknown) => void,
  ) {
    super();
    this.pages = new NotePages(
      (_key, offset, limit) => this.backend.request<'notes.orphans', NotePage>('notes.orphans', { offset, limit }),
      () => this.emitter.fire(undefined),
    );
  }

  protected forget(): void {
    this.pages.clear();
  }

  getTreeItem(node: OrphanNode): vscode.TreeItem {
    if (node.kind === 'more') return moreItem(node);
    const item = noteItem(this.backend.vault, node);
    item.description = node.note.folder || undefined;
    return item;
  }

  resolveTreeItem(item: vscode.TreeItem, node: OrphanNode): vscode.TreeItem {
    if (node.kind === 'note') item.tooltip = noteTooltip(node.note);
    return item;
  }

  async getChildren(node?: OrphanNode): Promise<OrphanNode[]> {
    if (node) return [];
    try {
      return await this.pages.nodes('orphans');
    } catch (err) {
      this.onError(err);
      return [];
    }
  }
}
