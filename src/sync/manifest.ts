// manifest.json: what a backup holds (format, Cairn and schema version, each table's key, columns and row count)
// and a sha256 per file. It is a pure function of the other files plus the two versions, so after a merge it is
// recomputed (computeManifest), never merged; a restore checks every file against it before reading anything.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../store/errors';
import { DB_DIR, FORMAT, MANIFEST, sha256, splitLines } from './layout';
import { fileMemo, fileStamp } from './stamps';

export interface TableEntry {
  key: string[];
  columns: string[];
  rows: number;
}

export interface FileEntry {
  sha256: string;
  bytes: number;
  /** For db/ files: the number of rows (lines). */
  rows?: number;
}

export interface Manifest {
  format: number;
  cairnVersion: string;
  schemaVersion: number;
  tables: Record<string, TableEntry>;
  files: Record<string, FileEntry>;
}

const sortedEntries = <T>(o: Record<string, T>) => Object.keys(o).sort().map((k) => [k, o[k]!] as const);

/**
 * The keys of an object in sorted order, remembering the last order: the next backup's manifest lists the same
 * 10,000 paths but for a few, and checking that they are all there costs less than sorting them again.
 */
function sortedKeysMemo(): (o: object) => readonly string[] {
  let last: readonly string[] = [];
  return (o) => {
    const keys = Object.keys(o);
    if (keys.length === last.length && last.every((k) => k in o)) return last;
    return (last = keys.sort());
  };
}
const tableOrder = sortedKeysMemo();
const fileOrder = sortedKeysMemo();

/** Each entry's line (its key and JSON), kept while the entry object lives: most are the last backup's, carried over. */
const entryLines = new WeakMap<object, { key: string; line: string }>();
const lineOf = (key: string, v: object) => {
  const known = entryLines.get(v);
  if (known?.key === key) return known.line;
  const line = `    ${JSON.stringify(key)}: ${JSON.stringify(v)}`;
  entryLines.set(v, { key, line });
  return line;
};

/** Stable text, one table or file per line, so the manifest's own diff reads like a list of what changed. */
export function formatManifest(m: Manifest): string {
  const block = <T extends object>(o: Record<string, T>, order: (o: object) => readonly string[]) =>
    order(o)
      .map((k) => lineOf(k, o[k]!))
      .join(',\n');
  return [
    '{',
    `  "format": ${m.format},`,
    `  "cairnVersion": ${JSON.stringify(m.cairnVersion)},`,
    `  "schemaVersion": ${m.schemaVersion},`,
    `  "tables": {\n${block(m.tables, tableOrder)}\n  },`,
    `  "files": {\n${block(m.files, fileOrder)}\n  }`,
    '}',
    '',
  ].join('\n');
}

export function parseManifest(text: string, where: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (err) {
    throw new StoreError('corrupt', `${where} is not valid JSON (${(err as Error).message}); the backup is damaged.`);
  }
  if (typeof m !== 'object' || m === null || typeof m.format !== 'number' || typeof m.schemaVersion !== 'number' || typeof m.tables !== 'object' || typeof m.files !== 'object') {
    throw new StoreError('corrupt', `${where} is not a Cairn backup manifest (format, schemaVersion, tables and files are required).`);
  }
  if (m.format > FORMAT) throw new StoreError('schema_too_new', `${where} is in backup format ${m.format}; this Cairn reads format ${FORMAT}. Update Cairn to restore it.`);
  return m;
}

/**
 * The manifest last read or written, while its file keeps its stamp: a backup reads what the last one wrote without
 * parsing 10,000 entries again. Frozen: it is shared.
 */
const known = fileMemo<Manifest>();

function frozen(manifest: Manifest): Manifest {
  // Entries carried over from the last manifest are frozen already.
  for (const e of Object.values(manifest.files)) if (!Object.isFrozen(e)) Object.freeze(e);
  for (const t of Object.values(manifest.tables)) Object.freeze(t);
  Object.freeze(manifest.files);
  Object.freeze(manifest.tables);
  return Object.freeze(manifest);
}

export function readManifest(dir: string): Manifest | null {
  const file = path.join(dir, MANIFEST);
  const stamp = fileStamp(file);
  if (!stamp) return null;
  return known.get(file, stamp) ?? known.set(file, frozen(parseManifest(fs.readFileSync(file, 'utf8'), file)), stamp);
}

/** Writes dir/manifest.json (the next readManifest of it costs nothing). `m` is frozen: it is shared from then on. */
export function writeManifest(dir: string, m: Manifest): void {
  const file = path.join(dir, MANIFEST);
  fs.writeFileSync(file, formatManifest(m));
  known.set(file, frozen(m));
}

export function fileEntry(relPath: string, bytes: Buffer): FileEntry {
  const entry: FileEntry = { sha256: sha256(bytes), bytes: bytes.length };
  if (relPath.startsWith(`${DB_DIR}/`)) entry.rows = splitLines(bytes.toString('utf8')).length;
  return entry;
}

/** Every tracked file under dir (db/ and files/), '/'-separated, without the manifest itself. */
export function listBackupFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(dir, rel);
    if (!fs.existsSync(abs)) return;
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else if (e.isFile()) out.push(child);
    }
  };
  walk(DB_DIR);
  walk('files');
  return out.sort();
}

/**
 * Recomputes the manifest from the files in dir (after a merge, say): checksums and row counts from the files,
 * each table's key and columns from the previous manifest (tables new to it get theirs from their first row).
 */
export function computeManifest(dir: string, base: { cairnVersion: string; schemaVersion: number; tables: Record<string, Pick<TableEntry, 'key' | 'columns'>> }): Manifest {
  const m: Manifest = { format: FORMAT, cairnVersion: base.cairnVersion, schemaVersion: base.schemaVersion, tables: {}, files: {} };
  for (const rel of listBackupFiles(dir)) {
    const entry = fileEntry(rel, fs.readFileSync(path.join(dir, rel)));
    m.files[rel] = entry;
    const table = rel.startsWith(`${DB_DIR}/`) ? rel.split('/')[1]! : null;
    if (!table) continue;
    const known = base.tables[table];
    const t = (m.tables[table] ??= { key: known?.key ?? [], columns: known?.columns ?? [], rows: 0 });
    t.rows += entry.rows ?? 0;
    if (!t.columns.length) {
      const first = splitLines(fs.readFileSync(path.join(dir, rel), 'utf8'))[0];
      if (first) t.columns = Object.keys(JSON.parse(first) as object);
    }
  }
  for (const [name, t] of Object.entries(base.tables)) m.tables[name] ??= { key: t.key, columns: t.columns, rows: 0 };
  return m;
}

export interface ManifestProblem {
  path: string;
  problem: string;
}

/**
 * Checks a commit's list of files against its manifest without reading them: every listed file present, no file
 * the manifest does not list, each table's row count equal to its files' (contents: verifyContent).
 */
export function verifyListing(paths: Iterable<string>, m: Manifest): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const present = new Set(paths);
  for (const [rel] of sortedEntries(m.files)) if (!present.has(rel)) problems.push({ path: rel, problem: 'listed in the manifest but missing' });
  for (const rel of [...present].sort()) if (!(rel in m.files)) problems.push({ path: rel, problem: 'not listed in the manifest' });
  for (const [name, t] of Object.entries(m.tables)) {
    const rows = Object.entries(m.files).filter(([p]) => p.startsWith(`${DB_DIR}/${name}/`)).reduce((n, [, e]) => n + (e.rows ?? 0), 0);
    if (rows !== t.rows) problems.push({ path: `${DB_DIR}/${name}/`, problem: `the manifest says ${t.rows} rows but its files list ${rows}` });
  }
  return problems;
}

/** A file's content against its manifest entry (null when it matches). */
export function verifyContent(rel: string, bytes: Buffer, m: Manifest): ManifestProblem | null {
  const expected = m.files[rel]?.sha256;
  const actual = sha256(bytes);
  if (actual === expected) return null;
  return { path: rel, problem: `checksum mismatch (manifest ${expected?.slice(0, 12)}…, file ${actual.slice(0, 12)}…): changed after the backup was made` };
}
