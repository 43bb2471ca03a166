// The Tags view: the vault's tags as a tree (nested `a/b` under `a`) with note counts; expanding a tag lists its
// nested tags, then the notes carrying exactly that tag (a page at a time).
import * as vscode from 'vscode';
import type { BackendClient } from '../extension/backendClient';
import type { NotePage, TagSummary } from '../store/knowledge/catalog';
import type { MoreNode, NoteNode } from './knowledgeNodes';
import { NoteListTreeProvider } from './noteListTree';

export type TagNode = { kind: 'tag'; tag: TagSummary };
export type TagsNode = TagNode | NoteNode | MoreNode;

const key = (tag: string) => tag.toLowerCase();

export class TagsTreeProvider extends NoteListTreeProvider<TagNode> {
  /** Child tags by parent (lower-cased; '' for the top level). */
  private tags: Promise<Map<string, TagNode[]>> | undefined;

  constructor(backend: BackendClient, onError: (err: unknown) => void) {
    super(backend, onError, (tag, offset, limit) => backend.request<'notes.list', NotePage>('notes.list', { tag, offset, limit }));
  }

  protected override forgetOwn(): void {
    this.tags = undefined;
  }

  protected ownItem({ tag: t }: TagNode): vscode.TreeItem {
    const item = new vscode.TreeItem(`#${t.name}`, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `tag\u0000${key(t.tag)}`;
    item.iconPath = new vscode.ThemeIcon('tag');
    item.contextValue = 'tag';
    item.description = t.total === t.count ? `${t.count}` : `${t.count} · ${t.total} with nested`;
    item.tooltip = `#${t.tag}: ${t.count} notes${t.total !== t.count ? `, ${t.total} with its nested tags` : ''}`;
    return item;
  }

  protected async children(node?: TagNode): Promise<TagsNode[]> {
    if (!node) return (await this.loadTags()).get('') ?? [];
    const children = (await this.loadTags()).get(key(node.tag.tag)) ?? [];
    const notes = node.tag.count ? await this.pages.nodes(node.tag.tag) : [];
    return [...children, ...notes];
  }

  private loadTags(): Promise<Map<string, TagNode[]>> {
    if (!this.tags) {
      const loading = this.backend.request<'tags.list', TagSummary[]>('tags.list', {}).then((rows) => {
        const byParent = new Map<string, TagNode[]>();
        for (const tag of rows) {
          const parent = tag.parent === null ? '' : key(tag.parent);
          const list = byParent.get(parent) ?? [];
          list.push({ kind: 'tag', tag });
          byParent.set(parent, list);
        }
        return byParent;
      });
      loading.catch(() => {
        if (this.tags === loading) this.tags = undefined;
      });
      this.tags = loading;
    }
    return this.tags;
  }
}
