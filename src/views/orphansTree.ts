// The Orphans view: notes that link to no other note and that no note links to, a page at a time.
import type * as vscode from 'vscode';
import type { BackendClient } from '../extension/backendClient';
import type { NotePage } from '../store/knowledge/catalog';
import type { MoreNode, NoteNode } from './knowledgeNodes';
import { NoteListTreeProvider } from './noteListTree';

export type OrphanNode = NoteNode | MoreNode;

export class OrphansTreeProvider extends NoteListTreeProvider<never> {
  constructor(backend: BackendClient, onError: (err: unknown) => void) {
    super(backend, onError, (_key, offset, limit) => backend.request<'notes.orphans', NotePage>('notes.orphans', { offset, limit }));
  }

  protected ownItem(): vscode.TreeItem {
    throw new Error('the Orphans view has only notes');
  }

  /** An orphan's folder is its description: the list is flat. */
  protected override noteItem(node: NoteNode): vscode.TreeItem {
    const item = super.noteItem(node);
    item.description = node.note.folder || undefined;
    return item;
  }

  protected children(): Promise<OrphanNode[]> {
    return this.pages.nodes('orphans');
  }
}
