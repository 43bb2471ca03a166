// The Conflicts view: what a sync could not merge (the same field changed on two machines, a row deleted on one
// and changed on the other, a note git could not merge), newest first. Each conflict expands to the values on
// both sides; its inline actions keep mine, keep theirs, or edit. Empty: welcome text (package.json).
import * as vscode from 'vscode';

import { AGENTS_PREFIX, VAULT_PREFIX } from '../sync/layout';
import type { ConflictView as Conflict } from '../sync/resolve';

export type { Conflict };

export type ConflictNode = { kind: 'conflict'; conflict: Conflict } | { kind: 'side'; conflict: Conflict; label: string; description: string; tooltip: string };

const singular: Record<string, string> = { tasks: 'task', projects: 'project', sprints: 'sprint', agent_runs: 'agent run' };

/** A field's value in a line: strings quoted, absent values named. */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return '(deleted)';
  const text = typeof v === 'string' ? `“${v}”` : JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

const fieldValue = (side: unknown, field: string) => (side && typeof side === 'object' ? (side as Record<string, unknown>)[field] : side);

/** A backup path (files/vault/…) as the user knows it: vault-relative, or agents/… */
const filePath = (p: string | null) => (p === null ? null : p.startsWith(VAULT_PREFIX) ? p.slice(VAULT_PREFIX.length) : p.startsWith(AGENTS_PREFIX) ? `agents/${p.slice(AGENTS_PREFIX.length)}` : p);

/** What the conflict is about, in words. */
export function conflictTitle(c: Conflict): string {
  if (c.kind === 'file') return filePath(c.path) ?? '(a note)';
  return c.label ?? c.rowKey ?? '(a row)';
}

export class ConflictsProvider implements vscode.TreeDataProvider<ConflictNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ConflictNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly load: () => Promise<Conflict[]>,
    private readonly onError: (err: unknown) => void,
    private readonly onCount: (open: number) => void,
  ) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: ConflictNode): Promise<ConflictNode[]> {
    if (!node) {
      let open: Conflict[] = [];
      try {
        open = await this.load();
      } catch (err) {
        this.onError(err);
      }
      this.onCount(open.length);
      return open.map((conflict) => ({ kind: 'conflict', conflict }));
    }
    if (node.kind !== 'conflict') return [];
    const c = node.conflict;
    if (c.kind === 'file') {
      return [
        { kind: 'side', conflict: c, label: 'mine', description: `${filePath(c.path)} (in place)`, tooltip: c.file ?? 'Your version, where it was.' },
        { kind: 'side', conflict: c, label: 'theirs', description: filePath(c.copyPath) ?? '(not saved)', tooltip: `Their version${c.machine ? ` from ${c.machine}` : ''}, saved beside yours${c.copyFile ? `: ${c.copyFile}` : ''}.` },
      ];
    }
    if (c.fields.includes('*')) {
      const deletedMine = c.mine === null;
      return [
        { kind: 'side', conflict: c, label: 'mine', description: deletedMine ? 'deleted' : 'changed', tooltip: deletedMine ? 'You deleted this row.' : 'You changed this row.' },
        { kind: 'side', conflict: c, label: 'theirs', description: deletedMine ? 'changed' : 'deleted', tooltip: deletedMine ? 'They changed this row.' : 'They deleted this row.' },
      ];
    }
    return c.fields.map((f) => ({
      kind: 'side',
      conflict: c,
      label: f,
      description: `mine ${showValue(fieldValue(c.mine, f))} · theirs ${showValue(fieldValue(c.theirs, f))}`,
      tooltip: `${f}\nmine: ${showValue(fieldValue(c.mine, f))}\ntheirs: ${showValue(fieldValue(c.theirs, f))}\nbefore both: ${showValue(fieldValue(c.base, f))}`,
    }));
  }

  getTreeItem(node: ConflictNode): vscode.TreeItem {
    if (node.kind === 'side') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.description = node.description;
      item.tooltip = node.tooltip;
      if (node.conflict.kind === 'file') item.command = { command: 'cairn.conflict.compare', title: 'Compare', arguments: [node.conflict] };
      return item;
    }
    const c = node.conflict;
    const item = new vscode.TreeItem(conflictTitle(c), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = c.id;
    item.iconPath = new vscode.ThemeIcon('warning');
    item.contextValue = c.kind === 'file' ? 'conflictFile' : 'conflictRow';
    const what = c.kind === 'file' ? 'note' : (singular[c.table ?? ''] ?? c.table ?? 'row');
    item.description = c.kind === 'file' ? 'note: both versions kept' : c.fields.includes('*') ? `${what}: deleted on one side` : `${what}: ${c.fields.join(', ')}`;
    item.tooltip = `${c.kind === 'file' ? 'Note' : what} changed on both sides${c.machine ? ` (theirs from ${c.machine})` : ''}, found ${new Date(c.detectedAt).toLocaleString()}. Keep mine, keep theirs, or edit.`;
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
