// Runs backups for the window: one backup, restore or sync at a time; the status bar follows each run; a failed
// AUTOMATIC backup raises one error notification per cause, not one per attempt, until a backup succeeds (the
// worst bug of peers is a backup that silently stopped; the second worst is a notification every five minutes).
import * as vscode from 'vscode';
import { ErrorCodes } from '../../backend/protocol';
import type { BackupResult } from '../../sync/backup';
import { BackendError, type BackendClient } from '../backendClient';
import { withBackupProgress } from './progress';
import { backupParams } from './settings';
import type { BackupState, BackupStatus } from './status';
import { confirmMassDeletion, massDeletionFailure, massDeletionOf, type MassDeleteAnswer } from './massDelete';
import type { Messages } from '../messages';

export type Trigger = 'manual' | 'automatic' | 'shutdown';

export interface BackupOptions {
  full?: boolean;
  /** Commit removals no logged deletion explains (asked in a modal first; see massDelete.ts). */
  allowMassDelete?: boolean;
  /** The answer to that modal, given by the caller (a script, a test) instead of asking. */
  confirmMassDelete?: MassDeleteAnswer;
}

interface Finding {
  where?: string;
}

/** One line a person can act on; a refused backup names where the secrets are, or what Back Up Now would remove. */
export function failureText(err: unknown): string {
  const deletion = massDeletionOf(err);
  if (deletion) return massDeletionFailure(deletion);
  const data = err instanceof BackendError ? (err.data as { findings?: Finding[] } | undefined) : undefined;
  const findings = data?.findings?.filter((f) => f.where) ?? [];
  if (findings.length) {
    const places = findings.slice(0, 3).map((f) => f.where).join('; ');
    return `refused: ${findings.length} possible secret${findings.length === 1 ? '' : 's'} (${places}${findings.length > 3 ? '; …' : ''}). Remove or encrypt them, add an exclude pattern, or allow a finding (setting cairn.backup.allow; fingerprints in the log).`;
  }
  return (err as Error).message.split('\n')[0] ?? String(err);
}

export class BackupRunner {
  private busy: string | undefined;
  /** What waits for the running backup, restore or sync to end (whenIdle). */
  private idle: (() => void)[] = [];
  /** The cause already notified for a failing automatic backup (cleared by a success). */
  private notifiedCause: string | undefined;
  /** The store changed since the last successful backup started (as far as this window saw). */
  dirty = false;

  constructor(
    private readonly backend: BackendClient,
    private readonly messages: Messages,
    private readonly log: vscode.LogOutputChannel,
    private readonly status: BackupStatus,
    private readonly onBackedUp: () => void,
  ) {}

  get running(): string | undefined {
    return this.busy;
  }

  /** Runs fn unless a backup, restore or sync is already running in this window (then returns undefined). */
  async exclusive<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.busy) {
      this.log.info(`Cairn: ${what} skipped: ${this.busy} is running.`);
      return undefined;
    }
    this.busy = what;
    try {
      return await fn();
    } finally {
      this.busy = undefined;
      for (const next of this.idle.splice(0)) next();
    }
  }

  /** Runs `fn` once no backup, restore or sync runs in this window: at once, or as the running one ends. */
  whenIdle(fn: () => void): void {
    if (this.busy) this.idle.push(fn);
    else fn();
  }

  async backup(trigger: Trigger, opts: BackupOptions = {}): Promise<BackupResult | undefined> {
    if (this.busy) {
      if (trigger === 'manual') void this.messages.info(`Cairn: ${this.busy} is running; try again when it has finished.`);
      else this.log.info(`Cairn: automatic backup skipped: ${this.busy} is running.`);
      return undefined;
    }
    return this.exclusive('a backup', () => this.backupNow(trigger, opts));
  }

  private async backupNow(trigger: Trigger, opts: BackupOptions): Promise<BackupResult | undefined> {
    const wasDirty = this.dirty;
    this.dirty = false;
    const previous = this.status.current;
    this.status.set({ kind: 'running', what: 'Backing up' });
    try {
      const run = (token?: vscode.CancellationToken) => this.backend.request<'backup.run', BackupResult>('backup.run', { ...backupParams(), full: opts.full, allowMassDelete: opts.allowMassDelete }, token);
      // While VS Code closes no progress can be shown. A backup the user started can be cancelled until its commit.
      const result = trigger === 'shutdown' ? await run() : await withBackupProgress(this.backend, { title: 'Cairn: backing up', quiet: trigger !== 'manual', cancellable: trigger === 'manual' }, run);
      this.notifiedCause = undefined;
      this.status.set({ kind: 'ok', at: new Date(), summary: result.status === 'committed' ? result.summary : 'nothing had changed' });
      this.log.info(`Backup (${trigger}): ${result.status} ${result.commit ?? ''} ${result.summary} in ${result.ms} ms; ${result.repo}`);
      for (const w of result.warnings) this.log.warn(`Backup: ${w}`);
      if (trigger === 'manual') {
        const what = result.status === 'committed' ? `backed up: ${result.summary} (${result.commit?.slice(0, 7)})` : 'nothing changed since the last backup';
        const leftOut = result.privateNotesLeftOut ? `; ${result.privateNotesLeftOut} private note${result.privateNotesLeftOut === 1 ? '' : 's'} left out` : '';
        const warned = result.warnings.length ? `; ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'} in the log` : '';
        void this.messages.info(`Cairn: ${what}${leftOut}${warned}.`);
      }
      this.onBackedUp();
      return result;
    } catch (err) {
      this.dirty ||= wasDirty;
      // A mass deletion is asked about (a modal with the counts) when the user started the backup.
      const deletion = trigger === 'manual' && !opts.allowMassDelete ? massDeletionOf(err) : undefined;
      if (deletion) {
        this.log.warn(`Backup (manual): ${(err as Error).message}`);
        this.status.set(previous);
        return (await confirmMassDeletion(this.messages, this, deletion, 'Back Up Anyway', opts.confirmMassDelete)) ? this.backupNow(trigger, { ...opts, allowMassDelete: true }) : undefined;
      }
      return this.failed(trigger, err, previous);
    }
  }

  private failed(trigger: Trigger, err: unknown, previous: BackupState): undefined {
    const message = (err as Error).message;
    if (err instanceof BackendError && err.code === ErrorCodes.Cancelled) {
      this.status.set(previous);
      void this.messages.info(`Cairn: ${message}`);
      return undefined;
    }
    this.log.error(`Backup (${trigger}) failed: ${message}`);
    if (trigger !== 'manual' && err instanceof BackendError && err.code === ErrorCodes.Busy) {
      // Another process (a CLI backup, another window) holds the backup lock: the next run will do.
      this.status.set(previous);
      return undefined;
    }
    const text = failureText(err);
    this.status.set({ kind: 'failed', at: new Date(), message: text, automatic: trigger !== 'manual' });
    const cause = `${err instanceof BackendError ? err.code : 'error'}:${message}`;
    if (trigger === 'shutdown') return undefined; // no notification can be shown while VS Code closes; the log has it
    if (trigger === 'automatic' && cause === this.notifiedCause) {
      this.log.warn('The automatic backup failed again for the same reason; not notifying again until a backup succeeds.');
      return undefined;
    }
    this.notifiedCause = cause;
    const lead = trigger === 'automatic' ? 'Cairn: the automatic backup failed' : 'Cairn: the backup failed';
    // A mass deletion is reviewed in the modal that a backup started by hand shows.
    const retry = massDeletionOf(err) ? 'Review…' : 'Retry';
    const actions = trigger === 'automatic' ? ['Show Log', retry, 'Open Settings'] : ['Show Log', 'Open Settings'];
    void this.messages.error(`${lead}: ${text}`, ...actions).then((choice) => {
      if (choice === 'Show Log') this.log.show();
      if (choice === retry) void this.backup('manual');
      if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'cairn.backup');
    });
    return undefined;
  }

  /** A restore or sync committed the store's state: the status bar says so, and a notified failure is over. */
  recordSuccess(summary: string): void {
    this.notifiedCause = undefined;
    this.status.set({ kind: 'ok', at: new Date(), summary });
  }

  /** The status bar's starting point: the newest backup in the history. */
  async readLastBackup(): Promise<void> {
    try {
      const h = await this.backend.request<'backup.history', { entries: { date: string; summary: string }[] }>('backup.history', { limit: 1, repo: backupParams().repo });
      const last = h.entries[0];
      if (this.status.current.kind === 'unknown' || this.status.current.kind === 'none') {
        this.status.set(last ? { kind: 'ok', at: new Date(last.date), summary: last.summary } : { kind: 'none' });
      }
    } catch (err) {
      if (err instanceof BackendError && err.code === ErrorCodes.NotFound) this.status.set({ kind: 'none' });
      else this.log.warn(`Reading the backup history failed: ${(err as Error).message}`);
    }
  }
}
