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

/**
 * Runs fn on `count` connections of their own that all see one snapshot of the database file (one, or tables read
 * side by side, on both cores). The snapshots start while a write lock is held, so no commit can land between them.
 */
export async function withReadSnapshots<T>(file: string, count: number, fn: (conns: Connection[]) => Promise<T>): Promise<T> {
  const open = () => Connection.open(file, { busyTimeoutMs: 10_000, slowQueryMs: 60_000 });
  const conns: Connection[] = [];
  let lock: Connection | undefined;
  try {
    for (let i = 0; i < count; i++) conns.push(await open());
    // A read transaction's snapshot is taken at its first read.
    const begin = async () => {
      for (const conn of conns) {
        await conn.exec('BEGIN');
        await conn.get('select count(*) from sqlite_schema');
      }
    };
    if (count > 1) await (lock = await open()).transaction(begin, 'immediate');
    else await begin();
    return await fn(conns);
  } finally {
    for (const conn of [...conns, ...(lock ? [lock] : [])]) await conn.close().catch(() => undefined);
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
  const json = `json_object(${spec.columns.map((c) => `${sqlText(c)}, ${quoteId(c)}`).join(', ')})`;
  // Checking every value of every row is most of the query's time. A column of text affinity holds only text and
  // null (SQLite turns numbers written to it into text), or a blob, which json_object refuses: its values are not
  // checked, and should the query fail on one, it runs again checking every column.
  const declared = await conn.all<{ name: string; type: string }>(`select name, type from pragma_table_info(?)`, [spec.name]);
  const textColumns = new Set(declared.filter((c) => !/INT/i.test(c.type) && /CHAR|CLOB|TEXT/i.test(c.type)).map((c) => c.name));
  const typed = spec.columns.filter((c) => !textColumns.has(c));
  let checked = typed;
  let read: { key: string; line: string | null }[];
  try {
    read = await linesWhere(conn, spec, json, plainSql(checked));
  } catch (err) {
    if (typed.length === spec.columns.length) throw err;
    read = await linesWhere(conn, spec, json, plainSql((checked = spec.columns))); // a blob in a text column
  }
  const lines = read.filter((r): r is { key: string; line: string } => r.line !== null);
  const rows = lines.length < read.length ? await conn.all<Row>(`select ${columnList(spec)} from ${quoteId(spec.name)} where not (${plainSql(checked)})`) : [];
  return { lines, rows };
}

/** SQL true when every one of these columns' values is written by SQLite as JSON.stringify writes it. */
const plainSql = (columns: string[]) => (columns.length ? columns.map((c) => plainJson(quoteId(c))).join(' and ') : '1');

/** Every row's key text, and its JSON line when `plain` holds (else null: its values are read as a row). */
function linesWhere(conn: Connection, spec: TableSpec, json: string, plain: string): Promise<{ key: string; line: string | null }[]> {
  return conn.all(`select ${keyTextSql(spec)} as key, iif(${plain}, ${json}, null) as line from ${quoteId(spec.name)}`);
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
