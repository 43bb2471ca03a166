// The short folder lock that New Decision Record takes: one holder at a time (a second waits for the first to
// finish), released when the work throws, and a lock left by a dead process (old) is broken rather than waited on.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withFolderLock } from '../../../src/store/knowledge/folderLock';
import { tempDir } from '../../helpers';

describe('knowledge: folder lock', () => {
  it('lets one holder in at a time; the next enters when the first is done', async () => {
    const dir = tempDir('cairn-lock-');
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const firstIn = new Promise<void>((r) => (entered = r));
    const first = withFolderLock(dir, 'x', async () => {
      order.push('first in');
      entered();
      await gate;
      order.push('first out');
    });
    await firstIn;
    const second = withFolderLock(dir, 'x', () => order.push('second in'));
    assert.ok(fs.existsSync(path.join(dir, '.x.lock')), 'the lock file is there while held');
    release();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['first in', 'first out', 'second in']);
    assert.deepEqual(fs.readdirSync(dir), [], 'released: nothing left in the folder');
  });

  it('is released when the work fails', async () => {
    const dir = tempDir('cairn-lock-');
    await assert.rejects(withFolderLock(dir, 'x', () => {
      throw new Error('boom');
    }), /boom/);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('breaks a lock left behind by a process that died', async () => {
    const dir = tempDir('cairn-lock-');
    const lock = path.join(dir, '.x.lock');
    fs.writeFileSync(lock, '99999\n');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    assert.equal(await withFolderLock(dir, 'x', () => 'done'), 'done');
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});
