// What the knowledge views (Knowledge, Tags, Orphans) share: a note as a tree item that opens it, a "Show more"
// item for long lists, and the paged loading of notes from the backend (one page at a time, grown on demand).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { NotePage, NoteSummary } from '../store/knowledge/catalog';

export type NoteNode = { kind: 'note'; note: NoteSummary; parentKey: string };
/** Stands for the notes of a long list not shown yet; clicking it loads the next page. */
export type MoreNode = { kind: 'more'; parentKey: string; hidden: number; showMore: () => Promise<void> };

/** Notes shown per page: a folder of 10,000 notes paints its first page at once. */
export const NOTE_PAGE_SIZE = 500;

export const SHOW_MORE_COMMAND = 'cairn.showMoreNotes';

/** The absolute file of a vault-relative note path. */
export const noteUri = (vault: string, rel: string) => vscode.Uri.file(path.join(vault, ...rel.split('/')));

/** A command that opens a vault note, at a 1-based line when given. */
export function openNoteCommand(vault: string, rel: string, line?: number): vscode.Command {
  const options: vscode.TextDocumentShowOptions = { preview: true };
  if (line !== undefined) options.selection = new vscode.Range(Math.max(0, line - 1), 0, Math.max(0, line - 1), 0);
  return { command: 'vscode.open', title: 'Open Note', arguments: [noteUri(vault, rel), options] };
}

const baseName = (rel: string) => path.posix.basename(rel).replace(/\.md$/i, '');

export function noteItem(vault: string, node: NoteNode): vscode.TreeItem {
  const n = node.note;
  const name = baseName(n.path);
  const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.None);
  item.id = `${node.parentKey}\u0000${n.path}`;
  item.resourceUri = noteUri(vault, n.path);
  item.iconPath = vscode.ThemeIcon.File;
  item.contextValue = 'note';
  if (n.title && n.title !== name) item.description = n.title;
  item.command = openNoteCommand(vault, n.path);
  return item;
}

/** Tooltips are built on hover only (10,000 of them up front would slow the first paint). */
export function noteTooltip(n: NoteSummary): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${escapeMarkdown(n.title)}**\n\n`);
  md.appendMarkdown(`\`${n.path}\``);
  if (n.aliases.length) md.appendMarkdown(`\n\nAliases: ${n.aliases.map(escapeMarkdown).join(', ')}`);
  if (n.tags.length) md.appendMarkdown(`\n\nTags: ${n.tags.map((t) => `#${escapeMarkdown(t)}`).join(' ')}`);
  if (n.mtimeMs) md.appendMarkdown(`\n\nModified ${new Date(n.mtimeMs).toLocaleString()}`);
  return md;
}

export function moreItem(node: MoreNode): vscode.TreeItem {
  const item = new vscode.TreeItem(`Show ${Math.min(NOTE_PAGE_SIZE, node.hidden)} more…`, vscode.TreeItemCollapsibleState.None);
  item.id = `more\u0000${node.parentKey}`;
  item.contextValue = 'more';
  item.description = `${node.hidden} not shown`;
  item.iconPath = new vscode.ThemeIcon('ellipsis');
  item.command = { command: SHOW_MORE_COMMAND, title: 'Show More', arguments: [node] };
  return item;
}

/**
 * Lists of notes by key (a folder, a tag…), loaded a page at a time: the first page when the list is first shown,
 * the next one on "Show more". Forgotten on refresh, so a redraw shows the store as it is now.
 */
export class NotePages {
  private readonly lists = new Map<string, Promise<{ notes: NoteSummary[]; total: number }>>();

  constructor(
    private readonly fetch: (key: string, offset: number, limit: number) => Promise<NotePage>,
    private readonly redraw: () => void,
  ) {}

  clear(): void {
    this.lists.clear();
  }

  /** The notes loaded so far under `key`, then a "Show more" node when there are more. */
  async nodes(key: string): Promise<(NoteNode | MoreNode)[]> {
    let list = this.lists.get(key);
    if (!list) {
      list = this.fetch(key, 0, NOTE_PAGE_SIZE).then((p) => ({ notes: p.notes, total: p.total }));
      list.catch(() => this.lists.delete(key));
      this.lists.set(key, list);
    }
    const { notes, total } = await list;
    const nodes: (NoteNode | MoreNode)[] = notes.map((note) => ({ kind: 'note', note, parentKey: key }));
    if (total > notes.length) nodes.push({ kind: 'more', parentKey: key, hidden: total - notes.length, showMore: () => this.more(key) });
    return nodes;
  }

  private async more(key: string): Promise<void> {
    const current = await this.lists.get(key);
    if (!current) return;
    const page = await this.fetch(key, current.notes.length, NOTE_PAGE_SIZE);
    this.lists.set(key, Promise.resolve({ notes: [...current.notes, ...page.notes], total: page.total }));
    this.redraw();
  }
}

export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
