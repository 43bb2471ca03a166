import { monotonicFactory } from 'ulid';

/** ULIDs: sortable by creation time and unique across machines, so stores can later be merged. */
export const newId: () => string = monotonicFactory();

export const nowIso = (): string => new Date().toISOString();
