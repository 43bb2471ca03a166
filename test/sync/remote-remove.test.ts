// `cairn remote remove` (RPC backup.remote.remove) on a real backup repository with a real bare remote: the remote
// is forgotten (config and remote-tracking refs), the remote repository keeps what was pushed, sync then asks for a
// remote, private notes go into local backups again, and removing when none is set says so.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanupTempDirs, cli, requireBuilt, tempDir } from '../helpers';

const git = (repo: string, ...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();

describe('cairn remote remove', function () {
  this.timeout(120_000);
  before(() => requireBuilt());
  afterEach(() => cleanupTempDirs());

  it('forgets the remote, leaves the remote repository as it was, and sync then asks for a remote', () => {
    const root = tempDir();
    const store = path.join(root, 'store');
    const vault = path.join(root, 'vault');
    const repo = path.join(store, 'backup');
    const bare = path.join(root, 'remote.git');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    fs.mkdirSync(vault, { recursive: true });
    fs.writeFileSync(path.join(vault, 'diary.md'), '---\nprivate: true\n---\nmine alone\n');
    const run = (...args: string[]) => cli(['--store', store, '--vault', vault, ...args]);
    const json = (...args: string[]) => {
      const r = run('--json', ...args);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };

    assert.equal(run('init').status, 0);
    json('remote', 'set', bare);
    assert.equal(run('project', 'add', 'Synced').status, 0);
    json('sync');
    const pushed = git(bare, 'rev-parse', 'main');
    assert.doesNotMatch(git(repo, 'ls-files'), /diary/, 'with a remote, the private note is left out');

    const removed = json('remote', 'remove');
    assert.deepEqual([removed.url, removed.removed], [null, bare]);
    assert.equal(git(repo, 'remote'), '', 'no remote in the repository config');
    assert.equal(git(repo, 'for-each-ref', 'refs/remotes/'), '', 'no remote-tracking refs left');
    assert.equal(git(bare, 'rev-parse', 'main'), pushed, 'the remote repository keeps what was pushed');
    assert.equal(json('remote', 'show').url, null);
    assert.match(run('remote', 'remove').stdout, /no remote was set/);

    const sync = run('sync');
    assert.notEqual(sync.status, 0);
    assert.match(sync.stderr, /no remote to sync with\. Set one with "cairn remote set URL"/);
    assert.doesNotMatch(sync.stderr, /\n\s+at /, 'no stack trace');

    json('backup');
    assert.match(git(repo, 'ls-files'), /files\/vault\/diary\.md/, 'without a remote, private notes go into the local backup again');
    assert.match(run('remote', 'remove', '--repo', path.join(root, 'no-repo-here')).stdout, /no remote was set/);
  });
});
