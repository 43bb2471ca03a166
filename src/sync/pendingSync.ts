// A sync that was killed after its merge commit was made: the marker in .git/cairn/ names the commit the store
// was being brought to. If the store holds it (sync_state, written in the same transaction as the rows), the
// rest is finished (files, branch); if not, the merge is dropped and the working tree goes back to the last
// backup. Every backup, restore and sync calls this first, so no backup is ever made from a half-synced state.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomically } from '../store/atomicFile';
import { appliedCommit } from '../store/snapshot/apply';
import { applyFiles, treeDelta } from './applyTree';
import { repoDirOf, type BackupEnv, type BackupSettings } from './backup';
import { BackupRepo } from './git';
import { roots } from './restore';
import { clearInProgress, clearState } from './state';

export interface PendingSync {
  ours: string;
  target: string;
}

const markerOf = (cairnDir: string) => path.join(cairnDir, 'sync-pending.json');

export const writePendingSync = (cairnDir: string, p: PendingSync) => writeFileAtomically(markerOf(cairnDir), JSON.stringify(p));

export const clearPendingSync = (cairnDir: string) => fs.rmSync(markerOf(cairnDir), { force: true });

function readPendingSync(cairnDir: string): PendingSync | null {
  try {
    return JSON.parse(fs.readFileSync(markerOf(cairnDir), 'utf8')) as PendingSync;
  } catch {
    return null;
  }
}

/** Finishes or drops an interrupted sync; returns warnings (files left alone). Call holding the backup lock. */
export async function resumePendingSync(env: BackupEnv, settings: BackupSettings): Promise<string[]> {
  const repoDir = repoDirOf(env.store, settings);
  // The marker is looked for before the repository is opened: the usual case (none) costs no git call.
  const pending = readPendingSync(path.join(repoDir, '.git', 'cairn'));
  if (!pending) return [];
  const repo = await BackupRepo.open(repoDir, false);
  repo.clearStaleGitLocks();
  let warnings: string[] = [];
  if ((await appliedCommit(env.store.conn)) === pending.target) {
    if ((await repo.head()) === pending.ours) {
      warnings = applyFiles(await treeDelta(env.store, repo, pending.ours, pending.target, roots(env, settings)));
      await repo.git.raw(['reset', '--quiet', '--hard', pending.target]);
    }
    clearState(repo.cairnDir); // the next backup compares everything
  } else {
    await repo.resetToHead();
  }
  clearPendingSync(repo.cairnDir);
  clearInProgress(repo.cairnDir);
  return warnings;
}
