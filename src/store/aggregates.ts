// What every aggregate (project, sprint, task) shares: creation and change each write the row and its event
// together, and a change must name the version it read.
import { and, eq } from 'drizzle-orm';
import { appendEvents, type Actor, type AggregateType } from './events';
import { StoreError } from './errors';
import { nowIso } from './ids';
import type { Orm } from './orm';
import type { memories, projects, sprints, tasks } from './schema';

type AggregateTable = typeof projects | typeof sprints | typeof tasks | typeof memories;

/** Optimistic concurrency: a write must name the version it read; anything else was changed meanwhile. */
export function checkVersion(what: string, current: { id: string; version: number }, expectedVersion: number): void {
  if (current.version !== expectedVersion) {
    throw new StoreError(
      'conflict',
      `The ${what} ${current.id} was changed by someone else (you read version ${expectedVersion}, it is now at version ${current.version}). Reload it and try again.`,
      { id: current.id, expectedVersion, currentVersion: current.version },
    );
  }
}

/** The fields of `changes` that differ from `current`, as { from, to }; undefined when nothing changes. */
export function changedFields<T extends object>(current: T, changes: Partial<T>): { from: Partial<T>; to: Partial<T> } | undefined {
  const from: Partial<T> = {};
  const to: Partial<T> = {};
  for (const key of Object.keys(changes) as (keyof T)[]) {
    const next = changes[key];
    if (next === undefined || JSON.stringify(current[key]) === JSON.stringify(next)) continue;
    from[key] = current[key];
    to[key] = next;
  }
  return Object.keys(to).length ? { from, to } : undefined;
}

/** Inserts a new aggregate row and its `<type>.created` event (version 1). */
export async function insertAggregate<T extends { id: string }>(orm: Orm, who: Actor, aggregateType: AggregateType, table: AggregateTable, row: T): Promise<T> {
  await orm.insert(table).values(row as never);
  await appendEvents(orm, who, [{ aggregateType, aggregateId: row.id, version: 1, type: `${aggregateType}.created`, data: { ...row } }]);
  return row;
}

/**
 * Writes the fields of `changes` that differ from `current`, bumps the version and logs { from, to }.
 * A change that changes nothing writes nothing. The caller has checked the version it was given.
 */
export async function updateAggregate<T extends { id: string; version: number }>(
  orm: Orm,
  who: Actor,
  aggregateType: AggregateType,
  table: AggregateTable,
  current: T,
  changes: Partial<T>,
  eventType: (to: Partial<T>) => string = () => `${aggregateType}.updated`,
): Promise<T> {
  const diff = changedFields(current, changes);
  if (!diff) return current;
  const [row] = await orm
    .update(table)
    .set({ ...diff.to, updatedAt: nowIso(), version: current.version + 1 } as never)
    .where(and(eq(table.id, current.id), eq(table.version, current.version)))
    .returning();
  await appendEvents(orm, who, [{ aggregateType, aggregateId: current.id, version: current.version + 1, type: eventType(diff.to), data: diff }]);
  return row as unknown as T;
}
