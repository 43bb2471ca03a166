// Encryption from VS Code. Set Up Encryption asks a passphrase twice and creates the store's key, wrapped by the
// passphrase and by a random key kept in SecretStorage (the OS keychain); Change Encryption Passphrase re-wraps it.
// After every backend start the keychain key is sent with crypto.unlock. A machine whose keychain key is not yet
// enrolled (the store was set up elsewhere, or restored from a backup) is unlocked once with the passphrase, which
// enrolls its key so it unlocks by itself from then on. A restore that brings another key set locks the store
// again; the same offer to unlock follows.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { MIN_PASSPHRASE, type KeyStatus } from '../../store/crypto/keys';
import { ErrorCodes } from '../../backend/protocol';
import { BackendError, type BackendClient } from '../backendClient';
import type { Messages } from '../messages';
import { safeCommands } from '../safeCommand';

const SECRET_NAME = 'cairn.keychainKey';

export interface EncryptionDeps {
  context: vscode.ExtensionContext;
  backend: BackendClient;
  messages: Messages;
  log: vscode.LogOutputChannel;
}

/** Given to the commands by tests and other extensions: then nothing is asked. `repeat` defaults to the new passphrase. */
export interface PassphraseArgs {
  passphrase?: string;
  oldPassphrase?: string;
  newPassphrase?: string;
  repeat?: string;
}

async function keychainKey(secrets: vscode.SecretStorage): Promise<string> {
  const stored = await secrets.get(SECRET_NAME);
  if (stored) return stored;
  const created = randomBytes(32).toString('base64');
  await secrets.store(SECRET_NAME, created);
  return created;
}

const tooShort = (value: string) => ([...value].length < MIN_PASSPHRASE ? `At least ${MIN_PASSPHRASE} characters.` : undefined);

export function registerEncryption({ context, backend, messages, log }: EncryptionDeps): vscode.Disposable[] {
  const command = safeCommands(messages);
  /** Whether the last status seen was unlocked: a store that goes from unlocked to locked is offered the passphrase. */
  let wasUnlocked = false;
  const status = async () => {
    const s = await backend.request<'crypto.status', KeyStatus>('crypto.status', {});
    wasUnlocked = s.unlocked;
    return s;
  };

  /** Asks for the passphrase and unlocks with it, enrolling this machine's keychain key. */
  const unlockWithPassphrase = async (): Promise<void> => {
    const passphrase = await vscode.window.showInputBox({ title: 'Unlock Cairn', prompt: "The store's passphrase (chosen when encryption was set up)", password: true, ignoreFocusOut: true });
    if (passphrase === undefined) return;
    try {
      wasUnlocked = (await backend.request<'crypto.unlock', KeyStatus>('crypto.unlock', { passphrase, keychainKey: await keychainKey(context.secrets) })).unlocked;
      void messages.info('Cairn: encrypted fields unlocked; this machine unlocks them by itself from now on.');
    } catch (err) {
      void messages.error(`Cairn: ${(err as Error).message}`);
    }
  };

  /** Unlocks with the keychain key when the store uses encryption; offers the passphrase when that is not enough. */
  const unlockAfterStart = async (offerPassphrase: boolean): Promise<void> => {
    try {
      const s = await status();
      if (!s.initialised || s.unlocked) return;
      wasUnlocked = (await backend.request<'crypto.unlock', KeyStatus>('crypto.unlock', { keychainKey: await keychainKey(context.secrets) })).unlocked;
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

  /** A new passphrase, asked twice; undefined when dismissed or when the two differ (said in an error). */
  const askNewPassphrase = async (title: string, given: PassphraseArgs): Promise<string | undefined> => {
    const first =
      given.newPassphrase ?? given.passphrase ?? (await vscode.window.showInputBox({ title, prompt: `A passphrase of at least ${MIN_PASSPHRASE} characters. Keep it safe: other machines, the CLI and restores from backups need it.`, password: true, ignoreFocusOut: true, validateInput: tooShort }));
    if (first === undefined) return undefined;
    const interactive = given.newPassphrase === undefined && given.passphrase === undefined;
    const repeat = given.repeat ?? (interactive ? await vscode.window.showInputBox({ title, prompt: 'The same passphrase again', password: true, ignoreFocusOut: true }) : first);
    if (repeat === undefined) return undefined;
    if (repeat !== first) {
      void messages.error('Cairn: the two passphrases differ; nothing was changed. Run the command again and type the same passphrase twice.');
      return undefined;
    }
    return first;
  };

  async function setUp(given: PassphraseArgs = {}): Promise<KeyStatus | undefined> {
    const current = await status();
    if (current.initialised) {
      const next = current.unlocked ? 'Change Passphrase' : 'Unlock';
      void messages.info(`Cairn: encryption is already set up for this store${current.unlocked ? '' : ' (locked on this machine)'}. To choose another passphrase, run "Cairn: Change Encryption Passphrase".`, next).then((c) => c && vscode.commands.executeCommand(c === 'Unlock' ? 'cairn.unlockEncryption' : 'cairn.changeEncryptionPassphrase'));
      return undefined;
    }
    const passphrase = await askNewPassphrase('Set up encryption', given);
    if (passphrase === undefined) return undefined;
    const done = await backend.request<'crypto.init', KeyStatus>('crypto.init', { passphrase, keychainKey: await keychainKey(context.secrets) });
    wasUnlocked = done.unlocked;
    void messages.info('Cairn: encryption is set up and unlocked; this machine unlocks it by itself from now on. Mark a task secret (right-click it) to store its title or description encrypted.');
    return done;
  }

  async function changePassphrase(given: PassphraseArgs = {}): Promise<KeyStatus | undefined> {
    if (!(await status()).initialised) {
      void messages.info('Cairn: encryption is not set up for this store yet.', 'Set Up Encryption').then((c) => c && vscode.commands.executeCommand('cairn.setUpEncryption'));
      return undefined;
    }
    const oldPassphrase = given.oldPassphrase ?? (await vscode.window.showInputBox({ title: 'Change the encryption passphrase', prompt: 'The current passphrase', password: true, ignoreFocusOut: true }));
    if (oldPassphrase === undefined) return undefined;
    const newPassphrase = await askNewPassphrase('Change the encryption passphrase', given);
    if (newPassphrase === undefined) return undefined;
    const done = await backend.request<'crypto.changePassphrase', KeyStatus>('crypto.changePassphrase', { oldPassphrase, newPassphrase });
    wasUnlocked = done.unlocked;
    void messages.info('Cairn: passphrase changed. Encrypted values were not rewritten, and machines whose keychain was enrolled still unlock by themselves.');
    return done;
  }

  void unlockAfterStart(true);
  return [
    backend.onDidRestart(() => void unlockAfterStart(false)),
    // A restore (here or by another process) may bring another key set, which leaves the store locked.
    backend.onDidChangeStore((change) => {
      if (wasUnlocked && (!change.aggregates || change.aggregates.some((a) => a.type === 'backup'))) void unlockAfterStart(true);
    }),
    vscode.commands.registerCommand('cairn.unlockEncryption', async () => {
      await unlockAfterStart(false);
      const s = await status();
      if (!s.initialised) void messages.info('Cairn: encryption is not set up for this store.', 'Set Up Encryption').then((c) => c && vscode.commands.executeCommand('cairn.setUpEncryption'));
      else if (s.unlocked) void messages.info('Cairn: encrypted fields are unlocked.');
      else await unlockWithPassphrase();
    }),
    command('cairn.setUpEncryption', setUp),
    command('cairn.changeEncryptionPassphrase', changePassphrase),
  ];
}
