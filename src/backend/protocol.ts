// What JSON-RPC clients share with the backend beyond the method table (methodTable.ts): error codes, the one-line
// message made of zod's issues, and the notifications. zod and constants only: the extension bundles this file.
import type { z } from 'zod';

export type { MethodName, Params, ParamsInput } from './methodTable';

/** JSON-RPC error codes. -32602 is the standard "invalid params"; the rest are Cairn's, in the server range. */
export const ErrorCodes = {
  InvalidParams: -32602,
  MethodNotFound: -32601,
  NotFound: -32001,
  Conflict: -32002,
  Busy: -32003,
  StoreUnavailable: -32004,
  SchemaTooNew: -32005,
  InvalidOperation: -32006,
  DiskFull: -32007,
  Corrupt: -32008,
  Locked: -32009,
  /** A backup or sync would remove more rows than the event log's deletions explain: refused unless allowMassDelete. */
  MassDelete: -32010,
  /** A write to a store that is open read-only (this process cannot write its folder or database). */
  ReadOnly: -32011,
  /** The request was cancelled ($/cancelRequest) and stopped at a safe point; the error says what it left behind. */
  Cancelled: -32800,
  Internal: -32603,
} as const;

/** Turns zod issues into one line a person can act on: "title: must not be empty; priority: must be one of …". */
export function describeIssues(method: string, error: z.ZodError): string {
  const parts = error.issues.map((i) => {
    const where = i.path.length ? i.path.join('.') : 'params';
    if (i.code === 'unrecognized_keys') return `${where}: unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
    return `${where}: ${i.message}`;
  });
  return `Invalid params for ${method}: ${parts.join('; ')}`;
}

/** Notification sent by the backend whenever the store changed (by this process or any other). */
export const STORE_CHANGED = 'store.changed';
export interface StoreChanged {
  /** Sequence number of the newest event now in the store. */
  lastSeq: number;
  /** Aggregates touched since the previous notification (absent when unknown, e.g. after a restore). */
  aggregates?: { type: string; id: string }[];
}

/** Notification carrying the backend's log lines to the client. */
export const LOG = 'log';
export interface LogMessage {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

/** Notification sent while a backup or restore runs (phase, and done/total where known). */
export const BACKUP_PROGRESS = 'backup.progress';

/** Notification sent while a sync runs (phase: backup, fetch, merge, apply, push). */
export const SYNC_PROGRESS = 'sync.progress';
