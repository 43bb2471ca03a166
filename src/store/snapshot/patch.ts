// Brings a copy of the store (VACUUM INTO) to a backup's rows by changing only the rows of the shards that differ
// (a restore from changed shards, src/sync/restore.ts): the copy costs about a file copy, the patch is proportional
// to the change, and the result is checked as a database built from the whole backup is (checkDatabase), with
// quick_check for integrity: VACUUM INTO writes every index of the copy afresh from its table, and the patch goes
// through SQLite's own writes, which keep indexes and UNIQUE in step; index-against-table agreement (what
// integrity_check adds, at about twice the cost) holds by construction, while pages, b-trees and records are checked.
// The keys it touched are written to key tables in the copy, so the diff and the swap look at those rows only
// (KeyTables in load.ts).
import { Connection } from '../connection';
import { checkDatabase, insertRows, type KeyTables } from './load';
import { quoteId, type TableSpec } from './tables';

type SqlParam = string | number | null | Buffer;


export interface TablePatch {
  spec: TableSpec;
  /** Keys (values in spec.key order) of rows the backup does not have. */
  removed: unknown[][];
  /** Rows (spec.columns order) the copy holds with other values. */
  changed: unknown[][];
  /** Rows the copy does not hold, in key order (the order new events get their local sequence numbers in). */
  added: unknown[][];
}

const keyWhere = (spec: TableSpec) => spec.key.map((k) => `${quoteId(k)} is ?`).join(' and ');

/**
 * Applies the patches to the copy in `file` (foreign keys off while patching), records the keys of every row
 * touched (one key table per table), then checks the result. Returns the key tables and the row counts of `count`.
 */
export async function patchCopy(file: string, patches: TablePatch[], count: Iterable<string>): Promise<{ keyTables: KeyTables; counts: Record<string, number> }> {
  const conn = await Connection.open(file, { busyTimeoutMs: 5000, slowQueryMs: 60_000 });
  const keyTables = new Map<string, string>();
  try {
    // A scratch file checked before use: no journal needed while it is patched.
    await conn.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF;');
    await conn.transaction(async () => {
      for (const [i, { spec, removed, changed, added }] of patches.entries()) {
        if (!removed.length && !changed.length && !added.length) continue;
        const table = quoteId(spec.name);
        const keyAt = spec.key.map((k) => spec.columns.indexOf(k));
        const keyOf = (row: unknown[]) => keyAt.map((at) => row[at]);
        const remove = `delete from ${table} where ${keyWhere(spec)}`;
        for (const key of removed) await conn.run(remove, key as SqlParam[]);
        const values = spec.columns.filter((c) => !spec.key.includes(c));
        const valueAt = values.map((c) => spec.columns.indexOf(c));
        const update = `update ${table} set ${values.map((c) => `${quoteId(c)} = ?`).join(', ')} where ${keyWhere(spec)}`;
        const reinsert: unknown[][] = [];
        for (const row of changed) {
          // An immutable row (an event) is never updated: it is replaced.
          if (spec.immutable || !values.length) await conn.run(remove, keyOf(row) as SqlParam[]);
          else if ((await conn.run(update, [...valueAt.map((at) => row[at]), ...keyOf(row)] as SqlParam[])).changes) continue;
          reinsert.push(row);
        }
        await insertRows(conn, spec.name, spec.columns, [...reinsert, ...added]);

        const keyTable = `cairn_restore_keys_${i}`;
        await conn.exec(`create table ${quoteId(keyTable)} (${spec.key.map(quoteId).join(', ')})`);
        await insertRows(conn, keyTable, spec.key, [...removed, ...changed.map(keyOf), ...added.map(keyOf)]);
        await conn.exec(`create index ${quoteId(`${keyTable}_key`)} on ${quoteId(keyTable)} (${spec.key.map(quoteId).join(', ')})`);
        keyTables.set(spec.name, keyTable);
      }
    });
    return { keyTables, counts: await checkDatabase(conn, count, { quick: true }) };
  } finally {
    await conn.close();
  }
}
