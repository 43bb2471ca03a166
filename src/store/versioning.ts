import { StoreError } from './errors';

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
