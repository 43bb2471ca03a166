// A backup or sync refused as a mass deletion (MassDelete, src/sync/massDelete.ts) asks the user, in a modal with
// the counts, whether the removal is meant: going ahead re-runs it with allowMassDelete; Restore… offers the way back.
import * as vscode from 'vscode';
import { ErrorCodes } from '../backend/protocol';
import { BackendError } from './backendClient';
import type { Messages } from './messages';

interface Removal {
  removed: number;
  unexplained: number;
  held: number;
}

interface MassDeletion {
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
 * Asks whether to go ahead (`proceed`: "Back Up Anyway", "Sync Anyway"); true when the user chose it. Restore… opens
 * the restore instead. `answer` (a command's caller: a script, a test) is the choice without asking.
 */
export async function confirmMassDeletion(messages: Messages, deletion: MassDeletion, proceed: string, answer?: boolean): Promise<boolean> {
  const [question, cause] =
    deletion.direction === 'incoming'
      ? [`Cairn: this sync would remove ${counts(deletion)} from this store, and no deletion logged on another machine explains it.`, 'Was a store there emptied or replaced?']
      : [`Cairn: this backup would record ${counts(deletion)} as removed, and no deletion in the event log explains it.`, 'Was the database emptied, replaced or damaged?'];
  const detail = `Nothing was changed yet. ${cause} Go ahead only if you meant these removals; otherwise restore the last good backup.`;
  const choice = await messages.ask(question, detail, [proceed, 'Restore…'], answer === undefined ? undefined : { given: answer ? proceed : undefined });
  if (choice === 'Restore…') void vscode.commands.executeCommand('cairn.restoreBackup');
  return choice === proceed;
}
