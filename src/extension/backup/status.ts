// The backup status-bar item: when the last backup ran ("Backed up 3 min ago"), that one is running, or that the
// last attempt failed (until a backup succeeds). Redrawn every half minute so the age stays true.
import * as vscode from 'vscode';

export type BackupState =
  | { kind: 'unknown' }
  | { kind: 'none' }
  | { kind: 'ok'; at: Date; summary: string }
  | { kind: 'running'; what: string }
  | { kind: 'failed'; at: Date; message: string; automatic: boolean };

/** "just now", "3 min ago", "2 h ago", "4 days ago". */
export function ago(at: Date, now = new Date()): string {
  const minutes = Math.floor((now.getTime() - at.getTime()) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  return days === 1 ? 'yesterday' : `${days} days ago`;
}

export class BackupStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('cairn.backup', vscode.StatusBarAlignment.Left, 49);
  private readonly timer = setInterval(() => this.render(), 30_000);
  private state: BackupState = { kind: 'unknown' };
  /** The last success, kept while a backup runs or after it failed. */
  private lastOk: { at: Date; summary: string } | undefined;

  constructor() {
    this.item.name = 'Cairn Backup';
    this.render();
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  get current(): BackupState {
    return this.state;
  }

  set(state: BackupState): void {
    if (state.kind === 'ok') this.lastOk = { at: state.at, summary: state.summary };
    this.state = state;
    this.render();
  }

  private render(): void {
    const s = this.state;
    const last = this.lastOk ? `Last backup ${ago(this.lastOk.at)} (${this.lastOk.at.toLocaleString()}): ${this.lastOk.summary}` : 'No backup yet.';
    this.item.backgroundColor = undefined;
    switch (s.kind) {
      case 'unknown':
        this.item.text = '$(history) Backup';
        this.item.tooltip = 'Cairn backup: reading the history…';
        this.item.command = 'cairn.showBackupHistory';
        break;
      case 'none':
        this.item.text = '$(history) Not backed up';
        this.item.tooltip = 'Cairn has no backup of this store yet. Click to back up now.';
        this.item.command = 'cairn.backupNow';
        break;
      case 'ok':
        this.item.text = `$(history) Backed up ${ago(s.at)}`;
        this.item.tooltip = `${last}\nClick for the backup history.`;
        this.item.command = 'cairn.showBackupHistory';
        break;
      case 'running':
        this.item.text = `$(sync~spin) ${s.what}…`;
        this.item.tooltip = last;
        this.item.command = 'cairn.showLog';
        break;
      case 'failed':
        this.item.text = '$(error) Backup failed';
        this.item.tooltip = `${s.automatic ? 'The automatic backup' : 'The backup'} failed ${ago(s.at)}: ${s.message}\n${last}\nClick to try again.`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        this.item.command = 'cairn.backupNow';
        break;
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    this.item.dispose();
  }
}
