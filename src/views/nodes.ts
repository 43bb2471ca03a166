// The shapes the Projects tree holds: what the backend returned, tagged with the kind of node.
import type { Project } from '../store/projects';
import type { Revealed } from '../store/crypto/fields';
import type { SprintRow } from '../store/schema';
import type { TreeTaskRow } from '../store/taskTree';

export type ProjectNode = { kind: 'project'; project: Project };
export type SprintNode = { kind: 'sprint'; sprint: SprintRow };
/** What a task row shows and its commands use: the tree's fields of it (tasks.tree), or a whole task (tasks.get). */
export type ShownTask = Omit<TreeTaskRow, 'sealedFields'> & Revealed;
export type TaskNode = { kind: 'task'; task: ShownTask; hasChildren: boolean };
/** A project's tasks of one status, assignee or priority, when the view groups by that (Filter Projects View);
 * `key`: the status, priority or assignee ('' for the unassigned). */
export type GroupNode = { kind: 'group'; projectId: string; id: string; key: string; label: string; icon: string; count: number };
/** A node with a list of tasks under it (tasks.tree's levels). */
export type ListNode = ProjectNode | SprintNode | GroupNode | TaskNode;
/** Stands for the tasks of a long list not shown yet; clicking it shows the next page. */
export type MoreNode = { kind: 'more'; parent: ListNode; hidden: number };
export type TreeNode = ProjectNode | SprintNode | TaskNode | MoreNode | GroupNode;
export type EntityNode = Exclude<TreeNode, MoreNode | GroupNode>;

/** The id of what a list node stands for (a group's is made up: `group:<project>:<grouping>:<key>`). */
export const nodeKey = (n: ListNode): string => (n.kind === 'project' ? n.project.id : n.kind === 'sprint' ? n.sprint.id : n.kind === 'group' ? n.id : n.task.id);

export const nodeLabel = (n: EntityNode | GroupNode): string => (n.kind === 'project' ? n.project.name : n.kind === 'sprint' ? n.sprint.name : n.kind === 'group' ? n.label : n.task.title);

/** A sprint's dates as the tree and the pickers show them; empty without dates. */
export const sprintDates = (s: Pick<SprintRow, 'startsOn' | 'endsOn'>): string => (s.startsOn || s.endsOn ? `${s.startsOn ?? '…'} → ${s.endsOn ?? '…'}` : '');
