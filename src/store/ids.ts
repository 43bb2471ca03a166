import type * as Ulid from 'ulid';

let nextId: (() => string) | undefined;

/**
 * ULIDs: sortable by creation time and unique across machines, so stores can later be merged. The generator (and
 * node:crypto, its randomness) loads with the first id: a command that only reads makes none.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const newId = (): string => (nextId ??= (require('ulid') as typeof Ulid).monotonicFactory())();

export const nowIso = (): string => new Date().toISOString();
