// Merges "theirs" into the backup's working tree (which holds "mine", the last backup) against the merge base:
// every db/ shard changed on either side is merged row by row (merge.ts), rows a merge left pointing at a row it
// deleted bring that row back (a conflict), notes changed on both sides go through `git merge-file`, and the
// conflicts and one sync.merged event are written as rows of the merged tree itself, so the merge commit holds
// everything and both machines end with the same content. manifest.json is recomputed, never merged.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Actor } from '../store/events';
import { StoreError } from '../store/errors';
import { newId } from '../store/ids';
import { blobSpec, EMPTY_TREE, readBlobs } from './blobs';
import type { FileChange } from './applyTree';
import type { BackupRepo } from './git';
import { DB_DIR, invalidRow, lineKey, MANIFEST, readRow, rowKey, shardOf, shardPath, shardText, splitLines } from './layout';
import { marksOf, mergeShard, type Fields, type RowConflict, type TableShape } from './merge';
import { fileEntry, writeManifest, parseManifest, type Manifest } from './manifest';
import { dropErasedRows, erasedAggregateIds, newTombstones, type ShardSides } from './tombstones';

const run = promisify(execFile);

/** Tables whose both-sides changes never make a conflict: the append-only log, and the conflicts themselves. */
const QUIET = new Set(['events', 'conflicts']);
/** Tables whose rows are aggregates with a version: a field-merged row gets a `<type>.merged` event. */
const AGGREGATES: Record<string, string> = { projects: 'project', sprints: 'sprint', tasks: 'task' };

export interface ForeignKey {
  column: string;
  parent: string;
}

export interface MergeInput {
  repo: BackupRepo;
  base: string | null;
  ours: string;
  theirs: string;
  foreignKeys: Map<string, ForeignKey[]>;
  machine: string;
  who: Actor;
}

export interface FoundConflict {
  id: string;
  kind: 'row' | 'file';
  table: string | null;
  rowKey: string | null;
  path: string | null;
  fields: string[];
}

export interface TreeMerge {
  conflicts: FoundConflict[];
  fromTheirs: Record<string, number>;
  merged: Record<string, number>;
  /** Erased projects whose rows the merge dropped (they came from a side that still had them), and how many per table. */
  erased: { projects: string[]; rows: Record<string, number> };
  /** Of those rows, the ones this machine held, per table: removals here that the erase explains (massDelete.ts). */
  erasedHere: Record<string, number>;
  /**
   * Every db/ and files/ path the merge wrote or removed in the working tree, with mine's and the merged content
   * (null: absent); manifest.json is rewritten too. What there is to stage, and what the store takes from the merge.
   */
  writes: FileChange[];
}

/**
 * A version of a shard, its lines by row key; `rel` and `source` (the commit it is read from) name a line that is no
 * row. `known`, for the remote's version: the base's lines (this machine's own history, each checked as it came in);
 * the lines it lacks are read as rows first, so a damaged one is refused by file and line before the merge reads it.
 */
function linesOf(shape: TableShape, buf: Buffer | null, rel: string, source: string, known?: Map<string, string>): Map<string, string> {
  const m = new Map<string, string>();
  if (!buf) return m;
  splitLines(buf.toString('utf8')).forEach((line, i) => {
    try {
      const key = lineKey(shape.key, line);
      // What the merge reads of a row: its fields, and which of them are encrypted.
      if (known && known.get(key) !== line) marksOf(readRow(line));
      m.set(key, line);
    } catch (err) {
      throw invalidRow(rel, i + 1, shape.name, (err as Error).message, source);
    }
  });
  return m;
}

/** A path either side changed since the merge base, with the blob id of each version (null: absent there). */
interface ChangedPath {
  path: string;
  base: string | null;
  mine: string | null;
  theirs: string | null;
}

/** The db/ and files/ paths that differ between two commits, with their blob ids before and after (null: absent). */
async function changedBlobs(repo: BackupRepo, from: string | null, to: string): Promise<Map<string, { from: string | null; to: string | null }>> {
  // Raw format, -z: ":<mode> <mode> <id> <id> <status>\0<path>\0"; an id of zeros is a file that is not there.
  const out = await repo.git.raw(['diff-tree', '-r', '-z', '--no-renames', from ?? EMPTY_TREE, to, '--', DB_DIR, 'files']);
  const parts = out.split('\0');
  const blob = (id: string | undefined) => (!id || /^0+$/.test(id) ? null : id);
  const changed = new Map<string, { from: string | null; to: string | null }>();
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const [, , before, after] = parts[i]!.split(' ');
    changed.set(parts[i + 1]!, { from: blob(before), to: blob(after) });
  }
  return changed;
}

/** Each path changed on either side, the base's blob id taken from whichever diff has it (both have the same). */
async function changedSinceBase(repo: BackupRepo, base: string | null, ours: string, theirs: string): Promise<ChangedPath[]> {
  const [mine, their] = await Promise.all([changedBlobs(repo, base, ours), changedBlobs(repo, base, theirs)]);
  return [...new Set([...mine.keys(), ...their.keys()])].sort().map((p) => {
    const m = mine.get(p);
    const t = their.get(p);
    const baseId = (m ?? t)!.from;
    return { path: p, base: baseId, mine: m ? m.to : baseId, theirs: t ? t.to : baseId };
  });
}

const bump = (counts: Record<string, number>, what: string, n = 1) => {
  if (n) counts[what] = (counts[what] ?? 0) + n;
};

/** `Note (conflict laptop 2025-01-31).md`, numbered when that name is taken. */
function conflictCopyPath(rel: string, machine: string, taken: (p: string) => boolean): string {
  const ext = path.posix.extname(rel);
  const stem = rel.slice(0, rel.length - ext.length);
  const day = new Date().toISOString().slice(0, 10);
  const safeMachine = machine.replace(/[\\/:*?"<>|]/g, '-');
  for (let n = 1; ; n++) {
    const candidate = `${stem} (conflict ${safeMachine} ${day}${n > 1 ? ` ${n}` : ''})${ext}`;
    if (!taken(candidate)) return candidate;
  }
}

const isText = (b: Buffer) => !b.subarray(0, 8000).includes(0);

/** git's own three-way merge of one file; null when it cannot merge cleanly. */
async function mergeFile(mine: Buffer, base: Buffer | null, theirs: Buffer): Promise<Buffer | null> {
  if (!isText(mine) || !isText(theirs) || (base && !isText(base))) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-merge-'));
  try {
    const [m, b, t] = ['mine', 'base', 'theirs'].map((n) => path.join(dir, n)) as [string, string, string];
    fs.writeFileSync(m, mine);
    fs.writeFileSync(b, base ?? '');
    fs.writeFileSync(t, theirs);
    try {
      const { stdout } = await run('git', ['merge-file', '-p', '--', m, b, t], { encoding: 'buffer', maxBuffer: 256 << 20 });
      return stdout as unknown as Buffer;
    } catch (err) {
      if (typeof (err as { code?: unknown }).code === 'number' && (err as { code: number }).code > 0) return null; // conflicts
      throw err;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const textOrNull = (b: Buffer | null) => (b && isText(b) && b.length <= 1 << 20 ? b.toString('utf8') : null);

export async function mergeIntoWorkingTree(input: MergeInput): Promise<TreeMerge> {
  const { repo, base, ours, theirs } = input;
  const dir = repo.dir;
  // One git process reads both manifests and each distinct blob of the changed paths (a path one side left alone
  // has that side's version equal to the base's: read once).
  const changed = await changedSinceBase(repo, base, ours, theirs);
  const ids = [...new Set(changed.flatMap((c) => [c.base, c.mine, c.theirs]).filter((id): id is string => id !== null))];
  const [mineManifestBuf, theirsManifestBuf, ...blobs] = await readBlobs(dir, [blobSpec(ours, MANIFEST), blobSpec(theirs, MANIFEST), ...ids]);
  const contents = new Map(ids.map((id, i) => [id, blobs[i] ?? null] as const));
  const blobOf = (id: string | null) => (id === null ? null : (contents.get(id) ?? null));
  const mineManifest = parseManifest(mineManifestBuf!.toString('utf8'), `${ours.slice(0, 10)}:${MANIFEST}`);
  if (!theirsManifestBuf) throw new StoreError('invalid', `The remote's commit ${theirs.slice(0, 10)} is not a Cairn backup (it has no manifest.json); sync only with a remote that Cairn backups were pushed to.`);
  const theirsManifest = parseManifest(theirsManifestBuf.toString('utf8'), `${theirs.slice(0, 10)}:${MANIFEST}`);
  if (theirsManifest.schemaVersion !== mineManifest.schemaVersion) {
    const newer = theirsManifest.schemaVersion > mineManifest.schemaVersion ? 'the remote' : 'this machine';
    throw new StoreError('schema_too_new', `The remote's store is at schema version ${theirsManifest.schemaVersion}, this one at ${mineManifest.schemaVersion}: ${newer} runs a newer Cairn. Update Cairn on the other machine(s) and sync again; nothing was changed.`);
  }

  const result: TreeMerge = { conflicts: [], fromTheirs: {}, merged: {}, erased: { projects: [], rows: {} }, erasedHere: {}, writes: [] };
  const sources = { base: `the merge base ${base?.slice(0, 10) ?? ''}`.trim(), mine: `this machine's backup ${ours.slice(0, 10)}`, theirs: `the remote's commit ${theirs.slice(0, 10)}` };
  const shapes = new Map<string, TableShape>();
  const shapeOf = (table: string): TableShape => {
    let s = shapes.get(table);
    if (!s) {
      const t = mineManifest.tables[table] ?? theirsManifest.tables[table];
      if (!t) throw new StoreError('corrupt', `The backup has rows of a table "${table}" that neither manifest describes.`);
      shapes.set(table, (s = { name: table, key: t.key, columns: t.columns, quiet: QUIET.has(table) }));
    }
    return s;
  };

  // Rows: each changed shard merged; the results kept per shard until written.
  const shards = new Map<string, Map<string, string>>();
  // Mine's content of each path the merge may write (what the working tree holds): a shard is written only where
  // it differs, and the store's changes are taken from the two without asking git again.
  const mineContent = new Map<string, Buffer | null>();
  const rowConflicts: RowConflict[] = [];
  const mergedAggregates: { table: string; key: string; version: number | null; fromMine: string[]; fromTheirs: string[]; conflicts: string[] }[] = [];
  const sides = new Map<string, ShardSides>();
  for (const c of changed) {
    if (!c.path.startsWith(`${DB_DIR}/`)) continue;
    const table = c.path.split('/')[1]!;
    const shape = shapeOf(table);
    const maps = new Map<string | null, Map<string, string>>(); // one map per distinct version (read-only)
    const mapOf = (id: string | null, source: string, known?: Map<string, string>) => maps.get(id) ?? maps.set(id, linesOf(shape, blobOf(id), c.path, source, known)).get(id)!;
    const baseLines = mapOf(c.base, sources.base);
    const s = { base: baseLines, mine: mapOf(c.mine, sources.mine), theirs: mapOf(c.theirs, sources.theirs, baseLines) };
    sides.set(c.path, s);
    mineContent.set(c.path, blobOf(c.mine));
    const m = mergeShard(shape, s.base, s.mine, s.theirs);
    shards.set(c.path, m.lines);
    rowConflicts.push(...m.conflicts);
    bump(result.fromTheirs, table, m.fromTheirs);
    bump(result.merged, table, m.merged.length);
    if (AGGREGATES[table]) for (const r of m.merged) mergedAggregates.push({ table, ...r });
  }

  // The working tree holds mine: a shard no side changed is read from there when a row must be looked up or added.
  const shardLines = (table: string, key: string) => {
    const rel = shardPath(table, shardOf(key));
    let lines = shards.get(rel);
    if (!lines) {
      const abs = path.join(dir, rel);
      const content = fs.existsSync(abs) ? fs.readFileSync(abs) : null;
      lines = linesOf(shapeOf(table), content, rel, sources.mine);
      shards.set(rel, lines);
      mineContent.set(rel, content);
    }
    return lines;
  };

  // A row kept (or added) while the row it refers to was deleted by the other side: that row comes back.
  const lastKnown = (table: string, key: string): { line: string; mine: string | undefined; theirs: string | undefined; base: string | undefined } | null => {
    const s = sides.get(shardPath(table, shardOf(key)));
    if (!s) return null;
    const line = s.mine.get(key) ?? s.theirs.get(key) ?? s.base.get(key);
    return line === undefined ? null : { line, mine: s.mine.get(key), theirs: s.theirs.get(key), base: s.base.get(key) };
  };
  // Erased projects: the tombstones either side added since the base that the merge kept win over any row still around.
  const erasedProjects = new Set<string>();
  for (const [eventId, projectId] of newTombstones(sides)) if (shardLines('events', eventId).has(eventId)) erasedProjects.add(projectId);
  const erasedIds = erasedProjects.size ? erasedAggregateIds(erasedProjects, sides) : new Set<string>();
  if (erasedProjects.size) {
    // A shard no side changed was read from the working tree: mine.
    const { dropped, droppedHere } = dropErasedRows(erasedProjects, erasedIds, shards, (rel, key) => sides.get(rel)?.mine.has(key) ?? true);
    if (Object.keys(dropped).length) result.erased = { projects: [...erasedProjects].sort(), rows: dropped };
    result.erasedHere = droppedHere;
    const keep = (key: string) => !erasedIds.has(key);
    rowConflicts.splice(0, rowConflicts.length, ...rowConflicts.filter((c) => keep(c.key)));
    mergedAggregates.splice(0, mergedAggregates.length, ...mergedAggregates.filter((a) => keep(a.key)));
  }

  // Rows whose parents may be gone. A line the same on both sides names parents both sides hold, which the merge
  // keeps (each side is a consistent store): only an erase can drop them, and then every row is checked.
  const work = [...sides].flatMap(([rel, s]) => {
    const table = rel.split('/')[1]!;
    if (!input.foreignKeys.has(table)) return [];
    return [...shards.get(rel)!].filter(([key, line]) => erasedIds.size > 0 || s.mine.get(key) !== line || s.theirs.get(key) !== line).map(([, line]) => ({ table, line }));
  });
  while (work.length) {
    const { table, line } = work.pop()!;
    const row = JSON.parse(line) as Fields;
    for (const fk of input.foreignKeys.get(table) ?? []) {
      const ref = row[fk.column];
      if (ref === null || ref === undefined) continue;
      const parentKey = String(ref);
      const lines = shardLines(fk.parent, parentKey);
      if (lines.has(parentKey)) continue;
      if (erasedIds.has(parentKey)) {
        // As the erase did on the other side (ON DELETE SET NULL): the reference goes, not the erase.
        const own = shardLines(table, rowKey(shapeOf(table).key, row));
        row[fk.column] = null;
        own.set(rowKey(shapeOf(table).key, row), JSON.stringify(row));
        continue;
      }
      const known = lastKnown(fk.parent, parentKey);
      if (!known) continue; // never existed on either side: the apply's foreign key check reports it
      lines.set(parentKey, known.line);
      rowConflicts.push({ table: fk.parent, key: parentKey, fields: ['*'], mine: known.mine ? (JSON.parse(known.mine) as Fields) : null, theirs: known.theirs ? (JSON.parse(known.theirs) as Fields) : null, base: known.base ? (JSON.parse(known.base) as Fields) : null });
      if (input.foreignKeys.has(fk.parent)) work.push({ table: fk.parent, line: known.line });
    }
  }

  // Files: one side's change taken; both changed: git merge-file, else mine in place and theirs beside it.
  const fileWrites = new Map<string, Buffer | null>();
  const fileConflicts: { path: string; copy: string | null; mine: Buffer | null; theirs: Buffer | null; base: Buffer | null }[] = [];
  const inTree = (p: string) => fileWrites.get(p) !== undefined ? fileWrites.get(p) !== null : fs.existsSync(path.join(dir, p));
  for (const c of changed) {
    const p = c.path;
    if (!p.startsWith('files/')) continue;
    const v = { base: blobOf(c.base), mine: blobOf(c.mine), theirs: blobOf(c.theirs) };
    mineContent.set(p, v.mine);
    if (c.mine === c.theirs || c.theirs === c.base) continue; // mine already in the tree (same blob id: same bytes)
    if (c.mine === c.base) {
      fileWrites.set(p, v.theirs);
      bump(result.fromTheirs, 'files');
      continue;
    }
    if (v.mine && v.theirs) {
      const merged = await mergeFile(v.mine, v.base, v.theirs);
      if (merged) {
        fileWrites.set(p, merged);
        bump(result.merged, 'files');
        continue;
      }
      const copy = conflictCopyPath(p, input.machine, inTree);
      fileWrites.set(copy, v.theirs);
      fileConflicts.push({ path: p, copy, ...v });
      continue;
    }
    // Deleted on one side, changed on the other: the changed file stays.
    if (!v.mine) fileWrites.set(p, v.theirs);
    fileConflicts.push({ path: p, copy: null, ...v });
  }

  // The conflicts, and the events saying what the merge did, become rows of the merged tree.
  const now = new Date().toISOString();
  const rowOf = (table: string, values: Fields) => {
    const shape = shapeOf(table);
    const key = rowKey(shape.key, values);
    shardLines(table, key).set(key, JSON.stringify(Object.fromEntries(shape.columns.map((c) => [c, values[c] ?? null]))));
  };
  const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
  const event = (aggregateType: string, aggregateId: string, version: number, type: string, data: unknown) =>
    rowOf('events', { id: newId(), aggregate_type: aggregateType, aggregate_id: aggregateId, version, type, data: JSON.stringify(data), actor: input.who.actor, source: input.who.source, created_at: now });
  const common = { machine: input.machine, theirs_commit: theirs, detected_at: now, resolution: null, resolved_at: null, resolved_by: null };
  for (const c of rowConflicts) {
    const id = newId();
    rowOf('conflicts', { id, kind: 'row', table_name: c.table, row_key: c.key, path: null, copy_path: null, fields: JSON.stringify(c.fields), mine: json(c.mine), theirs: json(c.theirs), base: json(c.base), ...common });
    result.conflicts.push({ id, kind: 'row', table: c.table, rowKey: c.key, path: null, fields: c.fields });
  }
  for (const c of fileConflicts) {
    const id = newId();
    rowOf('conflicts', { id, kind: 'file', table_name: null, row_key: null, path: c.path, copy_path: c.copy, fields: '[]', mine: json(textOrNull(c.mine)), theirs: json(textOrNull(c.theirs)), base: json(textOrNull(c.base)), ...common });
    result.conflicts.push({ id, kind: 'file', table: null, rowKey: null, path: c.path, fields: [] });
  }
  for (const a of mergedAggregates) {
    if (a.version !== null) event(AGGREGATES[a.table]!, a.key, a.version, `${AGGREGATES[a.table]}.merged`, { fromMine: a.fromMine, fromTheirs: a.fromTheirs, conflicts: a.conflicts, theirsCommit: theirs });
  }
  const mergeId = newId();
  event('sync', mergeId, 1, 'sync.merged', { theirsCommit: theirs, base, fromTheirs: result.fromTheirs, merged: result.merged, conflicts: result.conflicts.map((c) => c.id) });

  // Write what differs from mine, then the manifest from mine's plus the changed entries.
  const manifest: Manifest = { ...mineManifest, tables: { ...mineManifest.tables }, files: { ...mineManifest.files } };
  for (const t of Object.keys(theirsManifest.tables)) manifest.tables[t] ??= { ...theirsManifest.tables[t]!, rows: 0 };
  const write = (rel: string, content: Buffer | null) => {
    const abs = path.join(dir, rel);
    // A shard without rows has no file; a note may well be empty (and must stay, not be deleted).
    const after = content === null || (content.length === 0 && rel.startsWith(`${DB_DIR}/`)) ? null : content;
    result.writes.push({ path: rel, before: mineContent.get(rel) ?? null, after });
    if (after === null) {
      fs.rmSync(abs, { force: true });
      delete manifest.files[rel];
      return;
    }
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, after);
    manifest.files[rel] = fileEntry(rel, after);
  };
  // The working tree holds mine: a shard is written only where its text differs from mine's.
  for (const [rel, lines] of shards) {
    const text = Buffer.from(shardText(lines));
    if (!text.equals(mineContent.get(rel) ?? Buffer.alloc(0))) write(rel, text);
  }
  for (const [rel, content] of fileWrites) write(rel, content);
  for (const [name, t] of Object.entries(manifest.tables)) {
    const prefix = `${DB_DIR}/${name}/`;
    manifest.tables[name] = { ...t, rows: Object.entries(manifest.files).filter(([p]) => p.startsWith(prefix)).reduce((n, [, e]) => n + (e.rows ?? 0), 0) };
  }
  writeManifest(dir, manifest);
  return result;
}
