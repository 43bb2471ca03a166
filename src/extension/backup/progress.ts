// Progress of a backup, restore or sync in VS Code, once one takes longer than a second: a notification (or, for
// automatic backups, the status bar's spinner) fed by the backend's backup.progress and sync.progress
// notifications. Cancellation is offered only where stopping is safe: the caller decides (a backup until its commit,
// a sync until its merge is applied, a restore's dry run), and a sync that reports it can no longer stop
// (`cancellable: false`) gets a notification without the Cancel button for the rest of its run.
import * as vscode from 'vscode';
import { BACKUP_PROGRESS, SYNC_PROGRESS } from '../../backend/protocol';
import type { BackendClient } from '../backendClient';

interface BackupProgress {
  operation?: string;
  phase: string;
  done?: number;
  total?: number;
  /** Sync: which fetch-merge-push round (a rejected push means another). */
  attempt?: number;
  /** Sync: false once the store is being changed (cancelling no longer stops it). */
  cancellable?: boolean;
}

const PHASES: Record<string, string> = {
  prepare: 'Preparing',
  export: 'Exporting the store',
  files: 'Copying vault and agent files',
  stage: 'Staging the changes',
  scan: 'Scanning for secrets',
  commit: 'Committing',
  extract: 'Reading the backup',
  verify: 'Verifying checksums',
  build: 'Building the restored database',
  safety: 'Backing up the present state first',
  swap: 'Replacing the store',
  index: 'Re-indexing notes and agents',
  backup: 'Backing up local changes',
  fetch: 'Fetching from the remote',
  merge: 'Merging',
  apply: 'Bringing the store up to date',
  push: 'Pushing to the remote',
};

/** "Exporting tasks (1,200/10,000)" from a phase like "export tasks" with its counts. */
export function describePhase(p: BackupProgress): string {
  const [head, ...rest] = p.phase.split(' ');
  const table = rest.join(' ').replace(/_/g, ' ');
  const text = head === 'export' && table ? `Exporting ${table}` : (PHASES[p.phase] ?? PHASES[head ?? ''] ?? p.phase);
  const counts = p.total ? ` (${(p.done ?? 0).toLocaleString()}/${p.total.toLocaleString()})` : '';
  const round = p.attempt && p.attempt > 1 ? ` (attempt ${p.attempt}: someone pushed meanwhile)` : '';
  return text + counts + round;
}

export interface ProgressOptions {
  title: string;
  /** Automatic backups show in the status bar, not as a notification. */
  quiet?: boolean;
  cancellable?: boolean;
}

/** A quick backup (most are) finishes without a notification flashing up. */
const SHOW_AFTER_MS = 1_000;

/** Runs work, showing the backend's progress messages for it once it has taken longer than a moment. */
export async function withBackupProgress<T>(backend: BackendClient, opts: ProgressOptions, work: (token: vscode.CancellationToken) => Promise<T>): Promise<T> {
  const cancel = new vscode.CancellationTokenSource();
  let latest: string | undefined;
  let report: ((message: string) => void) | undefined;
  let cancellable = opts.cancellable ?? false;
  /** Ends the notification with the Cancel button (the run went past its last safe point). */
  let pastSafePoints: (() => void) | undefined;
  const listener = backend.onDidNotify(({ method, params }) => {
    if (method !== BACKUP_PROGRESS && method !== SYNC_PROGRESS) return;
    const p = params as BackupProgress;
    latest = describePhase(p);
    report?.(latest);
    if (p.cancellable === false && cancellable) {
      cancellable = false;
      pastSafePoints?.();
    }
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const running = work(cancel.token);
    const settled = running.then(
      () => 'done',
      () => 'done',
    );
    const slow = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('slow'), SHOW_AFTER_MS)));
    if ((await Promise.race([settled, slow])) === 'slow') {
      const show = (withCancel: boolean) =>
        vscode.window.withProgress(
          {
            location: opts.quiet ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification,
            title: withCancel || !opts.cancellable ? opts.title : `${opts.title} (can no longer be cancelled)`,
            cancellable: withCancel,
          },
          async (progress, token) => {
            token.onCancellationRequested(() => cancel.cancel());
            report = (message) => progress.report({ message });
            if (latest) report(latest);
            await (withCancel ? Promise.race([settled, new Promise<void>((resolve) => (pastSafePoints = resolve))]) : settled);
          },
        );
      if (cancellable) await show(true);
      // Cancelled by the user: the run stops at its next safe point, or finishes if it is past them (no second notification).
      if (!cancel.token.isCancellationRequested && (await Promise.race([settled, Promise.resolve('running')])) === 'running') await show(false);
    }
    return await running;
  } finally {
    clearTimeout(timer);
    listener.dispose();
    cancel.dispose();
  }
}

/** Resolves undefined as soon as the user cancels, so an abandoned step (one without effects, like a dry run) stops the flow. */
export function unlessCancelled<T>(token: vscode.CancellationToken, work: Promise<T>): Promise<T | undefined> {
  if (token.isCancellationRequested) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const sub = token.onCancellationRequested(() => {
      sub.dispose();
      resolve(undefined);
    });
    work.then(
      (v) => {
        sub.dispose();
        resolve(v);
      },
      (err: unknown) => {
        sub.dispose();
        reject(err);
      },
    );
  });
}
