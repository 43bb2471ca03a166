// Which fields are encrypted, and how rows cross the boundary: sealed on the way in (the row, and so its event,
// holds only ciphertext), revealed on the way out — as plaintext when this process holds the key, as a "locked"
// marker when it does not (lists keep working), and never as garbage when a value fails its check.
import { StoreError } from '../errors';
import type { Orm } from '../orm';
import type { AgentRunRow, TaskRow } from '../schema';
import { DecryptError, isEncrypted, openField, sealField, type FieldPlace } from './cipher';
import { heldKey, requireKey } from './keys';

/** Task fields a user may mark secret. */
export const SECRET_TASK_FIELDS = ['title', 'description'] as const;
export type SecretTaskField = (typeof SECRET_TASK_FIELDS)[number];

/** Shown instead of an encrypted value while the store is locked. */
export const LOCKED_TEXT = '🔒 encrypted (locked)';
/** Shown instead of an encrypted value that failed its integrity check (in lists; a single read raises an error). */
export const DAMAGED_TEXT = '⚠ encrypted value damaged (failed its integrity check)';

/** What readers get besides the row: which fields are encrypted, and which of them could not be shown. */
export interface Revealed {
  /** Encrypted at rest and so not searchable. Absent when none is. */
  secretFields?: string[];
  /** Not shown because the store is locked. */
  lockedFields?: string[];
  /** Not shown because the value failed its integrity check (tampered with or damaged). */
  damagedFields?: string[];
}

function checkPlaintext(field: string, value: string): void {
  if (value === LOCKED_TEXT || value === DAMAGED_TEXT) {
    throw new StoreError('invalid', `${field} holds the placeholder shown for an encrypted value, not a new value; it was not saved (unlock the store to edit it).`);
  }
}

function open(key: Buffer, place: FieldPlace, value: string): string {
  try {
    return openField(key, place, value);
  } catch (err) {
    if (err instanceof DecryptError) {
      throw new StoreError(
        'corrupt',
        `The encrypted ${place.field} of ${place.table === 'tasks' ? 'task' : 'agent run'} ${place.id} ${err.message}: it was changed outside Cairn, moved from another row, or damaged. It was not decrypted; restore it from a backup.`,
        { table: place.table, id: place.id, field: place.field },
      );
    }
    throw err;
  }
}

const taskPlace = (id: string, field: string): FieldPlace => ({ table: 'tasks', id, field });

/** Encrypts the named fields of a new task row (which has its id). */
export async function sealNewTask<T extends TaskRow>(orm: Orm, row: T, fields: readonly SecretTaskField[] = []): Promise<T> {
  if (!fields.length) return row;
  const key = await requireKey(orm, `the task's ${fields.join(' and ')}`);
  const sealed = { ...row };
  for (const f of fields) {
    checkPlaintext(f, row[f]);
    sealed[f] = sealField(key, taskPlace(row.id, f), row[f]);
  }
  return sealed;
}

/**
 * Turns a task update into what is stored. `secretFields`, when given, is the full list of the task's secret fields
 * afterwards (a field leaving it is decrypted, one joining it encrypted); otherwise encrypted fields stay encrypted.
 * A secret field set to its current plaintext is no change (a fresh IV would otherwise log one).
 */
export async function sealTaskChanges<C extends Partial<Pick<TaskRow, SecretTaskField>>>(orm: Orm, current: TaskRow, changes: C, secretFields?: readonly SecretTaskField[]): Promise<C> {
  const stored = { ...changes };
  for (const f of SECRET_TASK_FIELDS) {
    const wasSecret = isEncrypted(current[f]);
    const willBeSecret = secretFields ? secretFields.includes(f) : wasSecret;
    const next = changes[f];
    if (next !== undefined) checkPlaintext(f, next);
    if (wasSecret === willBeSecret && (!wasSecret || next === undefined)) continue;
    const key = await requireKey(orm, `the task's ${f}`);
    const place = taskPlace(current.id, f);
    const plain = wasSecret ? open(key, place, current[f]) : current[f];
    const value = next ?? plain;
    if (willBeSecret) {
      if (wasSecret && value === plain) delete stored[f];
      else stored[f] = sealField(key, place, value) as C[typeof f];
    } else {
      stored[f] = value as C[typeof f];
    }
  }
  return stored;
}

/**
 * A row with its encrypted fields revealed. `strict` (a single read) raises an error naming a damaged field;
 * otherwise (lists) the field shows DAMAGED_TEXT and is named in damagedFields.
 */
function reveal<T extends { id: string }>(orm: Orm, table: string, row: T, fields: readonly (keyof T & string)[], strict: boolean): T & Revealed {
  const secret = fields.filter((f) => isEncrypted(row[f]));
  if (!secret.length) return row;
  const key = heldKey(orm);
  const out: T & Revealed = { ...row, secretFields: secret };
  for (const f of secret) {
    if (!key) {
      (out as Record<string, unknown>)[f] = LOCKED_TEXT;
      (out.lockedFields ??= []).push(f);
      continue;
    }
    try {
      (out as Record<string, unknown>)[f] = open(key, { table, id: row.id, field: f }, row[f] as string);
    } catch (err) {
      if (strict) throw err;
      (out as Record<string, unknown>)[f] = DAMAGED_TEXT;
      (out.damagedFields ??= []).push(f);
    }
  }
  return out;
}

/** Works on any selection of a task's columns that includes its id (lists, links and lenses select a few). */
export const revealTask = <T extends { id: string } & Partial<Pick<TaskRow, SecretTaskField>>>(orm: Orm, row: T, strict = false) =>
  reveal(orm, 'tasks', row, SECRET_TASK_FIELDS as readonly (keyof T & string)[], strict);

/** An agent run's notes are its payload: encrypted when the run is recorded as secret. */
export async function sealAgentRun(orm: Orm, row: AgentRunRow, secret: boolean | undefined): Promise<AgentRunRow> {
  if (!secret) return row;
  const key = await requireKey(orm, "the agent run's notes");
  checkPlaintext('notes', row.notes);
  return { ...row, notes: sealField(key, { table: 'agent_runs', id: row.id, field: 'notes' }, row.notes) };
}

export const revealAgentRun = (orm: Orm, row: AgentRunRow, strict = false) => reveal(orm, 'agent_runs', row, ['notes'], strict);
