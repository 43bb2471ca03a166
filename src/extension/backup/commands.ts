// The backup commands: Back Up Now, Restore… (pick a backup → dry run in words → modal confirm → restore), Show
// Backup History, Configure Backup Remote (set, change or remove it). Given explicit arguments (the tests, other
// extensions), a command asks nothing: Restore takes a ref or a history item and `{ confirm: true }`; Configure takes
// the URL, or `{ remove: true }`.
import * as vscode from 'vscode';
import type { RemoteInfo } from '../../sync/remote';
import type { HistoryEntry } from '../../sync/history';
import type { RestoreResult } from '../../sync/restore';
import { changeLines, formatBytes, formatDate, type BackupHistoryProvider, type HistoryNode } from '../../views/backupHistoryTree';
import { ErrorCodes } from '../../backend/protocol';
import { BackendError, type BackendClient } from '../backendClient';
import { withBackupProgress, unlessCancelled } from './progress';
import { remoteTarget, validateRemote } from './remote';
import { restoreReport, restoreSummary } from './restorePlan';
import type { BackupOptions, BackupRunner } from './runner';
import { backupParams, backupRepository, clearRemoteSetting, remoteSetting, saveRemoteSetting } from './settings';
import type { Messages } from '../messages';
import { safeCommands } from '../safeCommand';

export interface BackupCommandDeps {
  backend: BackendClient;
  runner: BackupRunner;
  history: BackupHistoryProvider;
  messages: Messages;
  log: vscode.LogOutputChannel;
}

/** What Restore… returns: the dry run, its report, and the restore when it was confirmed. */
export interface RestoreOutcome {
  plan: RestoreResult;
  report: string;
  restored?: RestoreResult;
}

const REPORT_SCHEME = 'cairn-restore';

export function registerBackupCommands({ backend, runner, history, messages, log }: BackupCommandDeps): vscode.Disposable[] {
  const command = safeCommands(messages);
  const reports = new Map<string, string>();
  const reportChanged = new vscode.EventEmitter<vscode.Uri>();

  const loadHistory = (limit: number) =>
    backend.request<'backup.history', { entries: HistoryEntry[] }>('backup.history', { limit, repo: backupRepository() }).then(
      (h) => h.entries,
      (err: unknown) => {
        if (err instanceof BackendError && err.code === ErrorCodes.NotFound) return []; // no backup repository yet
        throw err;
      },
    );

  async function pickBackup(): Promise<string | undefined> {
    const entries = await loadHistory(500);
    if (!entries.length) {
      if ((await messages.info('Cairn: there are no backups yet.', 'Back Up Now')) === 'Back Up Now') await vscode.commands.executeCommand('cairn.backupNow');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      entries.map((e) => ({
        label: `$(${e.kind === 'safety' ? 'shield' : e.kind === 'restore' ? 'discard' : 'history'}) ${formatDate(e.date)}`,
        description: e.summary,
        detail: [
          changeLines(e)
            .slice(0, 4)
            .map((l) => `${l.label}: ${l.description}`)
            .join(' · '),
          e.files !== null ? `${e.files} files, ${formatBytes(e.bytes ?? 0)}` : '',
          e.commit.slice(0, 10),
        ]
          .filter(Boolean)
          .join(' · '),
        commit: e.commit,
      })),
      { title: 'Restore a backup', placeHolder: 'Newest first; you see what would change before anything does', matchOnDescription: true, matchOnDetail: true },
    );
    return picked?.commit;
  }

  async function showReport(plan: RestoreResult, report: string, what = 'Restore'): Promise<void> {
    const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${what} ${plan.commit.slice(0, 10)}.md` });
    reports.set(uri.toString(), report);
    reportChanged.fire(uri);
    await vscode.window.showTextDocument(uri, { preview: true, preserveFocus: true, viewColumn: vscode.ViewColumn.Beside });
  }

  /** What restoring `ref` would change: the backup against the present. Changes nothing, so it can be abandoned. */
  function dryRun(ref: string): Promise<RestoreResult | undefined> {
    return withBackupProgress(backend, { title: 'Cairn: reading the backup', cancellable: true }, (token) =>
      unlessCancelled(token, backend.request<'backup.restore', RestoreResult>('backup.restore', { ...backupParams(), ref, dryRun: true })),
    );
  }

  /** Compare with Present: the backup against the store and files as they are now, in words (nothing is restored). */
  async function compareWithPresent(target?: HistoryNode | string): Promise<string | undefined> {
    const ref = typeof target === 'string' ? target : target?.kind === 'backup' ? target.entry.commit : await pickBackup();
    if (!ref) return undefined;
    const plan = await runner.exclusive('a comparison', () => dryRun(ref));
    if (!plan) return undefined;
    const report = `# The backup of ${formatDate(plan.date)} against the present\n\nWhat is different now is what restoring it would change back.\n\n${restoreReport(plan)}`;
    await showReport(plan, report, 'Compare');
    return report;
  }

  async function restore(target?: HistoryNode | string, opts: { confirm?: boolean } = {}): Promise<RestoreOutcome | undefined> {
    if (runner.running) {
      void messages.info(`Cairn: ${runner.running} is running; try again when it has finished.`);
      return undefined;
    }
    const ref = typeof target === 'string' ? target : target?.kind === 'backup' ? target.entry.commit : await pickBackup();
    if (!ref) return undefined;
    const params = { ...backupParams(), ref };
    return runner.exclusive('a restore', async () => {
      const plan = await dryRun(ref);
      if (!plan) return undefined;
      const report = restoreReport(plan);
      log.info(`Restore ${plan.commit}: dry run\n${report}`);
      if (opts.confirm === undefined) await showReport(plan, report);
      const when = formatDate(plan.date);
      const confirmed =
        opts.confirm ??
        (await vscode.window.showWarningMessage(
          `Restore the backup of ${when}?`,
          { modal: true, detail: `${plan.subject}\n\nThis would change:\n${restoreSummary(plan).join('\n')}\n\nThe present state is backed up first: restoring that backup undoes this.` },
          'Restore',
        )) === 'Restore';
      if (!confirmed) return { plan, report };
      // Past this point the store is being replaced: not cancellable.
      const restored = await withBackupProgress(backend, { title: `Cairn: restoring the backup of ${when}` }, () =>
        backend.request<'backup.restore', RestoreResult>('backup.restore', { ...params, dryRun: false }),
      );
      for (const w of restored.warnings) log.warn(`Restore: ${w}`);
      if (restored.restoreCommit) runner.recordSuccess(`restored the backup of ${when}`);
      history.refresh();
      const undo = restored.safetyCommit ? ` The state before was backed up (${restored.safetyCommit.slice(0, 7)}): restore that to undo.` : restored.safetyCopy ? ` The state before was copied to ${restored.safetyCopy}.` : '';
      void messages.info(`Cairn: restored the backup of ${when}.${undo}${restored.warnings.length ? ' Warnings are in the log.' : ''}`);
      return { plan, report, restored };
    });
  }

  /** Forgets the remote (the repository's and the setting): backups stay local; the remote repository is not touched. */
  async function removeRemote(): Promise<RemoteInfo> {
    const setting = remoteSetting(); // read before it is cleared: the remote a repository without one was set to
    const info = await backend.request<'backup.remote.remove', RemoteInfo>('backup.remote.remove', { repo: backupRepository() });
    await clearRemoteSetting();
    const privacy = backupParams().privateNotes === 'auto' ? ' Notes marked private: true go into local backups again.' : '';
    const removed = info.removed ?? setting;
    void messages.info(removed ? `Cairn: removed the backup remote ${removed}. Backups stay in ${info.repo}; the remote repository keeps what was pushed.${privacy}` : 'Cairn: no backup remote was set.');
    return info;
  }

  async function configureRemote(arg?: string | { remove: true }): Promise<RemoteInfo | undefined> {
    if (typeof arg === 'object' && arg?.remove) return removeRemote();
    let url = typeof arg === 'string' ? arg : undefined;
    const repo = backupRepository();
    const interactive = url === undefined;
    if (interactive) {
      const current = await backend.request<'backup.remote.get', RemoteInfo>('backup.remote.get', { repo }).catch(() => undefined);
      if (current?.url) {
        const change = { label: '$(edit) Change the remote', description: current.url, action: 'change' };
        const remove = { label: '$(trash) Remove the remote', description: 'backups stay local; the remote repository is not changed', action: 'remove' };
        const picked = await vscode.window.showQuickPick([change, remove], { title: 'Backup remote', placeHolder: `Backups sync with ${current.url}` });
        if (!picked) return undefined;
        if (picked.action === 'remove') return removeRemote();
      }
      url = await vscode.window.showInputBox({
        title: 'Backup remote',
        prompt: 'Where Sync Now pushes the backups: a git URL (https://…, ssh://…, git@host:path) or the path of a repository (e.g. a bare repository on another disk). Cairn never force-pushes.',
        value: current?.url ?? remoteSetting(),
        placeHolder: 'git@github.com:me/cairn-backup.git',
        validateInput: validateRemote,
        ignoreFocusOut: true,
      });
    }
    if (url === undefined) return undefined;
    const problem = validateRemote(url);
    if (problem) throw new Error(problem);
    const target = remoteTarget(url);
    const set = (check: boolean) =>
      withBackupProgress(backend, { title: check ? `Cairn: checking ${target}` : 'Cairn: saving the remote' }, () =>
        backend.request<'backup.remote.set', RemoteInfo>('backup.remote.set', { url: target, check, repo }),
      );
    let info: RemoteInfo;
    try {
      info = await set(true);
    } catch (err) {
      if (!(interactive && err instanceof BackendError && err.code === ErrorCodes.StoreUnavailable)) throw err;
      if ((await messages.error(`Cairn: ${err.message}`, 'Save Anyway')) !== 'Save Anyway') return undefined;
      info = await set(false);
    }
    await saveRemoteSetting(info.url ?? target);
    const privacy = backupParams().privateNotes === 'auto' ? ' Notes marked private: true are now left out of backups (setting cairn.backup.privateNotes).' : '';
    if (info.warning) void messages.warning(`Cairn: backups sync with ${info.url}. ${info.warning}`);
    else void messages.info(`Cairn: backups sync with ${info.url}${info.reachable ? ' (reachable)' : ''}. Run "Cairn: Sync Now" to push.${privacy}`);
    return info;
  }

  return [
    reportChanged,
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, { onDidChange: reportChanged.event, provideTextDocumentContent: (uri) => reports.get(uri.toString()) ?? '' }),
    command('cairn.backupNow', (opts?: BackupOptions) => runner.backup('manual', { full: opts?.full, confirmMassDelete: opts?.confirmMassDelete })),
    command('cairn.restoreBackup', restore),
    command('cairn.compareBackupWithPresent', compareWithPresent),
    command('cairn.showBackupHistory', async () => {
      history.refresh();
      await vscode.commands.executeCommand('cairn.backupHistory.focus');
    }),
    command('cairn.refreshBackupHistory', async () => history.refresh()),
    command('cairn.configureBackupRemote', configureRemote),
    { dispose: () => reports.clear() },
  ];
}
