// Removing the backup remote from the real VS Code (Configure Backup Remote → Remove the remote, given as
// `{ remove: true }`): the repository forgets it, the cairn.backup.remote setting is cleared (else the next sync
// would set it again), the bare remote keeps what was pushed, and Sync Now then asks for a remote.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CairnApi } from '../../src/extension/extension';
import type { RemoteInfo } from '../../src/sync/remote';
import type { SyncResult } from '../../src/sync/sync';

const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();

describe('Backup remote removal in VS Code', function () {
  this.timeout(120_000);
  const config = () => vscode.workspace.getConfiguration('cairn.backup');
  const set = (key: string, value: unknown) => config().update(key, value, vscode.ConfigurationTarget.Workspace);
  let api: CairnApi;
  let root: string;

  before(async () => {
    api = await vscode.extensions.getExtension<CairnApi>('cairn.cairn')!.activate();
    await api.whenReady();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-remote-it-'));
    await set('repository', path.join(root, 'backup'));
    await set('includeAgents', false);
    await set('idleMinutes', 0);
  });

  after(async () => {
    for (const key of ['repository', 'remote', 'includeAgents', 'idleMinutes']) await set(key, undefined);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a remote that starts with "-" is refused before git sees it, with a message saying why', async () => {
    const shown = api.shownMessages().length;
    const result = await vscode.commands.executeCommand('cairn.configureBackupRemote', '--upload-pack=touch /tmp/x@host:repo');
    assert.equal(result, undefined);
    const errors = api.shownMessages().slice(shown).filter((m) => m.level === 'error');
    assert.ok(errors.some((m) => /must not start with "-" \(git would read it as an option\)/.test(m.message)), JSON.stringify(errors));
    assert.equal(config().get('remote'), '', 'the setting is unchanged');
  });

  it('Remove the remote: forgotten by the repository and the settings, kept intact on the remote; Sync Now then asks for one', async () => {
    const repo = path.join(root, 'backup');
    const bare = path.join(root, 'remote.git');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    const info = (await vscode.commands.executeCommand('cairn.configureBackupRemote', bare)) as RemoteInfo;
    assert.equal(info?.url, bare, JSON.stringify(api.shownMessages().at(-1)));
    const synced = (await vscode.commands.executeCommand('cairn.syncNow')) as SyncResult;
    assert.ok(synced?.pushed, JSON.stringify(api.shownMessages().at(-1)));
    const pushed = git(bare, 'rev-parse', 'main');

    const seen = api.shownMessages().length;
    const removed = (await vscode.commands.executeCommand('cairn.configureBackupRemote', { remove: true })) as RemoteInfo;
    assert.deepEqual([removed.url, removed.removed], [null, bare]);
    assert.equal(git(repo, 'remote'), '', 'the repository has no remote');
    assert.equal(config().get('remote'), '', 'the setting is cleared');
    assert.equal(git(bare, 'rev-parse', 'main'), pushed, 'the remote repository keeps what was pushed');
    assert.ok(api.shownMessages().slice(seen).some((m) => /removed the backup remote .*remote repository keeps what was pushed/.test(m.message)));

    // Sync Now without a remote says so, with a button to set one, and ends without waiting for the button.
    const after = api.shownMessages().length;
    assert.equal(await vscode.commands.executeCommand('cairn.syncNow'), undefined);
    assert.ok(api.shownMessages().slice(after).some((m) => /no backup remote to sync with/.test(m.message) && m.level === 'warning'), JSON.stringify(api.shownMessages().slice(after)));
    assert.equal(git(repo, 'remote'), '', 'Sync Now did not set the remote again');
  });
});
