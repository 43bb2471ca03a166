// AES-256-GCM for single values. An encrypted value is a string, `enc:v1:` + base64url(iv | ciphertext | tag), so it
// sits in its ordinary TEXT column, travels through JSONL backups as it is, and is recognised by its prefix. The
// additional authenticated data binds it to its place (table, row id, field): a value copied onto another row or
// field fails its check instead of decrypting there.
import { nodeCrypto } from '../lazyCrypto';

export const ENCRYPTED_PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Where a value lives: what its authentication binds it to. */
export interface FieldPlace {
  table: string;
  id: string;
  field: string;
}

export class DecryptError extends Error {}

export const isEncrypted = (value: unknown): value is string => typeof value === 'string' && value.startsWith(ENCRYPTED_PREFIX);

const aad = (p: FieldPlace) => Buffer.from(`cairn/v1/${p.table}/${p.id}/${p.field}`, 'utf8');

export function sealBytes(key: Buffer, plaintext: Buffer, associated: Buffer): string {
  const { createCipheriv, randomBytes } = nodeCrypto();
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associated);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return ENCRYPTED_PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** Throws DecryptError when the value is malformed, was changed, belongs elsewhere or the key is not its key. */
export function openBytes(key: Buffer, value: string, associated: Buffer): Buffer {
  if (!isEncrypted(value)) throw new DecryptError('not an encrypted value');
  const raw = Buffer.from(value.slice(ENCRYPTED_PREFIX.length), 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new DecryptError('too short to be an encrypted value');
  try {
    const decipher = nodeCrypto().createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(associated);
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new DecryptError('failed its integrity check');
  }
}

export const sealField = (key: Buffer, place: FieldPlace, plaintext: string): string => sealBytes(key, Buffer.from(plaintext, 'utf8'), aad(place));

export const openField = (key: Buffer, place: FieldPlace, value: string): string => openBytes(key, value, aad(place)).toString('utf8');
