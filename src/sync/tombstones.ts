// An erase is a tombstone for sync. `cairn project erase` leaves one `project.erased` event; a merge that still
// finds rows of that project (or events about them) — sent by a machine that had not heard of the erase, or
// edited there meanwhile — drops them, so the erase wins on every machine. The rows are found the way the store's
// erase finds them (src/store/projectRows.ts, erase.ts): the project, its sprints and tasks, the agent runs against
// those tasks, its memories, its agent sessions and their messages, every event about any of them or naming the
// project, and the conflicts recorded on them.
//
// Only the shards a merge touches are looked at, and only the tombstones a side added since the merge base: a
// tombstone already in the base was honoured by the erase or merge that put it there, and a row of an erased project
// that neither side changed since would have had to survive that erase on both sides.
import { ERASED } from '../store/erase';
import type { Fields } from './merge';

export interface ShardSides {
  base: Map<string, string>;
  mine: Map<string, string>;
  theirs: Map<string, string>;
}

const MARKER = `"type":"${ERASED}"`;
const tableOf = (rel: string) => rel.split('/')[1]!;

/** The tombstones either side added since the base (event id → project id), from the changed shards' events. */
export function newTombstones(sides: Map<string, ShardSides>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [rel, s] of sides) {
    if (tableOf(rel) !== 'events') continue;
    for (const side of [s.mine, s.theirs]) {
      if (side === s.base) continue;
      for (const [key, line] of side) {
        if (s.base.has(key) || !line.includes(MARKER)) continue;
        const row = JSON.parse(line) as Fields;
        if (row.type === ERASED) out.set(key, String(row.aggregate_id));
      }
    }
  }
  return out;
}

const dataOf = (row: Fields): Fields => {
  try {
    return typeof row.data === 'string' ? (JSON.parse(row.data) as Fields) : {};
  } catch {
    return {};
  }
};

/** Keys of every aggregate of the erased projects seen in any version (base, mine, theirs) of the changed shards. */
export function erasedAggregateIds(projects: ReadonlySet<string>, sides: Map<string, ShardSides>): Set<string> {
  const ids = new Set(projects);
  const rows = (table: string) =>
    [...sides].filter(([rel]) => tableOf(rel) === table).flatMap(([, s]) => [s.base, s.mine, s.theirs].flatMap((m) => [...m.values()].map((l) => JSON.parse(l) as Fields)));
  for (const table of ['sprints', 'tasks']) for (const r of rows(table)) if (projects.has(String(r.project_id))) ids.add(String(r.id));
  const events = rows('events');
  for (const e of events) {
    // Sprints and tasks deleted earlier: their creation (and deletion) events name the project.
    if ((e.aggregate_type === 'task' || e.aggregate_type === 'sprint') && projects.has(String(dataOf(e).projectId))) ids.add(String(e.aggregate_id));
  }
  for (const r of rows('agent_runs')) if (ids.has(String(r.task_id))) ids.add(String(r.id));
  for (const e of events) if (e.type === 'agent_run.recorded' && ids.has(String(dataOf(e).taskId))) ids.add(String(e.aggregate_id));
  for (const r of rows('agent_sessions')) if (projects.has(String(r.project_id))) ids.add(String(r.id));
  for (const e of events) if (e.type === 'session.started' && projects.has(String(dataOf(e).projectId))) ids.add(String(e.aggregate_id));
  return ids;
}

/** Whether a row belongs to an erased project (the tombstones themselves stay). */
export function isErasedRow(table: string, row: Fields, projects: ReadonlySet<string>, ids: ReadonlySet<string>): boolean {
  switch (table) {
    case 'projects':
      return projects.has(String(row.id));
    case 'sprints':
    case 'tasks':
      return ids.has(String(row.id)) || projects.has(String(row.project_id));
    case 'agent_runs':
      return ids.has(String(row.id)) || ids.has(String(row.task_id));
    case 'memories':
      return projects.has(String(row.project_id));
    case 'agent_sessions':
      return ids.has(String(row.id)) || projects.has(String(row.project_id));
    case 'session_messages':
      return ids.has(String(row.session_id));
    case 'events':
      if (row.type === ERASED) return false;
      return ids.has(String(row.aggregate_id)) || [...projects].some((p) => String(row.data ?? '').includes(p));
    case 'conflicts':
      return ids.has(String(row.row_key));
    default:
      return false;
  }
}

/**
 * Removes the erased projects' rows from the merged shards; returns how many per table, and how many of those this
 * machine holds (`heldHere`: its rows added to, or changed in, a project erased elsewhere, which the erase removes here).
 */
export function dropErasedRows(
  projects: ReadonlySet<string>,
  ids: ReadonlySet<string>,
  shards: Map<string, Map<string, string>>,
  heldHere: (rel: string, key: string) => boolean,
): { dropped: Record<string, number>; droppedHere: Record<string, number> } {
  const dropped: Record<string, number> = {};
  const droppedHere: Record<string, number> = {};
  for (const [rel, lines] of shards) {
    const table = tableOf(rel);
    for (const [key, line] of lines) {
      if (!isErasedRow(table, JSON.parse(line) as Fields, projects, ids)) continue;
      lines.delete(key);
      dropped[table] = (dropped[table] ?? 0) + 1;
      if (heldHere(rel, key)) droppedHere[table] = (droppedHere[table] ?? 0) + 1;
    }
  }
  return { dropped, droppedHere };
}
