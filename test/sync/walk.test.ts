// The folder listing a backup mirrors from: the same files and stats from the worker thread as from this thread,
// symlinked folders entered once, loops and skipped folders left out.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readManifest, writeManifest, type Manifest } from '../../src/sync/manifest';
import { lastWalkPlace, walkFolder, walkFolders, type Listing } from '../../src/sync/walk';
import { cleanupTempDirs, tempDir, writeTree } from '../helpers';

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
      '.obsidian/app.json': '{}',
      '.git/HEAD': 'ref: refs/heads/main\n',
      'store/cairn.db': 'not listed',
    }, vault);
    writeTree({ 'c.md': 'outside the vault, linked in' }, path.join(root, 'outside'));
    fs.symlinkSync(path.join(root, 'outside'), path.join(vault, 'linked'));
    fs.symlinkSync(path.join(root, 'outside'), path.join(vault, 'linked-again'));
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
