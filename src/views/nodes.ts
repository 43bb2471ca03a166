// The shapes the Projects tree holds: what the backend returned, tagged with the kind of node.
import type { Project } from '../store/projects';
import type { SprintRow, TaskRow } from '../store/schema';

export type ProjectNode = { kind: 'project'; project: Project };
export type SprintNode = { kind: 'sprint'; sprint: SprintRow };
export type TaskNode = { kind: 'task'; task: TaskRow; hasChildren: boolean };
/** Stands for the tasks of a long list not shown yet; clicking it shows the next page. */
export type MoreNode = { kind: 'more'; parentKey: string; projectId: string; hidden: number };
/** A project's tasks of one status, assignee or priority, when the view groups by that (Filter Projects View). */
export type GroupNode = { kind: 'group'; projectId: string; id: string; label: string; icon: string; count: number };
export type TreeNode = ProjectNode | SprintNode | TaskNode | MoreNode | GroupNode;
export type EntityNode = Exclude<TreeNode, MoreNode | GroupNode>;

export const nodeLabel = (n: EntityNode | GroupNode): string => (n.kind === 'project' ? n.project.name : n.kind === 'sprint' ? n.sprint.name : n.kind === 'group' ? n.label : n.task.title);

/** A sprint's dates as the tree and the pickers show them; empty without dates. */
export const sprintDates = (s: Pick<SprintRow, 'startsOn' | 'endsOn'>): string => (s.startsOn || s.endsOn ? `${s.startsOn ?? '…'} → ${s.endsOn ?? '…'}` : '');
