// Whole rows of one table, for the queries that return many (a project's tasks). node-sqlite3 hands each row over as
// an object with a property per column, made through N-API at ~0.6 µs a value (14 ms for 1,000 tasks of 24 columns),
// and the sqlite-proxy adapter (orm.ts) then turns each into an array for drizzle to map back. Here SQLite writes a
// row's values as one JSON array text, which V8's JSON parser reads at once, and drizzle's own column decoders map
// them: the same rows, several times sooner. JSON keeps text and integers exactly; it would round a REAL to 15
// digits, so a REAL goes in as its quote() text (digits enough to give back the same double) and BLOB columns, which
// JSON cannot hold, are handed over as columns of their own. A JSON column goes into the row's array as JSON (SQLite's
// json()), so the one parse reads it too, not a JSON.parse per value.
import { Column, getTableColumns, is, sql, type SQLWrapper } from 'drizzle-orm';
import { SQLiteTextJson, type SQLiteColumn, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Orm } from './orm';

interface Plan {
  select: string;
  /**
   * Each field, in the table's order: its key, its index in the JSON array (null: a column apart), whether it is a
   * REAL's quote() text, and its column when that decodes what the driver gives (booleans; most take it as it is).
   */
  fields: { key: string; at: number | null; real: boolean; decoder: SQLiteColumn | null }[];
  row?: RowBuilder;
}

type RowBuilder = (values: unknown[], json: unknown[]) => Record<string, unknown>;

/**
 * The function that makes one row object: an object literal with the table's keys, made for the plan (new Function),
 * so every row gets the same shape at once (setting the keys one by one in a loop went through V8's generic stores:
 * with the REALs in the JSON, ~5 ms less for 1,000 tasks).
 */
function rowBuilder(plan: Plan): RowBuilder {
  let apart = 1;
  const entries = plan.fields.map((f, i) => {
    const raw = f.at === null ? `values[${apart++}]` : `json[${f.at}]`;
    const value = f.real ? `real(${raw})` : raw;
    return `${JSON.stringify(f.key)}: ${f.decoder ? `decode(${i}, ${value})` : value}`;
  });
  const real = (v: unknown) => (v === 'NULL' ? null : Number(v));
  const decode = (i: number, v: unknown) => (v === null ? v : plan.fields[i]!.decoder!.mapFromDriverValue(v));
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the source is made of the table's own column keys, quoted
  const make = new Function('real', 'decode', `return (values, json) => ({ ${entries.join(', ')} });`) as (r: typeof real, d: typeof decode) => RowBuilder;
  return make(real, decode);
}

const plans = new WeakMap<SQLiteTable, Plan>();
const asGiven = Column.prototype.mapFromDriverValue;
const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

function planFor(table: SQLiteTable): Plan {
  let plan = plans.get(table);
  if (plan) return plan;
  const columns = Object.entries(getTableColumns(table)) as [string, SQLiteColumn][];
  const isReal = (c: SQLiteColumn) => c.getSQLType() === 'real';
  const inJson = columns.filter(([, c]) => c.getSQLType() === 'text' || c.getSQLType() === 'integer' || isReal(c));
  const apart = columns.filter(([, c]) => !inJson.some(([, j]) => j === c));
  const value = (c: SQLiteColumn) => (is(c, SQLiteTextJson) ? `json(${quoted(c.name)})` : isReal(c) ? `quote(${quoted(c.name)})` : quoted(c.name));
  plan = {
    select: [`json_array(${inJson.map(([, c]) => value(c)).join(', ')}) as "row$json"`, ...apart.map(([, c]) => quoted(c.name))].join(', '),
    fields: columns.map(([key, column]) => {
      const i = inJson.findIndex(([, c]) => c === column);
      const decoded = column.mapFromDriverValue !== asGiven && !(i >= 0 && is(column, SQLiteTextJson));
      return { key, at: i >= 0 ? i : null, real: i >= 0 && isReal(column), decoder: decoded ? column : null };
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
  const row = plan.row ??= rowBuilder(plan);
  return rows.map((values) => row(values, JSON.parse(values[0] as string) as unknown[]) as T['$inferSelect']);
}
