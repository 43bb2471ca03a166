// Whole rows of one table, for the queries that return many (a project's tasks). node-sqlite3 hands each row over as
// an object with a property per column, made through N-API at ~0.6 µs a value (14 ms for 1,000 tasks of 24 columns),
// and the sqlite-proxy adapter (orm.ts) then turns each into an array for drizzle to map back. Here SQLite writes a
// row's values as one JSON array text, which V8's JSON parser reads at once, and drizzle's own column decoders map
// them: the same rows, several times sooner. JSON keeps text and integers exactly; it would round a REAL to 15
// digits, so REAL (and BLOB, which JSON cannot hold) columns are handed over as columns of their own.
import { Column, getTableColumns, sql, type SQLWrapper } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Orm } from './orm';

interface Plan {
  select: string;
  /**
   * Each field, in the table's order: its key, its index in the JSON array (null: a column apart), and its column when
   * that decodes what the driver gives (JSON text, booleans; most columns take it as it is).
   */
  fields: { key: string; at: number | null; decoder: SQLiteColumn | null }[];
}

const plans = new WeakMap<SQLiteTable, Plan>();
const asGiven = Column.prototype.mapFromDriverValue;
const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

function planFor(table: SQLiteTable): Plan {
  let plan = plans.get(table);
  if (plan) return plan;
  const columns = Object.entries(getTableColumns(table)) as [string, SQLiteColumn][];
  const inJson = columns.filter(([, c]) => c.getSQLType() === 'text' || c.getSQLType() === 'integer');
  const apart = columns.filter(([, c]) => !inJson.some(([, j]) => j === c));
  plan = {
    select: [`json_array(${inJson.map(([, c]) => quoted(c.name)).join(', ')}) as "row$json"`, ...apart.map(([, c]) => quoted(c.name))].join(', '),
    fields: columns.map(([key, column]) => {
      const i = inJson.findIndex(([, c]) => c === column);
      return { key, at: i >= 0 ? i : null, decoder: column.mapFromDriverValue === asGiven ? null : column };
    }),
  };
  plans.set(table, plan);
  return plan;
}

/** The rows of `query` (a select of every column of `table`, as `orm.select().from(table)…` builds it), in its order. */
export async function tableRows<T extends SQLiteTable>(orm: Orm, table: T, query: SQLWrapper): Promise<T['$inferSelect'][]> {
  const plan = planFor(table);
  // The proxy (orm.ts) hands a raw query's rows over as arrays of its columns: the JSON array first, then the others.
  const rows = await orm.all<unknown[]>(sql`select ${sql.raw(plan.select)} from (${query})`);
  return rows.map((values) => {
    const json = JSON.parse(values[0] as string) as unknown[];
    const out: Record<string, unknown> = {};
    let apart = 1;
    for (const f of plan.fields) {
      const v = f.at === null ? values[apart++] : json[f.at];
      out[f.key] = v === null || !f.decoder ? v : f.decoder.mapFromDriverValue(v);
    }
    return out as T['$inferSelect'];
  });
}
