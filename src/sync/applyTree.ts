// Brings the live store and the user's folders from one backup commit to another (a sync's merge commit, or the
// remote's commit on a fast-forward): only what differs between the two trees is touched. The rows change in ONE
// transaction, which also records the commit in sync_state (machine-local), so a sync killed at any point can
// tell afterwards whether the store already holds the merged state. Files are written with temp file + rename;
// a file the user changed since the last backup is left as it is (the next backup commits it over the merge).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../store/errors';
import { applyRowChanges, newestEvent, setAppliedCommit, type TableChanges } from '../store/snapshot/apply';
import { rowProblem } from '../store/snapshot/rowRules';
import { tableCatalog } from '../store/snapshot/tables';
import type { Store } from '../store/store';
import { blobSpec, readBlobs } from './blobs';
import { whyNotWritable } from './files';
import type { BackupRepo } from './git';
import { compareKeys, DB_DIR, decodeValue, invalidRow, lineKey, readRow, sha256, splitLines } from './layout';

const BEING_SYNCED = 'the backup being synced';

export interface Root {
  prefix: string;
  dir: string;
}

export interface TreeDelta {
  rows: TableChanges[];
  files: { rel: string; root: Root; mine: Buffer | null; target: Buffer | null }[];
}

/** A path of the backup (db/ or files/) with its content before and after (null: absent). */
export interface FileChange {
  path: string;
  before: Buffer | null;
  after: Buffer | null;
}

/** What differs between two commits, as row changes per table and file writes under this machine's folders. */
export async function treeDelta(store: Store, repo: BackupRepo, from: string, to: string, roots: Root[]): Promise<TreeDelta> {
  const out = await repo.git.raw(['diff', '--name-only', '-z', '--no-renames', from, to, '--', DB_DIR, 'files']);
  const paths = out.split('\0').filter(Boolean);
  const blobs = await readBlobs(repo.dir, paths.flatMap((p) => [blobSpec(from, p), blobSpec(to, p)]));
  return deltaOf(store, paths.map((p, i) => ({ path: p, before: blobs[2 * i]!, after: blobs[2 * i + 1]! })), roots);
}

/** The row changes and file writes that these changed paths make (a merge knows them without asking git). */
export async function deltaOf(store: Store, changes: readonly FileChange[], roots: Root[]): Promise<TreeDelta> {
  const specs = new Map((await tableCatalog(store.conn)).source.map((s) => [s.name, s]));
  const rows = new Map<string, TableChanges & { upsertKeys: string[] }>();
  const delta: TreeDelta = { rows: [], files: [] };
  for (const { path: p, before, after } of changes) {
    if (p.startsWith(`${DB_DIR}/`)) {
      const table = p.split('/')[1]!;
      const spec = specs.get(table);
      if (!spec) throw new StoreError('invalid', `The merged backup has rows of a table "${table}" this store does not have; update Cairn and sync again.`);
      let t = rows.get(table);
      if (!t) rows.set(table, (t = { spec, deleted: [], upserted: [], upsertKeys: [] }));
      // A line that is no row (not JSON, a value SQLite cannot hold) is refused by its file and line.
      const read = <T>(at: number, fn: () => T): T => {
        try {
          return fn();
        } catch (err) {
          throw invalidRow(p, at, table, (err as Error).message, BEING_SYNCED);
        }
      };
      const parse = (b: Buffer | null) => new Map((b ? splitLines(b.toString('utf8')) : []).map((line, i) => [read(i + 1, () => lineKey(spec.key, line)), { line, at: i + 1 }] as const));
      const [old, next] = [parse(before), parse(after)];
      for (const [k, { line, at }] of old) if (!next.has(k)) t.deleted.push(read(at, () => spec.key.map((c) => decodeValue(readRow(line)[c] ?? null))));
      for (const [k, { line, at }] of next) {
        if (old.get(k)?.line === line) continue;
        const row = read(at, () => readRow(line));
        // A row is checked like a write before it is applied (src/store/snapshot/rowRules.ts).
        const problem = rowProblem(table, row);
        if (problem) throw invalidRow(p, at, table, problem, BEING_SYNCED);
        t.upserted.push(read(at, () => spec.columns.map((c) => decodeValue(row[c] ?? null))));
        t.upsertKeys.push(k);
      }
      continue;
    }
    const root = roots.find((r) => p.startsWith(r.prefix));
    if (root) delta.files.push({ rel: p.slice(root.prefix.length), root, mine: before, target: after });
  }
  for (const t of rows.values()) {
    // New rows in key order (events: id order), so local sequence numbers follow global time.
    const order = t.upsertKeys.map((k, i) => [k, i] as const).sort((a, b) => compareKeys(a[0], b[0]));
    delta.rows.push({ spec: t.spec, deleted: t.deleted, upserted: order.map(([, i]) => t.upserted[i]!) });
  }
  return delta;
}

/** Raised inside the apply transaction when the store was written after the backup the merge started from. */
export class StoreMovedOn extends Error {}

/**
 * Applies the row changes in one transaction and records `commit` as applied. With `expectNewest`, the store must
 * not have been written since that event (else StoreMovedOn, nothing changed: the caller backs up and merges again).
 */
export async function applyRows(store: Store, delta: TreeDelta, commit: string, expectNewest?: { seq: number; id: string | null }): Promise<{ seq: number; id: string } | null> {
  return store.conn.transaction(async () => {
    if (expectNewest) {
      const now = await newestEvent(store.conn);
      if ((now?.seq ?? 0) !== expectNewest.seq || (now?.id ?? null) !== expectNewest.id) throw new StoreMovedOn();
    }
    await applyRowChanges(store.conn, delta.rows);
    await setAppliedCommit(store.conn, commit);
    return newestEvent(store.conn);
  });
}

/** Writes the target version of each file (temp file + rename) unless the user changed it since the backup. */
export function applyFiles(delta: TreeDelta): string[] {
  const warnings: string[] = [];
  for (const f of delta.files) {
    const abs = path.join(f.root.dir, f.rel);
    const refusal = whyNotWritable(f.root.dir, f.rel);
    if (refusal) {
      warnings.push(refusal);
      continue;
    }
    const current = fs.existsSync(abs) ? fs.readFileSync(abs) : null;
    const same = (a: Buffer | null, b: Buffer | null) => (a === null ? b === null : b !== null && sha256(a) === sha256(b));
    if (same(current, f.target)) continue;
    if (!same(current, f.mine)) {
      warnings.push(`${abs} changed since the backup this sync started from; it was left as it is (the merged version is in the backup history).`);
      continue;
    }
    if (f.target === null) {
      fs.rmSync(abs, { force: true });
      continue;
    }
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    const tmp = `${abs}.cairn-sync-${process.pid}`;
    fs.writeFileSync(tmp, f.target);
    fs.renameSync(tmp, abs);
  }
  return warnings;
}
