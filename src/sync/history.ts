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
}

export async function backupHistory(repoDir: string, limit: number): Promise<{ repo: string; entries: HistoryEntry[] }> {
  const repo = await BackupRepo.open(repoDir, false);
  const entries = (await repo.log(limit)).map((e) => ({
    commit: e.commit,
    date: e.date,
    summary: e.subject,
    kind: e.trailers['Cairn-Kind'] ?? 'other',
    changes: countsFromTrailers(e.trailers),
    files: e.trailers['Cairn-Files'] ? Number(e.trailers['Cairn-Files']) : null,
    bytes: e.trailers['Cairn-Bytes'] ? Number(e.trailers['Cairn-Bytes']) : null,
  }));
  return { repo: repo.dir, entries };
}
