// Filling a store's source tables in bulk (a restore into a new store; a restore's scratch database, whose
// indexes are not read, only suspends the triggers) without paying the triggers that keep the derived indexes row by row: the search index (drizzle/0017_search_items.sql,
// 0018) and the dashboard's metrics (0021). Per row, each task costs a full-text insert, and each task event a
// recomputation of its task's facts and contributions; built once from the finished tables, the same indexes cost
// a few set-based statements.
//
// withDerivedIndexesRebuilt: in ONE transaction (the caller's, or its own), saves the CREATE TRIGGER statements of
// those indexes from sqlite_master and drops them, runs the load, empties the indexes and fills them again, then
// re-creates the triggers from the saved statements. A failure or a crash at any point rolls all of it back, triggers
// included. The rebuild reads what the triggers read: each search kind's view (search_<kind>_text) and, for the
// metrics, the backfill statements of their own migration (the metrics_*_v views and the rollups' sums), so each
// rule stays written once.
//
// Only for loads into tables that start empty: a rebuild gives the search items new ids (a vector left behind is
// never read as another item's: ids are never reused) and every item waits to be embedded again.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Connection } from './connection';
import { findMigrationsDir } from './migrate';
import { quoteId } from './snapshot/tables';

interface Family {
  name: string;
  /** Its triggers: those whose name starts with this. */
  triggerPrefix: string;
  rebuild: (conn: Connection, migrationsDir: string) => Promise<void>;
}

const objects = (conn: Connection, type: 'table' | 'view' | 'trigger', prefix: string) =>
  conn.all<{ name: string; sql: string }>(`select name, sql from main.sqlite_master where type = ? and substr(name, 1, ?) = ? order by rowid`, [type, prefix.length, prefix]);

/** The search index: every kind's items from its view, their text (and, before 0025, the graph's two trigram indexes). */
async function rebuildSearch(conn: Connection): Promise<void> {
  const trigrams = (await objects(conn, 'table', 'graph_names_trigram')).length > 0;
  await conn.exec(`delete from main.search_items_fts; ${trigrams ? 'delete from main.graph_names_trigram;' : ''} delete from main.search_items;`);
  for (const { name } of await objects(conn, 'view', 'search_')) {
    const kind = /^search_(\w+)_text$/.exec(name)?.[1];
    if (!kind) continue;
    const view = quoteId(name);
    await conn.run(`insert into main.search_items (kind, item_id) select ?, item_id from main.${view} order by item_id`, [kind]);
    await conn.run(`insert into main.search_items_fts (rowid, title, body) select s.id, v.title, v.body from main.search_items s join main.${view} v on s.kind = ? and v.item_id = s.item_id`, [kind]);
  }
  if (!trigrams) return;
  await conn.exec(
    `insert into main.graph_names_trigram (rowid, name, type) select s.id, e.name, e.entity_type from main.search_items s join main.graph_entities e on s.kind = 'entity' and e.name = s.item_id;
     insert into main.graph_observations_trigram (graph_observations_trigram) values ('rebuild');`,
  );
}

const METRICS_MIGRATION = '0021_metrics_indexes.sql';

/** The statements of a migration that fill its tables from what is already there (INSERT … SELECT, DELETE), in order. */
export function backfillStatements(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('--> statement-breakpoint')
    .map((s) => s.replace(/^\s*(--[^\n]*\n\s*)*/, '').trim())
    .filter((s) => /^(insert|delete)\s/i.test(s));
}

/** The metrics: every metrics_* table emptied, then filled by the metrics migration's own backfill. */
async function rebuildMetrics(conn: Connection, migrationsDir: string): Promise<void> {
  const statements = backfillStatements(path.join(migrationsDir, METRICS_MIGRATION));
  if (!statements.length) throw new Error(`${METRICS_MIGRATION} has no backfill statements to rebuild the metrics with.`);
  for (const { name } of await objects(conn, 'table', 'metrics_')) await conn.run(`delete from main.${quoteId(name)}`);
  for (const sql of statements) await conn.exec(sql);
}

const FAMILIES: readonly Family[] = [
  { name: 'search', triggerPrefix: 'search_', rebuild: rebuildSearch },
  { name: 'metrics', triggerPrefix: 'metrics_', rebuild: rebuildMetrics },
];

/** The triggers of the derived indexes this store has, as sqlite_master holds them (creation order). */
export async function derivedTriggers(conn: Connection): Promise<SuspendedTriggers> {
  const out: { family: string; name: string; sql: string }[] = [];
  for (const f of FAMILIES) for (const t of await objects(conn, 'trigger', f.triggerPrefix)) out.push({ family: f.name, ...t });
  return out;
}

/** Drops the derived indexes' triggers (inside a transaction); what they were, to re-create them with rebuildDerivedIndexes. */
export async function suspendDerivedTriggers(conn: Connection): Promise<SuspendedTriggers> {
  const saved = await derivedTriggers(conn);
  for (const t of saved) await conn.exec(`drop trigger main.${quoteId(t.name)}`);
  return saved;
}

export type SuspendedTriggers = readonly { family: string; name: string; sql: string }[];

/** Builds the indexes whose triggers were suspended from the tables as they are, then re-creates those triggers. */
export async function rebuildDerivedIndexes(conn: Connection, suspended: SuspendedTriggers, migrationsDir: string = findMigrationsDir()): Promise<void> {
  for (const f of FAMILIES) if (suspended.some((t) => t.family === f.name)) await f.rebuild(conn, migrationsDir);
  for (const t of suspended) await conn.exec(t.sql);
}

/**
 * Runs `load` (which fills source tables) with the derived indexes' triggers dropped, then rebuilds those indexes
 * once and re-creates the triggers, all in one transaction. A store without some index (an older schema) keeps
 * whatever triggers it has for the others.
 */
export async function withDerivedIndexesRebuilt<T>(conn: Connection, load: () => Promise<T>, migrationsDir?: string): Promise<T> {
  return conn.transaction(async () => {
    const suspended = await suspendDerivedTriggers(conn);
    const out = await load();
    await rebuildDerivedIndexes(conn, suspended, migrationsDir);
    return out;
  });
}
