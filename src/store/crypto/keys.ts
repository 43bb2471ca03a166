// The store's data key: random, created once, kept only wrapped in crypto_keys — by a key derived from the user's
// passphrase (scrypt), and by the VS Code keychain key of each machine that enrolled. Unlocking puts the data key in
// memory for this open store (per Orm, so the backend and each CLI run hold their own) until lock() or exit.
// A wrapped key that fails its check is "wrong passphrase" only when nothing says the passphrase is right: the
// passphrase entry keeps a check value (an HMAC of a fixed label under the derived key), and a keychain entry is
// found by its key's fingerprint; either way a failing wrapped key is then damaged or tampered with. An entry
// written before the check existed gets it at its next unlock.
import type { ScryptOptions } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { StoreError, storeErrorOf, underlying } from '../errors';
import { appendNextEvent, type Actor } from '../events';
import { newId, nowIso } from '../ids';
import type { Orm } from '../orm';
import { cryptoKeys, type CryptoKeyRow } from '../schema';
import { DecryptError, openBytes, sealBytes } from './cipher';
import { nodeCrypto } from '../lazyCrypto';

const PASSPHRASE_ID = 'passphrase';
export const MIN_PASSPHRASE = 8;
// scrypt cost: N = 2^15, r = 8 (32 MiB, ~0.1 s): OWASP's recommended minimum for scrypt.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 };
/** scrypt parameters a stored entry may name (anything else is damage: a huge N would exhaust memory). */
const SCRYPT_LIMITS = { minN: 2 ** 10, maxN: 2 ** 20, maxR: 32, maxP: 16, maxMemory: 1 << 30 };
/** A wrapped data key: `enc:v1:` + base64url of iv (12) | data key (32) | tag (16) = 60 bytes. */
const WRAPPED = /^enc:v1:[A-Za-z0-9_-]{80}$/;

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
  return new Promise((resolve, reject) => nodeCrypto().scrypt(secret.normalize('NFC'), salt, 32, options, (err, key) => (err ? reject(err) : resolve(key))));
}

const wrapAad = (rowId: string, keyId: string) => Buffer.from(`cairn/v1/crypto_keys/${rowId}/${keyId}`, 'utf8');
const passphraseCheck = (kek: Buffer, rowId: string, keyId: string) => nodeCrypto().createHmac('sha256', kek).update(`cairn/v1/passphrase-check/${rowId}/${keyId}`).digest('base64url');
function sameText(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && nodeCrypto().timingSafeEqual(x, y);
}
const keychainRowId = (keychainKey: Buffer) => `keychain:${nodeCrypto().createHash('sha256').update(keychainKey).digest('hex').slice(0, 16)}`;

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
  const salt = nodeCrypto().randomBytes(16);
  const kek = await scrypt(passphrase, salt, SCRYPT);
  const now = nowIso();
  return {
    id: PASSPHRASE_ID,
    kind: 'passphrase',
    keyId: dataKey.keyId,
    wrapped: sealBytes(kek, dataKey.key, wrapAad(PASSPHRASE_ID, dataKey.keyId)),
    kdf: { name: 'scrypt', salt: salt.toString('base64url'), ...SCRYPT, check: passphraseCheck(kek, PASSPHRASE_ID, dataKey.keyId) },
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
  const dataKey: DataKey = { keyId: newId(), key: nodeCrypto().randomBytes(32) };
  const now = nowIso();
  const added = [await passphraseRow(passphrase, dataKey, now), ...(keychainKey ? [keychainRow(keychainKey, dataKey)] : [])];
  await orm.insert(cryptoKeys).values(added);
  await appendNextEvent(orm, who, { aggregateType: 'crypto', aggregateId: dataKey.keyId, type: 'crypto.initialised', data: { keyId: dataKey.keyId, unlockedBy: added.map((r) => r.kind) } });
  unlocked.set(orm, dataKey);
  return keyStatus(orm);
}

function damagedKey(rowId: string, why: string): StoreError {
  const otherWay = rowId === PASSPHRASE_ID ? 'with a VS Code keychain enrolled on this or another machine' : 'with the passphrase (with this keychain key too, to enrol it again)';
  return new StoreError(
    'corrupt',
    `The stored key (crypto_keys entry "${rowId}") is damaged or was tampered with: ${why}. Nothing was decrypted. Restore crypto_keys from a backup ("cairn restore"), or unlock ${otherWay}.`,
    { reason: 'key_damaged', entry: rowId },
  );
}

/** Throws damagedKey when the wrapped key cannot be one this code wrote. */
function checkWrapped(row: CryptoKeyRow): void {
  if (!WRAPPED.test(row.wrapped)) throw damagedKey(row.id, 'its wrapped key is not well formed');
}

/** The entry's scrypt parameters, or damagedKey when they are missing or not ones scrypt should run with. */
function kdfOf(row: CryptoKeyRow): { salt: Buffer; N: number; r: number; p: number; check?: string } {
  const kdf = row.kdf;
  const int = (v: unknown, min: number, max: number) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
  const salt = typeof kdf?.salt === 'string' && /^[A-Za-z0-9_-]+$/.test(kdf.salt) ? Buffer.from(kdf.salt, 'base64url') : Buffer.alloc(0);
  const valid =
    kdf?.name === 'scrypt' &&
    salt.length >= 16 &&
    salt.length <= 64 &&
    int(kdf.N, SCRYPT_LIMITS.minN, SCRYPT_LIMITS.maxN) &&
    (kdf.N & (kdf.N - 1)) === 0 &&
    int(kdf.r, 1, SCRYPT_LIMITS.maxR) &&
    int(kdf.p, 1, SCRYPT_LIMITS.maxP) &&
    128 * kdf.N * kdf.r <= SCRYPT_LIMITS.maxMemory;
  if (!valid) throw damagedKey(row.id, 'its key-derivation parameters are missing or not valid');
  return { salt, N: kdf.N, r: kdf.r, p: kdf.p, check: typeof kdf.check === 'string' ? kdf.check : undefined };
}

/**
 * The data key the passphrase unwraps, and the passphrase check the entry should hold when it holds another (none
 * yet: an entry written before checks existed). A failure is "wrong passphrase" unless the check says it is right.
 */
async function unwrapWithPassphrase(orm: Orm, passphrase: string): Promise<{ dataKey: DataKey; checkToStore: string | null }> {
  const [row] = await orm.select().from(cryptoKeys).where(eq(cryptoKeys.id, PASSPHRASE_ID));
  if (!row) throw notInitialised();
  const kdf = kdfOf(row);
  checkWrapped(row);
  const kek = await scrypt(passphrase, kdf.salt, kdf);
  const check = passphraseCheck(kek, row.id, row.keyId);
  try {
    const dataKey = { keyId: row.keyId, key: openBytes(kek, row.wrapped, wrapAad(row.id, row.keyId)) };
    return { dataKey, checkToStore: kdf.check !== undefined && sameText(kdf.check, check) ? null : check };
  } catch (err) {
    if (!(err instanceof DecryptError)) throw err;
    if (kdf.check !== undefined && sameText(kdf.check, check)) throw damagedKey(row.id, 'the passphrase is right (it matches the stored passphrase check), but the wrapped key fails its integrity check');
    throw new StoreError('invalid', 'Wrong passphrase: it does not unlock this store\'s key. Nothing was decrypted; try again.', { reason: 'wrong_key' });
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
    const unwrapped = await unwrapWithPassphrase(orm, secret.passphrase);
    dataKey = unwrapped.dataKey;
    if (unwrapped.checkToStore) await unlessReadOnly(addPassphraseCheck(orm, who, dataKey, unwrapped.checkToStore));
  } else if (secret.keychainKey) {
    const row = all.find((r) => r.id === keychainRowId(secret.keychainKey!));
    if (!row) {
      throw new StoreError('locked', 'This machine\'s keychain cannot unlock this store yet (it was set up elsewhere or restored from a backup). Unlock it once with the passphrase.', {
        reason: 'keychain_not_enrolled',
      });
    }
    checkWrapped(row);
    try {
      dataKey = { keyId: row.keyId, key: openBytes(secret.keychainKey, row.wrapped, wrapAad(row.id, row.keyId)) };
    } catch (err) {
      // The entry was found by this key's fingerprint: the key is the one enrolled, the entry is what changed.
      if (err instanceof DecryptError) throw damagedKey(row.id, "this machine's keychain key is the one enrolled, but the wrapped key fails its integrity check");
      throw err;
    }
  } else {
    throw new StoreError('invalid', 'Give a passphrase or a keychain key to unlock.');
  }
  // Enrolled afresh when not yet, or when its entry no longer unwraps the data key (damaged).
  const enrolled = secret.keychainKey && all.find((r) => r.id === keychainRowId(secret.keychainKey!));
  if (secret.passphrase !== undefined && secret.keychainKey && !(enrolled && unwraps(enrolled, secret.keychainKey, dataKey))) {
    await unlessReadOnly(enrolKeychain(orm, who, secret.keychainKey, dataKey));
  }
  unlocked.set(orm, dataKey);
  return keyStatus(orm);
}

/** Whether the keychain entry unwraps, with this keychain key, to the data key. */
function unwraps(row: CryptoKeyRow, keychainKey: Buffer, dataKey: DataKey): boolean {
  try {
    return row.keyId === dataKey.keyId && openBytes(keychainKey, row.wrapped, wrapAad(row.id, row.keyId)).equals(dataKey.key);
  } catch {
    return false;
  }
}

/**
 * Runs a write an unlock makes on the side (the passphrase check, a keychain enrolment). A store opened read-only is
 * unlocked without it: the next unlock by a process that may write makes it.
 */
async function unlessReadOnly(write: Promise<void>): Promise<void> {
  await write.catch((err: unknown) => {
    if (!refusedAsReadOnly(err)) throw err;
  });
}

/** A write refused because the store is open read-only (SQLite's own error inside a transaction, else the store's). */
function refusedAsReadOnly(err: unknown): boolean {
  const code = (underlying(err) as { code?: unknown } | undefined)?.code;
  return storeErrorOf(err)?.kind === 'read_only' || (typeof code === 'string' && code.startsWith('SQLITE_READONLY'));
}

/** Wraps the data key with this machine's keychain key (afresh when its entry is damaged), so it unlocks by itself. */
async function enrolKeychain(orm: Orm, who: Actor, keychainKey: Buffer, dataKey: DataKey): Promise<void> {
  const row = keychainRow(keychainKey, dataKey);
  await orm.insert(cryptoKeys).values(row).onConflictDoUpdate({ target: cryptoKeys.id, set: { keyId: row.keyId, wrapped: row.wrapped, updatedAt: row.updatedAt } });
  await appendNextEvent(orm, who, { aggregateType: 'crypto', aggregateId: dataKey.keyId, type: 'crypto.keychain_added', data: { keyId: dataKey.keyId, entry: row.id } });
}

/** Gives a passphrase entry written before checks existed (or whose check was changed) the right check. */
async function addPassphraseCheck(orm: Orm, who: Actor, dataKey: DataKey, check: string): Promise<void> {
  const [row] = await orm.select().from(cryptoKeys).where(eq(cryptoKeys.id, PASSPHRASE_ID));
  await orm.update(cryptoKeys).set({ kdf: { ...row!.kdf!, check }, updatedAt: nowIso() }).where(eq(cryptoKeys.id, PASSPHRASE_ID));
  await appendNextEvent(orm, who, { aggregateType: 'crypto', aggregateId: dataKey.keyId, type: 'crypto.passphrase_check_added', data: { keyId: dataKey.keyId } });
}

/** Re-wraps the same data key under a new passphrase (with its check): encrypted values stay as they are. */
export async function changePassphrase(orm: Orm, who: Actor, oldPassphrase: string, newPassphrase: string): Promise<KeyStatus> {
  checkPassphrase(newPassphrase);
  const { dataKey } = await unwrapWithPassphrase(orm, oldPassphrase);
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
