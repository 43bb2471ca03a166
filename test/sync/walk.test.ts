// The folder listing a backup mirrors from: the same files and stats from the worker thread as from this thread,
// symlinked folders entered once, loops and skipped folders left out, nothing outside the folder (a backup commits
// none of it, a restore writes none of it there), FIFOs, devices and names that are not UTF-8 passed over with why.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Store } from '../../src/store/store';
import { runBackup } from '../../src/sync/backup';
import { copyFiles, lastCopyPlace, stopCopyWorker, whyNotWritable, type CopyOutcome, type CopyTask } from '../../src/sync/files';
import { sha256 } from '../../src/sync/layout';
import { readManifest, writeManifest, type Manifest } from '../../src/sync/manifest';
import { runRestore } from '../../src/sync/restore';
import { lastWalkPlace, walkFolder, walkFolders, type Listing } from '../../src/sync/walk';
import { cleanupTempDirs, tempDir, writeTree } from '../helpers';
import { envOf, git } from './fixtures';

const asObject = (l: Listing) =>
  Object.fromEntries([...l.files].map(([rel, st]) => [rel, { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, stamp: st.stamp }]));

describe('backup: folder listing and the manifest kept in memory', () => {
  after(() => cleanupTempDirs());

  it('lists files with their stats, the same in the worker as here; symlinked folders once, loops and skipped folders never', async () => {
    const root = tempDir();
    const vault = path.join(root, 'vault');
    const skipped = path.join(root, 'vault', 'store');
    writeTree({
      'a.md': '# A\n',
      'deep/er/b.md': 'bbb',
      'shared/c.md': 'linked in twice',
      '.obsidian/app.json': '{}',
      '.git/HEAD': 'ref: refs/heads/main\n',
      'store/cairn.db': 'not listed',
    }, vault);
    fs.symlinkSync(path.join(vault, 'shared'), path.join(vault, 'linked'));
    fs.symlinkSync(path.join(vault, 'shared'), path.join(vault, 'linked-again'));
    fs.symlinkSync(vault, path.join(vault, 'deep', 'loop'));
    fs.symlinkSync(path.join(root, 'nowhere'), path.join(vault, 'dangling.md'));

    const here = walkFolder(vault, [fs.realpathSync(skipped)]);
    const rels = [...here.files.keys()].sort();
    assert.equal(rels.filter((r) => r.endsWith('c.md')).length, 1, 'a folder linked twice is listed once');
    assert.deepEqual(
      rels.filter((r) => !r.endsWith('c.md')),
      ['.obsidian/app.json', 'a.md', 'deep/er/b.md'],
      '.git, the skipped folder and the loop back to the root are left out',
    );
    assert.deepEqual(here.skipped.map((s) => s.path), ['dangling.md']);
    assert.equal(here.files.get('deep/er/b.md')!.size, 3);

    const [fromWorker, missing] = await walkFolders([
      { root: vault, skipReal: [fs.realpathSync(skipped)] },
      { root: path.join(root, 'no such folder'), skipReal: [] },
    ]);
    assert.equal(lastWalkPlace(), 'worker');
    assert.deepEqual(asObject(fromWorker!), asObject(here));
    assert.deepEqual(fromWorker!.skipped, here.skipped);
    assert.equal(missing!.files.size, 0, 'a folder that does not exist lists nothing');
  });

  it('copies changed files the same in the worker as here: bytes, times, checksums; private notes and unreadable files passed over', async () => {
    const root = tempDir();
    const source = path.join(root, 'vault');
    const notes: Record<string, string> = { 'a.md': '# A\n', 'deep/er/b.md': 'bbb', 'private.md': '---\nprivate: true\n---\nsecret\n' };
    for (let i = 0; i < 2500; i++) notes[`many/${i % 7}/note ${i}.md`] = `# Note ${i}\n\n${'words '.repeat(i % 50)}\n`;
    writeTree(notes, source);
    fs.utimesSync(path.join(source, 'a.md'), 1_000_000, 1_000_000);
    const rels = [...Object.keys(notes), 'gone.md'];
    const copies: Record<string, { outcomes: CopyOutcome[]; batches: number; repo: string }> = {};
    for (const place of ['worker', 'here'] as const) {
      const repo = path.join(root, `repo-${place}`);
      // One copy there already, with the bytes the last backup recorded: only its time is brought up to date.
      writeTree({ 'files/vault/a.md': '# A\n' }, repo);
      const tasks: CopyTask[] = rels.map((rel) => {
        const st = fs.statSync(path.join(source, rel), { throwIfNoEntry: false });
        return { rel, repoRel: `files/vault/${rel}`, stamp: '', atimeMs: st?.atimeMs ?? 0, mtimeMs: st?.mtimeMs ?? 0, copySize: null, ...(rel === 'a.md' ? { previousSha: sha256(Buffer.from('# A\n')) } : {}) };
      });
      let batches = 0;
      const outcomes = await copyFiles(source, repo, tasks, { skipPrivateNotes: true, scratchFile: path.join(root, `scratch-${place}`) }, () => void batches++, place);
      assert.equal(lastCopyPlace(), place);
      copies[place] = { outcomes, batches, repo };
    }
    const { worker, here } = copies as Record<'worker' | 'here', (typeof copies)[string]>;
    assert.deepEqual(worker!.outcomes, here!.outcomes);
    assert.equal(worker!.batches, 3, 'told a batch at a time');
    const kinds = Object.fromEntries(rels.map((rel, i) => [rel, worker!.outcomes[i]!.kind]));
    assert.equal(kinds['a.md'], 'same');
    assert.equal(kinds['deep/er/b.md'], 'added');
    assert.equal(kinds['private.md'], 'private');
    assert.deepEqual(worker!.outcomes[rels.indexOf('gone.md')], { kind: 'skipped', reason: 'cannot read (ENOENT)' });
    for (const rel of ['a.md', 'deep/er/b.md', `many/${1000 % 7}/note 1000.md`]) {
      for (const repo of [worker!.repo, here!.repo]) {
        const copy = path.join(repo, 'files/vault', rel);
        assert.equal(fs.readFileSync(copy, 'utf8'), notes[rel], rel);
        assert.equal(Math.trunc(fs.statSync(copy).mtimeMs), Math.trunc(fs.statSync(path.join(source, rel)).mtimeMs), `${rel} keeps its original's time`);
      }
      const outcome = worker!.outcomes[rels.indexOf(rel)]!;
      assert.ok('entry' in outcome && outcome.entry.sha256 === sha256(Buffer.from(notes[rel]!)), rel);
    }
    assert.ok(!fs.existsSync(path.join(worker!.repo, 'files/vault/private.md')), 'a private note is not copied');
  });

  it('copies a batch here when the worker stops in the middle of it, and the rest after it', async () => {
    const root = tempDir();
    const source = path.join(root, 'vault');
    const notes: Record<string, string> = {};
    for (let i = 0; i < 2500; i++) notes[`many/${i % 7}/note ${i}.md`] = `# Note ${i}\n\n${'words '.repeat(i % 50)}\n`;
    writeTree(notes, source);
    const repo = path.join(root, 'repo');
    const tasks: CopyTask[] = Object.keys(notes).map((rel) => {
      const st = fs.statSync(path.join(source, rel));
      return { rel, repoRel: `files/vault/${rel}`, stamp: '', atimeMs: st.atimeMs, mtimeMs: st.mtimeMs, copySize: undefined }; // no copy yet, as a first backup finds
    });
    let batches = 0;
    const outcomes = await copyFiles(source, repo, tasks, { skipPrivateNotes: false, scratchFile: path.join(root, 'scratch') }, () => {
      // Stopped while it copies the second batch (the request is sent as soon as this returns).
      if (++batches === 1) setImmediate(stopCopyWorker);
    });
    assert.equal(batches, 3);
    assert.equal(lastCopyPlace(), 'here', 'the batches after the worker stopped were copied here');
    assert.deepEqual(outcomes.map((o) => o.kind), tasks.map(() => 'added'));
    for (const [i, task] of tasks.entries()) {
      assert.equal(fs.readFileSync(path.join(repo, task.repoRel), 'utf8'), notes[task.rel], task.rel);
      const outcome = outcomes[i]!;
      assert.ok('entry' in outcome && outcome.entry.sha256 === sha256(Buffer.from(notes[task.rel]!)), task.rel);
    }
    // The next copies start a worker again.
    await copyFiles(source, path.join(root, 'repo2'), tasks.slice(0, 10), { skipPrivateNotes: false, scratchFile: path.join(root, 'scratch2') }, () => undefined);
    assert.equal(lastCopyPlace(), 'worker');
  });

  it('passes over, with the reason, links leading out of the folder, FIFOs, devices and names that are not valid UTF-8', async () => {
    const root = tempDir();
    const vault = writeTree({ 'a.md': '# A\n', 'sub/b.md': 'b' }, path.join(root, 'vault'));
    const outside = writeTree({ 'secret.md': 'not the vault\'s', 'deeper/x.md': 'x' }, path.join(root, 'outside'));
    fs.symlinkSync(outside, path.join(vault, 'linkdir'));
    fs.symlinkSync(path.join(outside, 'secret.md'), path.join(vault, 'passwd.md'));
    fs.symlinkSync('/dev/null', path.join(vault, 'device.md'));
    fs.symlinkSync(path.join(vault, 'sub', 'b.md'), path.join(vault, 'alias.md'));
    execFileSync('mkfifo', [path.join(vault, 'pipe.md')]);
    const latin1 = (rel: string) => Buffer.concat([Buffer.from(`${vault}/`), Buffer.from(rel, 'latin1')]);
    fs.writeFileSync(latin1('caf\xe9.md'), 'latin-1 name');
    fs.mkdirSync(latin1('d\xe9j\xe0'));
    fs.writeFileSync(Buffer.concat([latin1('d\xe9j\xe0'), Buffer.from('/n.md')]), 'under a latin-1 folder');

    const here = walkFolder(vault, []);
    assert.deepEqual([...here.files.keys()].sort(), ['a.md', 'alias.md', 'sub/b.md']);
    const reasons = Object.fromEntries(here.skipped.map((s) => [s.path, s.reason]));
    assert.deepEqual(reasons, {
      linkdir: `a symbolic link to ${outside}, outside ${vault}: not backed up`,
      'passwd.md': `a symbolic link to ${path.join(outside, 'secret.md')}, outside ${vault}: not backed up`,
      'device.md': `a symbolic link to /dev/null, outside ${vault}: not backed up`,
      'pipe.md': 'not a regular file (a FIFO, socket or device): never read',
      'caf\uFFFD.md': 'the file name is not valid UTF-8 (rename the file to read it)',
      'd\uFFFDj\uFFFD': 'the file name is not valid UTF-8 (rename the file to read it)',
    });
    const [fromWorker] = await walkFolders([{ root: vault, skipReal: [] }]);
    assert.deepEqual(asObject(fromWorker!), asObject(here));
    assert.deepEqual(fromWorker!.skipped, here.skipped);
  });

  it('a backup commits nothing from outside the vault; a restore never writes through a link out of it', async () => {
    const root = tempDir();
    const vault = writeTree({ 'a.md': '# A\n', 'notes/x.md': '# X\n' }, path.join(root, 'vault'));
    const outside = writeTree({ 'secret.md': 'zanzibar' }, path.join(root, 'outside'));
    fs.symlinkSync(outside, path.join(vault, 'linkdir'));
    fs.symlinkSync(path.join(outside, 'secret.md'), path.join(vault, 'passwd.md'));
    const store = await Store.open(path.join(root, 'store'));
    try {
      const env = envOf(store, vault);
      const backup = await runBackup(env, {});
      const committed = git(path.join(root, 'store', 'backup'), 'ls-tree', '-r', '--name-only', 'HEAD').split('\n').filter((p) => p.startsWith('files/'));
      assert.deepEqual(committed, ['files/vault/a.md', 'files/vault/notes/x.md']);
      assert.deepEqual(backup.warnings.filter((w) => w.includes('symbolic link')).sort(), [
        `linkdir: a symbolic link to ${outside}, outside ${vault}: not backed up`,
        `passwd.md: a symbolic link to ${path.join(outside, 'secret.md')}, outside ${vault}: not backed up`,
      ]);

      // The folder the backup holds a note of is now a link out of the vault: restoring puts nothing there.
      fs.rmSync(path.join(vault, 'notes'), { recursive: true });
      const elsewhere = path.join(root, 'elsewhere');
      fs.mkdirSync(elsewhere);
      fs.symlinkSync(elsewhere, path.join(vault, 'notes'));
      const restored = await runRestore(env, {}, backup.commit!);
      assert.deepEqual(fs.readdirSync(elsewhere), [], 'nothing was written outside the vault');
      assert.deepEqual(restored.warnings.filter((w) => w.includes('notes')), [`${path.join(vault, 'notes', 'x.md')} leads out of ${vault} through a symbolic link: not written`]);
      assert.equal(fs.readFileSync(path.join(vault, 'a.md'), 'utf8'), '# A\n');
    } finally {
      await store.close();
    }
  });

  it('a path with ".." in it is never written, and the reason says so (not "a symbolic link")', () => {
    const root = tempDir();
    const vault = writeTree({ 'a.md': '# A\n', 'notes/x.md': '# X\n' }, path.join(root, 'vault'));
    for (const rel of ['notes/../../outside.md', '../vault/a.md', 'notes/../a.md']) {
      assert.equal(whyNotWritable(vault, rel), `${rel}: a path with ".." in it is never written into ${vault}`);
    }
    assert.equal(whyNotWritable(vault, 'notes/x.md'), null);
  });

  it('a manifest read or written is kept until its file changes, and is frozen', () => {
    const dir = tempDir();
    const m: Manifest = { format: 1, cairnVersion: 'test', schemaVersion: 3, tables: {}, files: { 'files/vault/a.md': { sha256: 'ab', bytes: 2 } } };
    writeManifest(dir, m);
    const read = readManifest(dir)!;
    assert.equal(read, m, 'what was written is what is read back, without parsing');
    assert.throws(() => {
      (read.files as Record<string, unknown>)['x'] = 1;
    }, TypeError);
    // Edited by another hand: read again from the file.
    const text = fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8').replace('"ab"', '"cd"');
    fs.writeFileSync(path.join(dir, 'manifest.json'), text);
    assert.equal(readManifest(dir)!.files['files/vault/a.md']!.sha256, 'cd');
  });
});
