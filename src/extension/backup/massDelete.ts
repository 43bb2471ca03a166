// A backup or sync refused as a mass deletion (MassDelete, src/sync/massDelete.ts) asks the user, in a modal with
// the counts, whether the removal is meant: going ahead re-runs it with allowMassDelete; Restore… offers the way back.
import * as vscode from 'vscode';
import { ErrorCodes } from '../../backend/protocol';
import { BackendError } from '../backendClient';
import type { BackupRunner } from './runner';
import type { Messages } from '../messages';

interface Removal {
  removed: number;
  unexplained: number;
  held: number;
}

interface MassDeletion {
  /** Refused by a backup, or by a sync (its own backup: outgoing; what it would apply: incoming). */
  operation: 'backup' | 'sync';
  direction: 'outgoing' | 'incoming';
  tables: Record<string, Removal>;
}

/** The refusal's counts, when `err` is a mass deletion refused by the backend. */
export function massDeletionOf(err: unknown): MassDeletion | undefined {
  return err instanceof BackendError && err.code === ErrorCodes.MassDelete ? (err.data as MassDeletion) : undefined;
}

const counts = (deletion: MassDeletion) =>
  Object.entries(deletion.tables)
    .map(([table, r]) => `${r.unexplained} of ${r.held} ${table.replace(/_/g, ' ')}`)
    .join(', ');

/**
 * A backup refused as a mass deletion where no modal asked (an automatic backup), in VS Code's terms: Back Up Now
 * (the notification's Review…) asks whether to go ahead, or to restore.
 */
export const massDeletionFailure = (deletion: MassDeletion) =>
  `refused: it would record ${counts(deletion)} as removed, and no deletion in the event log explains it (was the database emptied, replaced or damaged?); nothing was committed. Back Up Now (Review…) shows the counts and asks whether to go ahead or to restore the last good backup.`;

/** The answer to the modal given by a command's caller (a script, a test): go ahead, do not, or Restore…. */
export type MassDeleteAnswer = boolean | 'restore';

/**
 * Asks whether to go ahead (`proceed`: "Back Up Anyway", "Sync Anyway"); true when the user chose it. Restore… opens
 * the restore instead, once the backup or sync that asked has let go of the runner (a restore refuses to start while
 * one runs). `answer` is the choice without asking.
 */
export async function confirmMassDeletion(messages: Messages, runner: Pick<BackupRunner, 'whenIdle'>, deletion: MassDeletion, proceed: string, answer?: MassDeleteAnswer): Promise<boolean> {
  const [question, cause] =
    deletion.direction === 'incoming'
      ? [`Cairn: this sync would remove ${counts(deletion)} from this store, and no deletion logged on another machine explains it.`, 'Was a store there emptied or replaced?']
      : [`Cairn: ${deletion.operation === 'sync' ? "this sync's backup" : 'this backup'} would record ${counts(deletion)} as removed, and no deletion in the event log explains it.`, 'Was the database emptied, replaced or damaged?'];
  const detail = `Nothing was changed yet. ${cause} Go ahead only if you meant these removals; otherwise restore the last good backup.`;
  const given = answer === 'restore' ? 'Restore…' : answer ? proceed : undefined;
  const choice = await messages.ask(question, detail, [proceed, 'Restore…'], answer === undefined ? undefined : { given });
  if (choice === 'Restore…') runner.whenIdle(() => void vscode.commands.executeCommand('cairn.restoreBackup'));
  return choice === proceed;
}
