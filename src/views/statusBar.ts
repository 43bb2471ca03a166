// The status-bar item: open task counts across the store, refreshed on every store change.
import * as vscode from 'vscode';
import type { BackendClient } from '../extension/backendClient';

interface Counts {
  pending: number;
  in_progress: number;
  blocked: number;
  done: number;
  cancelled: number;
  open: number;
  total: number;
}

export class TaskCountStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('cairn.openTasks', vscode.StatusBarAlignment.Left, 50);

  constructor(private readonly backend: BackendClient) {
    this.item.name = 'Cairn Open Tasks';
    this.item.command = 'cairn.projects.focus';
    this.item.text = '$(checklist) Cairn';
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  async update(): Promise<void> {
    try {
      const c = await this.backend.request<'tasks.counts', Counts>('tasks.counts', {});
      this.item.text = `$(checklist) ${c.open} open`;
      this.item.tooltip = `Cairn: ${c.pending} pending, ${c.in_progress} in progress, ${c.blocked} blocked · ${c.done} done, ${c.cancelled} cancelled`;
      this.item.backgroundColor = undefined;
    } catch (err) {
      this.showError((err as Error).message);
    }
  }

  showError(message: string): void {
    this.item.text = '$(warning) Cairn';
    this.item.tooltip = message;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  }

  dispose(): void {
    this.item.dispose();
  }
}
