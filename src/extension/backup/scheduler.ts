// Automatic backups: every N minutes (cairn.backup.intervalMinutes), N minutes after the last change
// (cairn.backup.idleMinutes, from the backend's store.changed notifications, whoever made the change), and when
// VS Code closes (cairn.backup.onShutdown, within a bounded time). Timers are re-armed when the settings change.
import * as vscode from 'vscode';
import type { BackendClient } from '../backendClient';
import type { BackupRunner } from './runner';
import { schedule } from './settings';

/** How long closing VS Code waits for the shutdown backup; the extension host is stopped soon after anyway. */
export const SHUTDOWN_BOUND_MS = 4_000;

export class BackupScheduler implements vscode.Disposable {
  private interval: NodeJS.Timeout | undefined;
  private idle: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    backend: BackendClient,
    private readonly runner: BackupRunner,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      backend.onDidChangeStore(() => {
        this.runner.dirty = true;
        this.armIdle();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('cairn.backup')) this.arm();
      }),
    ];
    this.arm();
  }

  /** The backup a timer starts: the same code path as every automatic backup. */
  runAutomatic(): Promise<unknown> {
    return this.runner.backup('automatic');
  }

  private arm(): void {
    clearInterval(this.interval);
    this.interval = undefined;
    const { intervalMinutes, idleMinutes } = schedule();
    if (intervalMinutes) this.interval = setInterval(() => void this.runAutomatic(), intervalMinutes * 60_000);
    if (!idleMinutes) {
      clearTimeout(this.idle);
      this.idle = undefined;
    }
    this.log.info(`Automatic backups: ${intervalMinutes ? `every ${intervalMinutes} min` : 'no interval'}, ${idleMinutes ? `${idleMinutes} min after the last change` : 'not on idle'}, ${schedule().onShutdown ? 'and when VS Code closes' : 'not on shutdown'}.`);
  }

  private armIdle(): void {
    const { idleMinutes } = schedule();
    clearTimeout(this.idle);
    this.idle = idleMinutes ? setTimeout(() => void (this.runner.dirty && this.runAutomatic()), idleMinutes * 60_000) : undefined;
  }

  /** The shutdown backup, when enabled and something changed; resolves within SHUTDOWN_BOUND_MS either way. */
  async onShutdown(boundMs = SHUTDOWN_BOUND_MS): Promise<void> {
    if (!schedule().onShutdown || !this.runner.dirty) return;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(() => {
      this.log.warn(`The backup on closing did not finish within ${boundMs} ms; the next backup completes it.`);
      resolve();
    }, boundMs)));
    await Promise.race([this.runner.backup('shutdown').then(() => undefined), bound]);
    clearTimeout(timer);
  }

  dispose(): void {
    clearInterval(this.interval);
    clearTimeout(this.idle);
    for (const s of this.subscriptions) s.dispose();
  }
}
