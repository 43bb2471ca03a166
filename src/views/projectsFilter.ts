// What the Projects view shows of each project's tasks: a filter (hide finished work, only my tasks) and a grouping
// (by sprint, as the store holds them, or by status, assignee or priority). Kept per workspace; the view's
// description names it, so a filtered tree never passes for the whole store.
import { OPEN_TASK_STATUSES, type TaskPriority, type TaskStatus } from '../store/schema';
import type { TreeGrouping, TreeView } from '../store/taskTree';
import { STATUS_ICONS } from './statusIcons';

export type Grouping = TreeGrouping;
export const GROUPINGS: readonly Grouping[] = ['sprint', 'status', 'assignee', 'priority'];

export interface ProjectsFilter {
  /** Hide done and cancelled tasks. */
  hideDone: boolean;
  /** Only tasks assigned to me (setting cairn.userName, else the OS user). */
  mine: boolean;
  groupBy: Grouping;
}

export const NO_FILTER: ProjectsFilter = { hideDone: false, mine: false, groupBy: 'sprint' };

/** A stored filter as far as it is valid (workspace state written by another version may not be). */
export function readFilter(stored: unknown): ProjectsFilter {
  const s = (typeof stored === 'object' && stored !== null ? stored : {}) as Partial<Record<keyof ProjectsFilter, unknown>>;
  return {
    hideDone: s.hideDone === true,
    mine: s.mine === true,
    groupBy: GROUPINGS.includes(s.groupBy as Grouping) ? (s.groupBy as Grouping) : 'sprint',
  };
}

export const isFiltered = (f: ProjectsFilter): boolean => f.hideDone || f.mine || f.groupBy !== 'sprint';

/** The view's description: empty for the whole tree as the store holds it. */
export function describeFilter(f: ProjectsFilter, me: string): string {
  return [f.mine ? `@${me}'s tasks` : '', f.hideDone ? 'hiding done' : '', f.groupBy !== 'sprint' ? `by ${f.groupBy}` : ''].filter(Boolean).join(' · ');
}

/** Whether the filter hides tasks (a grouping only arranges them). */
export const hidesTasks = (f: ProjectsFilter): boolean => f.hideDone || f.mine;

/** What the tree asks the backend for (tasks.tree, tasks.treeSections, tasks.treePlace) under the filter. */
export function treeQuery(f: ProjectsFilter, me: string): TreeView & { statuses?: TaskStatus[] } {
  return { groupBy: f.groupBy, ...(f.hideDone ? { statuses: [...OPEN_TASK_STATUSES] } : {}), ...(f.mine ? { assignee: me } : {}) };
}

const PRIORITY_ICONS: Record<TaskPriority, string> = { urgent: 'flame', high: 'arrow-up', medium: 'dash', low: 'arrow-down' };

/** A group's row: its label and codicon, by its key (a status, a priority, an assignee; '' for the unassigned). */
export function groupLook(by: Exclude<Grouping, 'sprint'>, key: string): { label: string; icon: string } {
  if (by === 'status') return { label: STATUS_ICONS[key as TaskStatus].label, icon: STATUS_ICONS[key as TaskStatus].icon };
  if (by === 'priority') return { label: key[0]!.toUpperCase() + key.slice(1), icon: PRIORITY_ICONS[key as TaskPriority] };
  return key ? { label: `@${key}`, icon: 'person' } : { label: 'Unassigned', icon: 'circle-slash' };
}
