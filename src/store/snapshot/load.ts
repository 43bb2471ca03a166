// Builds a database from a backup's rows and swaps its content into the live store.
//
// buildDatabase: a new SQLite file made by the real migrations (up to the backup's schema version, then the rest,
// so an older backup is upgraded the way a store would be), filled with the rows, then checked.
// swapContent: replaces the live store's source-of-truth rows with the built file's, inside ONE write
// transaction on the store's own connection (ATTACH, delete what is gone, update what differs, insert what is
// new). Other processes with the store open simply see one commit: no file is renamed under them. Rows that are
// the same are not touched, so local sequence numbers of surviving events and derived rows keyed on them stay.
import * as path from 'node:path';
import { Connection } from '../connection';
import { StoreError } from '../errors';
import { migrate } from '../migrate';
import { rowCount, userVersion } from './rows';
import { quoteId, tableCatalog, type TableSpec } from './tables';

/** SQLite's default limit on bound parameters is 999 in older builds: statements stay under it. */
const MAX_PARAMS = 900;
const ATTACHED = 'cairn_restore';

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
    await conn.transaction(async () => {
      for (const [name, t] of input.tables) {
        await insertRows(conn, name, t.columns, t.rows, (inserted) => {
          done += inserted;
          input.onProgress?.(done, total);
        });
      }
    });
    await migrate(conn, input.migrationsDir, scratchDir);
    return { schemaVersion: await userVersion(conn), counts: await checkDatabase(conn, input.tables.keys()) };
  } finally {
    await conn.close();
  }
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

const keyMatch = (spec: TableSpec, a: string, b: string) => spec.key.map((k) => `${a}.${quoteId(k)} is ${b}.${quoteId(k)}`).join(' and ');
const differs = (spec: TableSpec, a: string, b: string) => {
  const values = spec.columns.filter((c) => !spec.key.includes(c));
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
const rowsOf = (spec: TableSpec, only: KeyTables | null, schema: string, alias: string) => {
  const keys = only?.get(spec.name);
  return keys ? `${ATTACHED}.${quoteId(keys)} k join ${schema}.${quoteId(spec.name)} ${alias} on ${keyMatch(spec, alias, 'k')}` : `${schema}.${quoteId(spec.name)} ${alias}`;
};

/** What replacing the live rows with the attached ones would change, per table (call inside withAttached). */
export async function diffAttached(conn: Connection, specs: TableSpec[], sample = 20, only: KeyTables | null = null): Promise<TableDiff[]> {
  const out: TableDiff[] = [];
  for (const spec of specs) {
    const t = quoteId(spec.name);
    const label = LABEL_COLUMNS.find((c) => spec.columns.includes(c));
    const keyExpr = (alias: string) => (spec.key.length === 1 ? `${alias}.${quoteId(spec.key[0]!)}` : `json_array(${spec.key.map((k) => `${alias}.${quoteId(k)}`).join(', ')})`);
    const pick = (alias: string) => `${keyExpr(alias)} as key, ${label ? `${alias}.${quoteId(label)}` : 'null'} as label`;
    if (only && !only.has(spec.name)) {
      out.push({ table: spec.name, added: 0, removed: 0, changed: 0, samples: { added: [], removed: [], changed: [] } });
      continue;
    }
    const addedSql = `from ${rowsOf(spec, only, ATTACHED, 's')} where not exists (select 1 from main.${t} m where ${keyMatch(spec, 'm', 's')})`;
    const removedSql = `from ${rowsOf(spec, only, 'main', 'm')} where not exists (select 1 from ${ATTACHED}.${t} s where ${keyMatch(spec, 'm', 's')})`;
    const changedSql = `from ${rowsOf(spec, only, 'main', 'm')} join ${ATTACHED}.${t} s on ${keyMatch(spec, 'm', 's')} where ${differs(spec, 'm', 's')}`;
    const count = async (from: string) => Number((await conn.get<{ n: number }>(`select count(*) as n ${from}`))?.n ?? 0);
    const rows = (alias: string, from: string) => conn.all<SampleRow>(`select ${pick(alias)} ${from} limit ${sample}`);
    const diff: TableDiff = {
      table: spec.name,
      added: await count(addedSql),
      removed: await count(removedSql),
      changed: await count(changedSql),
      samples: { added: [], removed: [], changed: [] },
    };
    if (diff.added) diff.samples.added = await rows('s', addedSql);
    if (diff.removed) diff.samples.removed = await rows('m', removedSql);
    if (diff.changed) diff.samples.changed = await rows('s', changedSql);
    out.push(diff);
  }
  return out;
}

/**
 * Makes the live source-of-truth tables equal to the attached ones, in the caller's write transaction (call
 * inside withAttached and Connection.transaction); with `only`, just the rows whose keys the key tables list.
 * Foreign keys are checked at commit, so order does not matter within the transaction; cascades fired by
 * deletions are undone by the updates that follow.
 */
export async function replaceFromAttached(conn: Connection, specs: TableSpec[], only: KeyTables | null = null): Promise<void> {
  await conn.exec('PRAGMA defer_foreign_keys = ON');
  const tables = specs.filter((spec) => !only || only.has(spec.name));
  // The live rows a statement acts on: those with an attached row `s` (or with none: join '') meeting `cond`
  // (about main.<table> and s); when limited, looked up through the key table only.
  const where = (spec: TableSpec, join: 'join' | '', cond: (live: string) => string) => {
    const t = quoteId(spec.name);
    if (!only) return join ? `exists (select 1 from ${ATTACHED}.${t} s where ${keyMatch(spec, 's', `main.${t}`)} and (${cond(`main.${t}`)}))` : cond(`main.${t}`);
    const key = (alias: string) => spec.key.map((k) => `${alias}.${quoteId(k)}`).join(', ');
    return `(${key(`main.${t}`)}) in (select ${key('m')} from ${rowsOf(spec, only, 'main', 'm')} ${join ? `join ${ATTACHED}.${t} s on ${keyMatch(spec, 's', 'm')} ` : ''}where ${cond('m')})`;
  };
  for (const spec of tables) {
    const t = quoteId(spec.name);
    await conn.run(`delete from main.${t} where ${where(spec, '', (live) => `not exists (select 1 from ${ATTACHED}.${t} s where ${keyMatch(spec, 's', live)})`)}`);
    if (spec.immutable) {
      // A row that must never be updated is replaced when the backup's copy differs.
      await conn.run(`delete from main.${t} where ${where(spec, 'join', (live) => differs(spec, 's', live))}`);
    }
  }
  for (const spec of tables) {
    const t = quoteId(spec.name);
    const values = spec.columns.filter((c) => !spec.key.includes(c));
    if (!spec.immutable && values.length) {
      await conn.run(
        `update main.${t} set (${values.map(quoteId).join(', ')}) = (select ${values.map((c) => `s.${quoteId(c)}`).join(', ')} from ${ATTACHED}.${t} s where ${keyMatch(spec, 's', `main.${t}`)}) ` +
          `where ${where(spec, 'join', (live) => differs(spec, 's', live))}`,
      );
    }
    // New rows in the backup's order (its rowid order = the text form's key order), so local ids and sequence
    // numbers are handed out in that order, above every one used before.
    const cols = spec.columns.map(quoteId).join(', ');
    await conn.run(
      `insert into main.${t} (${cols}) select ${spec.columns.map((c) => `s.${quoteId(c)}`).join(', ')} from ${rowsOf(spec, only, ATTACHED, 's')} ` +
        `where not exists (select 1 from main.${t} m where ${keyMatch(spec, 'm', 's')}) order by s.rowid`,
    );
  }
}

/** A consistent copy of the whole database in one file (the fallback safety copy before a restore). */
export async function copyDatabase(conn: Connection, file: string): Promise<void> {
  await conn.run('VACUUM INTO ?', [file]);
}
