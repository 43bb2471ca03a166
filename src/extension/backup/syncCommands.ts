// Sync Now (backup, fetch, merge, push through the backup remote), Resolve Conflicts (the Conflicts view), and the
// conflict actions keep mine / keep theirs / edit. Given arguments (a conflict id or item, and for edit the value),
// the actions ask nothing.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PrivateNoteInHistory } from '../../sync/privateHistory';
import type { RemoteInfo } from '../../sync/remote';
import type { SyncResult } from '../../sync/sync';
import { conflictTitle, showValue, type Conflict, type ConflictNode, type ConflictsProvider } from '../../views/conflictsTree';
import type { BackupHistoryProvider } from '../../views/backupHistoryTree';
import { ErrorCodes } from '../../backend/protocol';
import { BackendError, type BackendClient } from '../backendClient';
import { withBackupProgress } from './progress';
import { applyRemoteSetting } from './remote';
import type { BackupRunner } from './runner';
import { backupParams, backupRepository } from './settings';
import { confirmMassDeletion, massDeletionOf, type MassDeleteAnswer } from './massDelete';
import type { Messages } from '../messages';
import { safeCommands } from '../safeCommand';

export interface SyncDeps {
  backend: BackendClient;
  runner: BackupRunner;
  history: BackupHistoryProvider;
  conflicts: ConflictsProvider;
  messages: Messages;
  log: vscode.LogOutputChannel;
}

const countWords = (counts: Record<string, number>) =>
  Object.entries(counts)
    .filter(([k, n]) => n > 0 && k !== 'events')
    .map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`)
    .join(', ');

/** One sentence for the result. */
export function syncMessage(r: SyncResult): string {
  const taken = countWords(r.changes.fromTheirs);
  switch (r.status) {
    case 'up_to_date':
      return `in sync with ${r.remote}; nothing new on either side.`;
    case 'pushed':
      return `pushed your backups to ${r.remote}.`;
    case 'fast_forward':
      return `took the remote's changes${taken ? ` (${taken})` : ''}.`;
    case 'merged': {
      const merged = countWords(r.changes.merged);
      return `merged with ${r.remote}${taken ? `: took ${taken}` : ''}${merged ? `; merged ${merged} field by field` : ''}${r.pushed ? '; pushed' : ''}.`;
    }
  }
}

/** What the user allowed a sync after it was refused (sync.run's params). */
interface Allowances {
  allowMassDelete?: boolean;
  allowPrivateHistory?: boolean;
  freshHistory?: boolean;
}

/** The answers to Sync Now's questions, given by its caller (a script, a test) instead of asking. */
export interface SyncAnswers {
  /** The mass-deletion modal (massDelete.ts). */
  confirmMassDelete?: MassDeleteAnswer;
  /** Private notes in the history to push: push it as it is, start a fresh history, or neither. */
  confirmPrivateHistory?: 'push' | 'fresh' | false;
}

const FRESH_HISTORY = 'Start Fresh History';
const PUSH_ANYWAY = 'Push Anyway';

export function registerSyncCommands({ backend, runner, history, conflicts, messages, log }: SyncDeps): vscode.Disposable[] {
  const command = safeCommands(messages);

  /**
   * What the user allows after a refusal they may overrule (never silently applied or pushed): a mass deletion either
   * way (the modal with the counts), or private notes in the history to push. Undefined when `err` is no such refusal
   * (or one already allowed); null when the user declined.
   */
  async function allowanceAfter(err: unknown, allowed: Allowances, remote: string, answers: SyncAnswers): Promise<Allowances | null | undefined> {
    const deletion = allowed.allowMassDelete ? undefined : massDeletionOf(err);
    if (deletion) {
      log.warn(`Sync: ${(err as Error).message}`);
      return (await confirmMassDeletion(messages, runner, deletion, 'Sync Anyway', answers.confirmMassDelete)) ? { allowMassDelete: true } : null;
    }
    const notes = err instanceof BackendError ? (err.data as { privateNotes?: PrivateNoteInHistory[] } | undefined)?.privateNotes : undefined;
    if (!notes || allowed.allowPrivateHistory || allowed.freshHistory) return undefined;
    const listed = notes.slice(0, 5).map((n) => n.path).join(', ') + (notes.length > 5 ? `, and ${notes.length - 5} more` : '');
    const question = `Cairn: the history this sync would push to ${remote} holds ${notes.length} private note${notes.length === 1 ? '' : 's'} (private: true in the front matter): ${listed}.`;
    const detail = `Nothing was pushed yet. ${FRESH_HISTORY} pushes a new history that starts from the current state, without private notes (the old one stays on a local branch, never pushed); ${PUSH_ANYWAY} pushes the history as it is.`;
    const given = answers.confirmPrivateHistory === undefined ? undefined : { given: answers.confirmPrivateHistory === 'push' ? PUSH_ANYWAY : answers.confirmPrivateHistory === 'fresh' ? FRESH_HISTORY : undefined };
    const choice = await messages.ask(question, detail, [FRESH_HISTORY, PUSH_ANYWAY], given);
    return choice === PUSH_ANYWAY ? { allowPrivateHistory: true } : choice === FRESH_HISTORY ? { freshHistory: true } : null;
  }

  /** `answers`: the answers to its questions, given by the caller (a script, a test). */
  async function syncNow(answers: SyncAnswers = {}): Promise<SyncResult | undefined> {
    if (runner.running) {
      void messages.info(`Cairn: ${runner.running} is running; try again when it has finished.`);
      return undefined;
    }
    await applyRemoteSetting(backend);
    const remote = await backend.request<'backup.remote.get', RemoteInfo>('backup.remote.get', { repo: backupRepository() });
    if (!remote.url) {
      // The command ends now; the button, if chosen later, opens the remote set-up.
      void messages.warning('Cairn: there is no backup remote to sync with yet.', 'Configure Backup Remote').then((choice) => choice && vscode.commands.executeCommand('cairn.configureBackupRemote'));
      return undefined;
    }
    const url = remote.url;
    return runner.exclusive('a sync', async () => {
      // Cancellable until the merge is applied to the store; the progress drops its Cancel button from then on.
      const allowed: Allowances = {};
      const run = () =>
        withBackupProgress(backend, { title: `Cairn: syncing with ${url}`, cancellable: true }, (token) => backend.request<'sync.run', SyncResult>('sync.run', { ...backupParams(), ...allowed }, token));
      let r: SyncResult | undefined;
      // Run again with each refusal the user overrules (each asked once) until the sync goes through, is cancelled or declined.
      while (!r) {
        try {
          r = await run();
        } catch (err) {
          if (err instanceof BackendError && err.code === ErrorCodes.Cancelled) {
            void messages.info(`Cairn: ${err.message}`);
            return undefined;
          }
          const allowance = await allowanceAfter(err, allowed, url, answers);
          if (allowance === undefined) throw err;
          if (allowance === null) return undefined;
          Object.assign(allowed, allowance);
        }
      }
      log.info(`Sync: ${r.status}, ${r.attempts} attempt(s), head ${r.head}, from theirs ${JSON.stringify(r.changes.fromTheirs)}, merged ${JSON.stringify(r.changes.merged)}, ${r.openConflicts} open conflict(s), ${r.ms} ms`);
      for (const w of r.warnings) log.warn(`Sync: ${w}`);
      runner.recordSuccess(`synced with ${r.remote}`);
      history.refresh();
      conflicts.refresh();
      if (r.openConflicts) {
        const found = r.conflicts.length ? `${r.conflicts.length} new conflict${r.conflicts.length === 1 ? '' : 's'}; ` : '';
        void messages.warning(`Cairn: ${syncMessage(r)} ${found}${r.openConflicts} to resolve.`, 'Resolve Conflicts').then((c) => c && vscode.commands.executeCommand('cairn.resolveConflicts'));
      } else void messages.info(`Cairn: ${syncMessage(r)}`);
      return r;
    });
  }

  /** The conflict an action is for: the item it was run on, an id, or one picked from the open ones. */
  async function target(arg: ConflictNode | Conflict | string | undefined): Promise<Conflict | undefined> {
    if (arg && typeof arg === 'object') return 'conflict' in arg ? arg.conflict : arg;
    const open = await backend.request<'conflicts.list', { conflicts: Conflict[] }>('conflicts.list', {});
    if (typeof arg === 'string') {
      const found = open.conflicts.find((c) => c.id === arg);
      if (!found) throw new Error(`No open conflict with id ${arg}; it may be resolved already.`);
      return found;
    }
    if (!open.conflicts.length) {
      void messages.info('Cairn: there are no conflicts to resolve.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      open.conflicts.map((c) => ({ label: conflictTitle(c), description: c.kind === 'file' ? 'note' : c.fields.join(', '), conflict: c })),
      { placeHolder: 'Which conflict?' },
    );
    return picked?.conflict;
  }

  async function resolve(c: Conflict, choice: 'mine' | 'theirs' | 'edit', value?: unknown): Promise<unknown> {
    const r = await backend.request('conflicts.resolve', { id: c.id, choice, ...(choice === 'edit' ? { value } : {}) });
    conflicts.refresh();
    void messages.info(`Cairn: ${conflictTitle(c)}: ${choice === 'mine' ? 'kept yours' : choice === 'theirs' ? 'took theirs' : 'saved your edit'}.`);
    return r;
  }

  /** Opens their note (the copy) against yours: edit yours on the right, save, then Keep Mine. */
  async function compare(c: Conflict): Promise<void> {
    if (c.kind !== 'file' || !c.file || !c.copyFile) {
      void messages.info(`Cairn: ${conflictTitle(c)}: there are no two files to compare; keep mine or keep theirs.`);
      return;
    }
    await vscode.commands.executeCommand('vscode.diff', vscode.Uri.file(c.copyFile), vscode.Uri.file(c.file), `${path.basename(c.file)}: theirs ↔ mine (edit mine, save, then Keep Mine)`);
  }

  /** Asks the new value of each conflicting field, starting from mine (JSON for values that are not text). */
  async function askFields(c: Conflict): Promise<Record<string, unknown> | undefined> {
    const mine = (c.mine ?? {}) as Record<string, unknown>;
    const theirs = (c.theirs ?? {}) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of c.fields) {
      const text = typeof mine[f] === 'string' || typeof theirs[f] === 'string';
      const typed = await vscode.window.showInputBox({
        title: `${conflictTitle(c)}: ${f}`,
        prompt: `Mine ${showValue(mine[f])}, theirs ${showValue(theirs[f])}.${text ? '' : ' As JSON.'}`,
        value: text ? String(mine[f] ?? '') : JSON.stringify(mine[f] ?? null),
        ignoreFocusOut: true,
        validateInput: (v) => {
          if (text) return undefined;
          try {
            JSON.parse(v);
            return undefined;
          } catch {
            return 'Not valid JSON (a number, true/false, null, or a "quoted string").';
          }
        },
      });
      if (typed === undefined) return undefined;
      out[f] = text ? typed : JSON.parse(typed);
    }
    return out;
  }

  return [
    command('cairn.syncNow', syncNow),
    command('cairn.resolveConflicts', async () => {
      conflicts.refresh();
      await vscode.commands.executeCommand('cairn.conflicts.focus');
    }),
    command('cairn.conflict.keepMine', async (arg?: ConflictNode | Conflict | string) => {
      const c = await target(arg);
      return c && resolve(c, 'mine');
    }),
    command('cairn.conflict.keepTheirs', async (arg?: ConflictNode | Conflict | string) => {
      const c = await target(arg);
      return c && resolve(c, 'theirs');
    }),
    command('cairn.conflict.edit', async (arg?: ConflictNode | Conflict | string, value?: unknown) => {
      const c = await target(arg);
      if (!c) return undefined;
      if (value !== undefined) return resolve(c, 'edit', value);
      if (c.kind === 'file') {
        await compare(c);
        return undefined;
      }
      if (c.fields.includes('*')) {
        void messages.info('Cairn: one side deleted this row: keep mine or keep theirs.');
        return undefined;
      }
      const fields = await askFields(c);
      return fields && resolve(c, 'edit', fields);
    }),
    command('cairn.conflict.compare', async (c: Conflict) => compare(c)),
  ];
}
