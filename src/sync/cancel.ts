// Cancelling a backup or a sync, only at the points where stopping is safe: a backup before its commit is written,
// a sync before the merge is applied to the store. A cancelled run puts the backup's working tree and index back
// to the last commit at once, so the store is untouched and the next run starts from a consistent repository.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../store/errors';
import { BackupRepo } from './git';
import { clearInProgress, isInProgress } from './state';

/** Throws a 'cancelled' StoreError when the signal was aborted; `outcome` says what that leaves behind. */
export function checkCancelled(signal: AbortSignal | undefined, outcome: string): void {
  if (signal?.aborted) throw new StoreError('cancelled', outcome);
}

export const isCancelled = (err: unknown): boolean => err instanceof StoreError && err.kind === 'cancelled';

/** Drops what an unfinished backup or merge wrote into the working tree (the in-progress mark says there is some). */
export async function resetUnfinished(repo: BackupRepo): Promise<void> {
  if (!isInProgress(repo.cairnDir)) return;
  await repo.resetToHead();
  clearInProgress(repo.cairnDir);
}

/** After a cancelled backup or sync: the repository (if there is one yet) back to its last commit. */
export async function discardCancelled(repoDir: string): Promise<void> {
  if (fs.existsSync(path.join(repoDir, '.git'))) await resetUnfinished(await BackupRepo.open(repoDir, false));
}
