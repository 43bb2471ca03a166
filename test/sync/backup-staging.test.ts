// How a backup stages and commits: exactly the files it wrote (written as blobs while the backup goes on, then
// given to the index by id), a tree and a commit made with plumbing (no hooks, no refresh of the whole index). What the working tree holds is what is committed, whatever
// ignore rules a copied folder brings along.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Store } from '../../src/store/store';
import { getTask, updateTask } from '../../src/store/tasks';
import { runBackup } from '../../src/sync/backup';
import { stdinPath } from '../../src/sync/blobWriter';
import { runRestore } from '../../src/sync/restore';
import { cleanupTempDirs, human, tempDir } from '../helpers';
import { envOf, populate } from './fixtures';

const git = (repo: string, ...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });

describe('backup: staging and committing', function () {
  this.timeout(120_000);
  afterEach(() => cleanupTempDirs());

  it('a .gitignore copied from the vault hides nothing, in a first backup and in an incremental one', async () => {
    const dir = path.join(tempDir(), 'store');
    const vault = path.join(dir, 'vault');
    fs.mkdirSync(path.join(vault, 'papers'), { recursive: true });
    fs.writeFileSync(path.join(vault, '.gitignore'), '*.pdf\nbuild/\n');
    fs.writeFileSync(path.join(vault, 'papers', 'one.pdf'), '%PDF-1.4 one');
    fs.writeFileSync(path.join(vault, 'note.md'), '# Note\n');
    const store = await Store.open(dir);
    try {
      const first = await runBackup(envOf(store, vault), {});
      assert.match(git(first.repo, 'ls-files'), /files\/vault\/papers\/one\.pdf/);
      fs.writeFileSync(path.join(vault, 'papers', 'two.pdf'), '%PDF-1.4 two');
      fs.mkdirSync(path.join(vault, 'build'));
      fs.writeFileSync(path.join(vault, 'build', 'out.md'), '# Built\n');
      const second = await runBackup(envOf(store, vault), {});
      assert.equal(second.status, 'committed');
      const files = git(first.repo, 'ls-files').split('\n');
      for (const f of ['papers/one.pdf', 'papers/two.pdf', 'build/out.md', '.gitignore']) assert.ok(files.includes(`files/vault/${f}`), `${f} is in the backup`);
      assert.equal(git(first.repo, 'status', '--porcelain', '--ignored'), '', 'the working tree is what was committed');
      const verify = await runRestore(envOf(store, vault), {}, 'HEAD', { dryRun: true });
      assert.equal(verify.dryRun, true, 'the commit passes the restore checks (every file the manifest lists is in it)');
    } finally {
      await store.close();
    }
  });

  it('an incremental backup commits each changed file byte for byte, whatever its name; removed copies leave the tree', async () => {
    assert.equal(stdinPath('plain/name.md'), 'plain/name.md');
    assert.equal(stdinPath('"quoted.md'), '"\\"quoted.md"');
    assert.equal(stdinPath('line\nbreak\\x.md'), '"line\\nbreak\\\\x.md"');
    const dir = path.join(tempDir(), 'store');
    const vault = path.join(dir, 'vault');
    fs.mkdirSync(vault, { recursive: true });
    const names = ['a.md', '"quoted.md', 'line\nbreak.md', 'back\\slash.md', 'trailing\r', 'ünïcode/日本.md', ' spaced .md'];
    for (const n of names) fs.mkdirSync(path.dirname(path.join(vault, n)), { recursive: true });
    fs.writeFileSync(path.join(vault, 'a.md'), '# A\n');
    fs.writeFileSync(path.join(vault, 'gone.md'), '# Gone soon\n');
    const store = await Store.open(dir);
    try {
      const ids = await populate(store, 50);
      const first = await runBackup(envOf(store, vault), {});
      for (const [i, n] of names.entries()) fs.writeFileSync(path.join(vault, n), `# ${i}\r\nbytes as they are\n`);
      fs.rmSync(path.join(vault, 'gone.md'));
      await store.write(async (orm) => {
        const t = await getTask(orm, ids[7]!);
        await updateTask(orm, human, t.id, t.version, { title: 'Renamed again' });
      });
      const second = await runBackup(envOf(store, vault), {});
      assert.equal(second.status, 'committed');
      for (const [i, n] of names.entries()) {
        const blob = execFileSync('git', ['-C', first.repo, 'cat-file', 'blob', `HEAD:files/vault/${n}`], { encoding: 'utf8' });
        assert.equal(blob, `# ${i}\r\nbytes as they are\n`, `${JSON.stringify(n)} is committed as written`);
      }
      const tree = execFileSync('git', ['-C', first.repo, 'ls-tree', '-r', '-z', '--name-only', 'HEAD'], { encoding: 'utf8' }).split('\0');
      assert.ok(!tree.includes('files/vault/gone.md'), 'a removed note leaves the tree');
      assert.match(git(first.repo, 'show', 'HEAD', '--', 'db/tasks'), /Renamed again/, 'the changed task reached its shard');
      assert.equal(git(first.repo, 'status', '--porcelain'), '', 'the index and working tree agree with the commit');
      const verify = await runRestore(envOf(store, vault), {}, 'HEAD', { dryRun: true });
      assert.equal(verify.dryRun, true, 'the commit passes the restore checks (every file matches its manifest checksum)');
    } finally {
      await store.close();
    }
  });

  it('each backup commits on the last one and moves the branch; nothing changed commits nothing', async () => {
    const dir = path.join(tempDir(), 'store');
    const vault = path.join(dir, 'vault');
    fs.mkdirSync(vault, { recursive: true });
    fs.writeFileSync(path.join(vault, 'a.md'), '# A\n');
    const store = await Store.open(dir);
    try {
      const ids = await populate(store, 50);
      const first = await runBackup(envOf(store, vault), {});
      await store.write(async (orm) => {
        const t = await getTask(orm, ids[3]!);
        await updateTask(orm, human, t.id, t.version, { title: 'Renamed' });
      });
      fs.appendFileSync(path.join(vault, 'a.md'), 'more\n');
      const second = await runBackup(envOf(store, vault), {});
      assert.equal(git(first.repo, 'rev-parse', 'HEAD').trim(), second.commit);
      assert.equal(git(first.repo, 'rev-parse', 'main').trim(), second.commit, 'the branch moved, not a detached HEAD');
      assert.equal(git(first.repo, 'rev-parse', 'HEAD~1').trim(), first.commit);
      assert.deepEqual(git(first.repo, 'log', '-g', '--format=%gs', 'main').trim().split('\n'), [`commit: ${second.summary}`, `commit (initial): ${first.summary}`]);
      assert.equal(git(first.repo, 'log', '-1', '--format=%(trailers:key=Cairn-Tasks,valueonly)').trim(), '+0 ~1 -0');
      assert.equal(git(first.repo, 'status', '--porcelain'), '');
      const third = await runBackup(envOf(store, vault), {});
      assert.equal(third.status, 'unchanged');
      assert.equal(git(first.repo, 'rev-parse', 'HEAD').trim(), second.commit);
    } finally {
      await store.close();
    }
  });
});
