// The shapes the Projects tree holds: what the backend returned, tagged with the kind of node.
import type { Project } from '../store/projects';
import type { SprintRow, TaskRow } from '../store/schema';

export type ProjectNode = { kind: 'project'; project: Project };
export type SprintNode = { kind: 'sprint'; sprint: SprintRow };
export type TaskNode = { kind: 'task'; task: TaskRow; hasChildren: boolean };
/** Stands for the tasks of a long list not shown yet; clicking it shows the next page. */
export type MoreNode = { kind: 'more'; parentKey: string; projectId: string; hidden: number };
export type TreeNode = ProjectNode | SprintNode | TaskNode | MoreNode;
export type EntityNode = Exclude<TreeNode, MoreNode>;

export const nodeLabel = (n: EntityNode): string => (n.kind === 'project' ? n.project.name : n.kind === 'sprint' ? n.sprint.name : n.task.title);
