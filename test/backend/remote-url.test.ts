// A remote URL is a value, never an option to git: `cairn remote set -- -u…` (and backup.remote.set over RPC, the
// path of VS Code's Configure Backup Remote) is refused with a clear message, and git gets `--` before every URL
// Cairn hands it, so even a URL already in the repository's config cannot act as a switch.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BackupRepo, probeRemote } from '../../src/sync/git';
import { cleanupTempDirs, cli, requireBuilt, startBackend, tempDir } from '../helpers';

const git = (repo: string, ...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
const originOf = (repo: string) => (fs.existsSync(path.join(repo, '.git')) ? git(repo, 'config', '--default', '', '--get', 'remote.origin.url') : '');

const DASHED = '-uevil@host:path';

describe('a remote URL is never an option to git', function () {
  this.timeout(60_000);
  before(() => requireBuilt());
  afterEach(() => cleanupTempDirs());

  it('cairn remote set refuses a URL that starts with "-", checked or not, and saves nothing', () => {
    const store = path.join(tempDir(), 'store');
    assert.equal(cli(['--store', store, 'init']).status, 0);
    for (const args of [['remote', 'set', '--', DASHED], ['remote', 'set', '--no-check', '--', DASHED], ['remote', 'set', '--', '--upload-pack=touch@x:y']]) {
      const r = cli(['--store', store, ...args]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /^cairn: The remote "-[^"]*" starts with "-"/);
      assert.doesNotMatch(r.stderr, /unknown switch|usage: git|Internal error|\n\s+at /);
      assert.equal(originOf(path.join(store, 'backup')), '', 'no remote saved');
    }
  });

  it('backup.remote.set over RPC (Configure Backup Remote) refuses it with -32006', async () => {
    const store = path.join(tempDir(), 'store');
    const b = startBackend(store);
    try {
      await assert.rejects(b.rpc.sendRequest('backup.remote.set', { url: `  ${DASHED}`, check: false }), (e: { code: number; message: string }) => {
        assert.equal(e.code, -32006);
        assert.match(e.message, /starts with "-": git would read it as an option/);
        return true;
      });
      assert.equal(originOf(path.join(store, 'backup')), '');
    } finally {
      await b.stop();
    }
  });

  it('git gets "--" before the URL: one already in the config is saved and probed as a URL, not run as a switch', async () => {
    const repo = await BackupRepo.open(path.join(tempDir(), 'backup'), true);
    // Read as the repository, git's own guard names it; read as a switch, it would be "unknown switch `u'".
    assert.match((await probeRemote(DASHED, repo.dir)) ?? '', /strange hostname '-uevil@host' blocked/);
    await repo.setRemote(DASHED);
    assert.equal(originOf(repo.dir), DASHED, 'git stored the URL as it was given');
    await repo.setRemote(`${DASHED}2`);
    assert.equal(originOf(repo.dir), `${DASHED}2`, 'set-url too');
  });
});
