// How a backup stages and commits: exactly the files it wrote (git update-index), a tree and a commit made with
// plumbing (no hooks, no refresh of the whole index). What the working tree holds is what is committed, whatever
// ignore rules a copied folder brings along.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Store } from '../../src/store/store';
import { getTask, updateTask } from '../../src/store/tasks';
import { runBackup } from '../../src/sync/backup';
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
