// Builds a database from a backup's rows, and compares it with the live store.
//
// buildDatabase: a new SQLite file made by the real migrations (up to the backup's schema version, then the rest,
// so an older backup is upgraded the way a store would be), filled with the rows, then checked.
// withAttached / diffAttached: the built file attached to the store's own connection, and what making the live
// rows equal to it would change (swap.ts makes them so, in one write transaction).
import * as path from 'node:path';
import { Connection } from '../connection';
import { rebuildDerivedIndexes, suspendDerivedTriggers } from '../derivedIndexes';
import { StoreError } from '../errors';
import { migrate, shippedSchemaVersion } from '../migrate';
import { keyTextSql, rowCount, userVersion } from './rows';
import { quoteId, tableCatalog, type TableSpec } from './tables';

/** SQLite's default limit on bound parameters is 999 in older builds: statements stay under it. */
const MAX_PARAMS = 900;
export const ATTACHED = 'cairn_restore';

/** Inserts rows (in `columns` order) with as many rows per statement as the parameter limit allows. */
export async function insertRows(conn: Connection, table: string, columns: readonly string[], rows: unknown[][], onChunk?: (inserted: number) => void): Promise<void> {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  const head = `insert into ${quoteId(table)} (${columns.map(quoteId).join(', ')}) values `;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    await conn.run(head + chunk.map(() => tuple).join(', '), chunk.flat() as never);
    onChunk?.(chunk.length);
  }
}

export interface BuildInput {
  file: string;
  migrationsDir: string;
  /** The schema version the rows were written at. */
  schemaVersion: number;
  /** Rows per table, each list in the text form's order (the key order). */
  tables: Map<string, { columns: string[]; rows: unknown[][] }>;
  onProgress?: (done: number, total: number) => void;
  /**
   * Keep the indexes that serve reads by other columns than a key (default true). The diff and the swap look rows up
   * by key alone (the primary key and unique indexes, always kept); without the others the rows load faster and
   * the check reads less. Needed by what else reads the file: re-applying an erase (its cascades find a project's
   * rows by them), and migrations run after the load.
   */
  columnIndexes?: boolean;
}

export interface BuildResult {
  schemaVersion: number;
  counts: Record<string, number>;
}

export async function buildDatabase(input: BuildInput): Promise<BuildResult> {
  const conn = await Connection.open(input.file, { busyTimeoutMs: 5000, slowQueryMs: 60_000 });
  try {
    // A scratch file checked before use: no journal needed while it is filled.
    await conn.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF;');
    // (An upgrade's copy-before-migrating lands beside the scratch file and goes with it.)
    const scratchDir = path.dirname(input.file);
    await migrate(conn, input.migrationsDir, scratchDir, input.schemaVersion);
    const catalog = await tableCatalog(conn);
    const specs = new Map(catalog.source.map((s) => [s.name, s]));
    for (const [name, t] of [...input.tables]) {
      const spec = specs.get(name);
      // A table this version rebuilds from files (an older backup kept it): its rows are not needed.
      if (!spec && catalog.derived.includes(name)) input.tables.delete(name);
      else if (!spec) throw new StoreError('invalid', `The backup has a table "${name}" that schema version ${input.schemaVersion} does not have; it was written by another program or edited by hand.`);
      if (!spec) continue;
      const unknown = t.columns.filter((c) => !spec.columns.includes(c));
      if (unknown.length) throw new StoreError('invalid', `The backup's table "${name}" has columns ${unknown.join(', ')} that schema version ${input.schemaVersion} does not have.`);
    }
    const total = [...input.tables.values()].reduce((n, t) => n + t.rows.length, 0);
    let done = 0;
    // The scratch database's derived indexes are never read (the swap reads its source tables; the live store's
    // indexes are kept there): their triggers are dropped for the load, and the indexes built only when migrations
    // follow, which may expect them.
    const upgrading = input.schemaVersion < shippedSchemaVersion(input.migrationsDir);
    await conn.transaction(async () => {
      const suspended = await suspendDerivedTriggers(conn);
      if (input.columnIndexes === false && !upgrading) await dropColumnIndexes(conn);
      for (const [name, t] of input.tables) {
        await insertRows(conn, name, t.columns, t.rows, (inserted) => {
          done += inserted;
          input.onProgress?.(done, total);
        });
      }
      if (upgrading) await rebuildDerivedIndexes(conn, suspended, input.migrationsDir);
    });
    await migrate(conn, input.migrationsDir, scratchDir);
    return { schemaVersion: await userVersion(conn), counts: await checkDatabase(conn, input.tables.keys()) };
  } finally {
    await conn.close();
  }
}

/** Drops every index that is neither a primary key nor unique (a built file's, see BuildInput.columnIndexes). */
async function dropColumnIndexes(conn: Connection): Promise<void> {
  const indexes = await conn.all<{ name: string }>(
    `select m.name from main.sqlite_master m join pragma_index_list(m.tbl_name) i on i.name = m.name where m.type = 'index' and m.sql is not null and i."unique" = 0`,
  );
  for (const { name } of indexes) await conn.exec(`drop index main.${quoteId(name)}`);
}

/**
 * The checks a database made from a backup passes before it replaces anything: integrity, foreign keys; its row
 * counts. `quick` checks integrity with quick_check: every page, b-tree, record and NOT NULL / CHECK constraint,
 * but not that each index agrees with its table (nor UNIQUE, which an index enforces); see patch.ts for when that holds.
 */
export async function checkDatabase(conn: Connection, tables: Iterable<string>, opts: { quick?: boolean } = {}): Promise<Record<string, number>> {
  const pragma = opts.quick ? 'quick_check' : 'integrity_check';
  const integrity = (await conn.all<Record<string, string>>(`PRAGMA ${pragma}`)).map((r) => r[pragma]);
  if (integrity.join() !== 'ok') throw new StoreError('corrupt', `The database built from the backup fails SQLite's integrity check (${integrity.slice(0, 3).join('; ')}).`);
  const broken = await conn.all<{ table: string; parent: string }>('PRAGMA foreign_key_check');
  if (broken.length) {
    const first = broken[0]!;
    throw new StoreError('invalid', `The backup's rows refer to rows it does not have (${broken.length} broken references, e.g. a ${first.table} row pointing at a missing ${first.parent} row).`);
  }
  const counts: Record<string, number> = {};
  for (const name of tables) counts[name] = await rowCount(conn, name);
  return counts;
}

export const keyMatch = (spec: TableSpec, a: string, b: string) => spec.key.map((k) => `${a}.${quoteId(k)} is ${b}.${quoteId(k)}`).join(' and ');
/** The columns a row's content is compared by: all but its key and its version (bookkeeping a restore moves on). */
export const contentColumns = (spec: TableSpec) => spec.columns.filter((c) => !spec.key.includes(c) && c !== 'version');
/** SQL: the rows `a` and `b` (same key) differ in content. */
export const differs = (spec: TableSpec, a: string, b: string) => {
  const values = contentColumns(spec);
  return values.length ? values.map((c) => `${a}.${quoteId(c)} is not ${b}.${quoteId(c)}`).join(' or ') : '0';
};

/** Runs fn with the built file attached to the store's connection (read-only use), detaching it afterwards. */
export async function withAttached<T>(conn: Connection, file: string, fn: (specs: TableSpec[]) => Promise<T>): Promise<T> {
  await conn.run(`attach database ? as ${ATTACHED}`, [file]);
  try {
    const live = await userVersion(conn);
    const built = Number((await conn.get<{ user_version: number }>(`PRAGMA ${ATTACHED}.user_version`))?.user_version ?? 0);
    if (live !== built) throw new StoreError('invalid', `The restored database has schema version ${built} but the store has ${live}; open the store with this Cairn first.`);
    return await fn((await tableCatalog(conn)).source);
  } finally {
    await conn.run(`detach database ${ATTACHED}`).catch(() => undefined);
  }
}

export interface TableDiff {
  table: string;
  added: number;
  removed: number;
  changed: number;
  /** Up to `sample` keys of each kind, with a label column when the table has one (name, title). */
  samples: { added: SampleRow[]; removed: SampleRow[]; changed: SampleRow[] };
}

export interface SampleRow {
  key: string;
  label: string | null;
}

const LABEL_COLUMNS = ['title', 'name', 'type', 'agent_name'];

/**
 * Limits a diff or a replacement to some rows: per table, the name of a table in the attached file holding the keys
 * (in the table's key columns) of the only rows that may differ. A table it does not name has no differing rows.
 */
export type KeyTables = ReadonlyMap<string, string>;

/** `from` clause pieces for the rows of a table as a whole, or only those whose keys a key table lists. */
export const rowsOf = (spec: TableSpec, only: KeyTables | null, schema: string, alias: string) => {
  const keys = only?.get(spec.name);
  return keys ? `${ATTACHED}.${quoteId(keys)} k join ${schema}.${quoteId(spec.name)} ${alias} on ${keyMatch(spec, alias, 'k')}` : `${schema}.${quoteId(spec.name)} ${alias}`;
};

/** What replacing the live rows with the attached ones would change, per table (call inside withAttached). */
export async function diffAttached(conn: Connection, specs: TableSpec[], sample = 20, only: KeyTables | null = null): Promise<TableDiff[]> {
  const out: TableDiff[] = [];
  for (const spec of specs) {
    const t = quoteId(spec.name);
    const label = LABEL_COLUMNS.find((c) => spec.columns.includes(c));
    const pick = (alias: string) => `${keyTextSql(spec, alias)} as key, ${label ? `${alias}.${quoteId(label)}` : 'null'} as label`;
    if (only && !only.has(spec.name)) {
      out.push({ table: spec.name, added: 0, removed: 0, changed: 0, samples: { added: [], removed: [], changed: [] } });
      continue;
    }
    const addedSql = `from ${rowsOf(spec, only, ATTACHED, 's')} where not exists (select 1 from main.${t} m where ${keyMatch(spec, 'm', 's')})`;
    const removedSql = `from ${rowsOf(spec, only, 'main', 'm')} where not exists (select 1 from ${ATTACHED}.${t} s where ${keyMatch(spec, 'm', 's')})`;
    const changedSql = `from ${rowsOf(spec, only, 'main', 'm')} join ${ATTACHED}.${t} s on ${keyMatch(spec, 'm', 's')} where ${differs(spec, 'm', 's')}`;
    const count = async (from: string) => Number((await conn.get<{ n: number }>(`select count(*) as n ${from}`))?.n ?? 0);
    const rows = (alias: string, from: string) => conn.all<SampleRow>(`select ${pick(alias)} ${from} limit ${sample}`);
    // The event log only ever gains rows: a restore adds the backup's events it lacks and keeps every other.
    const diff: TableDiff = {
      table: spec.name,
      added: await count(addedSql),
      removed: spec.immutable ? 0 : await count(removedSql),
      changed: spec.immutable ? 0 : await count(changedSql),
      samples: { added: [], removed: [], changed: [] },
    };
    if (diff.added) diff.samples.added = await rows('s', addedSql);
    if (diff.removed) diff.samples.removed = await rows('m', removedSql);
    if (diff.changed) diff.samples.changed = await rows('s', changedSql);
    out.push(diff);
  }
  return out;
}

/** A consistent copy of the whole database in one file (the fallback safety copy before a restore). */
export async function copyDatabase(conn: Connection, file: string): Promise<void> {
  await conn.run('VACUUM INTO ?', [file]);
}
