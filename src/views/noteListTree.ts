// What the Knowledge, Tags and Orphans views share: a CachedTreeProvider whose lists of notes load a page at a
// time, note rows that open the note (tooltips built on hover), "Show more" rows, and a failing backend request
// reported once and shown as an empty list.
import * as vscode from 'vscode';
import { CachedTreeProvider } from './cachedTree';
import type { BackendClient } from '../extension/backendClient';
import type { NotePage } from '../store/knowledge/catalog';
import { moreItem, noteItem, NotePages, noteTooltip, type MoreNode, type NoteNode } from './knowledgeNodes';

type ListNode = NoteNode | MoreNode;

export abstract class NoteListTreeProvider<Own extends { kind: string }> extends CachedTreeProvider<Own | ListNode> {
  protected readonly pages: NotePages;

  constructor(
    protected readonly backend: BackendClient,
    private readonly onError: (err: unknown) => void,
    fetchPage: (key: string, offset: number, limit: number) => Promise<NotePage>,
  ) {
    super();
    this.pages = new NotePages(fetchPage, () => this.emitter.fire(undefined));
  }

  /** The view's own rows (folders, tags): drawn by the subclass. */
  protected abstract ownItem(node: Own): vscode.TreeItem;
  /** The children of a row (the roots for none); a rejection is reported and shown as no rows. */
  protected abstract children(node?: Own): Promise<(Own | ListNode)[]>;
  /** Drops the subclass's own cached rows. */
  protected forgetOwn(): void {}

  protected noteItem(node: NoteNode): vscode.TreeItem {
    return noteItem(this.backend.vault, node);
  }

  protected forget(): void {
    this.pages.clear();
    this.forgetOwn();
  }

  getTreeItem(node: Own | ListNode): vscode.TreeItem {
    if (isNote(node)) return this.noteItem(node);
    if (isMore(node)) return moreItem(node);
    return this.ownItem(node as Own);
  }

  resolveTreeItem(item: vscode.TreeItem, node: Own | ListNode): vscode.TreeItem {
    if (isNote(node)) item.tooltip = noteTooltip(node.note);
    return item;
  }

  async getChildren(node?: Own | ListNode): Promise<(Own | ListNode)[]> {
    if (node && (isNote(node) || isMore(node))) return [];
    try {
      return await this.children(node as Own | undefined);
    } catch (err) {
      this.onError(err);
      return [];
    }
  }
}

const isNote = (node: { kind: string }): node is NoteNode => node.kind === 'note';
const isMore = (node: { kind: string }): node is MoreNode => node.kind === 'more';
