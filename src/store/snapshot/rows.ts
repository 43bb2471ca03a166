// Reads the store's source-of-truth rows for the backup's text form. A backup reads through a connection of its
// own, inside one read transaction: it sees one consistent snapshot (WAL) and never holds up the store's own
// connection, which keeps serving the editor and agents meanwhile.
import { Connection } from '../connection';
import { quoteId, type TableSpec } from './tables';

export type Row = Record<string, unknown>;

export interface ChangedAggregate {
  seq: number;
  id: string;
  aggregateType: string;
  aggregateId: string;
  type: string;
}

/** Runs fn on a separate read-only snapshot of the database file. */
export async function withReadSnapshot<T>(file: string, fn: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await Connection.open(file, { busyTimeoutMs: 10_000, slowQueryMs: 60_000 });
  try {
    return await conn.transaction(() => fn(conn), 'deferred');
  } finally {
    await conn.close();
  }
}

const columnList = (spec: TableSpec) => spec.columns.map(quoteId).join(', ');

export function readTable(conn: Connection, spec: TableSpec, schema = 'main'): Promise<Row[]> {
  return conn.all<Row>(`select ${columnList(spec)} from ${schema}.${quoteId(spec.name)}`);
}

/** A value SQLite writes as JSON exactly as JSON.stringify writes it: text, null, or an integer a JS number holds exactly. */
const plainJson = (col: string) => `(typeof(${col}) in ('text', 'null') or (typeof(${col}) = 'integer' and ${col} between -9007199254740991 and 9007199254740991))`;
const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** SQLite's limit on a function's arguments (json_object takes two per column). */
const MAX_JSON_COLUMNS = 63;

/**
 * A table's rows in the backup's text form, built by SQLite: each row's key text and its JSON line (`json_object` of
 * the columns in the spec's order; see encodeRow in src/sync/layout.ts, whose output it equals byte for byte), one
 * string per row instead of an object per row. Rows holding a value whose JSON SQLite would write differently (a
 * real, a blob, an integer beyond 2^53) come back as rows, for the caller to encode.
 */
export async function readTableLines(conn: Connection, spec: TableSpec): Promise<{ lines: { key: string; line: string }[]; rows: Row[] }> {
  if (spec.columns.length > MAX_JSON_COLUMNS) return { lines: [], rows: await readTable(conn, spec) };
  const cols = spec.columns.map(quoteId);
  const plain = cols.map(plainJson).join(' and ');
  const key = keyTextSql(spec);
  const json = `json_object(${spec.columns.map((c, i) => `${sqlText(c)}, ${cols[i]}`).join(', ')})`;
  const lines = await conn.all<{ key: string; line: string }>(`select ${key} as key, ${json} as line from ${quoteId(spec.name)} where ${plain}`);
  const rows = await conn.all<Row>(`select ${columnList(spec)} from ${quoteId(spec.name)} where not (${plain})`);
  return { lines, rows };
}

/**
 * SQL for a row's key text (rowKey in src/sync/layout.ts, byte for byte): the value of a one-column key, else the
 * JSON array of the key's values; columns of `alias` when given.
 */
export function keyTextSql(spec: TableSpec, alias?: string): string {
  const col = (k: string) => (alias ? `${alias}.${quoteId(k)}` : quoteId(k));
  return spec.key.length === 1 ? `coalesce(cast(${col(spec.key[0]!)} as text), 'null')` : `json_array(${spec.key.map(col).join(', ')})`;
}

/** The rows with these keys (tables keyed by one column); a key with no row has been deleted. */
export async function readRowsByKey(conn: Connection, spec: TableSpec, keys: readonly string[]): Promise<Row[]> {
  if (spec.key.length !== 1) throw new Error(`readRowsByKey needs a one-column key; ${spec.name} has ${spec.key.join(', ')}`);
  const out: Row[] = [];
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    out.push(...(await conn.all<Row>(`select ${columnList(spec)} from ${quoteId(spec.name)} where ${quoteId(spec.key[0]!)} in (${chunk.map(() => '?').join(', ')})`, chunk)));
  }
  return out;
}

export function eventsSince(conn: Connection, afterSeq: number): Promise<ChangedAggregate[]> {
  return conn.all<ChangedAggregate>(
    'select seq, id, aggregate_type as aggregateType, aggregate_id as aggregateId, type from events where seq > ? order by seq',
    [afterSeq],
  );
}

/** The newest event (its local sequence number and global id), or null in an empty store. */
export async function lastEvent(conn: Connection): Promise<{ seq: number; id: string } | null> {
  return (await conn.get<{ seq: number; id: string }>('select seq, id from events order by seq desc limit 1')) ?? null;
}

/** The id of the event at this sequence number, if there is one (to tell whether the log is still the one we saw). */
export async function eventIdAt(conn: Connection, seq: number): Promise<string | null> {
  return (await conn.get<{ id: string }>('select id from events where seq = ?', [seq]))?.id ?? null;
}

export async function rowCount(conn: Connection, table: string, schema = 'main'): Promise<number> {
  return Number((await conn.get<{ n: number }>(`select count(*) as n from ${schema}.${quoteId(table)}`))?.n ?? 0);
}

export async function userVersion(conn: Connection): Promise<number> {
  return Number((await conn.get<{ user_version: number }>('PRAGMA user_version'))?.user_version ?? 0);
}

/** Whether the restore with this id committed (its backup.restored event is in the log). */
export async function restoreCommitted(conn: Connection, restoreId: string): Promise<boolean> {
  const row = await conn.get(`select 1 as yes from events where aggregate_type = 'backup' and type = 'backup.restored' and json_extract(data, '$.restoreId') = ?`, [restoreId]);
  return row !== undefined;
}
