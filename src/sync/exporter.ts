// Writes the database's text form into the backup's working tree, rewriting only the shards that changed.
//
// A table is exported in one of two ways. By keys: the event log named the rows that changed since the last
// backup; each affected shard is read, patched with those rows (a missing row is a deletion) and written back.
// Full: every row is read, shards are rebuilt in memory and only those whose checksum differs are written.
// A keyed export ends with a row-count check against the database; a mismatch (a change the event log did not
// name), or a shard that is not what the last backup wrote, redoes the table in full: a backup can be slower than
// planned but never wrong.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Connection } from '../store/connection';
import { readRowsByKey, readTableLines, rowCount } from '../store/snapshot/rows';
import type { TableSpec } from '../store/snapshot/tables';
import { compareKeys, DB_DIR, encodeRow, lineKey, rowKey, sha256, shardContent, shardOf, shardPath, splitLines } from './layout';
import type { FileEntry, Manifest } from './manifest';

export type TablePlan = { kind: 'keys'; keys: Set<string> } | { kind: 'full' };

export interface RowChanges {
  added: number;
  changed: number;
  removed: number;
}

/** A written shard with the lines that are new or changed in it (what the secret scan reads). */
export interface WrittenShard {
  path: string;
  table: string;
  spec: TableSpec;
  lines: string[];
  freshLines: number[];
}

export interface ExportResult {
  tables: Manifest['tables'];
  /** Checksums of every db/ file after the export. */
  files: Record<string, FileEntry>;
  changes: Record<string, RowChanges>;
  written: WrittenShard[];
  /** Repository paths written or removed; null when whole folders went (a table dropped): stage everything. */
  touched: string[] | null;
}

/** A shard's lines as the last backup wrote them (none when it has no file); null when the file is not that (edited
 *  by hand, damaged). */
function readLines(repo: string, rel: string, expected: FileEntry | undefined): string[] | null {
  const abs = path.join(repo, rel);
  if (!fs.existsSync(abs)) return expected ? null : [];
  const text = fs.readFileSync(abs, 'utf8');
  return expected && sha256(text) === expected.sha256 ? splitLines(text) : null;
}

/** A shard's lines by row key; null when the file is not what the last backup wrote. */
function readShard(repo: string, rel: string, spec: TableSpec, expected: FileEntry | undefined): Map<string, string> | null {
  const lines = readLines(repo, rel, expected);
  if (!lines) return null;
  try {
    return new Map(lines.map((line) => [lineKey(spec.key, line), line]));
  } catch {
    return null;
  }
}

function writeShard(repo: string, rel: string, text: string): void {
  const abs = path.join(repo, rel);
  if (!text) {
    fs.rmSync(abs, { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, text);
}

class TableExport {
  readonly changes: RowChanges = { added: 0, changed: 0, removed: 0 };
  readonly written: WrittenShard[] = [];
  /** Every shard written or removed (what to stage). */
  readonly touched: string[] = [];
  readonly files: Record<string, FileEntry>;

  /** `previous`: the last backup's entries of this table's files. */
  constructor(
    private readonly repo: string,
    readonly spec: TableSpec,
    previous: Record<string, FileEntry>,
    private readonly checkContents = false,
  ) {
    this.files = { ...previous };
  }

  rows(): number {
    return Object.values(this.files).reduce((n, f) => n + (f.rows ?? 0), 0);
  }

  /** Writes a shard whose new content differs from the old; counts row changes and remembers new lines. */
  private commit(rel: string, before: Map<string, string>, after: Map<string, string>, content = shardContent(after), sha = content.text ? sha256(content.text) : ''): void {
    const { text } = content;
    const entry: FileEntry | null = text ? { sha256: sha, bytes: Buffer.byteLength(text), rows: content.lines.length } : null;
    for (const [k, line] of after) {
      const old = before.get(k);
      if (old === undefined) this.changes.added++;
      else if (old !== line) this.changes.changed++;
    }
    for (const k of before.keys()) if (!after.has(k)) this.changes.removed++;
    writeShard(this.repo, rel, text);
    this.touched.push(rel);
    if (entry) {
      this.files[rel] = entry;
      const fresh = content.keys.flatMap((k, i) => (before.get(k) === content.lines[i] ? [] : [i]));
      if (fresh.length) this.written.push({ path: rel, table: this.spec.name, spec: this.spec, lines: content.lines, freshLines: fresh });
    } else delete this.files[rel];
  }

  /**
   * False when a shard could not be patched (not what the last backup wrote): the table is then redone in full.
   * A shard's lines are sorted by key, so each changed row is found by binary search and replaced, inserted or
   * removed in place: the other lines are neither parsed nor re-sorted.
   */
  async byKeys(conn: Connection, keys: Set<string>): Promise<boolean> {
    const current = new Map((await readRowsByKey(conn, this.spec, [...keys])).map((r) => [rowKey(this.spec.key, r), r] as const));
    const byShard = new Map<string, string[]>();
    for (const k of keys) {
      const shard = shardOf(k);
      const list = byShard.get(shard);
      if (list) list.push(k);
      else byShard.set(shard, [k]);
    }
    for (const [shard, shardKeys] of byShard) {
      const rel = shardPath(this.spec.name, shard);
      const lines = readLines(this.repo, rel, this.files[rel]);
      if (!lines) return false;
      const keyAt = (i: number) => lineKey(this.spec.key, lines[i]!);
      /** Where key k's line is, or would go. */
      const position = (k: string) => {
        let lo = 0;
        let hi = lines.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (compareKeys(keyAt(mid), k) < 0) lo = mid + 1;
          else hi = mid;
        }
        return lo;
      };
      const changes: RowChanges = { added: 0, changed: 0, removed: 0 };
      const freshKeys: string[] = [];
      try {
        for (const k of shardKeys.sort(compareKeys)) {
          const lo = position(k);
          const found = lo < lines.length && keyAt(lo) === k;
          const row = current.get(k);
          const line = row ? encodeRow(this.spec.columns, row) : undefined;
          if (line === undefined) {
            if (!found) continue;
            lines.splice(lo, 1);
            changes.removed++;
          } else if (!found) {
            lines.splice(lo, 0, line);
            changes.added++;
            freshKeys.push(k);
          } else if (lines[lo] !== line) {
            lines[lo] = line;
            changes.changed++;
            freshKeys.push(k);
          }
        }
      } catch {
        return false; // a line that is not JSON: not what the last backup wrote
      }
      if (!changes.added && !changes.changed && !changes.removed) continue;
      const text = lines.length ? lines.join('\n') + '\n' : '';
      writeShard(this.repo, rel, text);
      this.touched.push(rel);
      for (const k of ['added', 'changed', 'removed'] as const) this.changes[k] += changes[k];
      if (!text) {
        delete this.files[rel];
        continue;
      }
      this.files[rel] = { sha256: sha256(text), bytes: Buffer.byteLength(text), rows: lines.length };
      const fresh = freshKeys.map(position).sort((a, b) => a - b);
      if (fresh.length) this.written.push({ path: rel, table: this.spec.name, spec: this.spec, lines, freshLines: fresh });
    }
    return true;
  }

  /** Whether the shard's file is there as the manifest lists it: its size, and with checkContents its checksum. */
  private onDiskAsListed(rel: string, text: string, sha: string): boolean {
    const abs = path.join(this.repo, rel);
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (!st || st.size !== Buffer.byteLength(text)) return false;
    return !this.checkContents || sha256(fs.readFileSync(abs)) === sha;
  }

  async full(conn: Connection): Promise<void> {
    const shards = new Map<string, Map<string, string>>();
    const add = (k: string, line: string) => {
      const shard = shardOf(k);
      let lines = shards.get(shard);
      if (!lines) shards.set(shard, (lines = new Map()));
      lines.set(k, line);
    };
    const { lines, rows } = await readTableLines(conn, this.spec);
    for (const { key, line } of lines) add(key, line);
    for (const row of rows) add(rowKey(this.spec.key, row), encodeRow(this.spec.columns, row));
    const dir = path.join(this.repo, DB_DIR, this.spec.name);
    const onDisk = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => f.slice(0, -'.jsonl'.length)) : [];
    for (const shard of new Set([...shards.keys(), ...onDisk])) {
      const rel = shardPath(this.spec.name, shard);
      const after = shards.get(shard) ?? new Map<string, string>();
      const content = shardContent(after);
      const sha = content.text ? sha256(content.text) : '';
      // Unchanged shards are recognised by checksum and the file's size; a full check (`cairn backup --full`) also
      // reads the file, so a shard edited by hand (and committed without its manifest entry) is written again.
      if (content.text && this.files[rel]?.sha256 === sha) {
        if (this.onDiskAsListed(rel, content.text, sha)) continue;
        delete this.files[rel]; // its entry does not describe the file: the file is written again
      }
      // A shard that is not what the last backup wrote is rewritten whole (every line counted new, and scanned).
      this.commit(rel, readShard(this.repo, rel, this.spec, this.files[rel]) ?? new Map(), after, content, sha);
    }
    for (const rel of Object.keys(this.files)) if (!fs.existsSync(path.join(this.repo, rel))) delete this.files[rel];
  }
}

/**
 * Exports every source table by its plan; tables no longer in the schema lose their folder. Each connection (all on
 * one snapshot: withReadSnapshots) exports a table at a time, the largest first, so two large tables are read side
 * by side.
 */
export async function exportTables(
  conns: Connection[],
  repo: string,
  specs: TableSpec[],
  plans: Map<string, TablePlan>,
  previous: Manifest | null,
  opts: {
    onTable?: (table: string, done: number, total: number) => void;
    /** Read every shard kept as it was to check its checksum (a full check), not only its size. */
    checkContents?: boolean;
    /** A table's shards are all written (`paths`: not those it removed), called before the next table exports. */
    onTableWritten?: (paths: string[], written: WrittenShard[]) => void;
  } = {},
): Promise<ExportResult> {
  const { onTable, checkContents = false, onTableWritten } = opts;
  const result: ExportResult = { tables: {}, files: {}, changes: {}, written: [], touched: [] };
  const previousByTable = new Map<string, Record<string, FileEntry>>();
  for (const [rel, entry] of Object.entries(previous?.files ?? {})) {
    const slash = rel.startsWith(`${DB_DIR}/`) ? rel.indexOf('/', DB_DIR.length + 1) : -1;
    if (slash === -1) continue;
    const table = rel.slice(DB_DIR.length + 1, slash);
    let files = previousByTable.get(table);
    if (!files) previousByTable.set(table, (files = {}));
    files[rel] = entry;
  }
  const exportTable = async (conn: Connection, spec: TableSpec): Promise<TableExport> => {
    const plan = plans.get(spec.name) ?? { kind: 'full' };
    const sameShape = previous?.tables[spec.name]?.columns.join() === spec.columns.join();
    let t = new TableExport(repo, spec, sameShape ? (previousByTable.get(spec.name) ?? {}) : {}, checkContents);
    if (plan.kind === 'keys' && sameShape) {
      const patched = plan.keys.size ? await t.byKeys(conn, plan.keys) : true;
      if (!patched || t.rows() !== (await rowCount(conn, spec.name))) {
        const partial = t;
        t = new TableExport(repo, spec, partial.files, checkContents);
        await t.full(conn);
        t.written.unshift(...partial.written.filter((w) => !t.written.some((x) => x.path === w.path)));
        t.touched.push(...partial.touched);
        for (const k of ['added', 'changed', 'removed'] as const) t.changes[k] += partial.changes[k];
      }
    } else {
      await t.full(conn);
    }
    onTableWritten?.(t.touched.filter((p) => p in t.files), t.written);
    return t;
  };
  // The work a table is: the rows a full export reads (the last backup's count, else the table's), or the keys.
  const work = new Map<string, number>();
  for (const spec of specs) {
    const plan = plans.get(spec.name);
    work.set(spec.name, plan?.kind === 'keys' ? plan.keys.size : (previous?.tables[spec.name]?.rows ?? (await rowCount(conns[0]!, spec.name))));
  }
  const queue = [...specs].sort((a, b) => work.get(b.name)! - work.get(a.name)!);
  const done = new Map<string, TableExport>();
  const lanes = await Promise.allSettled(
    conns.map(async (conn) => {
      for (let spec = queue.shift(); spec; spec = queue.shift()) {
        try {
          onTable?.(spec.name, done.size, specs.length); // throws when the backup is cancelled
          done.set(spec.name, await exportTable(conn, spec));
        } catch (err) {
          queue.length = 0; // the other lanes stop after their table: the caller closes the connections
          throw err;
        }
      }
    }),
  );
  const failed = lanes.find((l) => l.status === 'rejected');
  if (failed) throw failed.reason;
  // In the schema's order, whichever lane finished first: the manifest is the same text for the same rows.
  for (const spec of specs) {
    const t = done.get(spec.name)!;
    result.tables[spec.name] = { key: spec.key, columns: spec.columns, rows: t.rows() };
    Object.assign(result.files, t.files);
    result.changes[spec.name] = t.changes;
    result.written.push(...t.written);
    result.touched?.push(...t.touched);
  }
  const dbDir = path.join(repo, DB_DIR);
  if (fs.existsSync(dbDir)) {
    for (const name of fs.readdirSync(dbDir)) {
      if (specs.some((s) => s.name === name)) continue;
      fs.rmSync(path.join(dbDir, name), { recursive: true, force: true });
      result.touched = null;
    }
  }
  return result;
}
