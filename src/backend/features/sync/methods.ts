// Sync through the backup repository's remote, and the conflicts a merge leaves for a person to decide.
import { z } from 'zod';
import { conflictList, resolveConflict } from '../../../sync/resolve';
import { runSync } from '../../../sync/sync';
import { SYNC_PROGRESS } from '../../protocol';
import { allowMassDelete, backupSettings, envOf, settingsOf } from '../backup/methods';
import { method } from '../define';

const conflictId = z.string({ error: 'id must be a conflict id (see conflicts.list)' }).trim().min(1, 'id must not be empty').max(100, 'id is too long');

export const syncMethods = {
  'sync.run': method({
    doc: 'Backs up, fetches, merges field by field, applies and pushes; retries when another machine pushed first.',
    result: 'SyncResult',
    writes: true,
    params: () => z
      .strictObject({
        /** How many times a push rejected because someone pushed meanwhile is followed by another fetch and merge. */
        maxAttempts: z.number({ error: 'maxAttempts must be a number' }).int().min(1).max(10).optional(),
        /** Push private notes that commits made before the remote was set hold (else such a push is refused). */
        allowPrivateHistory: z.boolean({ error: 'allowPrivateHistory must be true or false' }).optional(),
        /** If the history to push holds private notes: push a new root commit of the current state instead. */
        freshHistory: z.boolean({ error: 'freshHistory must be true or false' }).optional(),
        allowMassDelete,
        ...backupSettings,
      })
      .refine((p) => !(p.allowPrivateHistory && p.freshHistory), 'give allowPrivateHistory or freshHistory, not both'),
    handler: (store, p, ctx) =>
      runSync(
        { ...envOf(store, ctx), signal: ctx.signal, onSyncProgress: (progress) => ctx.notify?.(SYNC_PROGRESS, progress) },
        { ...settingsOf(p), maxAttempts: p.maxAttempts, allowPrivateHistory: p.allowPrivateHistory, freshHistory: p.freshHistory, allowMassDelete: p.allowMassDelete },
      ),
  }),
  'conflicts.list': method({
    doc: 'The conflicts sync left for a person: open, resolved or all.',
    result: 'Conflict[]',
    params: () => z.strictObject({
      status: z.enum(['open', 'resolved', 'all'], { error: 'status must be open, resolved or all' }).optional(),
      limit: z.number().int().min(1).max(10_000).optional(),
    }),
    handler: (store, p, ctx) => conflictList(envOf(store, ctx), {}, p.status ?? 'open', p.limit ?? 500),
  }),
  'conflicts.resolve': method({
    doc: 'Settles a conflict: mine, theirs, or an edited value.',
    result: 'Conflict',
    writes: true,
    params: () => z
      .strictObject({
        id: conflictId,
        choice: z.enum(['mine', 'theirs', 'edit'], { error: 'choice must be mine, theirs or edit' }),
        /** With choice "edit": for a row, an object of the conflicting fields' new values; for a note, its new text. */
        value: z.unknown().optional(),
      })
      .refine((p) => p.choice !== 'edit' || p.value !== undefined, 'choice "edit" needs a value (the fields as an object, or the note\'s text)')
      .refine((p) => p.choice === 'edit' || p.value === undefined, 'value goes only with choice "edit"'),
    handler: (store, p, ctx) => resolveConflict(envOf(store, ctx), {}, p.id, p.choice, p.value),
  }),
};
