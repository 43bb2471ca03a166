// The vault as lists: notes (by folder or tag, paged), the folder tree with note counts, tags with counts (nested
// `a/b` tags roll up into `a`), and orphans (notes no other note links to and that link to no note). What the
// Knowledge, Tags and Orphans views and `[[` completion show. Plain SQL over the index: on 10k notes the ORM's row
// mapping costs more than the queries.
import * as path from 'node:path';
import type { Store } from '../store';

export interface NoteSummary {
  /** Vault-relative path with '/' separators. */
  path: string;
  title: string;
  aliases: string[];
  tags: string[];
  /** The folder the note is in ('' for the vault's top level). */
  folder: string;
  /** The file's modification time as last indexed (ms since the epoch). */
  mtimeMs: number;
  size: number;
}

export interface NotePage {
  /** How many notes match in all (the page holds at most `limit` of them, from `offset`). */
  total: number;
  offset: number;
  notes: NoteSummary[];
}

export interface ListNotesOptions {
  /** Only notes in this vault-relative folder ('' is the top level); absent: the whole vault. */
  folder?: string;
  /** With `folder`: also the notes in its subfolders. */
  recursive?: boolean;
  /** Only notes carrying this tag (case-insensitive, exactly: `a` does not match `a/b`). */
  tag?: string;
  offset?: number;
  limit?: number;
}

export interface FolderSummary {
  /** Vault-relative folder path ('' is the vault itself). */
  path: string;
  name: string;
  /** Notes directly in the folder. */
  notes: number;
  /** Notes in the folder and all its subfolders. */
  total: number;
  /** Immediate subfolders that hold notes (somewhere below). */
  folders: number;
}

export interface TagSummary {
  /** The tag without '#', nested parts joined by '/', as most notes spell it. */
  tag: string;
  /** The last part of a nested tag (`b` for `a/b`). */
  name: string;
  /** The tag it is nested under, or null at the top. */
  parent: string | null;
  /** Notes carrying exactly this tag (0 for a parent that only exists through nested tags). */
  count: number;
  /** Notes carrying this tag or one nested under it. */
  total: number;
}

export const DEFAULT_PAGE = 1000;

/** A folder argument in the index's form: '/' separators, no leading './' or '/', no trailing '/'. */
export function normalizeFolder(folder: string): string {
  const p = path.posix.normalize(folder.replace(/\\/g, '/').trim()).replace(/^(\.\/)+/, '').replace(/^\/+|\/+$/g, '');
  return p === '.' ? '' : p;
}

/** The order `ORDER BY path COLLATE NOCASE, path` gives (ASCII letters folded), so every list sorts alike. */
export function comparePaths(a: string, b: string): number {
  const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const fa = fold(a);
  const fb = fold(b);
  if (fa !== fb) return fa < fb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const folderOf = (p: string) => {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
};

interface NoteRow {
  path: string;
  title: string;
  aliases: string;
  tags: string | null;
  mtimeMs: number | null;
  size: number;
}

const SUMMARY_COLUMNS = `n.path AS path, n.title AS title, n.aliases AS aliases, n.size AS size,
  (SELECT json_group_array(t.tag) FROM note_tags t WHERE t.note_id = n.id) AS tags,
  (SELECT f.mtime_ms FROM vault_files f WHERE f.path = n.path) AS mtimeMs`;

const toSummary = (r: NoteRow): NoteSummary => ({
  path: r.path,
  title: r.title,
  aliases: r.aliases === '[]' ? [] : (JSON.parse(r.aliases) as string[]),
  tags: r.tags && r.tags !== '[]' ? (JSON.parse(r.tags) as string[]) : [],
  folder: folderOf(r.path),
  mtimeMs: r.mtimeMs ?? 0,
  size: r.size,
});

/** A page of notes, sorted by path (case-insensitively, as a file explorer does). */
export async function listNotes(store: Store, options: ListNotesOptions = {}): Promise<NotePage> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (options.folder !== undefined) {
    const folder = normalizeFolder(options.folder);
    if (folder) {
      // A range on the path (uses its unique index): every path that starts with "folder/" ('0' follows '/').
      where.push('n.path >= ? AND n.path < ?');
      params.push(`${folder}/`, `${folder}0`);
      if (!options.recursive) {
        where.push("instr(substr(n.path, ?), '/') = 0");
        params.push(folder.length + 2);
      }
    } else if (!options.recursive) {
      where.push("instr(n.path, '/') = 0");
    }
  }
  if (options.tag !== undefined) {
    where.push('EXISTS (SELECT 1 FROM note_tags t WHERE t.note_id = n.id AND t.tag_key = ?)');
    params.push(options.tag.trim().replace(/^#/, '').toLowerCase());
  }
  return page(store, where, params, options);
}

/** Notes with no resolved link to another note and none from another note (links to images etc. don't count). */
export async function listOrphans(store: Store, options: { offset?: number; limit?: number } = {}): Promise<NotePage> {
  const where = [
    `NOT EXISTS (SELECT 1 FROM note_links l WHERE l.note_id = n.id AND l.target_path <> n.path
                   AND EXISTS (SELECT 1 FROM notes t WHERE t.path = l.target_path))`,
    'NOT EXISTS (SELECT 1 FROM note_links l WHERE l.target_path = n.path AND l.note_id <> n.id)',
  ];
  return page(store, where, [], options);
}

async function page(store: Store, where: string[], params: (string | number)[], options: { offset?: number; limit?: number }): Promise<NotePage> {
  const offset = options.offset ?? 0;
  const limit = options.limit ?? DEFAULT_PAGE;
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (await store.conn.get<{ n: number }>(`SELECT count(*) AS n FROM notes n ${filter}`, params))!.n;
  const rows = total > offset ? await store.conn.all<NoteRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM notes n ${filter} ORDER BY n.path COLLATE NOCASE, n.path LIMIT ? OFFSET ?`,
    [...params, limit, offset],
  ) : [];
  return { total, offset, notes: rows.map(toSummary) };
}

/**
 * Folders that hold notes (somewhere below), with counts: the immediate subfolders of `parent` ('' is the vault's
 * top level), or with `parent` absent every folder, the vault itself ('') first. Sorted as notes are (comparePaths).
 */
export async function listFolders(store: Store, parent?: string): Promise<FolderSummary[]> {
  const rows = await store.conn.all<{ path: string }>('SELECT path FROM notes');
  const folders = new Map<string, FolderSummary>();
  const get = (p: string) => {
    let f = folders.get(p);
    if (!f) folders.set(p, (f = { path: p, name: p ? path.posix.basename(p) : '', notes: 0, total: 0, folders: 0 }));
    return f;
  };
  get('');
  for (const { path: notePath } of rows) {
    let folder = folderOf(notePath);
    get(folder).notes++;
    for (;;) {
      const f = get(folder);
      if (f.total++ === 0 && folder) get(folderOf(folder)).folders++;
      if (!folder) break;
      folder = folderOf(folder);
    }
  }
  const all = [...folders.values()].sort((a, b) => comparePaths(a.path, b.path));
  if (parent === undefined) return all;
  const wanted = normalizeFolder(parent);
  return all.filter((f) => f.path && folderOf(f.path) === wanted);
}

/** Every tag with its note counts, parents of nested tags included; sorted by tag (comparePaths). */
export async function listTags(store: Store): Promise<TagSummary[]> {
  const rows = await store.conn.all<{ noteId: number; key: string; tag: string }>('SELECT note_id AS noteId, tag_key AS key, tag FROM note_tags');
  const byKey = new Map<string, { spellings: Map<string, number>; exact: Set<number>; all: Set<number> }>();
  const entry = (key: string) => {
    let e = byKey.get(key);
    if (!e) byKey.set(key, (e = { spellings: new Map(), exact: new Set(), all: new Set() }));
    return e;
  };
  for (const r of rows) {
    const parts = r.tag.split('/');
    entry(r.key).exact.add(r.noteId);
    // Each prefix (`a`, `a/b` of `a/b/c`) counts the note once, whatever else it is tagged with.
    for (let i = 1; i <= parts.length; i++) {
      const spelled = parts.slice(0, i).join('/');
      const e = entry(spelled.toLowerCase());
      e.all.add(r.noteId);
      e.spellings.set(spelled, (e.spellings.get(spelled) ?? 0) + 1);
    }
  }
  const tags: TagSummary[] = [];
  for (const [key, e] of byKey) {
    const tag = [...e.spellings].reduce((best, cur) => (cur[1] > best[1] || (cur[1] === best[1] && cur[0] < best[0]) ? cur : best))[0];
    const cut = key.lastIndexOf('/');
    tags.push({ tag, name: tag.slice(cut + 1), parent: null, count: e.exact.size, total: e.all.size });
  }
  // A nested tag's parent is named as the parent entry spells itself.
  const spelling = new Map(tags.map((t) => [t.tag.toLowerCase(), t.tag]));
  for (const t of tags) {
    const cut = t.tag.lastIndexOf('/');
    if (cut > 0) t.parent = spelling.get(t.tag.slice(0, cut).toLowerCase()) ?? t.tag.slice(0, cut);
  }
  return tags.sort((a, b) => comparePaths(a.tag, b.tag));
}

/** How many notes the index holds (store.info). */
export async function countNotes(store: Store): Promise<number> {
  return (await store.conn.get<{ n: number }>('SELECT count(*) AS n FROM notes'))!.n;
}
