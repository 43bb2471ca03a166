// Swimlanes: the board's columns repeated in one band per sprint or per assignee (or one band, no lanes). A lane is
// the board's filter narrowed to its sprint or assignee; its key names it in the page ("s:<sprint id>", "a:<name>";
// "s:" no sprint, "a:" unassigned; "" no lanes). Pure (no DOM).
import type { BoardFilter, LaneMode } from '../../views/taskBoard/messages';

export interface Lane {
  key: string;
  label: string;
  /** Cards in the lane under the filter (the shown columns). */
  total: number;
}

/** The one lane of a board without lanes. */
export const NO_LANES: Lane = { key: '', label: '', total: 0 };

export function laneKey(mode: LaneMode, value: string | null): string {
  if (mode === 'none') return '';
  return `${mode === 'sprint' ? 's' : 'a'}:${value ?? ''}`;
}

/** The board's filter narrowed to a lane. */
export function laneFilter(filter: BoardFilter, key: string): BoardFilter {
  if (key.startsWith('s:')) {
    const id = key.slice(2);
    return { ...filter, sprint: id ? { kind: 'id', id } : { kind: 'none' } };
  }
  if (key.startsWith('a:')) {
    const name = key.slice(2);
    return { ...filter, assignee: name ? { kind: 'name', name } : { kind: 'unassigned' } };
  }
  return filter;
}

/** What a new task created in a lane gets besides its column: the lane's sprint or assignee. */
export function laneFields(key: string, filter: BoardFilter): { sprintId: string | null; assignee?: string } {
  const sprintId = filter.sprint.kind === 'id' ? filter.sprint.id : null;
  if (key.startsWith('s:')) return { sprintId: key.slice(2) || null };
  if (key.startsWith('a:') && key.length > 2) return { sprintId, assignee: key.slice(2) };
  return { sprintId };
}

/** What moving a card into a lane changes: its sprint or its assignee (null: out of any sprint, unassigned). */
export function laneChange(key: string): { sprintId: string | null } | { assignee: string | null } | Record<string, never> {
  if (key.startsWith('s:')) return { sprintId: key.slice(2) || null };
  if (key.startsWith('a:')) return { assignee: key.slice(2) || null };
  return {};
}

/**
 * The lanes in board order, labelled: sprints in the order the store lists them (with their project's name when the
 * board shows every project), then "No sprint"; assignees by name, then "Unassigned".
 */
export function orderLanes(
  mode: LaneMode,
  found: readonly { key: string | null; total: number }[],
  sprints: readonly { id: string; name: string; projectId: string }[],
  projectName: (id: string) => string,
  allProjects: boolean,
): Lane[] {
  if (mode === 'none') return [{ ...NO_LANES, total: found.reduce((a, l) => a + l.total, 0) }];
  const lanes = found.map((l) => {
    if (mode === 'sprint') {
      const sprint = l.key === null ? undefined : sprints.find((s) => s.id === l.key);
      const label = l.key === null ? 'No sprint' : sprint ? (allProjects ? `${sprint.name} (${projectName(sprint.projectId)})` : sprint.name) : l.key;
      return { key: laneKey(mode, l.key), label, total: l.total, order: l.key === null ? Infinity : sprint ? sprints.indexOf(sprint) : sprints.length };
    }
    return { key: laneKey(mode, l.key), label: l.key ?? 'Unassigned', total: l.total, order: l.key === null ? Infinity : 0 };
  });
  lanes.sort((a, b) => a.order - b.order || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return lanes.map(({ key, label, total }) => ({ key, label, total }));
}
