// Which tables are the store's source of truth (exported to the backup's text form) and which are derived
// indexes (rebuilt from the vault and agent files after a restore), with each exported table's row key.
//
// The rule: a table is source of truth unless it is listed in DERIVED_TABLES, is a virtual table (FTS5, vec0) or
// one of their shadow tables, or references a derived table (its rows die with the index they hang on). So a
// table added by a later migration is backed up by default; list it in DERIVED_TABLES if it is an index.
import type { Connection } from '../connection';

/** Indexes of files that stay the source of truth (the vault's notes, the agent definitions) and what is fitted from them. */
export const DERIVED_TABLES: ReadonlySet<string> = new Set(['vault_files', 'notes', 'note_headings', 'note_links', 'note_tags', 'agents', 'embedding_state', 'sync_state', 'memory_access', 'slow_queries', 'search_items',
  // The dashboard's metrics (drizzle/0021_metrics_indexes.sql): kept from the event log and agent runs by triggers.
  'metrics_task_timeline', 'metrics_task_facts', 'metrics_task_contribs', 'metrics_task_status', 'metrics_task_refresh', 'metrics_rollup', 'metrics_run_contribs', 'metrics_run_rollup']);
// (sync_state, memory_access and slow_queries are machine-local bookkeeping — of sync, of recall, of this machine's
// slow statements — not indexes; they are kept out of backups the same way.)

/** SQLite's and drizzle's own bookkeeping: never exported, never touched by a restore. */
const INTERNAL = (name: string) => name.startsWith('sqlite_') || name === '__drizzle_migrations';

/**
 * Tables whose primary key is machine-local (an arrival order or an autoincrement id): they are keyed by a
 * global, unique key instead, and the local column is left out of the text form (a restore assigns it anew).
 */
const KEY_OVERRIDES: Record<string, { key: string[]; omit: string[] }> = {
  events: { key: ['id'], omit: ['seq'] },
  graph_observations: { key: ['entity_name', 'content'], omit: ['id'] },
};

/** Append-only tables (the log): a restore inserts the rows they lack and never updates or deletes one (swap.ts). */
const IMMUTABLE: ReadonlySet<string> = new Set(['events']);

export interface TableSpec {
  name: string;
  /** Columns that identify a row across machines. */
  key: string[];
  /** The exported columns in their canonical order: the key first, then the others by name. */
  columns: string[];
  /** Machine-local columns left out of the text form. */
  omit: string[];
  immutable: boolean;
}

export interface TableCatalog {
  source: TableSpec[];
  derived: string[];
}

interface ColumnInfo {
  name: string;
  pk: number;
}

const quoteId = (name: string) => `"${name.replace(/"/g, '""')}"`;
export { quoteId };

export async function tableCatalog(conn: Connection, schema = 'main'): Promise<TableCatalog> {
  const rows = await conn.all<{ name: string; sql: string | null }>(`select name, sql from ${schema}.sqlite_master where type = 'table' order by name`);
  const virtual = rows.filter((r) => /^\s*create\s+virtual\s+table/i.test(r.sql ?? '')).map((r) => r.name);
  const isShadow = (name: string) => virtual.some((v) => name.startsWith(`${v}_`));
  const candidates = rows.map((r) => r.name).filter((n) => !INTERNAL(n));
  const derived = new Set(candidates.filter((n) => DERIVED_TABLES.has(n) || virtual.includes(n) || isShadow(n)));

  const references = new Map<string, string[]>();
  for (const name of candidates) {
    if (derived.has(name)) continue;
    const fks = await conn.all<{ table: string }>(`select "table" from pragma_foreign_key_list(?, ?)`, [name, schema]);
    references.set(name, fks.map((f) => f.table));
  }
  // A table hanging on a derived one is derived too (repeat until nothing moves: chains of references).
  for (let moved = true; moved; ) {
    moved = false;
    for (const [name, targets] of references) {
      if (!derived.has(name) && targets.some((t) => derived.has(t))) {
        derived.add(name);
        moved = true;
      }
    }
  }

  const source: TableSpec[] = [];
  for (const name of candidates) {
    if (derived.has(name)) continue;
    const info = await conn.all<ColumnInfo>(`select name, pk from pragma_table_info(?, ?)`, [name, schema]);
    const override = KEY_OVERRIDES[name];
    const pk = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    const key = override?.key ?? (pk.length ? pk : info.map((c) => c.name));
    const omit = override?.omit ?? [];
    const rest = info.map((c) => c.name).filter((c) => !key.includes(c) && !omit.includes(c)).sort();
    source.push({ name, key, columns: [...key, ...rest], omit, immutable: IMMUTABLE.has(name) });
  }
  return { source, derived: [...derived].sort() };
}
