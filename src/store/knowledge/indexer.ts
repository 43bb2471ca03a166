// Indexes a vault into the store: notes, headings, links (resolved or placeholders), tags and full text.
// Incremental: the vault_files catalog holds each file's size, mtime and hash, so a warm run reads only files
// whose size or mtime moved, and re-parses only those whose bytes changed. Each batch of notes is written in
// one transaction together with its catalog rows, so an interrupted run never records progress it did not make, and
// keeps what it wrote. One note never stops the others: a note that cannot be read or parsed, or that the store
// refuses, is skipped with the reason. What one note can cost is bounded by markdown.ts's limits, what a run holds
// in memory by INDEX_ROUND_BYTES.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import { appendNextEvent, type Actor } from '../events';
import { StoreError, storeErrorOf, underlying } from '../errors';
import { nowIso } from '../ids';
import type { Connection } from '../connection';
import { noteLinks, notes, vaultFiles } from '../schema';
import type { Store } from '../store';
import { parseNote } from './markdown';
import { withoutPrivateContent } from '../crypto/privateNotes';
import { buildLinkIndex, normalizeNoteName, resolveLink, type LinkIndex } from './resolve';
import { NOT_A_REGULAR_FILE, readTextFile } from '../textFile';
import { realPathInside, realPathOf } from '../insideRoot';
import { isNotePath, leadsOutside, scanVault, type ScannedFile } from './scan';
import { bodyFirstLine, chunkNote, type NoteChunk } from './chunk';
import { dropNoteVectors, vectorTableUsable, writeChunks } from './chunkStore';
import type { EmbedderSpec } from './embedder';
import { embedChunks, prepareEmbedder, type EmbedReport } from './semanticIndex';
import { findTaskRefs, insertTaskRefs, type TaskRef } from './taskRefs';
import { linkContext } from './linkContext';
import type { ParsedLink, ParsedNote } from './types';

export interface IndexOptions {
  /** Files larger than this are skipped with a logged reason (bytes). */
  maxFileBytes?: number;
  /** Notes written per transaction. */
  batchSize?: number;
  /** Bytes of changed notes parsed before they are written (default INDEX_ROUND_BYTES). */
  roundBytes?: number;
  log?: (message: string) => void;
  /**
   * Which embedder makes the passages' vectors (semanticIndex.ts): undefined = the store's own (GloVe on a new
   * store), another one = switch and re-embed everything, null = write passages but embed nothing this run.
   */
  embedder?: EmbedderSpec | null;
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
  /** Passages (for semantic search) in the store. */
  chunks: number;
  /** What embedding did this run, or why it could not (the text index is complete either way). */
  embeddings?: EmbedReport | { error: string };
  diagnostics: number;
  ms: number;
}

export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;
/**
 * Changed notes (bytes read) parsed and held before they are written: what bounds the indexer's memory, whatever the
 * vault holds. A larger run is written in rounds (links re-resolved once at the end, as the later rounds add names).
 */
export const INDEX_ROUND_BYTES = 4 * 1024 * 1024;
const VAULT_AGGREGATE = 'default';

interface Changed {
  file: ScannedFile;
  hash: string;
  parsed: ParsedNote;
  taskRefs: TaskRef[];
  chunks: NoteChunk[];
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** What wikilinks match a note by: its file name, normalized as link targets are. */
export const nameKeyOf = (vaultPath: string) => normalizeNoteName(path.posix.basename(vaultPath));

export interface IndexPathsOptions extends IndexOptions {
  /**
   * The vault's non-note files (vault-relative, '/' separators), when the caller keeps that list current (the
   * vault watcher does). Without it the vault is scanned for them, but only when they matter: when the set of
   * names changed, or when a changed note has a link that no note satisfies (it may point at an image, a PDF…).
   */
  otherFiles?: readonly string[];
}

type CatalogRow = typeof vaultFiles.$inferSelect;

/** What one run looks at; indexVault and indexPaths each describe theirs, runIndex does the rest. */
interface Work {
  vault: string;
  /** Notes to examine: re-read when size/mtime moved, re-parsed when the bytes changed. */
  files: ScannedFile[];
  skipped: { path: string; reason: string }[];
  /** Catalog rows for (at least) every file in `files`. */
  catalog: Map<string, CatalogRow>;
  /** The stored notes in scope (every one a file in `files` may be, and every one that may be removed): path → aliases. */
  stored: Map<string, string[]>;
  /** Every stored note, path → aliases (loaded only when the whole link index is needed). */
  allStored: () => Promise<Map<string, string[]>>;
  /** A stored note in scope that is not among the present files was removed. */
  inScope: (p: string) => boolean;
  /** The vault's non-note files: a list, or a way to get it (called at most once, only when needed). */
  otherFiles: readonly string[] | (() => readonly string[]);
  /** The set of names changed for a reason `files` cannot show (a non-note file added or removed). */
  namesChanged: boolean;
}

function checkVault(vaultDir: string): string {
  const vault = path.resolve(vaultDir);
  if (!fs.existsSync(vault) || !fs.statSync(vault).isDirectory()) {
    throw new StoreError('not_found', `The vault folder ${vault} does not exist. Create it (or point the vault path at an existing Obsidian vault) and index again.`, { vault });
  }
  return vault;
}

type StoredRow = { path: string; aliases: string };
const storedMap = (rows: StoredRow[]) => new Map(rows.map((n) => [n.path, n.aliases === '[]' ? [] : (JSON.parse(n.aliases) as string[])]));

/** Every stored note's path and aliases (plain SQL: on 10k notes the ORM's row mapping costs more than the query). */
async function storedNotes(store: Store): Promise<Map<string, string[]>> {
  return storedMap(await store.conn.all<StoredRow>('SELECT path, aliases FROM notes'));
}

/** Full scan: every note in the vault is examined; a stored note no longer there is removed. */
export async function indexVault(store: Store, vaultDir: string, who: Actor, options: IndexOptions = {}): Promise<IndexReport> {
  const started = performance.now();
  const vault = checkVault(vaultDir);
  const scan = scanVault(vault);
  const catalog = new Map((await store.orm.select().from(vaultFiles)).map((f) => [f.path, f]));
  const stored = await storedNotes(store);
  return runIndex(store, who, options, started, {
    vault,
    files: scan.notes,
    skipped: [...scan.skipped],
    catalog,
    stored,
    allStored: async () => stored,
    inScope: () => true,
    otherFiles: scan.otherFiles,
    namesChanged: false,
  });
}

/** A vault-relative path in '/' form, or null when it is outside the vault or in a folder the scan skips. */
function normalizeRelPath(rel: string): string | null {
  const p = path.posix.normalize(rel.replace(/\\/g, '/')).replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '');
  if (!p || p === '.' || p === '..' || p.startsWith('../')) return null;
  if (p.split('/').some((seg) => seg.startsWith('.') || seg === 'node_modules')) return null;
  return p;
}

/**
 * Re-indexes only these vault-relative paths (a file watcher's batch). A path that no longer exists is a removed
 * note (or, for a folder, every stored note under it); an existing folder is scanned; a non-note path changes only
 * what links and embeds can resolve to, so it counts as a change of names. The link index comes from the store
 * (every stored note's path and aliases) plus the changed notes; other notes' links are re-resolved only when the
 * set of names changed (a note added or removed, aliases changed, a non-note file added or removed).
 * Same report and vault.indexed event as indexVault, and the same catalog: a later indexVault finds nothing to do.
 */
export async function indexPaths(store: Store, vaultDir: string, relPaths: readonly string[], who: Actor, options: IndexPathsOptions = {}): Promise<IndexReport> {
  const started = performance.now();
  const vault = checkVault(vaultDir);
  const files = new Map<string, ScannedFile>();
  const skipped: { path: string; reason: string }[] = [];
  const exact = new Set<string>();
  const prefixes: string[] = [];
  let namesChanged = false;
  const vaultReal = fs.realpathSync(vault);
  for (const raw of relPaths) {
    const rel = normalizeRelPath(raw);
    if (rel === null || exact.has(rel)) continue;
    exact.add(rel);
    const abs = path.join(vault, rel);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(abs, { throwIfNoEntry: false }); // follows symlinks, as the scan does
    } catch (err) {
      skipped.push({ path: rel, reason: `cannot stat (${(err as NodeJS.ErrnoException).code})` });
      continue; // in scope: a stored note there is removed, as a full scan would
    }
    if (stat?.isDirectory()) {
      prefixes.push(`${rel}/`);
      const sub = scanVault(vault, rel);
      for (const f of sub.notes) files.set(f.path, f);
      skipped.push(...sub.skipped);
      if (sub.otherFiles.length) namesChanged = true;
    } else if (stat && !realPathInside(vaultReal, abs)) {
      skipped.push({ path: rel, reason: leadsOutside(realPathOf(abs)) }); // in scope: a stored note there is removed
    } else if (stat?.isFile()) {
      if (isNotePath(rel)) files.set(rel, { path: rel, absPath: abs, size: stat.size, mtimeMs: stat.mtimeMs });
      else namesChanged = true;
    } else {
      if (stat && isNotePath(rel)) skipped.push({ path: rel, reason: NOT_A_REGULAR_FILE });
      prefixes.push(`${rel}/`); // gone: a note, a non-note file, or a whole folder
      if (!isNotePath(rel)) namesChanged = true;
    }
  }
  const examined = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const catalog = new Map<string, CatalogRow>();
  for (let i = 0; i < examined.length; i += 500) {
    const chunk = examined.slice(i, i + 500).map((f) => f.path);
    for (const row of await store.orm.select().from(vaultFiles).where(inArray(vaultFiles.path, chunk))) catalog.set(row.path, row);
  }
  const stored = storedMap(
    await store.conn.all<StoredRow>(
      `SELECT path, aliases FROM notes WHERE path IN (SELECT value FROM json_each(?))
         OR EXISTS (SELECT 1 FROM json_each(?) AS pre WHERE substr(notes.path, 1, length(pre.value)) = pre.value)`,
      [JSON.stringify([...exact, ...files.keys()]), JSON.stringify(prefixes)],
    ),
  );
  return runIndex(store, who, options, started, {
    vault,
    files: examined,
    skipped,
    catalog,
    stored,
    allStored: () => storedNotes(store),
    inScope: (p) => exact.has(p) || prefixes.some((pre) => p.startsWith(pre)),
    otherFiles: options.otherFiles ?? (() => scanVault(vault).otherFiles),
    namesChanged,
  });
}

/** The index with the vault's non-note files added (the notes part is reused as is). */
function withFiles(index: LinkIndex, files: readonly string[]): LinkIndex {
  const f = buildLinkIndex([], files.filter((p) => !index.notePaths.has(p)));
  return { ...index, filePaths: f.filePaths, filesByKey: f.filesByKey, filesByName: f.filesByName };
}

/**
 * The string copied on its own: V8 makes a substring a view of the string it was cut from, so an alias kept for the
 * whole run would keep its note's whole text alive (~15 MB of the 48 MB live heap, mid-run on 10,000 real-size notes).
 */
const ownCopy = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

/** A failure in words, without a stack trace or SQL text (SQLite's own message names no SQL). */
function failureOf(err: unknown): string {
  const e = underlying(err) as { code?: string; name?: string; message?: string } | undefined; // drizzle wraps its query
  const message = String(e?.message ?? err).split('\n')[0]!.replace(/^SQLITE_\w+:\s*/, '').slice(0, 200);
  return `${e?.code ?? e?.name ?? 'Error'}: ${message}`;
}

/**
 * SQLite's page cache (KiB) while a large run writes: a batch's pages stay in memory until its commit, not spilled to
 * the WAL and written again. 32 MB measured no faster than 16 on a 76 MB vault, and raised the run's peak by 16 MB.
 */
const LARGE_RUN_CACHE_KIB = 16 * 1024;
/**
 * WAL pages between checkpoints while a large run writes (SQLite's default is 1,000): the pages every batch touches
 * again (indexes, full-text segments, the vector table's chunk heads) are copied to the database once per checkpoint.
 */
const LARGE_RUN_CHECKPOINT_PAGES = 10_000;

/** Bytes of the notes a run will read: those whose size or mtime moved since the catalog saw them, or that are new. */
function bytesToRead(work: Work): number {
  let bytes = 0;
  for (const f of work.files) {
    const known = work.catalog.get(f.path);
    if (!known || known.size !== f.size || known.mtimeMs !== f.mtimeMs || !work.stored.has(f.path)) bytes += f.size;
  }
  return bytes;
}

async function runIndex(store: Store, who: Actor, options: IndexOptions, started: number, work: Work): Promise<IndexReport> {
  if (bytesToRead(work) <= (options.roundBytes ?? INDEX_ROUND_BYTES)) return indexWork(store, who, options, started, work);
  const before = (await store.conn.get<{ cache_size: number }>('PRAGMA cache_size'))?.cache_size ?? -2000;
  await store.conn.exec(`PRAGMA cache_size = -${LARGE_RUN_CACHE_KIB}; PRAGMA wal_autocheckpoint = ${LARGE_RUN_CHECKPOINT_PAGES}`);
  try {
    return await indexWork(store, who, options, started, work);
  } finally {
    // The cache shrinks back; the WAL is checkpointed and cut back to nothing, as it would have been at 1,000 pages.
    await store.conn.exec(`PRAGMA cache_size = ${Math.trunc(before)}; PRAGMA wal_autocheckpoint = 1000; PRAGMA wal_checkpoint(TRUNCATE)`);
  }
}

async function indexWork(store: Store, who: Actor, options: IndexOptions, started: number, work: Work): Promise<IndexReport> {
  const log = options.log ?? (() => undefined);
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const batchSize = options.batchSize ?? 250;
  const roundBytes = options.roundBytes ?? INDEX_ROUND_BYTES;
  const { vault, catalog, stored } = work;
  const skipped = work.skipped;
  const skip = (p: string, reason: string) => {
    skipped.push({ path: p, reason });
    log(`skipped ${p}: ${reason}`);
  };
  if (options.embedder) await prepareEmbedder(store, options.embedder); // a bad choice fails before anything changes
  const now = nowIso();
  const vectors = await vectorTableUsable(store.conn, Boolean(store.vecVersion));

  const touched: { path: string; size: number; mtimeMs: number }[] = [];
  const present = new Set<string>();
  const written = { added: 0, updated: 0, diagnostics: 0 };
  let unchanged = 0;
  /** Stored notes in scope that are not in the vault any more (those that cannot be read are known only at the end). */
  const scanned = new Set(work.files.map((f) => f.path));
  const gone = [...stored.keys()].filter((p) => work.inScope(p) && !scanned.has(p));
  /** Every note's aliases as the rounds write them (loaded when a link index is first needed). */
  let aliasesOf: Map<string, string[]> | undefined;
  let rounds = 0;
  const manyRounds = bytesToRead(work) > roundBytes;
  let namesChangedInAny = false;
  let last: { namesChanged: boolean; othersExist: boolean; linkIndex?: LinkIndex } = { namesChanged: false, othersExist: false };

  /**
   * Resolves the links of a round of changed notes and writes them (section 2 and 3 below). `removed`: the stored
   * notes known to be gone by now.
   */
  const writeRound = async (round: Changed[], removed: string[], final = false) => {
    rounds++;
    // 2. How the changed notes' links resolve. When no name changed, a link a note already had resolves as it did
    // (resolution depends only on the set of names, the linking note's path and the link's kind and target), so an
    // edit that adds no new link needs no link index. Otherwise: the link index over the vault as it is now (changed
    // notes' new aliases, stored ones for the rest).
    const namesChanged =
      work.namesChanged ||
      removed.length > 0 ||
      round.some((c) => !stored.has(c.file.path) || JSON.stringify(stored.get(c.file.path)) !== JSON.stringify(c.parsed.aliases));
    namesChangedInAny ||= namesChanged;
    let resolve: Resolver | undefined = !namesChanged && round.length ? await knownResolutions(store, round) : undefined;
    let linkIndex: LinkIndex | undefined;
    let othersExist = false;
    if (!resolve && (round.length || namesChanged)) {
      if (!aliasesOf) {
        aliasesOf = new Map(await work.allStored());
        // A run of several rounds names every note it will examine from the start (aliases come as each is parsed),
        // so an early round's links to later notes resolve as they will; those that cannot be read are taken out
        // again before the final re-resolution.
        if (manyRounds) {
          for (const f of work.files) {
            if (aliasesOf.has(f.path)) continue;
            aliasesOf.set(f.path, []);
            namesChangedInAny = true; // so the end re-resolves every link with the names as they turned out
          }
        }
      }
      for (const c of round) aliasesOf.set(c.file.path, c.parsed.aliases.map(ownCopy));
      for (const p of removed) aliasesOf.delete(p);
      if (final) for (const f of work.files) if (!present.has(f.path) && !stored.has(f.path)) aliasesOf.delete(f.path); // named in advance, never read
      const roundPaths = new Set(round.map((c) => c.file.path));
      othersExist = [...aliasesOf.keys()].some((p) => !roundPaths.has(p));
      let index = buildLinkIndex([...aliasesOf].map(([p, aliases]) => ({ path: p, aliases })));
      // Non-note files matter only for links no note satisfies, and for re-resolving everything when names changed.
      const needFiles =
        Array.isArray(work.otherFiles) ||
        (namesChanged && othersExist) ||
        round.some((c) => c.parsed.links.some((l) => resolveLink(index, c.file.path, l) === null));
      if (needFiles) index = withFiles(index, otherFiles());
      linkIndex = index;
      resolve = (fromPath, link) => resolveLink(index, fromPath, link);
    }
    last = { namesChanged, othersExist, ...(linkIndex ? { linkIndex } : {}) };

    // 3. Write the round in batches, each with its catalog rows. A batch that fails is written a note at a time, so
    // one note the store refuses is skipped with the reason and holds back no other (the store's own failures — full
    // disk, busy, damaged — stop the run: they are nothing a note did).
    const writeBatch = async (batch: Changed[]): Promise<void> => {
      try {
        await store.write(() => writeNotes(store.conn, batch, resolve!, now, vectors));
      } catch (err) {
        if (storeErrorOf(err)) throw err;
        if (batch.length > 1) {
          for (const c of batch) await writeBatch([c]);
          return;
        }
        // Its earlier version, if any, stays indexed with its catalog row: the next run tries it again.
        skip(batch[0]!.file.path, `could not be stored in the index (${failureOf(err)})`);
        return;
      }
      for (const c of batch) {
        written[stored.has(c.file.path) ? 'updated' : 'added']++;
        written.diagnostics += c.parsed.diagnostics.length;
      }
    };
    for (let i = 0; i < round.length; i += batchSize) await writeBatch(round.slice(i, i + batchSize));
  };
  let otherFilesList: readonly string[] | undefined;
  const otherFiles = () => (otherFilesList ??= typeof work.otherFiles === 'function' ? work.otherFiles() : work.otherFiles);

  // 1. What changed: size/mtime first (no read), then the hash (a touched but unchanged file is not re-parsed). The
  // changed notes are parsed and held until `roundBytes` of them are, then written (a round): memory stays bounded
  // whatever the vault holds, and a run that stops half-way keeps the rounds it wrote.
  // A round is written while the next one is read and parsed (SQL on the driver's thread, parsing on this one).
  let round: Changed[] = [];
  let held = 0;
  let writing: Promise<void> | undefined;
  const startRound = async (r: Changed[]) => {
    if (writing) await writing;
    writing = writeRound(r, gone);
    writing.catch(() => undefined); // awaited before the next round and at the end
  };
  for (const file of work.files) {
    // Each note yields a turn of the event loop while a round is being written, so its statements keep coming.
    if (writing) await new Promise<void>((resolve) => setImmediate(resolve));
    const known = catalog.get(file.path);
    if (known && known.size === file.size && known.mtimeMs === file.mtimeMs && stored.has(file.path)) {
      present.add(file.path);
      unchanged++;
      continue;
    }
    const read = readTextFile(file.absPath, file.size, maxBytes);
    if ('reason' in read) {
      skip(file.path, read.reason);
      continue;
    }
    const hash = sha256(read.bytes);
    if (known && known.hash === hash && stored.has(file.path)) {
      present.add(file.path);
      touched.push({ path: file.path, size: file.size, mtimeMs: file.mtimeMs });
      unchanged++;
      continue;
    }
    let change: Changed;
    try {
      const parsed = withoutPrivateContent(parseNote(read.text, path.posix.basename(file.path)));
      if (read.invalidUtf8) parsed.diagnostics.push({ line: 1, severity: 'warning', message: 'The file is not valid UTF-8; invalid bytes were replaced with U+FFFD in the index (the file itself is untouched).' });
      change = { file, hash, parsed, taskRefs: findTaskRefs(read.text, parsed.frontMatter), chunks: chunkNote(parsed.title, parsed.body, bodyFirstLine(read.text, parsed.body)) };
    } catch (err) {
      skip(file.path, `could not be parsed (${failureOf(err)})`); // its stored rows, if any, go with the removed ones
      continue;
    }
    present.add(file.path);
    round.push(change);
    held += read.bytes.length;
    if (held >= roundBytes) {
      await startRound(round);
      round = [];
      held = 0;
    }
  }
  await writing;
  const removed = [...stored.keys()].filter((p) => work.inScope(p) && !present.has(p));
  if (round.length || removed.length || rounds === 0) await writeRound(round, removed, true);

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
        if (vectors) await dropNoteVectors(store.conn, ids); // their passages go by cascade
        await orm.delete(notes).where(inArray(notes.path, chunk));
        await orm.delete(vaultFiles).where(inArray(vaultFiles.path, chunk));
      }
    });
  }

  // 4. When the set of names changed, links elsewhere may now resolve differently (a placeholder filled, a target gone).
  // (On a cold run every note was just written with its links resolved: nothing else to revisit.) After several
  // rounds, the notes of earlier rounds were resolved before later ones named themselves: every note is revisited.
  if (rounds === 1 && last.namesChanged && last.othersExist && last.linkIndex) await reresolveAll(store, last.linkIndex, now);
  else if (rounds > 1 && namesChangedInAny) {
    // The round that changed names built aliasesOf, and the last round took the removed notes out of it; the notes
    // named in advance that could not be read or parsed go too.
    for (const f of work.files) if (!present.has(f.path) && !stored.has(f.path)) aliasesOf!.delete(f.path);
    const index = buildLinkIndex([...aliasesOf!].map(([p, aliases]) => ({ path: p, aliases })));
    await reresolveAll(store, withFiles(index, otherFiles()), null);
  }

  // 5. Vectors for the passages not embedded yet. A failure leaves the text index complete; only an embedder the
  // caller asked for by name fails the run (an endpoint that cannot be reached is then refused before any change).
  let embeddings: IndexReport['embeddings'];
  if (options.embedder !== null) {
    try {
      embeddings = await embedChunks(store, options.embedder, log);
    } catch (err) {
      if (options.embedder) throw err;
      embeddings = { error: (err as Error).message };
      log(`embeddings not updated: ${embeddings.error}`);
    }
  }

  const c = (await store.conn.get<{ notes: number; resolved: number; unresolved: number; tags: number; chunks: number }>(
    `select (select count(*) from notes) as notes,
            (select count(*) from note_links where target_path is not null) as resolved,
            (select count(*) from note_links where target_path is null) as unresolved,
            (select count(distinct tag_key) from note_tags) as tags,
            (select count(*) from note_chunks where seq >= 0) as chunks`,
  ))!;
  const report: IndexReport = {
    vault,
    notes: c.notes,
    added: written.added,
    updated: written.updated,
    removed: removed.length,
    unchanged,
    skipped,
    links: { resolved: c.resolved, unresolved: c.unresolved },
    tags: c.tags,
    chunks: c.chunks,
    ...(embeddings ? { embeddings } : {}),
    diagnostics: written.diagnostics,
    ms: Math.round(performance.now() - started),
  };
  const embeddedSome = Boolean(embeddings && 'added' in embeddings && embeddings.added);
  if (report.added || report.updated || report.removed || embeddedSome) {
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
type Resolver = (fromPath: string, link: ParsedLink) => string | null;

/**
 * The changed (already stored) notes' links resolved as the store has them, or undefined when a changed note has a
 * link (kind and target) it did not have before. Valid only when no name changed in this run.
 */
async function knownResolutions(store: Store, changed: Changed[]): Promise<Resolver | undefined> {
  const key = (kind: string, target: string) => `${kind}\u0000${target}`;
  const rows = await store.conn.all<{ path: string; kind: string; target: string; targetPath: string | null }>(
    `SELECT n.path AS path, l.kind AS kind, l.target AS target, l.target_path AS targetPath
       FROM note_links l JOIN notes n ON n.id = l.note_id WHERE n.path IN (SELECT value FROM json_each(?))`,
    [JSON.stringify(changed.map((c) => c.file.path))],
  );
  const known = new Map<string, Map<string, string | null>>();
  for (const r of rows) {
    let m = known.get(r.path);
    if (!m) known.set(r.path, (m = new Map()));
    m.set(key(r.kind, r.target), r.targetPath);
  }
  for (const c of changed) if (c.parsed.links.some((l) => !known.get(c.file.path)?.has(key(l.kind, l.target)))) return undefined;
  return (fromPath, link) => known.get(fromPath)!.get(key(link.kind, link.target)) ?? null;
}

async function writeNotes(conn: Connection, batch: Changed[], resolve: Resolver, now: string, vectors: boolean): Promise<void> {
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
  for (const table of ['note_headings', 'note_links', 'note_tags', 'note_task_refs']) await conn.run(`DELETE FROM ${table} WHERE note_id IN (SELECT value FROM json_each(?))`, ids);
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
      linkContext(l.context, l),
      resolve(file.path, l),
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
  await insertTaskRefs(conn, batch.map(({ file, taskRefs }) => ({ noteId: idOf.get(file.path)!, refs: taskRefs })));
  await writeChunks(conn, vectors, new Map(batch.map(({ file, chunks }) => [idOf.get(file.path)!, chunks])));
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

/** Link rows read at a time while re-resolving: the vault's links are never all in memory at once. */
const RERESOLVE_PAGE = 20_000;

/**
 * Re-resolves the links of every note not written at `writtenAt` (null: of every note), and stores the targets that
 * changed. Only kind and target decide where a link goes (resolve.ts).
 */
async function reresolveAll(store: Store, linkIndex: LinkIndex, writtenAt: string | null): Promise<void> {
  const updates = new Map<string | null, number[]>();
  for (let after = 0; ; ) {
    const rows = await store.conn.all<{ id: number; path: string; kind: ParsedLink['kind']; target: string; targetPath: string | null }>(
      `SELECT l.id AS id, n.path AS path, l.kind AS kind, l.target AS target, l.target_path AS targetPath
         FROM note_links l JOIN notes n ON n.id = l.note_id
        WHERE l.id > ? AND n.updated_at IS NOT ? ORDER BY l.id LIMIT ?`,
      [after, writtenAt, RERESOLVE_PAGE], // notes written at writtenAt resolved their links as they were written
    );
    for (const r of rows) {
      const next = resolveLink(linkIndex, r.path, { kind: r.kind, target: r.target, line: 0, context: '' });
      if (next === r.targetPath) continue;
      const ids = updates.get(next) ?? [];
      ids.push(r.id);
      updates.set(next, ids);
    }
    if (rows.length < RERESOLVE_PAGE) break;
    after = rows[rows.length - 1]!.id;
  }
  if (!updates.size) return;
  await store.write(async (orm) => {
    for (const [targetPath, ids] of updates) {
      for (let i = 0; i < ids.length; i += 5000) await orm.update(noteLinks).set({ targetPath }).where(inArray(noteLinks.id, ids.slice(i, i + 5000)));
    }
  });
}
