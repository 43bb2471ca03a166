// Indexes a vault into the store: notes, headings, links (resolved or placeholders), tags and full text.
// Incremental: the vault_files catalog holds each file's size, mtime and hash, so a warm run reads only files
// whose size or mtime moved, and re-parses only those whose bytes changed. Each batch of notes is written in
// one transaction together with its catalog rows, so an interrupted run never records progress it did not make.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { eq, inArray, ne } from 'drizzle-orm';
import { appendNextEvent, type Actor } from '../events';
import { StoreError } from '../errors';
import { nowIso } from '../ids';
import type { Connection } from '../connection';
import { noteLinks, notes, vaultFiles } from '../schema';
import type { Store } from '../store';
import { parseNote } from './markdown';
import { buildLinkIndex, normalizeNoteName, resolveLink, type LinkIndex } from './resolve';
import { readTextFile } from '../textFile';
import { scanVault, type ScannedFile } from './scan';
import type { ParsedNote } from './types';

export interface IndexOptions {
  /** Files larger than this are skipped with a logged reason (bytes). */
  maxFileBytes?: number;
  /** Notes written per transaction. */
  batchSize?: number;
  log?: (message: string) => void;
}

export interface IndexReport {
  vault: string;
  notes: number;
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  skipped: { path: string; reason: string }[];
  links: { resolved: number; unresolved: number };
  tags: number;
  diagnostics: number;
  ms: number;
}

export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;
const VAULT_AGGREGATE = 'default';

interface Changed {
  file: ScannedFile;
  hash: string;
  parsed: ParsedNote;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** What wikilinks match a note by: its file name, normalized as link targets are. */
export const nameKeyOf = (vaultPath: string) => normalizeNoteName(path.posix.basename(vaultPath));

export async function indexVault(store: Store, vaultDir: string, who: Actor, options: IndexOptions = {}): Promise<IndexReport> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const batchSize = options.batchSize ?? 250;
  const vault = path.resolve(vaultDir);
  if (!fs.existsSync(vault) || !fs.statSync(vault).isDirectory()) {
    throw new StoreError('not_found', `The vault folder ${vault} does not exist. Create it (or point the vault path at an existing Obsidian vault) and index again.`, { vault });
  }

  const scan = scanVault(vault);
  const skipped = [...scan.skipped];
  const catalog = new Map((await store.orm.select().from(vaultFiles)).map((f) => [f.path, f]));
  const stored = new Map(
    (await store.orm.select({ path: notes.path, aliases: notes.aliases }).from(notes)).map((n) => [n.path, n.aliases]),
  );

  // 1. What changed: size/mtime first (no read), then the hash (a touched but unchanged file is not re-parsed).
  const changed: Changed[] = [];
  const touched: { path: string; size: number; mtimeMs: number }[] = [];
  const present = new Set<string>();
  let unchanged = 0;
  for (const file of scan.notes) {
    const known = catalog.get(file.path);
    if (known && known.size === file.size && known.mtimeMs === file.mtimeMs && stored.has(file.path)) {
      present.add(file.path);
      unchanged++;
      continue;
    }
    const read = readTextFile(file.absPath, file.size, maxBytes);
    if ('reason' in read) {
      skipped.push({ path: file.path, reason: read.reason });
      log(`skipped ${file.path}: ${read.reason}`);
      continue;
    }
    present.add(file.path);
    const hash = sha256(read.bytes);
    if (known && known.hash === hash && stored.has(file.path)) {
      touched.push({ path: file.path, size: file.size, mtimeMs: file.mtimeMs });
      unchanged++;
      continue;
    }
    const parsed = parseNote(read.text, path.posix.basename(file.path));
    if (read.invalidUtf8) parsed.diagnostics.push({ line: 1, severity: 'warning', message: 'The file is not valid UTF-8; invalid bytes were replaced with U+FFFD in the index (the file itself is untouched).' });
    changed.push({ file, hash, parsed });
  }
  const removed = [...stored.keys()].filter((p) => !present.has(p));
  const changedPaths = new Set(changed.map((c) => c.file.path));

  // 2. The link index over the vault as it is now: changed notes' new aliases, stored ones for the rest.
  const aliasesOf = new Map(stored);
  for (const c of changed) aliasesOf.set(c.file.path, c.parsed.aliases);
  for (const p of removed) aliasesOf.delete(p);
  const linkIndex = buildLinkIndex(
    [...aliasesOf].map(([p, aliases]) => ({ path: p, aliases })),
    scan.otherFiles,
  );
  const namesChanged =
    removed.length > 0 ||
    changed.some((c) => !stored.has(c.file.path) || JSON.stringify(stored.get(c.file.path)) !== JSON.stringify(c.parsed.aliases));

  // 3. Write changed notes in batches, each with its catalog rows.
  const now = nowIso();
  for (let i = 0; i < changed.length; i += batchSize) {
    const batch = changed.slice(i, i + batchSize);
    await store.write(() => writeNotes(store.conn, batch, linkIndex, now));
  }
  if (touched.length || removed.length) {
    await store.write(async (orm) => {
      for (let i = 0; i < touched.length; i += 500) {
        const chunk = touched.slice(i, i + 500);
        for (const t of chunk) await orm.update(vaultFiles).set({ size: t.size, mtimeMs: t.mtimeMs }).where(eq(vaultFiles.path, t.path));
      }
      for (let i = 0; i < removed.length; i += 500) {
        const chunk = removed.slice(i, i + 500);
        const ids = (await orm.select({ id: notes.id }).from(notes).where(inArray(notes.path, chunk))).map((r) => r.id);
        if (ids.length) await store.conn.run(`DELETE FROM notes_fts WHERE rowid IN (${ids.map(() => '?').join(',')})`, ids);
        await orm.delete(notes).where(inArray(notes.path, chunk));
        await orm.delete(vaultFiles).where(inArray(vaultFiles.path, chunk));
      }
    });
  }

  // 4. When the set of names changed, links elsewhere may now resolve differently (a placeholder filled, a target gone).
  // (On a cold run every note was just written with its links resolved: nothing else to revisit.)
  const othersExist = [...present].some((p) => !changedPaths.has(p));
  if (namesChanged && othersExist) await reresolveAll(store, linkIndex, now);

  const c = (await store.conn.get<{ notes: number; resolved: number; unresolved: number; tags: number }>(
    `select (select count(*) from notes) as notes,
            (select count(*) from note_links where target_path is not null) as resolved,
            (select count(*) from note_links where target_path is null) as unresolved,
            (select count(distinct tag_key) from note_tags) as tags`,
  ))!;
  const report: IndexReport = {
    vault,
    notes: c.notes,
    added: changed.filter((x) => !stored.has(x.file.path)).length,
    updated: changed.filter((x) => stored.has(x.file.path)).length,
    removed: removed.length,
    unchanged,
    skipped,
    links: { resolved: c.resolved, unresolved: c.unresolved },
    tags: c.tags,
    diagnostics: changed.reduce((n, x) => n + x.parsed.diagnostics.length, 0),
    ms: Math.round(performance.now() - started),
  };
  if (report.added || report.updated || report.removed) {
    const { skipped: _s, ...summary } = report;
    await store.write((orm) =>
      appendNextEvent(orm, who, { aggregateType: 'vault', aggregateId: VAULT_AGGREGATE, type: 'vault.indexed', data: { ...summary, skipped: skipped.length } }),
    );
  }
  return report;
}

/**
 * Writes one batch: each table gets one statement that reads its rows from a JSON array (json_each), so the SQL
 * text is fixed (prepared once, reused) and no statement binds more than one parameter per table.
 */
async function writeNotes(conn: Connection, batch: Changed[], linkIndex: LinkIndex, now: string): Promise<void> {
  const json = (rows: unknown[][]) => [JSON.stringify(rows)];
  const noteRows = batch.map(({ file, parsed }) => [
    file.path,
    nameKeyOf(file.path),
    parsed.title,
    parsed.frontMatter === null ? null : JSON.stringify(parsed.frontMatter),
    JSON.stringify(parsed.aliases),
    JSON.stringify(parsed.diagnostics),
    file.size,
    now,
  ]);
  const rows = await conn.all<{ id: number; path: string }>(
    `INSERT INTO notes (path, name_key, title, front_matter, aliases, diagnostics, size, updated_at)
     SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7 FROM json_each(?) WHERE true
     ON CONFLICT (path) DO UPDATE SET title = excluded.title, front_matter = excluded.front_matter, aliases = excluded.aliases,
       diagnostics = excluded.diagnostics, size = excluded.size, updated_at = excluded.updated_at
     RETURNING id, path`,
    json(noteRows),
  );
  const idOf = new Map(rows.map((r) => [r.path, r.id]));
  const ids = [JSON.stringify(rows.map((r) => r.id))];
  for (const table of ['note_headings', 'note_links', 'note_tags']) await conn.run(`DELETE FROM ${table} WHERE note_id IN (SELECT value FROM json_each(?))`, ids);
  await conn.run('DELETE FROM notes_fts WHERE rowid IN (SELECT value FROM json_each(?))', ids);

  const headings = batch.flatMap(({ file, parsed }) => parsed.headings.map((h) => [idOf.get(file.path)!, h.level, h.text, h.line]));
  const links = batch.flatMap(({ file, parsed }) =>
    parsed.links.map((l) => [
      idOf.get(file.path)!,
      l.kind,
      l.target,
      l.heading ?? null,
      l.block ?? null,
      l.alias ?? null,
      l.line,
      l.context.slice(0, 500),
      resolveLink(linkIndex, file.path, l),
    ]),
  );
  const tags = batch.flatMap(({ file, parsed }) => parsed.tags.map((tag) => [idOf.get(file.path)!, tag, tag.toLowerCase()]));
  await conn.run('INSERT INTO note_headings (note_id, level, text, line) SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?)', json(headings));
  await conn.run(
    `INSERT INTO note_links (note_id, kind, target, heading, block, alias, line, context, target_path)
     SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8 FROM json_each(?)`,
    json(links),
  );
  await conn.run('INSERT INTO note_tags (note_id, tag, tag_key) SELECT value->>0, value->>1, value->>2 FROM json_each(?)', json(tags));
  await conn.run(
    'INSERT INTO notes_fts (rowid, title, body) SELECT value->>0, value->>1, value->>2 FROM json_each(?)',
    json(batch.map(({ file, parsed }) => [idOf.get(file.path)!, parsed.title, parsed.body])),
  );
  await conn.run(
    `INSERT INTO vault_files (path, size, mtime_ms, hash, indexed_at)
     SELECT value->>0, value->>1, value->>2, value->>3, value->>4 FROM json_each(?) WHERE true
     ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, hash = excluded.hash, indexed_at = excluded.indexed_at`,
    json(batch.map(({ file, hash }) => [file.path, file.size, file.mtimeMs, hash, now])),
  );
}

/** Re-resolves the links of every note not just written, and stores the targets that changed. */
async function reresolveAll(store: Store, linkIndex: LinkIndex, writtenAt: string): Promise<void> {
  const rows = await store.orm
    .select({ id: noteLinks.id, path: notes.path, kind: noteLinks.kind, target: noteLinks.target, heading: noteLinks.heading, block: noteLinks.block, alias: noteLinks.alias, line: noteLinks.line, context: noteLinks.context, targetPath: noteLinks.targetPath })
    .from(noteLinks)
    .innerJoin(notes, eq(notes.id, noteLinks.noteId))
    .where(ne(notes.updatedAt, writtenAt)); // notes written by this run resolved their links as they were written
  const updates = new Map<string | null, number[]>();
  for (const r of rows) {
    const next = resolveLink(linkIndex, r.path, { kind: r.kind, target: r.target, heading: r.heading ?? undefined, block: r.block ?? undefined, alias: r.alias ?? undefined, line: r.line, context: r.context });
    if (next === r.targetPath) continue;
    const ids = updates.get(next) ?? [];
    ids.push(r.id);
    updates.set(next, ids);
  }
  if (!updates.size) return;
  await store.write(async (orm) => {
    for (const [targetPath, ids] of updates) {
      for (let i = 0; i < ids.length; i += 5000) await orm.update(noteLinks).set({ targetPath }).where(inArray(noteLinks.id, ids.slice(i, i + 5000)));
    }
  });
}
