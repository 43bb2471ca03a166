// A short exclusive lock on a vault folder, for writers that must read the folder and then add to it without another
// process doing the same in between (the next decision record number: two records made at the same instant would
// otherwise both take it, under different file names that an exclusive create cannot tell apart). The lock is a
// hidden file in the folder (hidden files are not notes), created exclusively (`wx`) and removed when done; a
// process that finds it waits a few milliseconds and tries again. A lock left by a process that died (older than
// STALE_MS: holders keep it for milliseconds) is broken by renaming it away, which only one breaker can do.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError } from '../errors';

const STALE_MS = 10_000;
const GIVE_UP_MS = 30_000;

/** Runs `fn` holding the lock named `name` in `dir` (which must exist). */
export async function withFolderLock<T>(dir: string, name: string, fn: () => T | Promise<T>): Promise<T> {
  const lock = path.join(dir, `.${name}.lock`);
  const started = Date.now();
  for (;;) {
    try {
      const fd = fs.openSync(lock, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = fs.statSync(lock, { throwIfNoEntry: false });
    if (held && Date.now() - held.mtimeMs > STALE_MS) {
      const away = `${lock}.${randomBytes(4).toString('hex')}.stale`;
      try {
        fs.renameSync(lock, away);
        fs.rmSync(away, { force: true });
      } catch {
        // another process broke it first
      }
      continue;
    }
    if (Date.now() - started > GIVE_UP_MS) {
      throw new StoreError('conflict', `Another process has held ${lock} for a while. If no Cairn process is writing to ${dir}, delete that file and try again.`, { path: lock });
    }
    await sleep(2 + Math.random() * 8);
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
