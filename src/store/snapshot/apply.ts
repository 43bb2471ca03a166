// Applies a set of row changes (from a sync's merge) to the live store inside the caller's write transaction:
// deletions first, then updates of rows that exist, then inserts of new ones (in key order, so new events get
// their local sequence numbers in id order). Rows are updated in place, never deleted and re-inserted, so
// ON DELETE actions fire only for rows that really go. Foreign keys are checked at commit.
import type { Connection } from '../connection';
import { quoteId, type TableSpec } from './tables';

type SqlParam = string | number | null | Buffer;

export interface TableChanges {
  spec: TableSpec;
  /** Key values (in spec.key order) of rows to delete. */
  deleted: unknown[][];
  /** Full rows (in spec.columns order) to write. */
  upserted: unknown[][];
}

const keyWhere = (spec: TableSpec) => spec.key.map((k) => `${quoteId(k)} is ?`).join(' and ');

export async function applyRowChanges(conn: Connection, changes: TableChanges[]): Promise<{ deleted: number; updated: number; inserted: number }> {
  const counts = { deleted: 0, updated: 0, inserted: 0 };
  await conn.exec('PRAGMA defer_foreign_keys = ON');
  for (const { spec, deleted } of changes) {
    const sql = `delete from ${quoteId(spec.name)} where ${keyWhere(spec)}`;
    for (const key of deleted) counts.deleted += (await conn.run(sql, key as SqlParam[])).changes;
  }
  for (const { spec, upserted } of changes) {
    const table = quoteId(spec.name);
    const values = spec.columns.filter((c) => !spec.key.includes(c));
    const keyAt = spec.key.map((k) => spec.columns.indexOf(k));
    const valueAt = values.map((c) => spec.columns.indexOf(c));
    const update = values.length && !spec.immutable ? `update ${table} set ${values.map((c) => `${quoteId(c)} = ?`).join(', ')} where ${keyWhere(spec)}` : null;
    const exists = `select 1 as yes from ${table} where ${keyWhere(spec)}`;
    const insert = `insert into ${table} (${spec.columns.map(quoteId).join(', ')}) values (${spec.columns.map(() => '?').join(', ')})`;
    for (const row of upserted) {
      const key = keyAt.map((i) => row[i]) as SqlParam[];
      if (update) {
        const { changes: n } = await conn.run(update, [...valueAt.map((i) => row[i]), ...key] as SqlParam[]);
        if (n) {
          counts.updated++;
          continue;
        }
      } else if (await conn.get(exists, key)) continue; // an immutable row (an event) that is already here
      await conn.run(insert, row as SqlParam[]);
      counts.inserted++;
    }
  }
  return counts;
}

/** Single-column foreign keys of a table: column → referenced table. */
export async function foreignKeysOf(conn: Connection, table: string): Promise<{ column: string; parent: string }[]> {
  const rows = await conn.all<{ id: number; table: string; from: string }>(`select id, "table", "from" from pragma_foreign_key_list(?)`, [table]);
  const byId = new Map<number, { table: string; from: string }[]>();
  for (const r of rows) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  return [...byId.values()].filter((cols) => cols.length === 1).map(([c]) => ({ column: c!.from, parent: c!.table }));
}

/** The newest event's sequence number and id (to tell whether anything was written since a given point). */
export async function newestEvent(conn: Connection): Promise<{ seq: number; id: string } | null> {
  return (await conn.get<{ seq: number; id: string }>('select seq, id from events order by seq desc limit 1')) ?? null;
}

/** Which commit a sync last brought this store to (machine-local, in the same transaction as the rows). */
export async function appliedCommit(conn: Connection): Promise<string | null> {
  return (await conn.get<{ c: string }>('select applied_commit as c from sync_state where id = 1'))?.c ?? null;
}

export async function setAppliedCommit(conn: Connection, commit: string): Promise<void> {
  await conn.run(
    'insert into sync_state (id, applied_commit, applied_at) values (1, ?, ?) on conflict(id) do update set applied_commit = excluded.applied_commit, applied_at = excluded.applied_at',
    [commit, new Date().toISOString()],
  );
}
