// The Backup History view: one item per backup commit, newest first (date, summary, kind), expanding to what
// it changed (counts per kind of thing), its size and its commit. Right-click or the inline button restores it.
import * as vscode from 'vscode';
import type { HistoryEntry } from '../sync/history';

export type HistoryNode = { kind: 'backup'; entry: HistoryEntry } | { kind: 'detail'; label: string; description: string };

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

/** "2025-05-01 14:03" in local time. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
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

  constructor(private readonly load: () => Promise<HistoryEntry[]>) {}

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
    if (node.kind !== 'backup') return [];
    const e = node.entry;
    const details = changeLines(e).map((l): HistoryNode => ({ kind: 'detail', ...l }));
    if (e.files !== null) details.push({ kind: 'detail', label: 'size', description: `${e.files} files, ${formatBytes(e.bytes ?? 0)}` });
    details.push({ kind: 'detail', label: 'commit', description: e.commit.slice(0, 10) });
    return details;
  }

  getTreeItem(node: HistoryNode): vscode.TreeItem {
    if (node.kind === 'detail') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.description = node.description;
      item.tooltip = node.description;
      return item;
    }
    const e = node.entry;
    const item = new vscode.TreeItem(formatDate(e.date), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = e.commit;
    item.description = e.summary;
    item.iconPath = new vscode.ThemeIcon(KIND_ICONS[e.kind] ?? 'git-commit');
    item.contextValue = 'backup';
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${KIND_WORDS[e.kind] ?? 'Commit'}** of ${new Date(e.date).toLocaleString()}\n\n`);
    tip.appendText(e.summary);
    tip.appendMarkdown('\n\n');
    for (const l of changeLines(e)) tip.appendText(`${l.label}: ${l.description}\n\n`);
    if (e.files !== null) tip.appendText(`${e.files} files, ${formatBytes(e.bytes ?? 0)}\n\n`);
    tip.appendMarkdown(`Commit \`${e.commit.slice(0, 10)}\``);
    item.tooltip = tip;
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
