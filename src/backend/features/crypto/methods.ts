// Field-level encryption: set up the data key, unlock, lock, change the passphrase.
import { z } from 'zod';
import { changePassphrase, initKeys, keyStatus, lock, parseKeychainKey, unlock } from '../../../store/crypto/keys';
import { method, who, writer } from '../define';

const passphrase = (what: string) => z.string({ error: `${what} must be a string` }).min(1, `${what} must not be empty`).max(1024, `${what} must be at most 1024 characters`);
const keychainKey = z.string({ error: 'keychainKey must be a base64 string' }).regex(/^[A-Za-z0-9+/]{43}=$/, 'keychainKey must be 32 random bytes, base64-encoded');
const keychain = (encoded: string | undefined) => (encoded ? parseKeychainKey(encoded) : undefined);

export const cryptoMethods = {
  'crypto.status': method({
    doc: 'Whether encryption is set up and unlocked here, and what can unlock it.',
    result: 'KeyStatus',
    vectorless: true,
    params: () => z.strictObject({}),
    handler: async (store) => keyStatus(store.orm),
  }),
  'crypto.init': method({
    doc: 'Creates the data key, wrapped by a passphrase (and this machine\'s keychain key).',
    result: 'KeyStatus',
    writes: true,
    params: () => z.strictObject({ passphrase: passphrase('passphrase'), keychainKey: keychainKey.optional(), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => initKeys(orm, who(ctx, p), p.passphrase, keychain(p.keychainKey))),
  }),
  'crypto.unlock': method({
    doc: 'Unlocks the data key in this backend by passphrase or keychain key.',
    result: 'KeyStatus',
    writes: true,
    vectorless: true,
    params: () => z
      .strictObject({ passphrase: passphrase('passphrase').optional(), keychainKey: keychainKey.optional(), ...writer })
      .refine((p) => p.passphrase !== undefined || p.keychainKey !== undefined, 'give passphrase or keychainKey'),
    handler: (store, p, ctx) => store.write((orm) => unlock(orm, who(ctx, p), { passphrase: p.passphrase, keychainKey: keychain(p.keychainKey) })),
  }),
  'crypto.lock': method({
    doc: 'Forgets the data key in this backend.',
    result: 'KeyStatus',
    params: () => z.strictObject({}),
    handler: async (store) => {
      lock(store.orm);
      return keyStatus(store.orm);
    },
  }),
  'crypto.changePassphrase': method({
    doc: 'Re-wraps the data key under a new passphrase.',
    result: 'KeyStatus',
    writes: true,
    params: () => z.strictObject({ oldPassphrase: passphrase('oldPassphrase'), newPassphrase: passphrase('newPassphrase'), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => changePassphrase(orm, who(ctx, p), p.oldPassphrase, p.newPassphrase)),
  }),
};
