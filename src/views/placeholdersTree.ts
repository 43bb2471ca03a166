// The Placeholders view: names that links use but no note has, with how many links point there. Each offers
// "Create Note" (an inline action), which the placeholder command module carries out.
import * as vscode from 'vscode';
import { CachedTreeProvider } from './cachedTree';
import type { BackendClient } from '../extension/backendClient';

export type PlaceholderNode = { kind: 'placeholder'; target: string; count: number };

export const CREATE_PLACEHOLDER_COMMAND = 'cairn.createPlaceholderNote';

export class PlaceholdersTreeProvider extends CachedTreeProvider<PlaceholderNode> {
  private list: Promise<PlaceholderNode[]> | undefined;

  constructor(
    private readonly backend: BackendClient,
    private readonly onError: (err: unknown) => void,
  ) {
    super();
  }

  protected forget(): void {
    this.list = undefined;
  }

  getTreeItem(node: PlaceholderNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.target, vscode.TreeItemCollapsibleState.None);
    item.id = `placeholder\u0000${node.target.toLowerCase()}`;
    item.iconPath = new vscode.ThemeIcon('circle-large-outline');
    item.contextValue = 'placeholder';
    item.description = node.count === 1 ? '1 link' : `${node.count} links`;
    item.tooltip = `No note is named "${node.target}" yet; ${item.description} point here. Create Note makes it.`;
    return item;
  }

  async getChildren(node?: PlaceholderNode): Promise<PlaceholderNode[]> {
    if (node) return [];
    try {
      return await this.placeholders();
    } catch (err) {
      this.onError(err);
      return [];
    }
  }

  /** Every placeholder, most-linked first. */
  placeholders(): Promise<PlaceholderNode[]> {
    if (!this.list) {
      const loading = this.backend
        .request<'notes.placeholders', { target: string; count: number }[]>('notes.placeholders', {})
        .then((rows) => rows.map((r): PlaceholderNode => ({ kind: 'placeholder', target: r.target, count: r.count })));
      loading.catch(() => {
        if (this.list === loading) this.list = undefined;
      });
      this.list = loading;
    }
    return this.list;
  }
}
