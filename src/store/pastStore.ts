// A store folder whose database is missing or holds nothing may still be a store's folder: its backup holds the
// store's rows, or backups/ holds copies of its database. Such a folder is never given a new, empty store: the
// first backup of one would record every row as removed, and a sync would remove them on every other machine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from './errors';

/** The backup repository inside a store folder, where backups go unless configured elsewhere. */
export const BACKUP_REPO_DIR = 'backup';
/** Copies of the database: before a migration, before a restore whose safety backup was refused, found damaged. */
export const BACKUPS_DIR = 'backups';
/** A damaged database moved aside before a restore goes to backups/damaged-<time>/. */
export const DAMAGED_PREFIX = 'damaged-';

/**
 * The application_id (SQLite header) of a database made to restore into, in a folder that held a store: until the
 * restore adds events, opening it is refused as for a missing database (listing the backups or a dry run made it).
 */
export const MADE_FOR_RESTORE = 0x43524553;

export interface PastStore {
  /** The backup repository whose last backup holds rows, and how many per table. */
  backup?: { repo: string; rows: Record<string, number> };
  /** Copies of the database in backups/, newest first (those found damaged last). */
  copies: string[];
}

/** Rows per table of the last backup in the store folder's own backup repository (none when it has no backup). */
function backedUpRows(repo: string): Record<string, number> {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'manifest.json'), 'utf8')) as { tables?: Record<string, { rows?: unknown }> };
    const rows: Record<string, number> = {};
    for (const [table, t] of Object.entries(manifest.tables ?? {})) if (typeof t?.rows === 'number' && t.rows > 0) rows[table] = t.rows;
    return rows;
  } catch {
    return {};
  }
}

function databaseCopies(dir: string): string[] {
  const backups = path.join(dir, BACKUPS_DIR);
  if (!fs.existsSync(backups)) return [];
  const found: string[] = [];
  for (const e of fs.readdirSync(backups, { withFileTypes: true })) {
    const p = path.join(backups, e.name);
    if (e.isFile() && e.name.endsWith('.db')) found.push(p);
    else if (e.isDirectory() && fs.existsSync(path.join(p, 'cairn.db'))) found.push(path.join(p, 'cairn.db'));
  }
  // Copies found damaged (moved aside by a restore) come last: copying one back would only be refused again.
  const damaged = (p: string) => (path.basename(path.dirname(p)).startsWith(DAMAGED_PREFIX) ? 1 : 0);
  return found.map((p) => ({ p, t: fs.statSync(p).mtimeMs })).sort((a, b) => damaged(a.p) - damaged(b.p) || b.t - a.t).map((c) => c.p);
}

/**
 * What in the store folder says a store lived there: a backup holding events (the log of every change), or — when
 * `withCopies` (the database file is missing or empty, not merely a store with no rows) — copies in backups/.
 */
export function pastStoreIn(dir: string, withCopies: boolean): PastStore | null {
  const repo = path.join(dir, BACKUP_REPO_DIR);
  const rows = backedUpRows(repo);
  const copies = withCopies ? databaseCopies(dir) : [];
  if (!rows.events && !copies.length) return null;
  return { ...(rows.events ? { backup: { repo, rows } } : {}), copies };
}

const counted = (rows: Record<string, number>) =>
  ['tasks', 'projects', 'events']
    .filter((t) => rows[t])
    .map((t) => `${rows[t]} ${rows[t] === 1 ? t.slice(0, -1) : t}`)
    .join(', ');

/** The refusal to open a folder whose store is gone: what is left of it, and how to get it back. */
export function lostStore(file: string, state: 'missing' | 'empty' | 'without events', past: PastStore): StoreError {
  const dir = path.dirname(file);
  const what = state === 'missing' ? 'is missing' : state === 'empty' ? 'is empty' : 'holds no events (a new, empty store)';
  const refused = 'Cairn did not start a new, empty store in its place (its next backup and sync would delete all of that on every machine).';
  const message = past.backup
    ? `The store's database ${file} ${what}, but ${dir} held a Cairn store: its backup ${past.backup.repo} holds ${counted(past.backup.rows)}. ${refused} Get it back with: cairn --store ${dir} restore HEAD --yes (in VS Code: Cairn: Restore…; cairn --store ${dir} history lists the backups).`
    : `The store's database ${file} ${what}, but ${dir} held a Cairn store: copies of its database are in ${path.join(dir, BACKUPS_DIR)}. ${refused} Get it back by copying the newest, ${past.copies[0]}, to ${file} (or move ${path.join(dir, BACKUPS_DIR)} away to start a new store).`;
  return new StoreError('store_unavailable', message, { reason: 'needs_restore', ...(past.backup ? { repo: past.backup.repo, rows: past.backup.rows } : {}), copies: past.copies });
}
