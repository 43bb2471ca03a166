// Encryption set up from the real VS Code, on a store of its own (cairn.storePath switched to a fresh folder, so
// the other suites' store stays unencrypted): Mark Task Secret points to Set Up first; Set Up refuses a short
// passphrase and two that differ, then creates the key (passphrase + this machine's SecretStorage key) and refuses
// a second set-up; the task editor shows an encrypted field unlocked, then locked (not editable) once the key is
// forgotten, until its Unlock; Change Encryption Passphrase refuses a wrong current one and re-wraps the key; the CLI
// then unlocks with the new passphrase only, and a restarted backend unlocks by itself from the keychain.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../waitFor';
import type { CairnApi } from '../../src/extension/extension';
import type { KeyStatus } from '../../src/store/crypto/keys';
import type { Project } from '../../src/store/projects';
import type { TaskRow } from '../../src/store/schema';
import { LOCKED_TEXT } from '../../src/store/crypto/fields';
import type { ToEditor } from '../../src/views/taskEditor/messages';
import type { TaskEditorPanel } from '../../src/views/taskEditor/taskEditorPanel';

type Task = TaskRow & { secretFields?: string[]; lockedFields?: string[] };

const FIRST = 'first passphrase, long enough';
const SECOND = 'second passphrase, also long';

let api: CairnApi;
let extensionPath: string;

const messagesSince = (n: number) => api.shownMessages().slice(n);
const status = () => api.request<'crypto.status', KeyStatus>('crypto.status', {});

function cliShow(store: string, id: string, passphrase: string) {
  return spawnSync(process.execPath, [path.join(extensionPath, 'dist', 'cli.js'), '--store', store, '--json', 'task', 'show', id], {
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', CAIRN_PASSPHRASE: passphrase },
  });
}

describe('Encryption in VS Code: set up, change the passphrase, mark a task secret', function () {
  this.timeout(120_000);
  const config = () => vscode.workspace.getConfiguration('cairn');
  let store: string;
  let task: Task;

  const useStore = async (dir: string | undefined) => {
    await config().update('storePath', dir, vscode.ConfigurationTarget.Workspace);
    const expected = dir ?? path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, '.cairn');
    await waitFor('the backend on the store', async () => api.storeDir === expected && (await api.request('store.info', {}).then(() => true, () => false)));
  };

  before(async () => {
    const ext = vscode.extensions.getExtension<CairnApi>('cairn.cairn')!;
    extensionPath = ext.extensionPath;
    api = await ext.activate();
    await api.whenReady();
    store = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-encryption-it-'));
    await useStore(store);
    const project = await api.request<'projects.create', Project>('projects.create', { name: 'Vault keys' });
    task = await api.request<'tasks.create', Task>('tasks.create', { projectId: project.id, title: 'Rotate the keys', description: 'the old key is hunter2hunter2' });
  });

  after(async () => {
    await useStore(undefined);
    fs.rmSync(store, { recursive: true, force: true });
  });

  it('Mark Task Secret before encryption is set up points to Set Up Encryption and changes nothing', async () => {
    const seen = api.shownMessages().length;
    assert.equal(await vscode.commands.executeCommand('cairn.markTaskSecret', task.id, ['description']), undefined);
    assert.ok(messagesSince(seen).some((m) => /encryption is not set up for this store yet: set it up/.test(m.message)), JSON.stringify(messagesSince(seen)));
    assert.equal((await api.request<'tasks.get', Task>('tasks.get', { id: task.id })).secretFields, undefined);
  });

  it('Set Up Encryption refuses a short passphrase and two that differ, with a message saying so', async () => {
    let seen = api.shownMessages().length;
    assert.equal(await vscode.commands.executeCommand('cairn.setUpEncryption', { passphrase: 'short' }), undefined);
    assert.ok(messagesSince(seen).some((m) => m.level === 'error' && /at least 8 characters/.test(m.message)), JSON.stringify(messagesSince(seen)));
    seen = api.shownMessages().length;
    assert.equal(await vscode.commands.executeCommand('cairn.setUpEncryption', { passphrase: FIRST, repeat: `${FIRST}!` }), undefined);
    assert.ok(messagesSince(seen).some((m) => m.level === 'error' && /two passphrases differ; nothing was changed/.test(m.message)), JSON.stringify(messagesSince(seen)));
    assert.equal((await status()).initialised, false);
  });

  it('Set Up Encryption creates the key, unlocked, wrapped by the passphrase and this machine\'s keychain; a second set-up is refused', async () => {
    const done = (await vscode.commands.executeCommand('cairn.setUpEncryption', { passphrase: FIRST })) as KeyStatus;
    assert.deepEqual([done.initialised, done.unlocked, done.passphrase, done.keychains], [true, true, true, 1]);
    const seen = api.shownMessages().length;
    assert.equal(await vscode.commands.executeCommand('cairn.setUpEncryption', { passphrase: SECOND }), undefined);
    assert.ok(messagesSince(seen).some((m) => /already set up for this store.*Change Encryption Passphrase/.test(m.message)), JSON.stringify(messagesSince(seen)));
  });

  it('Mark Task Secret encrypts the chosen field (saying the earlier plain text stays in history); it reads back while unlocked', async () => {
    const seen = api.shownMessages().length;
    const updated = (await vscode.commands.executeCommand('cairn.markTaskSecret', task.id, ['description'])) as Task;
    assert.deepEqual(updated.secretFields, ['description']);
    assert.ok(messagesSince(seen).some((m) => /description stored encrypted.*earlier plain-text description stays in the task's history/.test(m.message)), JSON.stringify(messagesSince(seen)));
    const read = await api.request<'tasks.get', Task>('tasks.get', { id: task.id });
    assert.equal(read.description, 'the old key is hunter2hunter2');
    const locked = cliShow(store, task.id, '');
    assert.equal(locked.status, 0, locked.stderr);
    assert.deepEqual((JSON.parse(locked.stdout) as Task).lockedFields, ['description'], 'the row holds ciphertext: a process without the key sees it locked');
  });

  it('the task editor shows the encrypted description as the tree does: unlocked here; once the key is forgotten, locked (not editable), until Unlock', async () => {
    const editor = (await vscode.commands.executeCommand('cairn.openTask', task.id)) as TaskEditorPanel;
    assert.ok(editor, 'the editor opened');
    const sent: ToEditor[] = [];
    const sub = editor.port.onDidPost((m) => sent.push(m));
    try {
      const lastTask = () => [...sent].reverse().find((m): m is Extract<ToEditor, { type: 'task' }> => m.type === 'task');
      const open = await waitFor('the editor to be sent the task', () => lastTask(), 30_000);
      assert.deepEqual([open.task.secretFields, open.task.lockedFields, open.task.description], [['description'], undefined, 'the old key is hunter2hunter2']);
      await api.request('crypto.lock', {});
      await api.request('tasks.update', { id: task.id, expectedVersion: open.task.version, priority: 'high' });
      const locked = await waitFor('the editor to be sent the locked task', () => (lastTask()?.task.lockedFields?.includes('description') ? lastTask() : undefined), 30_000);
      assert.equal(locked.task.description, LOCKED_TEXT);
      await waitFor('the page to show it with nothing to save', () => editor.lastState?.version === locked.task.version && editor.lastState.dirty.length === 0 ? true : undefined, 30_000);
      // The page's Unlock button: this machine's keychain key unlocks it again.
      editor.port.receive({ type: 'unlock' });
      const unlocked = await waitFor('the editor to be sent the unlocked task', () => (lastTask() && !lastTask()!.task.lockedFields ? lastTask() : undefined), 30_000);
      assert.equal(unlocked.task.description, 'the old key is hunter2hunter2');
    } finally {
      sub.dispose();
      editor.dispose();
    }
  });

  it('Change Encryption Passphrase refuses a wrong current passphrase and two new ones that differ, then re-wraps the key', async () => {
    let seen = api.shownMessages().length;
    await vscode.commands.executeCommand('cairn.changeEncryptionPassphrase', { oldPassphrase: 'not the passphrase', newPassphrase: SECOND });
    assert.ok(messagesSince(seen).some((m) => m.level === 'error' && /Wrong passphrase/.test(m.message)), JSON.stringify(messagesSince(seen)));
    seen = api.shownMessages().length;
    await vscode.commands.executeCommand('cairn.changeEncryptionPassphrase', { oldPassphrase: FIRST, newPassphrase: SECOND, repeat: FIRST });
    assert.ok(messagesSince(seen).some((m) => m.level === 'error' && /differ/.test(m.message)), JSON.stringify(messagesSince(seen)));
    const changed = (await vscode.commands.executeCommand('cairn.changeEncryptionPassphrase', { oldPassphrase: FIRST, newPassphrase: SECOND })) as KeyStatus;
    assert.equal(changed.unlocked, true);

    const withNew = cliShow(store, task.id, SECOND);
    assert.equal(withNew.status, 0, withNew.stderr);
    assert.equal((JSON.parse(withNew.stdout) as Task).description, 'the old key is hunter2hunter2');
    const withOld = cliShow(store, task.id, FIRST);
    assert.notEqual(withOld.status, 0);
    assert.match(withOld.stderr, /Wrong passphrase/);
  });

  it('a restarted backend unlocks by itself with the key kept in SecretStorage', async () => {
    await useStore(undefined);
    await useStore(store);
    const s = await waitFor('unlocked from the keychain', async () => ((await status()).unlocked ? status() : undefined));
    assert.equal(s.keychains, 1);
    assert.equal((await api.request<'tasks.get', Task>('tasks.get', { id: task.id })).description, 'the old key is hunter2hunter2');
  });
});
