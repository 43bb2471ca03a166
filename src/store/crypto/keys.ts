// The store's data key: random, created once, kept only wrapped in crypto_keys — by a key derived from the user's
// passphrase (scrypt), and by the VS Code keychain key of each machine that enrolled. Unlocking puts the data key in
// memory for this open store (per Orm, so the backend and each CLI run hold their own) until lock() or exit.
import { createHash, randomBytes, scrypt as scryptCb, type ScryptOptions } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { StoreError } from '../errors';
import { appendNextEvent, type Actor } from '../events';
import { newId, nowIso } from '../ids';
import type { Orm } from '../orm';
import { cryptoKeys, type CryptoKeyRow } from '../schema';
import { DecryptError, openBytes, sealBytes } from './cipher';

const PASSPHRASE_ID = 'passphrase';
export const MIN_PASSPHRASE = 8;
// scrypt cost: N = 2^15, r = 8 (32 MiB, ~0.1 s): OWASP's recommended minimum for scrypt.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 };

export interface KeyStatus {
  /** A data key exists (cairn key init was run). */
  initialised: boolean;
  /** This process holds the data key: encrypted fields can be read and written. */
  unlocked: boolean;
  keyId: string | null;
  /** A passphrase can unlock the store (needed to restore it on another machine). */
  passphrase: boolean;
  /** Machines whose VS Code keychain can unlock it. */
  keychains: number;
}

interface DataKey {
  keyId: string;
  key: Buffer;
}

const unlocked = new WeakMap<Orm, DataKey>();

function scrypt(secret: string, salt: Buffer, o: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: 256 * o.N * o.r };
  return new Promise((resolve, reject) => scryptCb(secret.normalize('NFC'), salt, 32, options, (err, key) => (err ? reject(err) : resolve(key))));
}

const wrapAad = (rowId: string, keyId: string) => Buffer.from(`cairn/v1/crypto_keys/${rowId}/${keyId}`, 'utf8');
const keychainRowId = (keychainKey: Buffer) => `keychain:${createHash('sha256').update(keychainKey).digest('hex').slice(0, 16)}`;

function checkPassphrase(passphrase: string): void {
  if ([...passphrase].length < MIN_PASSPHRASE) throw new StoreError('invalid', `The passphrase must have at least ${MIN_PASSPHRASE} characters.`);
}

export function parseKeychainKey(encoded: string): Buffer {
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 32) throw new StoreError('invalid', 'The keychain key must be 32 random bytes, base64-encoded.');
  return key;
}

async function rows(orm: Orm): Promise<CryptoKeyRow[]> {
  return orm.select().from(cryptoKeys);
}

export async function keyStatus(orm: Orm): Promise<KeyStatus> {
  const all = await rows(orm);
  const held = unlocked.get(orm);
  const keyId = all[0]?.keyId ?? null;
  return {
    initialised: all.length > 0,
    unlocked: Boolean(held && held.keyId === keyId),
    keyId,
    passphrase: all.some((r) => r.kind === 'passphrase'),
    keychains: all.filter((r) => r.kind === 'keychain').length,
  };
}

async function passphraseRow(passphrase: string, dataKey: DataKey, createdAt: string): Promise<CryptoKeyRow> {
  const salt = randomBytes(16);
  const kek = await scrypt(passphrase, salt, SCRYPT);
  const now = nowIso();
  return {
    id: PASSPHRASE_ID,
    kind: 'passphrase',
    keyId: dataKey.keyId,
    wrapped: sealBytes(kek, dataKey.key, wrapAad(PASSPHRASE_ID, dataKey.keyId)),
    kdf: { name: 'scrypt', salt: salt.toString('base64url'), ...SCRYPT },
    createdAt,
    updatedAt: now,
  };
}

function keychainRow(keychainKey: Buffer, dataKey: DataKey): CryptoKeyRow {
  const id = keychainRowId(keychainKey);
  const now = nowIso();
  return { id, kind: 'keychain', keyId: dataKey.keyId, wrapped: sealBytes(keychainKey, dataKey.key, wrapAad(id, dataKey.keyId)), kdf: null, createdAt: now, updatedAt: now };
}

/** Creates the data key, wrapped by the passphrase (and by a keychain key when given); leaves the store unlocked. */
export async function initKeys(orm: Orm, who: Actor, passphrase: string, keychainKey?: Buffer): Promise<KeyStatus> {
  checkPassphrase(passphrase);
  if ((await rows(orm)).length) {
    throw new StoreError('invalid', 'Encryption is already set up for this store. To choose another passphrase, use "cairn key change" (RPC crypto.changePassphrase).');
  }
  const dataKey: DataKey = { keyId: newId(), key: randomBytes(32) };
  const now = nowIso();
  const added = [await passphraseRow(passphrase, dataKey, now), ...(keychainKey ? [keychainRow(keychainKey, dataKey)] : [])];
  await orm.insert(cryptoKeys).values(added);
  await appendNextEvent(orm, who, { aggregateType: 'crypto', aggregateId: dataKey.keyId, type: 'crypto.initialised', data: { keyId: dataKey.keyId, unlockedBy: added.map((r) => r.kind) } });
  unlocked.set(orm, dataKey);
  return keyStatus(orm);
}

async function unwrapWithPassphrase(orm: Orm, passphrase: string): Promise<DataKey> {
  const [row] = await orm.select().from(cryptoKeys).where(eq(cryptoKeys.id, PASSPHRASE_ID));
  if (!row) throw notInitialised();
  if (!row.kdf) throw new StoreError('corrupt', 'The passphrase entry of crypto_keys has no key-derivation parameters; restore it from a backup.');
  const kek = await scrypt(passphrase, Buffer.from(row.kdf.salt, 'base64url'), row.kdf);
  try {
    return { keyId: row.keyId, key: openBytes(kek, row.wrapped, wrapAad(row.id, row.keyId)) };
  } catch (err) {
    if (err instanceof DecryptError) throw new StoreError('invalid', 'Wrong passphrase: it does not unlock this store\'s key. Nothing was decrypted; try again.', { reason: 'wrong_key' });
    throw err;
  }
}

const notInitialised = () =>
  new StoreError('invalid', 'Encryption is not set up for this store: choose a passphrase with "Cairn: Set Up Encryption" in VS Code, or "cairn key init" (RPC crypto.init).', { reason: 'not_initialised' });

/**
 * Unlocks with a passphrase or this machine's keychain key. Given both, the passphrase unlocks and the keychain key
 * is enrolled, so this machine unlocks by itself from then on (as after a restore from another machine).
 */
export async function unlock(orm: Orm, who: Actor, secret: { passphrase?: string; keychainKey?: Buffer }): Promise<KeyStatus> {
  const all = await rows(orm);
  if (!all.length) throw notInitialised();
  let dataKey: DataKey;
  if (secret.passphrase !== undefined) {
    dataKey = await unwrapWithPassphrase(orm, secret.passphrase);
  } else if (secret.keychainKey) {
    const row = all.find((r) => r.id === keychainRowId(secret.keychainKey!));
    if (!row) {
      throw new StoreError('locked', 'This machine\'s keychain cannot unlock this store yet (it was set up elsewhere or restored from a backup). Unlock it once with the passphrase.', {
        reason: 'keychain_not_enrolled',
      });
    }
    try {
      dataKey = { keyId: row.keyId, key: openBytes(secret.keychainKey, row.wrapped, wrapAad(row.id, row.keyId)) };
    } catch (err) {
      if (err instanceof DecryptError) throw new StoreError('invalid', 'The keychain key does not unlock this store\'s key (its entry was changed). Unlock with the passphrase.', { reason: 'wrong_key' });
      throw err;
    }
  } else {
    throw new StoreError('invalid', 'Give a passphrase or a keychain key to unlock.');
  }
  if (secret.passphrase !== undefined && secret.keychainKey && !all.some((r) => r.id === keychainRowId(secret.keychainKey!))) {
    await orm.insert(cryptoKeys).values(keychainRow(secret.keychainKey, dataKey));
    await appendNextEvent(orm, who, { aggregateType: 'crypto', aggregateId: dataKey.keyId, type: 'crypto.keychain_added', data: { keyId: dataKey.keyId, entry: keychainRowId(secret.keychainKey) } });
  }
  unlocked.set(orm, dataKey);
  return keyStatus(orm);
}

/** Re-wraps the same data key under a new passphrase: encrypted values stay as they are. */
export async function changePassphrase(orm: Orm, who: Actor, oldPassphrase: string, newPassphrase: string): Promise<KeyStatus> {
  checkPassphrase(newPassphrase);
  const dataKey = await unwrapWithPassphrase(orm, oldPassphrase);
  const [current] = await orm.select().from(cryptoKeys).where(eq(cryptoKeys.id, PASSPHRASE_ID));
  const row = await passphraseRow(newPassphrase, dataKey, current!.createdAt);
  await orm.update(cryptoKeys).set({ wrapped: row.wrapped, kdf: row.kdf, updatedAt: row.updatedAt }).where(eq(cryptoKeys.id, PASSPHRASE_ID));
  await appendNextEvent(orm, who, { aggregateType: 'crypto', aggregateId: dataKey.keyId, type: 'crypto.passphrase_changed', data: { keyId: dataKey.keyId } });
  unlocked.set(orm, dataKey);
  return keyStatus(orm);
}

export function lock(orm: Orm): void {
  unlocked.delete(orm);
}

/**
 * Forgets the held data key when the store's key set no longer wraps it (a restore or a sync brought another
 * store's crypto_keys): the store then reads as locked, with the usual guidance, instead of every encrypted value
 * failing its integrity check. Costs one small query, and only while a key is held.
 */
export async function recheckHeldKey(orm: Orm): Promise<void> {
  const held = unlocked.get(orm);
  if (!held) return;
  const [row] = await orm.select({ keyId: cryptoKeys.keyId }).from(cryptoKeys).limit(1);
  if (row?.keyId !== held.keyId) unlocked.delete(orm);
}

/** The data key when this process holds it, else undefined. */
export function heldKey(orm: Orm): Buffer | undefined {
  return unlocked.get(orm)?.key;
}

/** The data key, or an error saying what needed it and how to set up encryption or unlock. */
export async function requireKey(orm: Orm, what: string): Promise<Buffer> {
  const key = heldKey(orm);
  if (!key) {
    if (!(await rows(orm)).length) {
      throw new StoreError('invalid', `Encryption is not set up for this store, so ${what} cannot be stored encrypted. Set it up first: "Cairn: Set Up Encryption" in VS Code, or "cairn key init" (RPC crypto.init).`, { reason: 'not_initialised' });
    }
    throw new StoreError('locked', `The store is locked, so ${what} cannot be encrypted or decrypted. Unlock it: set CAIRN_PASSPHRASE (CLI), open it in VS Code, or call crypto.unlock.`, {
      reason: 'locked',
    });
  }
  return key;
}
