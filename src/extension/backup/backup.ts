// Backup, restore and sync in VS Code: wires the status bar, the automatic backups, the Backup History and
// Conflicts views and their commands to the backend's backup.*, sync.run and conflicts.* methods.
import * as vscode from 'vscode';
import type { BackupChanges } from '../../sync/backupDiff';
import type { HistoryEntry } from '../../sync/history';
import { BackupHistoryProvider } from '../../views/backupHistoryTree';
import { ConflictsProvider, type Conflict } from '../../views/conflictsTree';
import { ErrorCodes } from '../../backend/protocol';
import { BackendError, type BackendClient } from '../backendClient';
import { registerBackupChanges } from './changes';
import { registerBackupCommands } from './commands';
import { applyRemoteSetting } from './remote';
import { BackupRunner } from './runner';
import { BackupScheduler } from './scheduler';
import { backupRepository } from './settings';
import { BackupStatus } from './status';
import type { Messages } from '../messages';
import { registerSyncCommands } from './syncCommands';

export interface BackupDeps {
  backend: BackendClient;
  messages: Messages;
  log: vscode.LogOutputChannel;
  onError: (err: unknown) => void;
}

/** What the extension's API exposes of backups (the integration tests use it). */
export interface BackupApi {
  statusText(): string;
  history: BackupHistoryProvider;
  conflicts: ConflictsProvider;
  /** Runs the backup the timers run (same path, same failure notification rules). */
  runAutomatic(): Promise<unknown>;
  /** The backup made when VS Code closes (when enabled and something changed), bounded in time. */
  onShutdown(boundMs?: number): Promise<void>;
}

let scheduler: BackupScheduler | undefined;
let shutdownBackup: Promise<void> | undefined;

/** deactivate(): the shutdown backup. VS Code disposes the subscriptions right after calling it, without waiting. */
export function backupOnShutdown(): Promise<void> {
  shutdownBackup = scheduler?.onShutdown() ?? Promise.resolve();
  return shutdownBackup;
}

/** Disposes `d` (the backend) only once the shutdown backup, if one is running, has settled. */
export function disposeAfterShutdownBackup(d: vscode.Disposable): vscode.Disposable {
  return { dispose: () => void (shutdownBackup ?? Promise.resolve()).finally(() => d.dispose()) };
}

export function registerBackup({ backend, messages, log, onError }: BackupDeps): { disposables: vscode.Disposable[]; api: BackupApi } {
  const status = new BackupStatus();
  const history = new BackupHistoryProvider(
    () =>
      backend.request<'backup.history', { entries: HistoryEntry[] }>('backup.history', { limit: 200, repo: backupRepository() }).then(
        (h) => h.entries,
        (err: unknown) => {
          if (err instanceof BackendError && err.code === ErrorCodes.NotFound) return []; // no backup yet: the welcome text says so
          throw err;
        },
      ),
    (commit) => backend.request<'backup.changes', BackupChanges>('backup.changes', { ref: commit, repo: backupRepository() }),
  );
  const runner = new BackupRunner(backend, messages, log, status, () => history.refresh());
  let conflictsView: vscode.TreeView<unknown> | undefined;
  const conflicts = new ConflictsProvider(
    () => backend.request<'conflicts.list', { conflicts: Conflict[] }>('conflicts.list', {}).then((r) => r.conflicts),
    onError,
    (open) => {
      if (conflictsView) conflictsView.badge = open ? { value: open, tooltip: `${open} sync conflict${open === 1 ? '' : 's'} to resolve` } : undefined;
    },
  );
  conflictsView = vscode.window.createTreeView('cairn.conflicts', { treeDataProvider: conflicts });
  const historyView = vscode.window.createTreeView('cairn.backupHistory', { treeDataProvider: history });
  scheduler = new BackupScheduler(backend, runner, log);
  const current = scheduler;

  const restart = () => {
    status.set({ kind: 'unknown' });
    void runner.readLastBackup();
    history.refresh();
    conflicts.refresh();
  };
  void runner.readLastBackup();

  return {
    disposables: [
      status,
      history,
      historyView,
      conflicts,
      conflictsView,
      current,
      { dispose: () => (scheduler === current ? (scheduler = undefined) : undefined) },
      backend.onDidRestart(restart),
      backend.onDidChangeStore(() => conflicts.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('cairn.backup.repository')) restart();
        if (e.affectsConfiguration('cairn.backup.remote') || e.affectsConfiguration('cairn.backup.repository')) {
          applyRemoteSetting(backend).catch((err: Error) => void messages.error(`Cairn: the backup remote setting could not be applied: ${err.message}`, 'Open Settings').then((c) => c && vscode.commands.executeCommand('workbench.action.openSettings', 'cairn.backup.remote')));
        }
      }),
      ...registerBackupCommands({ backend, runner, history, messages, log }),
      ...registerBackupChanges(backend, messages),
      ...registerSyncCommands({ backend, runner, history, conflicts, messages, log }),
    ],
    api: {
      statusText: () => status.text,
      history,
      conflicts,
      runAutomatic: () => current.runAutomatic(),
      onShutdown: (boundMs) => current.onShutdown(boundMs),
    },
  };
}
