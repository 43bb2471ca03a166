// One backup or restore at a time per store, across processes (the VS Code backend, a CLI, a timer). The lock is
// a file created atomically with its content (written aside, then hard-linked into place: link fails if the lock
// exists). A lock whose process is gone (killed) is taken over; one held by a live process is refused.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StoreError } from '../store/errors';

interface LockInfo {
  pid: number;
  host: string;
  since: string;
  what: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

/** Runs fn holding `<storeDir>/backup.lock`. */
export async function withBackupLock<T>(storeDir: string, what: string, fn: () => Promise<T>): Promise<T> {
  const file = path.join(storeDir, 'backup.lock');
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), what };
  const aside = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(aside, JSON.stringify(mine));
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(aside, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw err;
        const held = readLock(file);
        if (held && held.host === mine.host && !alive(held.pid)) {
          fs.rmSync(file, { force: true }); // its process was killed: take over
          continue;
        }
        if (held && held.host !== mine.host) {
          throw new StoreError('busy', `A ${held.what} started on ${held.host} (pid ${held.pid}, ${held.since}) holds ${file}. If that machine no longer runs it, delete the file.`);
        }
        throw new StoreError('busy', `A ${held?.what ?? 'backup'} is already running for this store (pid ${held?.pid ?? '?'}, since ${held?.since ?? '?'}). Wait for it to finish and try again.`);
      }
    }
  } finally {
    fs.rmSync(aside, { force: true });
  }
  try {
    return await fn();
  } finally {
    if (readLock(file)?.pid === process.pid) fs.rmSync(file, { force: true });
  }
}
