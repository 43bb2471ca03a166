// Parameter schemas of the sync methods (sync.run, conflicts.*), spread into protocol.ts's `methods`.
import { z } from 'zod';
import { allowMassDelete, backupSettings } from './backupProtocol';

const conflictId = z.string({ error: 'id must be a conflict id (see conflicts.list)' }).trim().min(1, 'id must not be empty').max(100, 'id is too long');

export const syncMethods = {
  'sync.run': z.strictObject({
    /** How many times a push rejected because someone pushed meanwhile is followed by another fetch and merge. */
    maxAttempts: z.number({ error: 'maxAttempts must be a number' }).int().min(1).max(10).optional(),
    /** Push private notes that commits made before the remote was set hold (else such a push is refused). */
    allowPrivateHistory: z.boolean({ error: 'allowPrivateHistory must be true or false' }).optional(),
    /** If the history to push holds private notes: push a new root commit of the current state instead. */
    freshHistory: z.boolean({ error: 'freshHistory must be true or false' }).optional(),
    allowMassDelete,
    ...backupSettings,
  }).refine((p) => !(p.allowPrivateHistory && p.freshHistory), 'give allowPrivateHistory or freshHistory, not both'),
  'conflicts.list': z.strictObject({
    status: z.enum(['open', 'resolved', 'all'], { error: 'status must be open, resolved or all' }).optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
  }),
  'conflicts.resolve': z
    .strictObject({
      id: conflictId,
      choice: z.enum(['mine', 'theirs', 'edit'], { error: 'choice must be mine, theirs or edit' }),
      /** With choice "edit": for a row, an object of the conflicting fields' new values; for a note, its new text. */
      value: z.unknown().optional(),
    })
    .refine((p) => p.choice !== 'edit' || p.value !== undefined, 'choice "edit" needs a value (the fields as an object, or the note\'s text)')
    .refine((p) => p.choice === 'edit' || p.value === undefined, 'value goes only with choice "edit"'),
} as const;

/** Notification sent while a sync runs (phase: backup, fetch, merge, apply, push). */
export const SYNC_PROGRESS = 'sync.progress';
