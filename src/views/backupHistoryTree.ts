// The Backup History view: one item per backup commit, newest first (date to the second, summary, kind, whether
// it is on the remote), expanding to what it changed, as GitLens opens a commit: each table's changed rows and the
// changed files, each opening a side-by-side diff with the backup before it (a row field by field); then the
// counts per kind of thing, its size and its commit. Right-click or the inline button restores it.
import * as vscode from 'vscode';
import type { BackupChanges, RowChange } from '../sync/backupDiff';
import type { HistoryEntry } from '../sync/history';

type FileChange = BackupChanges['files'][number];
export type HistoryNode =
  | { kind: 'backup'; entry: HistoryEntry }
  | { kind: 'detail'; label: string; description: string }
  | { kind: 'table'; entry: HistoryEntry; parent: string | null; table: string; rows: RowChange[]; more: number }
  | { kind: 'row'; entry: HistoryEntry; parent: string | null; row: RowChange }
  | { kind: 'files'; entry: HistoryEntry; parent: string | null; files: FileChange[] }
  | { kind: 'file'; entry: HistoryEntry; parent: string | null; file: FileChange };

/** Opens one change side by side: the backup before and this one (the command cairn.openBackupChange). */
export interface ChangeTarget {
  commit: string;
  parent: string | null;
  date: string;
  item: { table: string; key: string; label: string | null } | { path: string };
}

const CHANGE_ICONS = { added: 'diff-added', changed: 'diff-modified', removed: 'diff-removed' } as const;

const KIND_ICONS: Record<string, string> = { backup: 'history', safety: 'shield', restore: 'discard', merge: 'git-merge', sync: 'sync' };

const KIND_WORDS: Record<string, string> = {
  backup: 'Backup',
  safety: 'Safety backup (the state before a restore)',
  restore: 'State after a restore',
  merge: 'Merge of a sync',
  sync: 'Sync',
};

/** "34.5 KB" */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  for (; v >= 1024 && i < units.length - 1; i++) v /= 1024;
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** "2025-05-01 14:03:27" in local time. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const changeWords = (c: { added: number; changed: number; removed: number }) =>
  [c.added && `${c.added} added`, c.changed && `${c.changed} changed`, c.removed && `${c.removed} removed`].filter(Boolean).join(', ');

const size = (c: { added: number; changed: number; removed: number }) => c.added + c.changed + c.removed;

/** "1 added, 3 changed" per kind of thing, biggest first; the event log (which grows with everything) last. */
export function changeLines(entry: HistoryEntry): { label: string; description: string }[] {
  return Object.entries(entry.changes)
    .filter(([, c]) => size(c) > 0)
    .sort(([a, ca], [b, cb]) => Number(a === 'events') - Number(b === 'events') || size(cb) - size(ca))
    .map(([thing, c]) => ({ label: thing.replace(/_/g, ' '), description: changeWords(c) }));
}

export class BackupHistoryProvider implements vscode.TreeDataProvider<HistoryNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<HistoryNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly load: () => Promise<HistoryEntry[]>,
    /** What one backup changed (backup.changes). */
    private readonly loadChanges: (commit: string) => Promise<BackupChanges> = () => Promise.reject(new Error('not available')),
  ) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: HistoryNode): Promise<HistoryNode[]> {
    if (!node) {
      // A broken backup location says so in the view (each redraw would otherwise raise a notification).
      try {
        return (await this.load()).map((entry) => ({ kind: 'backup', entry }));
      } catch (err) {
        return [{ kind: 'detail', label: 'The backup history cannot be read', description: (err as Error).message }];
      }
    }
    if (node.kind === 'table') return node.rows.map((row): HistoryNode => ({ kind: 'row', entry: node.entry, parent: node.parent, row }));
    if (node.kind === 'files') return node.files.map((file): HistoryNode => ({ kind: 'file', entry: node.entry, parent: node.parent, file }));
    if (node.kind !== 'backup') return [];
    const e = node.entry;
    const groups: HistoryNode[] = [];
    try {
      const c = await this.loadChanges(e.commit);
      const tables = new Map<string, RowChange[]>();
      for (const row of c.rows) tables.set(row.table, [...(tables.get(row.table) ?? []), row]);
      for (const [table, rows] of tables) groups.push({ kind: 'table', entry: e, parent: c.parent, table, rows, more: c.more[table] ?? 0 });
      if (c.files.length) groups.push({ kind: 'files', entry: e, parent: c.parent, files: c.files });
    } catch (err) {
      groups.push({ kind: 'detail', label: 'changes', description: `cannot be read: ${(err as Error).message}` });
    }
    const details = changeLines(e).map((l): HistoryNode => ({ kind: 'detail', ...l }));
    if (e.files !== null) details.push({ kind: 'detail', label: 'size', description: `${e.files} files, ${formatBytes(e.bytes ?? 0)}` });
    details.push({ kind: 'detail', label: 'commit', description: e.commit.slice(0, 10) });
    if (e.pushed !== null) details.push({ kind: 'detail', label: 'remote', description: e.pushed ? 'pushed' : 'not pushed yet (Sync Now pushes it)' });
    return [...groups, ...details];
  }

  getTreeItem(node: HistoryNode): vscode.TreeItem {
    if (node.kind === 'table' || node.kind === 'files') {
      const list: { change: keyof typeof CHANGE_ICONS }[] = node.kind === 'table' ? node.rows : node.files;
      const counts = { added: 0, changed: 0, removed: 0 };
      for (const c of list) counts[c.change]++;
      const item = new vscode.TreeItem(node.kind === 'table' ? node.table.replace(/_/g, ' ') : 'files', vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `${node.entry.commit}:${node.kind === 'table' ? `table:${node.table}` : 'files'}`;
      item.description = changeWords(counts) + (node.kind === 'table' && node.more ? ` (and ${node.more} more)` : '');
      item.iconPath = new vscode.ThemeIcon(node.kind === 'table' ? 'table' : 'files');
      return item;
    }
    if (node.kind === 'row' || node.kind === 'file') {
      const change = node.kind === 'row' ? node.row.change : node.file.change;
      const label = node.kind === 'row' ? (node.row.label ?? node.row.key) : node.file.path.replace(/^files\/(vault|agents)\//, '');
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
      item.id = `${node.entry.commit}:${node.kind === 'row' ? `row:${node.row.table}:${node.row.key}` : `file:${node.file.path}`}`;
      item.iconPath = new vscode.ThemeIcon(CHANGE_ICONS[change]);
      item.description = node.kind === 'row' ? (node.row.change === 'changed' ? node.row.fields.join(', ') : node.row.change) : change;
      item.tooltip = node.kind === 'row' ? `${node.row.table} ${node.row.key}: ${change}${node.row.fields.length ? ` (${node.row.fields.join(', ')})` : ''}` : `${node.file.path}: ${change}`;
      item.contextValue = 'backupChange';
      const target: ChangeTarget = {
        commit: node.entry.commit,
        parent: node.parent,
        date: node.entry.date,
        item: node.kind === 'row' ? { table: node.row.table, key: node.row.key, label: node.row.label } : { path: node.file.path },
      };
      item.command = { command: 'cairn.openBackupChange', title: 'Open Change', arguments: [target] };
      return item;
    }
    if (node.kind === 'detail') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.description = node.description;
      item.tooltip = node.description;
      return item;
    }
    const e = node.entry;
    const item = new vscode.TreeItem(formatDate(e.date), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = e.commit;
    item.description = e.pushed === false ? `${e.summary} · not pushed` : e.summary;
    item.iconPath = new vscode.ThemeIcon(KIND_ICONS[e.kind] ?? 'git-commit');
    item.contextValue = 'backup';
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${KIND_WORDS[e.kind] ?? 'Commit'}** of ${new Date(e.date).toLocaleString()}\n\n`);
    tip.appendText(e.summary);
    tip.appendMarkdown('\n\n');
    for (const l of changeLines(e)) tip.appendText(`${l.label}: ${l.description}\n\n`);
    if (e.files !== null) tip.appendText(`${e.files} files, ${formatBytes(e.bytes ?? 0)}\n\n`);
    tip.appendMarkdown(`Commit \`${e.commit.slice(0, 10)}\``);
    if (e.pushed !== null) tip.appendMarkdown(e.pushed ? ' · on the remote' : ' · not pushed yet');
    item.tooltip = tip;
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
