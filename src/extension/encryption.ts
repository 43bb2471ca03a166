// Unlocks the store's encrypted fields from VS Code: a random key is created once and kept in SecretStorage (the
// OS keychain); after every backend start it is sent with crypto.unlock. A machine whose keychain key is not yet
// enrolled (the store was set up elsewhere, or restored from a backup) is unlocked once with the passphrase, which
// enrolls its key so it unlocks by itself from then on.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { KeyStatus } from '../store/crypto/keys';
import { ErrorCodes } from '../backend/protocol';
import { BackendError, type BackendClient } from './backendClient';
import type { Messages } from './messages';

const SECRET_NAME = 'cairn.keychainKey';

export interface EncryptionDeps {
  context: vscode.ExtensionContext;
  backend: BackendClient;
  messages: Messages;
  log: vscode.LogOutputChannel;
}

async function keychainKey(secrets: vscode.SecretStorage): Promise<string> {
  const stored = await secrets.get(SECRET_NAME);
  if (stored) return stored;
  const created = randomBytes(32).toString('base64');
  await secrets.store(SECRET_NAME, created);
  return created;
}

export function registerEncryption({ context, backend, messages, log }: EncryptionDeps): vscode.Disposable[] {
  /** Asks for the passphrase and unlocks with it, enrolling this machine's keychain key. */
  const unlockWithPassphrase = async (): Promise<void> => {
    const passphrase = await vscode.window.showInputBox({ title: 'Unlock Cairn', prompt: "The store's passphrase (set with cairn key init)", password: true, ignoreFocusOut: true });
    if (passphrase === undefined) return;
    try {
      await backend.request('crypto.unlock', { passphrase, keychainKey: await keychainKey(context.secrets) });
      void messages.info('Cairn: encrypted fields unlocked; this machine unlocks them by itself from now on.');
    } catch (err) {
      void messages.error(`Cairn: ${(err as Error).message}`);
    }
  };

  /** Unlocks with the keychain key when the store uses encryption; offers the passphrase when that is not enough. */
  const unlockAfterStart = async (offerPassphrase: boolean): Promise<void> => {
    try {
      const status = await backend.request<'crypto.status', KeyStatus>('crypto.status', {});
      if (!status.initialised || status.unlocked) return;
      await backend.request('crypto.unlock', { keychainKey: await keychainKey(context.secrets) });
      log.info('Encrypted fields unlocked with the keychain key.');
    } catch (err) {
      if (!(err instanceof BackendError && err.code === ErrorCodes.Locked)) {
        log.warn(`Unlocking encrypted fields failed: ${(err as Error).message}`);
        return;
      }
      if (offerPassphrase && (await messages.info('Cairn: this store has encrypted fields, locked on this machine. Unlock them with the passphrase?', 'Unlock')) === 'Unlock') {
        await unlockWithPassphrase();
      }
    }
  };

  void unlockAfterStart(true);
  return [
    backend.onDidRestart(() => void unlockAfterStart(false)),
    vscode.commands.registerCommand('cairn.unlockEncryption', async () => {
      await unlockAfterStart(false);
      const status = await backend.request<'crypto.status', KeyStatus>('crypto.status', {});
      if (!status.initialised) void messages.info('Cairn: encryption is not set up for this store. Run "cairn key init" in a terminal to choose a passphrase.');
      else if (status.unlocked) void messages.info('Cairn: encrypted fields are unlocked.');
      else await unlockWithPassphrase();
    }),
  ];
}
