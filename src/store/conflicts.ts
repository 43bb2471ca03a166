// The conflicts a sync recorded (the rows themselves are written by the merge, see src/sync/mergeTree.ts): listing
// them, and resolving a row conflict through the normal store path — a project, sprint or task changes by
// updateAggregate (version bump + its event), other tables by a plain write — then marking the conflict resolved
// with its `conflict.resolved` event, all in the caller's transaction.
import { and, count, desc, eq, getTableColumns, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { updateAggregate } from './aggregates';
import { appendNextEvent, type Actor, type AggregateType } from './events';
import { notFound, StoreError } from './errors';
import { nowIso } from './ids';
import type { Orm } from './orm';
import { deleteProject } from './projects';
import { conflicts, projects, sprints, tasks, type ConflictRow } from './schema';
import { deleteSprint } from './sprints';
import { deleteTask } from './tasks';

export type ConflictChoice = 'mine' | 'theirs' | 'edit';

const AGGREGATE_TABLES: Record<string, { type: AggregateType; table: typeof projects | typeof sprints | typeof tasks; label: string }> = {
  projects: { type: 'project', table: projects, label: 'name' },
  sprints: { type: 'sprint', table: sprints, label: 'name' },
  tasks: { type: 'task', table: tasks, label: 'title' },
};

export async function getConflict(orm: Orm, id: string): Promise<ConflictRow> {
  const [row] = await orm.select().from(conflicts).where(eq(conflicts.id, id));
  if (!row) throw notFound('conflict', id);
  return row;
}

export async function listConflicts(orm: Orm, status: 'open' | 'resolved' | 'all', limit: number): Promise<(ConflictRow & { label: string | null })[]> {
  const where = status === 'open' ? isNull(conflicts.resolution) : status === 'resolved' ? isNotNull(conflicts.resolution) : undefined;
  const rows = await orm.select().from(conflicts).where(where).orderBy(desc(conflicts.detectedAt), desc(conflicts.id)).limit(limit);
  const out: (ConflictRow & { label: string | null })[] = [];
  for (const r of rows) {
    const agg = r.tableName ? AGGREGATE_TABLES[r.tableName] : undefined;
    let label: string | null = null;
    if (agg && r.rowKey) {
      const [found] = await orm.select().from(agg.table).where(eq(agg.table.id, r.rowKey));
      label = found ? String((found as Record<string, unknown>)[agg.label]) : null;
    }
    out.push({ ...r, label });
  }
  return out;
}

export async function countOpenConflicts(orm: Orm): Promise<number> {
  const [row] = await orm.select({ n: count() }).from(conflicts).where(isNull(conflicts.resolution));
  return row?.n ?? 0;
}

/** A value of the backup's text form as SQLite stores it ({"$blob": base64} is a blob). */
function storedValue(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && typeof (v as { $blob?: unknown }).$blob === 'string') return Buffer.from((v as { $blob: string }).$blob, 'base64');
  return v;
}

/** Column name → drizzle field, with whether the field is JSON (drizzle serialises those itself). */
function fieldsOf(table: SQLiteTable): Map<string, { key: string; json: boolean }> {
  return new Map(Object.entries(getTableColumns(table)).map(([key, col]) => [col.name, { key, json: col.dataType === 'json' }]));
}

function keyCondition(rowKey: string, keyColumns: string[]): SQL {
  const values: unknown[] = keyColumns.length === 1 ? [rowKey] : (JSON.parse(rowKey) as unknown[]);
  return sql.join(
    keyColumns.map((c, i) => sql`${sql.identifier(c)} is ${storedValue(values[i])}`),
    sql` and `,
  );
}

async function keyColumnsOf(orm: Orm, tableName: string): Promise<string[]> {
  if (tableName === 'events') return ['id'];
  if (tableName === 'graph_observations') return ['entity_name', 'content'];
  const info = (await orm.all(sql`select name, pk from pragma_table_info(${tableName})`)) as { name: string; pk: number }[];
  const pk = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  return pk.length ? pk : info.map((c) => c.name);
}

/**
 * Writes the chosen values of a row conflict. `values`: column → value (text-form values for mine/theirs, the
 * user's for edit); null means "the row goes" (the chosen side had deleted it).
 */
async function writeRow(orm: Orm, who: Actor, c: ConflictRow, values: Record<string, unknown> | null, fromUser: boolean): Promise<void> {
  const tableName = c.tableName!;
  const key = c.rowKey!;
  const agg = AGGREGATE_TABLES[tableName];
  if (agg) {
    const [current] = await orm.select().from(agg.table).where(eq(agg.table.id, key));
    if (values === null) {
      if (!current) return;
      if (agg.type === 'task') await deleteTask(orm, who, key);
      else if (agg.type === 'sprint') await deleteSprint(orm, who, key);
      else await deleteProject(orm, who, key);
      return;
    }
    if (!current) throw new StoreError('invalid', `The ${agg.type} ${key} no longer exists here; it cannot take these values. Resolve with "mine", or recreate it.`);
    const fields = fieldsOf(agg.table);
    const changes: Record<string, unknown> = {};
    for (const [col, v] of Object.entries(values)) {
      const f = fields.get(col);
      if (!f || col === 'id' || col === 'version') throw new StoreError('invalid', `"${col}" is not a field of ${tableName} that a resolution can set (use column names, e.g. ${[...fields.keys()].filter((k) => k !== 'id').slice(0, 4).join(', ')}).`);
      changes[f.key] = f.json && !fromUser && typeof v === 'string' ? JSON.parse(v) : storedValue(v);
    }
    await updateAggregate(orm, who, agg.type, agg.table, current as never, changes as never);
    return;
  }
  const keyColumns = await keyColumnsOf(orm, tableName);
  const where = keyCondition(key, keyColumns);
  if (values === null) {
    await orm.run(sql`delete from ${sql.identifier(tableName)} where ${where}`);
    return;
  }
  const sets = Object.entries(values).map(([col, v]) => sql`${sql.identifier(col)} = ${fromUser && v !== null && typeof v === 'object' ? JSON.stringify(v) : storedValue(v)}`);
  if (sets.length) await orm.run(sql`update ${sql.identifier(tableName)} set ${sql.join(sets, sql`, `)} where ${where}`);
}

/** Resolves a row conflict: writes the chosen side (or the edited value) and marks the conflict resolved. */
export async function resolveRowConflict(orm: Orm, who: Actor, c: ConflictRow, choice: ConflictChoice, value: unknown): Promise<void> {
  const fields = c.fields;
  const whole = fields.length === 1 && fields[0] === '*';
  if (choice === 'edit') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new StoreError('invalid', `An edit of a row conflict needs an object of field values, e.g. {"${whole ? 'title' : fields[0]}": …}.`);
    const unknown = whole ? [] : Object.keys(value).filter((k) => !fields.includes(k));
    if (unknown.length) throw new StoreError('invalid', `The conflict is about ${fields.join(', ')}; ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not part of it.`);
    await writeRow(orm, who, c, value as Record<string, unknown>, true);
  } else if (whole) {
    // One side deleted the row, the other changed it; the row now holds whichever side still had it.
    const chosen = (choice === 'mine' ? c.mine : c.theirs) as Record<string, unknown> | null;
    const other = (choice === 'mine' ? c.theirs : c.mine) as Record<string, unknown> | null;
    if (chosen === null) await writeRow(orm, who, c, null, false);
    else if (other !== null) await writeRow(orm, who, c, withoutBookkeeping(chosen, await keyColumnsOf(orm, c.tableName!)), false);
  } else if (choice === 'theirs') {
    await writeRow(orm, who, c, c.theirs as Record<string, unknown>, false);
  }
  await markResolved(orm, who, c, choice);
}

const withoutBookkeeping = (row: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(Object.entries(row).filter(([k]) => !keys.includes(k) && k !== 'version' && k !== 'created_at' && k !== 'updated_at'));

export async function markResolved(orm: Orm, who: Actor, c: ConflictRow, choice: ConflictChoice): Promise<void> {
  if (c.resolution) throw new StoreError('invalid', `The conflict ${c.id} was already resolved (${c.resolution}, ${c.resolvedAt}).`);
  const now = nowIso();
  await orm.update(conflicts).set({ resolution: choice, resolvedAt: now, resolvedBy: who.actor }).where(and(eq(conflicts.id, c.id), isNull(conflicts.resolution)));
  await appendNextEvent(orm, who, { aggregateType: 'sync', aggregateId: c.id, type: 'conflict.resolved', data: { choice, kind: c.kind, table: c.tableName, rowKey: c.rowKey, path: c.path, fields: c.fields } });
}
