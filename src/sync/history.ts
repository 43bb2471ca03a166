// The backup history, read from the commits' subjects and trailers (no tree is read).
import { BackupRepo } from './git';
import { countsFromTrailers, type ChangeCounts } from './summary';

export interface HistoryEntry {
  commit: string;
  date: string;
  summary: string;
  kind: string;
  changes: ChangeCounts;
  files: number | null;
  bytes: number | null;
  /** On the remote (the last fetch or push saw it there); null when the repository has no remote. */
  pushed: boolean | null;
}

export async function backupHistory(repoDir: string, limit: number): Promise<{ repo: string; entries: HistoryEntry[] }> {
  const repo = await BackupRepo.open(repoDir, false);
  const log = await repo.log(limit);
  const pushed = await pushedCommits(repo, log.map((e) => e.commit));
  const entries = log.map((e) => ({
    commit: e.commit,
    date: e.date,
    summary: e.subject,
    kind: e.trailers['Cairn-Kind'] ?? 'other',
    changes: countsFromTrailers(e.trailers),
    files: e.trailers['Cairn-Files'] ? Number(e.trailers['Cairn-Files']) : null,
    bytes: e.trailers['Cairn-Bytes'] ? Number(e.trailers['Cairn-Bytes']) : null,
    pushed: pushed && pushed.has(e.commit),
  }));
  return { repo: repo.dir, entries };
}

/** Which of these commits the remote has (as its tracking ref, from the last fetch or push, knows); null: no remote. */
async function pushedCommits(repo: BackupRepo, commits: readonly string[]): Promise<Set<string> | null> {
  if (!(await repo.remoteUrl())) return null;
  const tracking = (await repo.git.raw(['for-each-ref', '--format=%(refname)', 'refs/remotes/origin/'])).split('\n').filter(Boolean);
  if (!tracking.length || !commits.length) return new Set();
  // The commits not on the remote are few (what was backed up since the last sync): list those, not the whole history.
  const unpushed = new Set((await repo.git.raw(['rev-list', commits[0]!, ...tracking.map((r) => `^${r}`), '--'])).split('\n').filter(Boolean));
  return new Set(commits.filter((c) => !unpushed.has(c)));
}
