// The Links view: for the note in the active editor, its backlinks (each with the line that links; click opens that
// line) and its outgoing links (click opens the target; a placeholder offers Create Note). It follows the active
// editor and redraws when the index changes (the note was saved, another note started linking to it…).
//
// It follows the active tab rather than waiting for the active editor: the tab is there as soon as a note is asked
// for, before its text is read. The first Markdown file of a session makes VS Code activate its Markdown extension
// (holding the extension host ~0.5–1 s) and build the Markdown grammar (holding the workbench 1.5–3 s): a view that
// starts at the active editor, and needs two round trips (its groups, then the expanded groups' items), paints after
// both; one that starts at the tab paints before them.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BackendClient } from '../extension/backendClient';
import type { LinkRef, NoteLinks } from '../store/knowledge/links';
import { openNoteCommand } from './knowledgeNodes';

export type LinkGroupNode = { kind: 'group'; which: 'backlinks' | 'outgoing'; links: LinkRef[] };
export type LinkNode = { kind: 'link'; which: 'backlinks' | 'outgoing'; ref: LinkRef; index: number };
export type LinksNode = LinkGroupNode | LinkNode;

const NOT_A_NOTE = 'Open a note of the knowledge vault to see its backlinks and links.';

export class LinksTreeProvider implements vscode.TreeDataProvider<LinksNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<LinksNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly changedMessage = new vscode.EventEmitter<string | undefined>();
  /** Fires with what the view should say above its items (why it is empty), or undefined. */
  readonly onDidChangeMessage = this.changedMessage.event;
  private shownMessage: string | undefined;
  /** The vault-relative path of the note shown, or undefined when the active editor is not a vault note. */
  private notePath: string | undefined;
  private loaded: Promise<NoteLinks | undefined> | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly backend: BackendClient,
    private readonly onError: (err: unknown) => void,
  ) {
    this.subscriptions = [
      // Focus moving to a panel or a non-text editor (or tab) leaves the last note shown.
      vscode.window.tabGroups.onDidChangeTabs(() => {
        const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
        if (input instanceof vscode.TabInputText) this.follow(input.uri);
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor) this.follow(editor.document.uri);
      }),
    ];
    const current = vscode.window.activeTextEditor;
    if (current) this.follow(current.document.uri);
    else this.setMessage(NOT_A_NOTE);
  }

  /** What the view says above its items now. */
  get message(): string | undefined {
    return this.shownMessage;
  }

  private setMessage(message: string | undefined): void {
    if (message === this.shownMessage) return;
    this.shownMessage = message;
    this.changedMessage.fire(message);
  }

  /** The vault-relative path of the note the view shows (undefined: none). */
  get note(): string | undefined {
    return this.notePath;
  }

  /** The links shown, as the backend answered (undefined when no note is shown or it is not indexed). */
  links(): Promise<NoteLinks | undefined> {
    return this.load();
  }

  /** Shows the links of the note at this file (or nothing when it is not a Markdown file of the vault). */
  follow(uri: vscode.Uri): void {
    const next = uri.scheme === 'file' ? this.vaultPath(uri.fsPath) : undefined;
    if (next === this.notePath) return;
    this.notePath = next;
    clearTimeout(this.refreshTimer);
    // Never answer with the previous note's links. Asked now, the links are there when the view asks for its items;
    // the redraw is not put off to a timer, which would wait behind whatever holds the extension host.
    this.loaded = undefined;
    this.load().catch(() => undefined); // a failure is reported by getChildren, which awaits the same promise
    this.emitter.fire(undefined);
  }

  private vaultPath(file: string): string | undefined {
    if (!/\.md$/i.test(file)) return undefined;
    const rel = path.relative(this.backend.vault, file);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return rel.split(path.sep).join('/');
  }

  /** Re-reads the links of the note shown; a burst of changes is folded into one redraw. */
  refresh(debounceMs = 50): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.loaded = undefined;
      this.emitter.fire(undefined);
    }, debounceMs);
  }

  private load(): Promise<NoteLinks | undefined> {
    if (!this.loaded) {
      const note = this.notePath;
      this.loaded = note === undefined ? Promise.resolve(undefined) : this.fetch(note);
    }
    return this.loaded;
  }

  private async fetch(note: string): Promise<NoteLinks | undefined> {
    try {
      const links = await this.backend.request<'notes.links', NoteLinks>('notes.links', { note });
      this.setMessage(undefined);
      return links;
    } catch (err) {
      if ((err as { code?: number }).code === -32001) {
        this.setMessage(`${note} is not in the index yet: save it, or run "Cairn: Index Knowledge Vault".`);
        return undefined;
      }
      throw err;
    }
  }

  getTreeItem(node: LinksNode): vscode.TreeItem {
    const vault = this.backend.vault;
    if (node.kind === 'group') {
      const label = node.which === 'backlinks' ? 'Backlinks' : 'Outgoing links';
      const item = new vscode.TreeItem(label, node.links.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
      item.id = `${this.notePath}\u0000${node.which}`;
      item.description = `${node.links.length}`;
      item.iconPath = new vscode.ThemeIcon(node.which === 'backlinks' ? 'references' : 'link-external');
      item.contextValue = `links-${node.which}`;
      return item;
    }
    const r = node.ref;
    const id = `${this.notePath}\u0000${node.which}\u0000${node.index}`;
    if (node.which === 'backlinks') {
      const item = new vscode.TreeItem(r.title || r.path || r.target, vscode.TreeItemCollapsibleState.None);
      item.id = id;
      item.description = r.context;
      item.tooltip = new vscode.MarkdownString().appendMarkdown(`\`${r.path}\`, line ${r.line}\n\n`).appendText(r.context);
      item.iconPath = new vscode.ThemeIcon('arrow-left');
      item.contextValue = 'backlink';
      item.command = openNoteCommand(vault, r.path!, r.line);
      return item;
    }
    const missing = r.path === null;
    const item = new vscode.TreeItem(r.title || r.path || r.target, vscode.TreeItemCollapsibleState.None);
    item.id = id;
    item.description = `line ${r.line}${missing ? ' · no such note' : ''}`;
    item.tooltip = new vscode.MarkdownString().appendMarkdown(missing ? `No note is named "${r.target}" yet.\n\n` : `\`${r.path}\`\n\n`).appendText(r.context);
    item.iconPath = new vscode.ThemeIcon(missing ? 'circle-large-outline' : r.kind === 'embed' ? 'file-media' : 'arrow-right');
    item.contextValue = missing ? 'placeholderLink' : 'outgoingLink';
    // A placeholder opens the line that links (Create Note is its inline action); a link opens its target.
    item.command = missing ? openNoteCommand(vault, this.notePath!, r.line) : openNoteCommand(vault, r.path!);
    return item;
  }

  async getChildren(node?: LinksNode): Promise<LinksNode[]> {
    try {
      if (node?.kind === 'link') return [];
      if (node?.kind === 'group') return node.links.map((ref, index) => ({ kind: 'link', which: node.which, ref, index }));
      const links = await this.load();
      if (!links) {
        if (this.notePath === undefined) this.setMessage(NOT_A_NOTE);
        return [];
      }
      return [
        { kind: 'group', which: 'backlinks', links: links.backlinks },
        { kind: 'group', which: 'outgoing', links: links.outgoing },
      ];
    } catch (err) {
      this.onError(err);
      return [];
    }
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
    this.changedMessage.dispose();
  }
}
