// What the Projects view shows of each project's tasks: a filter (hide finished work, only my tasks) and a grouping
// (by sprint, as the store holds them, or by status, assignee or priority). Kept per workspace; the view's
// description names it, so a filtered tree never passes for the whole store.
import { OPEN_TASK_STATUSES, TASK_PRIORITIES, type TaskPriority, type TaskRow, type TaskStatus } from '../store/schema';
import { STATUS_ICONS } from './statusIcons';

export const GROUPINGS = ['sprint', 'status', 'assignee', 'priority'] as const;
export type Grouping = (typeof GROUPINGS)[number];

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

/** tasks.list params for one project under the filter. */
export function taskQuery(projectId: string, f: ProjectsFilter, me: string): { projectId: string; status?: TaskStatus[]; assignee?: string } {
  return { projectId, ...(f.hideDone ? { status: [...OPEN_TASK_STATUSES] } : {}), ...(f.mine ? { assignee: me } : {}) };
}

export interface TaskGroup {
  key: string;
  label: string;
  icon: string;
  tasks: TaskRow[];
}

const PRIORITIES = [...TASK_PRIORITIES].reverse(); // urgent first
const PRIORITY_ICONS: Record<TaskPriority, string> = { urgent: 'flame', high: 'arrow-up', medium: 'dash', low: 'arrow-down' };

/** Tasks in groups for a grouping other than by sprint, in the grouping's natural order; empty groups are left out. */
export function groupTasks(tasks: readonly TaskRow[], by: Exclude<Grouping, 'sprint'>): TaskGroup[] {
  const groups = new Map<string, TaskRow[]>();
  for (const t of tasks) {
    const key = by === 'status' ? t.status : by === 'priority' ? t.priority : (t.assignee ?? '');
    const list = groups.get(key) ?? [];
    list.push(t);
    groups.set(key, list);
  }
  const order: string[] =
    by === 'status' ? Object.keys(STATUS_ICONS) : by === 'priority' ? [...PRIORITIES] : [...groups.keys()].filter((k) => k !== '').sort((a, b) => a.localeCompare(b)).concat('');
  return order
    .filter((key) => groups.has(key))
    .map((key) => ({
      key,
      tasks: groups.get(key)!,
      label: by === 'status' ? STATUS_ICONS[key as TaskStatus].label : by === 'priority' ? key[0].toUpperCase() + key.slice(1) : key ? `@${key}` : 'Unassigned',
      icon: by === 'status' ? STATUS_ICONS[key as TaskStatus].icon : by === 'priority' ? PRIORITY_ICONS[key as TaskPriority] : key ? 'person' : 'circle-slash',
    }));
}
