// Builds a store as an older Cairn left it, for tests of upgrades: SQL that undoes what the shipped migrations after
// the first `keep` created, read from the migrations themselves (drizzle/), newest first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers';

/** An index's definition from the newest migration before `tag` that created it. */
function createdBefore(dir: string, entries: { tag: string }[], tag: string, index: string): string {
  const earlier = entries.slice(0, entries.findIndex((e) => e.tag === tag)).reverse();
  for (const e of earlier) {
    for (const statement of fs.readFileSync(path.join(dir, `${e.tag}.sql`), 'utf8').split('--> statement-breakpoint')) {
      const sql = statement.replace(/--.*$/gm, '').trim();
      if (new RegExp(`^CREATE\\s+(UNIQUE\\s+)?INDEX\\s+[\`"]?${index}[\`"]?\\s`, 'i').test(sql)) return sql.endsWith(';') ? sql : `${sql};`;
    }
  }
  throw new Error(`migration ${tag} drops index ${index}, which no earlier migration created; teach undoMigrationsAfter()`);
}

/**
 * A column as the newest migration before `tag` that defined it made it (in its table's CREATE TABLE or an ADD
 * COLUMN), to add back a column a migration dropped; NOT NULL without a default gets one (the rows are already there).
 */
function columnBefore(dir: string, entries: { tag: string }[], tag: string, table: string, column: string): string {
  const earlier = entries.slice(0, entries.findIndex((e) => e.tag === tag)).reverse();
  for (const e of earlier) {
    for (const statement of fs.readFileSync(path.join(dir, `${e.tag}.sql`), 'utf8').split('--> statement-breakpoint')) {
      const sql = statement.replace(/--.*$/gm, '').trim();
      const inTable = new RegExp(`^CREATE\\s+TABLE\\s+[\`"]?${table}[\`"]?\\s*\\(`, 'i').test(sql) || new RegExp(`^ALTER\\s+TABLE\\s+[\`"]?${table}[\`"]?\\s+ADD`, 'i').test(sql);
      const def = inTable ? new RegExp(`[\`"]${column}[\`"]\\s+([^,\\n]+?)\\s*(?:,|\\n|\\);?$|;$)`, 'i').exec(sql) : null;
      if (!def) continue;
      let type = def[1]!;
      if (/NOT\s+NULL/i.test(type) && !/DEFAULT/i.test(type)) type += /^text/i.test(type) ? " DEFAULT ''" : ' DEFAULT 0';
      return `ALTER TABLE \`${table}\` ADD \`${column}\` ${type};`;
    }
  }
  throw new Error(`migration ${tag} drops column ${table}.${column}, which no earlier migration defined; teach undoMigrationsAfter()`);
}

/**
 * SQL that drops what the shipped migrations after the first `keep` created, newest first. It understands only
 * migrations made of CREATE TABLE/INDEX/TRIGGER/VIEW, DROP INDEX (of an index redefined), ALTER TABLE … ADD/DROP COLUMN, DROP … IF EXISTS (of what a later migration replaced) and data-only
 * UPDATE/INSERT/DELETE statements
 * and throws on anything else, so a future migration that reshapes a table otherwise makes this fixture fail
 * loudly instead of building a store that never existed.
 */
export function undoMigrationsAfter(keep: number): string {
  const dir = path.join(ROOT, 'drizzle');
  const journal = JSON.parse(fs.readFileSync(path.join(dir, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const drops: string[] = [];
  for (const { tag } of journal.entries.slice(keep)) {
    for (const statement of fs.readFileSync(path.join(dir, `${tag}.sql`), 'utf8').split('--> statement-breakpoint')) {
      const sql = statement.replace(/--.*$/gm, '').trim();
      if (!sql || /^(UPDATE|INSERT|DELETE)\s/i.test(sql)) continue; // data only: the older schema has the same tables
      const added = /^ALTER\s+TABLE\s+[`"]?(\w+)[`"]?\s+ADD\s+(?:COLUMN\s+)?[`"]?(\w+)[`"]?/i.exec(sql);
      if (added) {
        drops.unshift(`ALTER TABLE \`${added[1]}\` DROP COLUMN \`${added[2]}\`;`);
        continue;
      }
      const droppedColumn = /^ALTER\s+TABLE\s+[`"]?(\w+)[`"]?\s+DROP\s+(?:COLUMN\s+)?[`"]?(\w+)[`"]?/i.exec(sql);
      if (droppedColumn) {
        // A column replaced (0024: note_chunks.text became a generated column): the undo adds back the old one.
        drops.unshift(columnBefore(dir, journal.entries, tag, droppedColumn[1]!, droppedColumn[2]!));
        continue;
      }
      const dropped = /^DROP\s+INDEX\s+[`"]?(\w+)[`"]?/i.exec(sql);
      if (dropped) {
        // An index redefined: the undo brings back its definition from the migration that created it.
        drops.unshift(createdBefore(dir, journal.entries, tag, dropped[1]!));
        continue;
      }
      // What a later migration replaced (0017 folds memories_fts into search_items): undoing the migration that
      // made it drops it, if it is still there.
      if (/^DROP\s+(TABLE|TRIGGER)\s+IF\s+EXISTS\s/i.test(sql)) continue;
      const m = /^CREATE\s+(?:UNIQUE\s+|VIRTUAL\s+)?(TABLE|INDEX|TRIGGER|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?[`"]?(\w+)[`"]?/i.exec(sql);
      if (!m) throw new Error(`the test cannot undo this statement of migration ${tag}; teach undoMigrationsAfter():\n${sql}`);
      drops.unshift(`DROP ${m[1]!.toUpperCase()} IF EXISTS \`${m[2]}\`;`);
    }
  }
  return drops.join(' ');
}
