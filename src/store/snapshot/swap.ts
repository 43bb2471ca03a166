// Swaps a restored database's content into the live store, in the caller's ONE write transaction on the store's
// own connection (the built file attached): other processes with the store open see one commit, and no file is
// renamed under them. The present state comes back; the history is never rewritten:
// - the event log only gains rows: the backup's events it lacks, in the backup's order (key = time), above every
//   local sequence number. None it holds goes or changes; the one exception is erase's (`dropEvents`: the
//   tombstones of erased projects a restore was asked to bring back);
// - every other row that differs is deleted, updated or inserted, and logged by a `<name>.restored` event (what
//   it was and became) at a version past every version its aggregate had. A row with a version column takes that
//   version, so a client holding one read before the restore is refused and reloads.
// Rows that are the same are not touched: local sequence numbers and derived rows keyed on them stay. A new store
// (no rows, a log of nothing but the indexers' runs: an emptied or lost database) takes the backup's rows and log as
// they are: there is no present state to record changes against, and no version anyone could hold.
import type { Connection } from '../connection';
import { withDerivedIndexesRebuilt } from '../derivedIndexes';
import type { Actor } from '../events';
import { newId, nowIso } from '../ids';
import { ATTACHED, contentColumns, differs, insertRows, keyMatch, rowsOf, type KeyTables } from './load';
import { keyTextSql } from './rows';
import { jsonColumns, ROW_RULES } from './rowRules';
import { quoteId, type TableSpec } from './tables';

export interface RestoreRecord {
  restoreId: string;
  commit: string;
  who: Actor;
  /** Events to take out of the log: the tombstones of erased projects this restore brings back. */
  dropEvents: readonly string[];
}

type Row = Record<string, unknown>;

const EVENT_COLUMNS = ['id', 'aggregate_type', 'aggregate_id', 'version', 'type', 'data', 'actor', 'source', 'created_at'];
const VERSION = 'version';
/** A version as a number (0 for none, or for one no write could have made: a live row from before rows were checked). */
const versionOf = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const camel = (column: string) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** A JSON column's value; its text as it is when it is not JSON (a live row written before rows were checked). */
function jsonValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The columns of `row` (read with `prefix`) as an event's fields: camelCase names, as other events have, JSON columns as their values. */
function fieldsOf(row: Row, prefix: string, columns: readonly string[], json: ReadonlySet<string>): Row {
  const out: Row = {};
  for (const c of columns) {
    const value = row[prefix + c];
    out[camel(c)] = json.has(c) && typeof value === 'string' ? jsonValue(value) : value;
  }
  return out;
}

/** The changes of one table: its rows' events, and the version each added or changed row takes (key values…, version). */
async function logTable(conn: Connection, spec: TableSpec, only: KeyTables | null, record: RestoreRecord, now: string): Promise<{ events: unknown[][]; versions: unknown[][] }> {
  const aggregate = ROW_RULES[spec.name]?.aggregate;
  if (!aggregate) throw new Error(`The table ${spec.name} has no aggregate in ROW_RULES (src/store/snapshot/rowRules.ts).`);
  const t = quoteId(spec.name);
  const versioned = spec.columns.includes(VERSION);
  const content = contentColumns(spec);
  const json = jsonColumns(spec.name);
  const cols = (alias: string) => spec.columns.map((c) => `${alias}.${quoteId(c)} as ${quoteId(`${alias}:${c}`)}`).join(', ');
  // Every version the log has for the row's aggregate (the backup's events are in it by now).
  const head = (alias: string) =>
    `${keyTextSql(spec, alias)} as "$key", coalesce((select max(e.version) from main.events e where e.aggregate_type = ? and e.aggregate_id = ${keyTextSql(spec, alias)}), 0) as "$logged"`;
  const read = (sql: string) => conn.all<Row>(sql, [aggregate.type]);
  const removed = await read(`select ${head('m')}, ${cols('m')} from ${rowsOf(spec, only, 'main', 'm')} where not exists (select 1 from ${ATTACHED}.${t} s where ${keyMatch(spec, 'm', 's')})`);
  const changed = await read(`select ${head('m')}, ${cols('m')}, ${cols('s')} from ${rowsOf(spec, only, 'main', 'm')} join ${ATTACHED}.${t} s on ${keyMatch(spec, 'm', 's')} where ${differs(spec, 'm', 's')}`);
  const added = await read(`select ${head('s')}, ${cols('s')} from ${rowsOf(spec, only, ATTACHED, 's')} where not exists (select 1 from main.${t} m where ${keyMatch(spec, 'm', 's')}) order by s.rowid`);

  const events: unknown[][] = [];
  const versions: unknown[][] = [];
  const log = (row: Row, change: 'removed' | 'changed' | 'added', fields: { from?: Row; to?: Row }) => {
    const version = Math.max(versionOf(row['m:version']), versionOf(row['s:version']), versionOf(row.$logged)) + 1;
    const data = { restoreId: record.restoreId, commit: record.commit, change, ...fields };
    events.push([newId(), aggregate.type, row.$key, version, `${aggregate.name}.restored`, JSON.stringify(data), record.who.actor, record.who.source, now]);
    if (versioned && change !== 'removed') versions.push([...spec.key.map((k) => row[`s:${k}`]), version]);
  };
  for (const row of removed) log(row, 'removed', { from: fieldsOf(row, 'm:', content, json) });
  for (const row of changed) {
    const differing = content.filter((c) => JSON.stringify(row[`m:${c}`]) !== JSON.stringify(row[`s:${c}`]));
    log(row, 'changed', { from: fieldsOf(row, 'm:', differing, json), to: fieldsOf(row, 's:', differing, json) });
  }
  for (const row of added) log(row, 'added', { to: fieldsOf(row, 's:', content, json) });
  return { events, versions };
}

/**
 * Whether the store has no state of its own yet: no row in the tables of `specs` but the log, no event but the
 * indexers' (vault, agents). A restore into it takes the backup's rows and log as they are.
 */
export async function isNewStore(conn: Connection, specs: readonly TableSpec[]): Promise<boolean> {
  if (await conn.get("select 1 as yes from main.events where aggregate_type not in ('vault', 'agents') limit 1")) return false;
  for (const spec of specs) if (!spec.immutable && (await conn.get(`select 1 as yes from main.${quoteId(spec.name)} limit 1`))) return false;
  return true;
}

/**
 * Makes the live source-of-truth tables equal to the attached ones (the log: a superset of them), in the caller's
 * write transaction (call inside withAttached and Connection.transaction); with `only`, just the rows whose keys
 * the key tables list. Foreign keys are checked at commit, so order does not matter within the transaction;
 * cascades fired by deletions are undone by the updates and inserts that follow. Returns how many row events it
 * logged, and whether the store was new (then it logged none).
 */
export async function swapFromAttached(conn: Connection, specs: TableSpec[], only: KeyTables | null, record: RestoreRecord): Promise<{ rowEvents: number; newStore: boolean }> {
  await conn.exec('PRAGMA defer_foreign_keys = ON');
  const tables = specs.filter((spec) => !only || only.has(spec.name));
  const logs = tables.filter((spec) => spec.immutable);
  const rows = tables.filter((spec) => !spec.immutable);

  const fresh = await isNewStore(conn, specs);
  // Into a new store every row is new: the derived indexes' triggers are dropped meanwhile and the indexes built
  // once from the finished tables (derivedIndexes.ts), in this same transaction.
  const replace = () => replaceRows(conn, logs, rows, only, record, fresh);
  const rowEvents = fresh ? await withDerivedIndexesRebuilt(conn, replace) : await replace();
  return { rowEvents, newStore: fresh };
}

/** swapFromAttached's writes: the log's new events, then each table's deletions, updates and inserts. Returns how many row events it logged. */
async function replaceRows(conn: Connection, logs: TableSpec[], rows: TableSpec[], only: KeyTables | null, record: RestoreRecord, fresh: boolean): Promise<number> {
  for (const id of record.dropEvents) await conn.run('delete from main.events where id = ?', [id]);
  for (const spec of logs) {
    const t = quoteId(spec.name);
    await conn.run(
      `insert into main.${t} (${spec.columns.map(quoteId).join(', ')}) select ${spec.columns.map((c) => `s.${quoteId(c)}`).join(', ')} from ${rowsOf(spec, only, ATTACHED, 's')} ` +
        `where not exists (select 1 from main.${t} m where ${keyMatch(spec, 'm', 's')}) order by s.rowid`,
    );
  }

  // Each change is logged (read before any row moves), and each new version kept in a temp table the writes join.
  const now = nowIso();
  const events: unknown[][] = [];
  const versionTables = new Map<string, string>();
  for (const [i, spec] of fresh ? [] : rows.entries()) {
    const logged = await logTable(conn, spec, only, record, now);
    events.push(...logged.events);
    if (!spec.columns.includes(VERSION)) continue;
    const name = `cairn_restore_versions_${i}`;
    await conn.exec(`drop table if exists temp.${quoteId(name)}; create temp table ${quoteId(name)} (${[...spec.key, VERSION].map(quoteId).join(', ')})`);
    await insertRows(conn, name, [...spec.key, VERSION], logged.versions);
    await conn.exec(`create index temp.${quoteId(`${name}_key`)} on ${quoteId(name)} (${spec.key.map(quoteId).join(', ')})`);
    versionTables.set(spec.name, name);
  }

  // The live rows a statement acts on: those with an attached row `s` (or with none: join '') meeting `cond`
  // (about main.<table> and s); when limited, looked up through the key table only.
  const where = (spec: TableSpec, join: 'join' | '', cond: (live: string) => string) => {
    const t = quoteId(spec.name);
    if (!only) return join ? `exists (select 1 from ${ATTACHED}.${t} s where ${keyMatch(spec, 's', `main.${t}`)} and (${cond(`main.${t}`)}))` : cond(`main.${t}`);
    const key = (alias: string) => spec.key.map((k) => `${alias}.${quoteId(k)}`).join(', ');
    return `(${key(`main.${t}`)}) in (select ${key('m')} from ${rowsOf(spec, only, 'main', 'm')} ${join ? `join ${ATTACHED}.${t} s on ${keyMatch(spec, 's', 'm')} ` : ''}where ${cond('m')})`;
  };
  for (const spec of rows) {
    const t = quoteId(spec.name);
    await conn.run(`delete from main.${t} where ${where(spec, '', (live) => `not exists (select 1 from ${ATTACHED}.${t} s where ${keyMatch(spec, 's', live)})`)}`);
  }
  for (const spec of rows) {
    const t = quoteId(spec.name);
    const versions = versionTables.get(spec.name);
    // The backup's values, but the version logged for the row (a row without one would be refused: NOT NULL).
    const value = (c: string) => (versions && c === VERSION ? `v.${quoteId(VERSION)}` : `s.${quoteId(c)}`);
    const joinVersions = versions ? ` left join ${quoteId(versions)} v on ${keyMatch(spec, 'v', 's')}` : '';
    const values = spec.columns.filter((c) => !spec.key.includes(c));
    if (values.length) {
      await conn.run(
        `update main.${t} set (${values.map(quoteId).join(', ')}) = (select ${values.map(value).join(', ')} from ${ATTACHED}.${t} s${joinVersions} where ${keyMatch(spec, 's', `main.${t}`)}) ` +
          `where ${where(spec, 'join', (live) => differs(spec, 's', live))}`,
      );
    }
    // New rows in the backup's order (its rowid order = the text form's key order), so local ids are handed out in that order.
    await conn.run(
      `insert into main.${t} (${spec.columns.map(quoteId).join(', ')}) select ${spec.columns.map(value).join(', ')} from ${rowsOf(spec, only, ATTACHED, 's')}${joinVersions} ` +
        `where not exists (select 1 from main.${t} m where ${keyMatch(spec, 'm', 's')}) order by s.rowid`,
    );
  }
  for (const name of versionTables.values()) await conn.exec(`drop table temp.${quoteId(name)}`);

  await insertRows(conn, 'events', EVENT_COLUMNS, events);
  return events.length;
}
