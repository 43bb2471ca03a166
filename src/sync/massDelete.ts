// The guard against mass deletion (the rule: "Mass deletion" in src/sync/README.md). A backup that would commit, or
// a sync that would apply, the removal of many rows stops unless the user allows it, as sync tools do — but only for
// removals the event log does not explain: a user who deletes a project with 60 tasks logged 60 `task.deleted`
// events, and those removals go through. An emptied, replaced or damaged database explains nothing.
import { StoreError } from '../store/errors';
import { ERASED } from '../store/erase';
import { rowCount } from '../store/snapshot/rows';
import type { Store } from '../store/store';
import type { TreeDelta } from './applyTree';
import type { ExportResult } from './exporter';
import type { Manifest } from './manifest';

/** More unexplained removals than this, in one table, is a mass deletion whatever the table's size. */
export const MASS_DELETE_ROWS = 50;

/** An event as the guard reads it: its type and its data (the JSON text, as stored). */
export interface LoggedEvent {
  type: string;
  data: unknown;
}

/** Removals per table that events explain; Infinity for rows that go with another (their count is not logged). */
export type Explained = Map<string, number>;

/** A deletion the events name (aggregate → its table); project deletion logs each sprint and task it removes too. */
const DELETED: Record<string, string> = { 'project.deleted': 'projects', 'sprint.deleted': 'sprints', 'task.deleted': 'tasks' };

/** Cheap test before parsing: only these event types explain removals. */
const EXPLAINS = /deleted|Deleted|erased|conflict\.resolved|backup\.restored|memory\.(forgotten|expired)|session\.pruned/;

function dataOf(data: unknown): Record<string, unknown> {
  if (typeof data !== 'string') return (data ?? {}) as Record<string, unknown>;
  try {
    return (JSON.parse(data) ?? {}) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const countOf = (v: unknown) => (typeof v === 'number' && v > 0 ? v : 0);
const lengthOf = (v: unknown) => (Array.isArray(v) ? v.length : 0);

/** How many removals of each table the events explain. */
export function explainedRemovals(events: Iterable<LoggedEvent>): Explained {
  const out: Explained = new Map();
  const add = (table: string, n: number) => out.set(table, (out.get(table) ?? 0) + n);
  for (const e of events) {
    if (!EXPLAINS.test(e.type)) continue;
    const table = DELETED[e.type];
    if (table) {
      add(table, 1);
      continue;
    }
    const data = dataOf(e.data);
    switch (e.type) {
      case ERASED: // an erase removes the project, its sprints, tasks, agent runs, memories, sessions and events, and conflicts on them
        add('projects', 1);
        add('sprints', countOf(data.sprints));
        add('tasks', countOf(data.tasks));
        add('agent_runs', countOf(data.agentRuns));
        add('memories', countOf(data.memories));
        add('agent_sessions', countOf(data.sessions));
        add('session_messages', countOf(data.sessionMessages));
        add('events', countOf(data.events));
        add('conflicts', Infinity);
        break;
      case 'graph.entitiesDeleted': // an entity's observations and relations go with it
        add('graph_entities', lengthOf(data.names));
        add('graph_observations', Infinity);
        add('graph_relations', Infinity);
        break;
      case 'graph.observationsDeleted':
        add('graph_observations', (Array.isArray(data.observations) ? data.observations : []).reduce((n: number, o) => n + lengthOf((o as { deletedObservations?: unknown })?.deletedObservations), 0));
        break;
      case 'memory.forgotten':
      case 'memory.expired': // memory.prune, as retention runs it
        add('memories', 1);
        break;
      case 'session.pruned': // retention: a session's old messages
        add('session_messages', countOf(data.messages));
        break;
      case 'graph.relationsDeleted':
        add('graph_relations', lengthOf(data.relations));
        break;
      case 'conflict.resolved': // keeping the side that had deleted the row removes it
        if (typeof data.table === 'string') add(data.table, 1);
        break;
      case 'backup.restored': // a restore the user asked for logs what it removed, per table
        for (const [t, c] of Object.entries((data.changes ?? {}) as Record<string, { removed?: unknown }>)) add(t, countOf(c?.removed));
        break;
    }
  }
  return out;
}

export interface TableRemoval {
  removed: number;
  /** Removals no event explains. */
  unexplained: number;
  /** Rows the table held before: in the last backup (a backup), in this store (a sync). */
  held: number;
}

/**
 * The tables whose unexplained removals make a mass deletion: more than MASS_DELETE_ROWS, or more than half of what
 * the table held. Empty when there is none.
 */
export function massRemovals(removed: Record<string, number>, held: Record<string, number>, explained: Explained): Record<string, TableRemoval> {
  const out: Record<string, TableRemoval> = {};
  for (const [table, n] of Object.entries(removed)) {
    const unexplained = Math.max(0, n - (explained.get(table) ?? 0));
    const before = held[table] ?? 0;
    if (unexplained > MASS_DELETE_ROWS || (unexplained > 0 && unexplained * 2 > before)) out[table] = { removed: n, unexplained, held: before };
  }
  return out;
}

/** Where the removals were about to go, for the message and `data.operation`. */
export type MassDeleteAt = 'backup' | 'sync-backup' | 'sync-apply';

/** "3 of the 3 tasks and 5 of the 5 events" (`whose`: "the" or "its"). */
export function listed(tables: Record<string, TableRemoval>, whose: string): string {
  const parts = Object.entries(tables).map(([t, r]) => `${r.unexplained} of ${whose} ${r.held} ${t}`);
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0]!;
}

/**
 * The refusal: counts per table in the message and in `data`, and how to go ahead when it is meant. `committed`: the
 * local commit holding this machine's changes; `appliedBefore`: an earlier round of the same sync (whose push lost a
 * race) applied its merge to the store, so the store is not as it was.
 */
export function massDeleteRefusal(at: MassDeleteAt, tables: Record<string, TableRemoval>, committed?: string | null, appliedBefore = false): StoreError {
  const data = { operation: at === 'backup' ? 'backup' : 'sync', direction: at === 'sync-apply' ? 'incoming' : 'outgoing', tables, threshold: { rows: MASS_DELETE_ROWS, fraction: 0.5 } };
  const commit = committed ? ` (commit ${committed.slice(0, 10)})` : '';
  const outcome = appliedBefore
    ? `These removals were not applied and nothing was pushed; what an earlier round of this sync merged is applied, and backed up locally with your changes${commit}.`
    : `Nothing was applied or pushed${committed ? `; your changes are backed up locally${commit}` : ''}.`;
  const message =
    at === 'sync-apply'
      ? `The sync would remove from this store ${listed(tables, 'its')}, and no deletion logged on the other machines explains it (was a store there emptied or replaced?). ${outcome} If that is meant, sync again allowing it (cairn sync --allow-mass-delete; RPC sync.run allowMassDelete: true).`
      : `The ${at === 'backup' ? 'backup' : "sync's backup"} would remove ${listed(tables, 'the')} the last backup held, and no deletion in the event log explains it (was the database emptied, replaced or damaged?). Nothing was committed${at === 'backup' ? '' : ', merged or pushed'}. If that is meant, ${at === 'backup' ? 'back up again allowing it (cairn backup --allow-mass-delete; RPC backup.run' : 'sync again allowing it (cairn sync --allow-mass-delete; RPC sync.run'} allowMassDelete: true); to get the rows back instead, restore the last backup (cairn restore HEAD).`;
  return new StoreError('mass_delete', message, data);
}

/**
 * The mass removals of a backup of a store that holds none of the rows its last backup held (a new store: its log
 * holds only the indexers' events, which explain nothing): every row of `tables` that backup held.
 */
export function everyRowLost(previous: Manifest, tables: readonly string[]): Record<string, TableRemoval> {
  const held = Object.fromEntries(Object.entries(previous.tables).map(([t, m]) => [t, m.rows]));
  const removed = Object.fromEntries(tables.filter((t) => (held[t] ?? 0) > 0).map((t) => [t, held[t]!]));
  return massRemovals(removed, held, new Map());
}

/** A backup's mass removals: what its export removed, against what the last backup held and the new events explain. */
export function backupMassRemovals(exported: ExportResult, previous: Manifest | null): Record<string, TableRemoval> {
  const removed = Object.fromEntries(Object.entries(exported.changes).filter(([, c]) => c.removed > 0).map(([t, c]) => [t, c.removed]));
  if (!previous || !Object.keys(removed).length) return {};
  const held = Object.fromEntries(Object.entries(previous.tables).map(([t, m]) => [t, m.rows]));
  // The events new since the last backup are the fresh lines of the events shards (events never change).
  const newEvents = exported.written
    .filter((w) => w.table === 'events')
    .flatMap((w) => w.freshLines.map((i) => w.lines[i]!))
    .filter((line) => EXPLAINS.test(line))
    .map((line) => JSON.parse(line) as LoggedEvent);
  return massRemovals(removed, held, explainedRemovals(newEvents));
}

/**
 * A sync's mass removals: the rows applying the merged result removes from this store, against what it holds.
 * `erasedHere`: this store's rows of projects erased elsewhere that the merge dropped (mergeTree.ts), which the other
 * machine's erase explains although its log could not count them (they were added or changed here).
 */
export async function incomingMassRemovals(store: Store, delta: TreeDelta, erasedHere: Record<string, number> = {}): Promise<Record<string, TableRemoval>> {
  const removed = Object.fromEntries(delta.rows.filter((t) => t.deleted.length).map((t) => [t.spec.name, t.deleted.length]));
  if (!Object.keys(removed).length) return {};
  const held: Record<string, number> = {};
  for (const table of Object.keys(removed)) held[table] = await rowCount(store.conn, table);
  // The events the merge brings are what the other machines logged: their deletions explain removals here.
  const events = delta.rows.find((t) => t.spec.name === 'events');
  const [type, data] = ['type', 'data'].map((c) => events?.spec.columns.indexOf(c) ?? -1);
  const incoming = events && type! >= 0 ? events.upserted.map((row) => ({ type: String(row[type!]), data: row[data!] })) : [];
  const explained = explainedRemovals(incoming);
  for (const [table, n] of Object.entries(erasedHere)) explained.set(table, (explained.get(table) ?? 0) + n);
  return massRemovals(removed, held, explained);
}
