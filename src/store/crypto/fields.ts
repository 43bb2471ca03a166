// Which fields are encrypted, and how rows cross the boundary: sealed on the way in (the row, and so its event,
// holds only ciphertext), revealed on the way out — as plaintext when this process holds the key, as a "locked"
// marker when it does not (lists keep working), and never as garbage when a value fails its check.
// A row records which of its fields are encrypted (`sealedFields`) apart from the values: plain text put where a
// ciphertext was (in the database, or in a backup then restored or synced) is tampering, not a field that was
// never secret. A field is secret when it is marked or its value is ciphertext, so cutting the mark alone hides
// nothing. Rewriting both the mark and the value cannot be told from a field made plain on purpose: that would take
// a record only the key can write, and rows change (deleted, merged by sync) without the key.
import { StoreError } from '../errors';
import type { Orm } from '../orm';
import type { AgentRunRow, MemoryRow, SessionMessageRow, TaskRow } from '../schema';
import { DecryptError, isEncrypted, openField, sealField, type FieldPlace } from './cipher';
import { heldKey, requireKey } from './keys';

/** Task fields a user may mark secret. */
export const SECRET_TASK_FIELDS = ['title', 'description'] as const;
export type SecretTaskField = (typeof SECRET_TASK_FIELDS)[number];

/** Shown instead of an encrypted value while the store is locked. */
export const LOCKED_TEXT = '🔒 encrypted (locked)';
/** Shown instead of an encrypted value that failed its integrity check, or of plain text in a field marked encrypted
 *  (in lists; a single read raises an error). */
export const DAMAGED_TEXT = '⚠ encrypted value damaged (failed its integrity check)';

/** What readers get besides the row: which fields are encrypted, and which of them could not be shown. */
export interface Revealed {
  /** Encrypted at rest and so not searchable. Absent when none is. */
  secretFields?: string[];
  /** Not shown because the store is locked. */
  lockedFields?: string[];
  /** Not shown because the value failed its integrity check or is plain text in a field marked encrypted (tampered
   *  with or damaged). */
  damagedFields?: string[];
}

function checkPlaintext(field: string, value: string): void {
  if (value === LOCKED_TEXT || value === DAMAGED_TEXT) {
    throw new StoreError('invalid', `${field} holds the placeholder shown for an encrypted value, not a new value; it was not saved (unlock the store to edit it).`);
  }
}

/** A row's record of its encrypted fields (absent from a selection that leaves the column out). */
type Marked = { sealedFields?: string[] | null };

const ROW_NAMES: Record<string, string> = { tasks: 'task', agent_runs: 'agent run', memories: 'memory', session_messages: 'session message' };
const rowName = (place: FieldPlace) => `${ROW_NAMES[place.table] ?? place.table} ${place.id}`;

function tampered(place: FieldPlace): StoreError {
  return new StoreError(
    'corrupt',
    `The ${place.field} of ${rowName(place)} is marked encrypted but holds plain text where its ciphertext belongs: it was tampered with (changed outside Cairn, or in a backup that was then restored or synced). It is not shown; restore it from a backup, or give the field a new value.`,
    { table: place.table, id: place.id, field: place.field, reason: 'plaintext_in_secret_field' },
  );
}

/** The plaintext of a secret field's stored value. */
function open(key: Buffer, place: FieldPlace, value: string): string {
  if (!isEncrypted(value)) throw tampered(place);
  try {
    return openField(key, place, value);
  } catch (err) {
    if (err instanceof DecryptError) {
      throw new StoreError(
        'corrupt',
        `The encrypted ${place.field} of ${rowName(place)} ${err.message}: it was changed outside Cairn, moved from another row, or damaged. It was not decrypted; restore it from a backup.`,
        { table: place.table, id: place.id, field: place.field },
      );
    }
    throw err;
  }
}

/** A row's mark: its encrypted fields, once each, by name (the order of the backup's columns, which sync merges). */
const markOf = (fields: readonly string[]) => [...new Set(fields)].sort();

/** The fields among `fields` that are secret in `row`: marked, or holding ciphertext. */
const secretOf = <T extends object>(row: T & Marked, fields: readonly (keyof T & string)[]) => fields.filter((f) => isEncrypted(row[f]) || row.sealedFields?.includes(f));

const taskPlace = (id: string, field: string): FieldPlace => ({ table: 'tasks', id, field });

/** Encrypts the named fields of a new task row (which has its id). */
export async function sealNewTask<T extends TaskRow>(orm: Orm, row: T, fields: readonly SecretTaskField[] = []): Promise<T> {
  if (!fields.length) return row;
  const key = await requireKey(orm, `the task's ${fields.join(' and ')}`);
  const sealed = { ...row, sealedFields: markOf(fields) };
  for (const f of fields) {
    checkPlaintext(f, row[f]);
    sealed[f] = sealField(key, taskPlace(row.id, f), row[f]);
  }
  return sealed;
}

/**
 * Turns a task update into what is stored. `secretFields`, when given, is the full list of the task's secret fields
 * afterwards (a field leaving it is decrypted, one joining it encrypted, the row's mark changed with them);
 * otherwise secret fields stay encrypted. A secret field set to its current plaintext is no change (a fresh IV would
 * otherwise log one). A new value replaces a tampered one; a change that needs the tampered value is refused.
 */
export async function sealTaskChanges<C extends Partial<Pick<TaskRow, SecretTaskField>>>(
  orm: Orm,
  current: TaskRow,
  changes: C,
  secretFields?: readonly SecretTaskField[],
): Promise<C & Partial<Pick<TaskRow, 'sealedFields'>>> {
  const stored: C & Partial<Pick<TaskRow, 'sealedFields'>> = { ...changes };
  const secretNow = secretOf(current, SECRET_TASK_FIELDS);
  for (const f of SECRET_TASK_FIELDS) {
    const wasSecret = secretNow.includes(f);
    const willBeSecret = secretFields ? secretFields.includes(f) : wasSecret;
    const next = changes[f];
    if (next !== undefined) checkPlaintext(f, next);
    if (wasSecret === willBeSecret && (!wasSecret || next === undefined)) continue;
    const key = await requireKey(orm, `the task's ${f}`);
    const place = taskPlace(current.id, f);
    const replacesTampered = wasSecret && next !== undefined && !isEncrypted(current[f]);
    const plain = !wasSecret ? current[f] : replacesTampered ? null : open(key, place, current[f]);
    const value = next ?? plain!;
    if (willBeSecret) {
      if (wasSecret && value === plain) delete stored[f];
      else stored[f] = sealField(key, place, value) as C[typeof f];
    } else {
      stored[f] = value as C[typeof f];
    }
  }
  if (secretFields && markOf(secretFields).join() !== current.sealedFields.join()) stored.sealedFields = markOf(secretFields);
  return stored;
}

/**
 * A row with its encrypted fields revealed (and without its mark: `secretFields` says it). `strict` (a single read)
 * raises an error naming a damaged or tampered field; otherwise (lists) the field shows DAMAGED_TEXT and is named in
 * damagedFields. Plain text in a marked field is found without the key.
 */
function reveal<T extends { id: string } & Marked>(orm: Orm, table: string, row: T, fields: readonly (keyof T & string)[], strict: boolean): Omit<T, 'sealedFields'> & Revealed {
  const { sealedFields: _mark, ...unmarked } = row;
  const secret = secretOf(row, fields);
  if (!secret.length) return unmarked;
  const key = heldKey(orm);
  const out: Omit<T, 'sealedFields'> & Revealed = { ...unmarked, secretFields: secret };
  for (const f of secret) {
    if (!isEncrypted(row[f])) {
      if (strict) throw tampered({ table, id: row.id, field: f });
      (out as Record<string, unknown>)[f] = DAMAGED_TEXT;
      (out.damagedFields ??= []).push(f);
      continue;
    }
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
export const revealTask = <T extends { id: string } & Partial<Pick<TaskRow, SecretTaskField | 'sealedFields'>>>(orm: Orm, row: T, strict = false) =>
  reveal(orm, 'tasks', row, SECRET_TASK_FIELDS as readonly (keyof T & string)[], strict);

/** An agent run's notes are its payload: encrypted when the run is recorded as secret. */
export async function sealAgentRun(orm: Orm, row: AgentRunRow, secret: boolean | undefined): Promise<AgentRunRow> {
  if (!secret) return row;
  const key = await requireKey(orm, "the agent run's notes");
  checkPlaintext('notes', row.notes);
  return { ...row, notes: sealField(key, { table: 'agent_runs', id: row.id, field: 'notes' }, row.notes), sealedFields: ['notes'] };
}

export const revealAgentRun = (orm: Orm, row: AgentRunRow, strict = false) => reveal(orm, 'agent_runs', row, ['notes'], strict);

/** The content of a memory or a session message: its payload, encrypted when it is written as secret. */
async function sealContent<T extends { id: string; content: string; sealedFields: string[] }>(orm: Orm, table: string, row: T, secret: boolean | undefined, what: string): Promise<T> {
  if (!secret) return row;
  const key = await requireKey(orm, what);
  checkPlaintext('content', row.content);
  return { ...row, content: sealField(key, { table, id: row.id, field: 'content' }, row.content), sealedFields: ['content'] };
}

export const sealMemory = (orm: Orm, row: MemoryRow, secret: boolean | undefined) => sealContent(orm, 'memories', row, secret, "the memory's content");
export const revealMemory = <T extends { id: string; content: string; sealedFields?: string[] }>(orm: Orm, row: T, strict = false) => reveal(orm, 'memories', row, ['content'] as (keyof T & string)[], strict);
/** A secret memory's plaintext, for comparing (remember's duplicate check); null when it cannot be read. */
export function openMemoryContent(key: Buffer, row: Pick<MemoryRow, 'id' | 'content'>): string | null {
  try {
    return openField(key, { table: 'memories', id: row.id, field: 'content' }, row.content);
  } catch {
    return null;
  }
}

export const sealMessage = (orm: Orm, row: SessionMessageRow, secret: boolean | undefined) => sealContent(orm, 'session_messages', row, secret, "the message's content");
export const revealMessage = <T extends { id: string; content: string; sealedFields?: string[] }>(orm: Orm, row: T, strict = false) => reveal(orm, 'session_messages', row, ['content'] as (keyof T & string)[], strict);
