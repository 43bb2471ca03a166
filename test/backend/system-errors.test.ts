// The file system's refusals that no request can bring about on purpose (something in the way of a rename or a link,
// a busy file, too many open files) and the last resort for an error nothing explains: each real error, as the
// operating system raised it, becomes the protocol error the client gets, and no absolute path of the server reaches
// the client (a place in the store or the vault relative to it, any other by its name).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toMethodError } from '../../src/backend/methods';
import type { ErrorScope } from '../../src/backend/systemErrors';
import { cleanupTempDirs, tempDir } from '../helpers';

/** The error `fn` throws (it must throw). */
function raised(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('file-system errors as protocol errors', () => {
  let root = '';
  let vault = '';
  let scope: ErrorScope;
  beforeEach(() => {
    root = tempDir();
    vault = path.join(root, 'vault');
    fs.mkdirSync(path.join(vault, 'from'), { recursive: true });
    fs.mkdirSync(path.join(vault, 'to'));
    fs.writeFileSync(path.join(vault, 'to', 'kept.md'), '# Kept\n');
    scope = { method: 'notes.rename', params: { note: 'from', newName: 'moved' }, roots: [[vault, 'vault'], [path.join(root, 'store'), 'store folder']] };
  });
  afterEach(cleanupTempDirs);

  it('a folder that is not empty, or a file, in the way of a rename or a link is Conflict naming the place in the way', () => {
    const notEmpty = toMethodError(raised(() => fs.renameSync(path.join(vault, 'from'), path.join(vault, 'to'))), scope);
    assert.equal(notEmpty.code, -32002, notEmpty.message);
    assert.deepEqual(notEmpty.data, { kind: 'conflict' });
    assert.equal(notEmpty.message, 'A folder that is not empty is at to in the vault: Cairn never overwrites or removes what is in its way. Move it away or choose another name, and try again.');
    const exists = toMethodError(raised(() => fs.linkSync(path.join(vault, 'to', 'kept.md'), path.join(vault, 'to', 'kept.md'))), scope);
    assert.equal(exists.code, -32002, exists.message);
    assert.match(exists.message, /^There is already a file or folder at to\/kept\.md in the vault: Cairn never overwrites/);
    assert.equal(fs.readFileSync(path.join(vault, 'to', 'kept.md'), 'utf8'), '# Kept\n');
  });

  it('a busy file or mount point is Busy (-32003): try again later', () => {
    const err = toMethodError(raised(() => fs.rmdirSync('/')), { method: 'backup.run', params: {} });
    assert.equal(err.code, -32003, err.message);
    assert.deepEqual(err.data, { kind: 'busy' });
    assert.equal(err.message, 'backup.run could not use "/": it is busy (in use by another program, or a mount point). Try again later.');
  });

  it("too many open files is Busy (-32003), naming the limit to raise", () => {
    const open: number[] = [];
    let err: unknown;
    try {
      // Opens until this process's limit: the real EMFILE (synchronous, so nothing else runs meanwhile).
      for (;;) open.push(fs.openSync(path.join(vault, 'to', 'kept.md'), 'r'));
    } catch (e) {
      err = e;
    } finally {
      for (const fd of open) fs.closeSync(fd);
    }
    const explained = toMethodError(err, scope);
    assert.equal(explained.code, -32003, explained.message);
    assert.equal(explained.message, "Too many files are open (this process's limit): notes.rename could not open to/kept.md in the vault. Try again later; if it goes on, raise the limit of open files (ulimit -n).");
  });

  it('an error nothing explains is Internal, with every absolute path of the server hidden: roots named, others by their name', () => {
    // readlink on a file that is not a link: EINVAL, which no request means.
    const elsewhere = path.join(root, 'backup repo', 'manifest.json');
    fs.mkdirSync(path.dirname(elsewhere));
    fs.writeFileSync(elsewhere, '{}');
    const unlinked = toMethodError(raised(() => fs.readlinkSync(elsewhere)), scope);
    assert.equal(unlinked.code, -32603);
    assert.equal(unlinked.message, "Internal error: EINVAL: invalid argument, readlink 'manifest.json'");
    const mixed = toMethodError(new Error(`cannot compare ${path.join(vault, 'to')} with /home/someone/.gitconfig (or "/etc/gitconfig")`), scope);
    assert.equal(mixed.message, 'Internal error: cannot compare <vault>/to with ".gitconfig" (or "gitconfig")');
    assert.ok(!mixed.message.includes(root) && !unlinked.message.includes(root));
  });
});
