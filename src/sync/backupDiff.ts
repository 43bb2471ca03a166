// What one backup changed, for the Backup History view (as GitLens opens a commit): its rows per table (added,
// changed with the fields that changed, removed) and its files (vault notes, agent files), each openable as a
// side-by-side diff of the backup before it and this one. Read from the backup repository only; the store is
// never touched. Rows are compared by key from the db/ shards of the two commits.
import { StoreError } from '../store/errors';
import { blobSpec, EMPTY_TREE, readBlobs } from './blobs';
import { BackupRepo } from './git';
import { DB_DIR, lineKey, MANIFEST, readRow, shardOf, shardPath, splitLines } from './layout';
import { parseManifest } from './manifest';

export type Change = 'added' | 'changed' | 'removed';

export interface RowChange {
  table: string;
  key: string;
  change: Change;
  /** What a person calls the row (a task's title, a project's name, a note's path, an event's type). */
  label: string | null;
  /** For a changed row: the columns whose values differ. */
  fields: string[];
}

export interface BackupChanges {
  commit: string;
  /** The backup before it; null for the first backup. */
  parent: string | null;
  rows: RowChange[];
  /** Rows left out of `rows` per table (each table lists at most `limit`). */
  more: Record<string, number>;
  files: { path: string; change: Change }[];
}

const LABEL_COLUMNS = ['title', 'name', 'path', 'type', 'text'];
/** Bookkeeping every write changes: a field list without them says what really changed. */
const BOOKKEEPING = new Set(['version', 'updated_at', 'updatedAt']);

function labelOf(row: Record<string, unknown>): string | null {
  for (const c of LABEL_COLUMNS) if (typeof row[c] === 'string' && row[c]) return (row[c] as string).length > 120 ? `${(row[c] as string).slice(0, 119)}…` : (row[c] as string);
  return null;
}

async function openAt(repoDir: string, ref: string): Promise<{ repo: BackupRepo; commit: string; parent: string | null }> {
  const repo = await BackupRepo.open(repoDir, false);
  const commit = await repo.resolve(ref);
  const parent = (await repo.git.raw(['rev-list', '--parents', '-n1', commit])).trim().split(/\s+/)[1] ?? null;
  return { repo, commit, parent };
}

/** The changes of the backup `ref` against the one before it (its first parent). */
export async function backupChanges(repoDir: string, ref: string, limit = 500): Promise<BackupChanges> {
  const { repo, commit, parent } = await openAt(repoDir, ref);
  const changed = await repo.changedFiles(parent, commit);
  const result: BackupChanges = { commit, parent, rows: [], more: {}, files: [] };
  const shards = changed.filter((c) => c.path.startsWith(`${DB_DIR}/`));
  for (const c of changed) {
    if (!c.path.startsWith('files/')) continue;
    result.files.push({ path: c.path, change: c.status === 'A' ? 'added' : c.status === 'D' ? 'removed' : 'changed' });
  }
  if (!shards.length) return result;
  const [manifestText] = await readBlobs(repo.dir, [blobSpec(commit, MANIFEST)]);
  if (!manifestText) throw new StoreError('invalid', `The backup ${commit.slice(0, 10)} has no ${MANIFEST}; it cannot be read as a Cairn backup.`);
  const manifest = parseManifest(manifestText.toString('utf8'), `the backup ${commit.slice(0, 10)}`);
  const blobs = await readBlobs(repo.dir, shards.flatMap((s) => [blobSpec(parent ?? EMPTY_TREE, s.path), blobSpec(commit, s.path)]));
  const perTable = new Map<string, RowChange[]>();
  shards.forEach((s, i) => {
    const table = s.path.split('/')[1]!;
    const key = manifest.tables[table]?.key;
    if (!key) return;
    const lines = (b: Buffer | null) => new Map(splitLines(b?.toString('utf8') ?? '').map((l) => [lineKey(key, l), l]));
    const before = lines(blobs[2 * i]!);
    const after = lines(blobs[2 * i + 1]!);
    const list = perTable.get(table) ?? [];
    perTable.set(table, list);
    for (const [k, line] of after) {
      const old = before.get(k);
      if (old === line) continue;
      const row = readRow(line);
      if (old === undefined) list.push({ table, key: k, change: 'added', label: labelOf(row), fields: [] });
      else {
        const was = readRow(old);
        const fields = Object.keys({ ...was, ...row }).filter((f) => !BOOKKEEPING.has(f) && JSON.stringify(was[f]) !== JSON.stringify(row[f]));
        list.push({ table, key: k, change: 'changed', label: labelOf(row), fields });
      }
    }
    for (const [k, line] of before) if (!after.has(k)) list.push({ table, key: k, change: 'removed', label: labelOf(readRow(line)), fields: [] });
  });
  for (const [table, list] of [...perTable].sort(([a], [b]) => Number(a === 'events') - Number(b === 'events') || a.localeCompare(b))) {
    list.sort((a, b) => a.change.localeCompare(b.change) || (a.label ?? a.key).localeCompare(b.label ?? b.key));
    result.rows.push(...list.slice(0, limit));
    if (list.length > limit) result.more[table] = list.length - limit;
  }
  return result;
}

/**
 * One side of a diff: a row of `table` (by key) or a file (its backup path) as it was in the backup `ref`; null
 * where it did not exist. A row is shown one field per line, so a side-by-side diff reads field by field.
 */
export async function backupItem(repoDir: string, ref: string, item: { table: string; key: string } | { path: string }): Promise<string | null> {
  const repo = await BackupRepo.open(repoDir, false);
  const commit = await repo.resolve(ref);
  if ('path' in item) {
    if (!item.path.startsWith('files/') || item.path.split('/').includes('..')) throw new StoreError('invalid', `${item.path} is not a file of a backup (they start with files/).`);
    const [blob] = await readBlobs(repo.dir, [blobSpec(commit, item.path)]);
    return blob ? blob.toString('utf8') : null;
  }
  if (!/^[a-z_]+$/.test(item.table)) throw new StoreError('invalid', `"${item.table}" is not a table name.`);
  const [manifestText] = await readBlobs(repo.dir, [blobSpec(commit, MANIFEST)]);
  if (!manifestText) return null;
  const key = parseManifest(manifestText.toString('utf8'), `the backup ${commit.slice(0, 10)}`).tables[item.table]?.key;
  if (!key) return null;
  const [shard] = await readBlobs(repo.dir, [blobSpec(commit, shardPath(item.table, shardOf(item.key)))]);
  for (const line of splitLines(shard?.toString('utf8') ?? '')) if (lineKey(key, line) === item.key) return JSON.stringify(readRow(line), null, 2) + '\n';
  return null;
}
