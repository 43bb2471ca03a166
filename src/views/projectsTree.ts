// The Projects view: projects → sprints → tasks (subtasks under their parent), rendered only from what the
// backend returns. A project's sprints and tasks are fetched once when it is expanded and dropped on every
// store change, so the tree always shows the store as it is now.
import * as vscode from 'vscode';
import type { BackendClient } from '../extension/backendClient';
import type { Project } from '../store/projects';
import type { SprintRow, TaskRow } from '../store/schema';
import { encryptedRows } from './encryptedFields';
import { sprintDates, type GroupNode, type MoreNode, type ProjectNode, type SprintNode, type TaskNode, type TreeNode } from './nodes';
import { groupTasks, isFiltered, NO_FILTER, taskQuery, type ProjectsFilter } from './projectsFilter';
import { statusIcon, STATUS_ICONS } from './taskPresentation';

interface ProjectContents {
  /** What sits under the project before its own tasks: its sprints, or the groups of a grouping. */
  sections: (SprintNode | GroupNode)[];
  /** Tasks by the id of what they sit under: a parent task, a sprint, or the project itself. */
  childrenOf: Map<string, TaskNode[]>;
  parentOf: Map<string, TreeNode>;
}

const open = (c: Project['taskCounts']) => (c.pending ?? 0) + (c.in_progress ?? 0) + (c.blocked ?? 0);
const total = (c: Project['taskCounts']) => Object.values(c).reduce((a, b) => a + (b ?? 0), 0);

/** Tasks shown per page under one parent: a 10,000-task project paints its first page at once. */
export const PAGE_SIZE = 500;

export class ProjectsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private projects: ProjectNode[] | undefined;
  private contents = new Map<string, Promise<ProjectContents>>();
  private refreshTimer: NodeJS.Timeout | undefined;
  /** How many tasks to show under each parent (by its id); grows by PAGE_SIZE with each "Show more". */
  private readonly shown = new Map<string, number>();

  constructor(
    private readonly backend: BackendClient,
    private readonly onError: (err: unknown) => void,
    private readonly view: {
      /** The filter and grouping (Filter Projects View), and who "my tasks" are. */
      filter: () => ProjectsFilter;
      me: () => string;
      /** Rows the user left expanded, drawn expanded again after a reload. */
      isExpanded: (id: string) => boolean;
    } = { filter: () => NO_FILTER, me: () => '', isExpanded: () => false },
  ) {}

  private collapsed(id: string): vscode.TreeItemCollapsibleState {
    return this.view.isExpanded(id) ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
  }

  /** Forgets everything and redraws; bursts of changes (a CLI adding 1,000 tasks) are folded into one redraw. */
  refresh(debounceMs = 50): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.projects = undefined;
      this.contents.clear();
      this.emitter.fire(undefined);
    }, debounceMs);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (node.kind === 'project') {
      const p = node.project;
      const item = new vscode.TreeItem(p.name, this.collapsed(p.id));
      item.id = p.id;
      item.contextValue = 'project';
      item.iconPath = new vscode.ThemeIcon('project');
      item.description = `${open(p.taskCounts)} open · ${total(p.taskCounts)} tasks`;
      item.tooltip = new vscode.MarkdownString(`**${escape(p.name)}**\n\n${escape(p.description)}\n\n\`${p.id}\``);
      return item;
    }
    if (node.kind === 'sprint') {
      const s = node.sprint;
      const item = new vscode.TreeItem(s.name, this.collapsed(s.id));
      item.id = s.id;
      item.contextValue = 'sprint';
      item.iconPath = new vscode.ThemeIcon('milestone');
      item.description = [s.status, sprintDates(s)].filter(Boolean).join(' · ');
      item.tooltip = new vscode.MarkdownString(`**${escape(s.name)}** (${s.status}${sprintDates(s) ? `, ${escape(sprintDates(s))}` : ''})\n\n${escape(s.goal)}\n\n\`${s.id}\``);
      return item;
    }
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.label, this.collapsed(node.id));
      item.id = node.id;
      item.contextValue = 'group';
      item.iconPath = new vscode.ThemeIcon(node.icon);
      item.description = `${node.count}`;
      return item;
    }
    if (node.kind === 'more') {
      const item = new vscode.TreeItem(`Show ${Math.min(PAGE_SIZE, node.hidden)} more…`, vscode.TreeItemCollapsibleState.None);
      item.id = `more:${node.parentKey}`;
      item.contextValue = 'more';
      item.description = `${node.hidden} not shown`;
      item.iconPath = new vscode.ThemeIcon('ellipsis');
      item.command = { command: 'cairn.showMore', title: 'Show More', arguments: [node] };
      return item;
    }
    const t = node.task;
    const item = new vscode.TreeItem(t.title, node.hasChildren ? this.collapsed(t.id) : vscode.TreeItemCollapsibleState.None);
    item.id = t.id;
    item.contextValue = 'task';
    // A click opens the task's editor; Reveal Task (code lenses, the board's card menu) still selects it here.
    item.command = { command: 'cairn.openTask', title: 'Open Task', arguments: [node] };
    item.iconPath = statusIcon(t.status);
    item.description = [t.assignee ? `@${t.assignee}` : '', t.priority === 'high' || t.priority === 'urgent' ? t.priority : ''].filter(Boolean).join(' · ');
    item.accessibilityInformation = { label: `${t.title}, ${STATUS_ICONS[t.status].label}${t.assignee ? `, assigned to ${t.assignee}` : ''}` };
    return item;
  }

  /** Task tooltips are built on hover only: building 10,000 of them up front slowed the first paint. */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    if (node.kind !== 'task') return item;
    const t = node.task;
    const rows = [
      `**${escape(t.title)}**`,
      '',
      `| | |`,
      `|---|---|`,
      `| Status | ${STATUS_ICONS[t.status].label} |`,
      `| Priority | ${t.priority} |`,
      `| Assignee | ${t.assignee ? escape(t.assignee) : '—'} |`,
      ...(t.tags.length ? [`| Tags | ${t.tags.map(escape).join(', ')} |`] : []),
      ...(t.estimatedMinutes !== null ? [`| Estimate | ${t.estimatedMinutes} min |`] : []),
      ...(t.actualMinutes !== null ? [`| Actual | ${t.actualMinutes} min |`] : []),
      ...(t.tokensIn !== null || t.tokensOut !== null ? [`| Tokens | ${t.tokensIn ?? 0} in / ${t.tokensOut ?? 0} out |`] : []),
      ...(t.qualityScore !== null ? [`| Quality | ${t.qualityScore} |`] : []),
      ...encryptedRows(t),
      `| Version | ${t.version} |`,
      '',
      `\`${t.id}\``,
    ];
    item.tooltip = new vscode.MarkdownString(rows.join('\n'));
    return item;
  }

  /** Shows the next page of tasks under the parent of a "Show more" node. */
  showMore(node: MoreNode): void {
    this.shown.set(node.parentKey, (this.shown.get(node.parentKey) ?? PAGE_SIZE) + PAGE_SIZE);
    this.emitter.fire(undefined); // contents stay cached: only the grown list is redrawn
  }

  private page(key: string, projectId: string, tasks: TaskNode[]): TreeNode[] {
    const limit = this.shown.get(key) ?? PAGE_SIZE;
    if (tasks.length <= limit) return tasks;
    return [...tasks.slice(0, limit), { kind: 'more', parentKey: key, projectId, hidden: tasks.length - limit }];
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    try {
      if (!node) return await this.loadProjects();
      if (node.kind === 'project') {
        const c = await this.loadContents(node.project.id);
        return [...c.sections, ...this.page(node.project.id, node.project.id, c.childrenOf.get(node.project.id) ?? [])];
      }
      if (node.kind === 'more') return [];
      const key = node.kind === 'sprint' ? node.sprint.id : node.kind === 'group' ? node.id : node.task.id;
      const projectId = node.kind === 'sprint' ? node.sprint.projectId : node.kind === 'group' ? node.projectId : node.task.projectId;
      return this.page(key, projectId, (await this.loadContents(projectId)).childrenOf.get(key) ?? []);
    } catch (err) {
      this.onError(err);
      return [];
    }
  }

  async getParent(node: TreeNode): Promise<TreeNode | undefined> {
    if (node.kind === 'project') return undefined;
    const projectId = node.kind === 'sprint' ? node.sprint.projectId : node.kind === 'task' ? node.task.projectId : node.projectId;
    const key = node.kind === 'sprint' ? node.sprint.id : node.kind === 'task' ? node.task.id : node.kind === 'group' ? node.id : node.parentKey;
    const contents = await this.loadContents(projectId);
    if (node.kind === 'more') {
      // The "more" node sits under the parent whose list it continues.
      return (await this.loadProjects()).find((p) => p.project.id === key) ?? contents.parentOf.get(key) ?? findById(contents, key);
    }
    const parent = contents.parentOf.get(key);
    return parent ?? (await this.loadProjects()).find((p) => p.project.id === projectId);
  }

  private async loadProjects(): Promise<ProjectNode[]> {
    if (!this.projects) {
      const rows = await this.backend.request<'projects.list', Project[]>('projects.list', {});
      this.projects = rows.map((project) => ({ kind: 'project', project }));
    }
    return this.projects;
  }

  private loadContents(projectId: string): Promise<ProjectContents> {
    let c = this.contents.get(projectId);
    if (!c) {
      c = this.fetchContents(projectId);
      c.catch(() => this.contents.delete(projectId));
      this.contents.set(projectId, c);
    }
    return c;
  }

  private async fetchContents(projectId: string): Promise<ProjectContents> {
    const filter = this.view.filter();
    const [sprintRows, taskRows] = await Promise.all([
      filter.groupBy === 'sprint' ? this.backend.request<'sprints.list', SprintRow[]>('sprints.list', { projectId }) : Promise.resolve([]),
      this.backend.request<'tasks.list', TaskRow[]>('tasks.list', taskQuery(projectId, filter, this.view.me())),
    ]);
    const childrenOf = new Map<string, TaskNode[]>();
    const parentOf = new Map<string, TreeNode>();
    if (filter.groupBy !== 'sprint') {
      // Grouped: each task once, flat under its group.
      const sections = groupTasks(taskRows, filter.groupBy).map((g): GroupNode => {
        const group: GroupNode = { kind: 'group', projectId, id: `group:${projectId}:${filter.groupBy}:${g.key}`, label: g.label, icon: g.icon, count: g.tasks.length };
        childrenOf.set(group.id, g.tasks.map((task) => ({ kind: 'task', task, hasChildren: false })));
        for (const t of g.tasks) parentOf.set(t.id, group);
        return group;
      });
      return { sections, childrenOf, parentOf };
    }
    const byId = new Map(taskRows.map((t) => [t.id, t]));
    const hasChildren = new Set(taskRows.map((t) => t.parentId).filter((id): id is string => !!id && byId.has(id)));
    const taskNodes = new Map(taskRows.map((task) => [task.id, { kind: 'task', task, hasChildren: hasChildren.has(task.id) } as TaskNode]));
    const sprintNodes = new Map(sprintRows.map((sprint) => [sprint.id, { kind: 'sprint', sprint } as SprintNode]));
    for (const node of taskNodes.values()) {
      const t = node.task;
      const parent = (t.parentId && taskNodes.get(t.parentId)) || (t.sprintId && sprintNodes.get(t.sprintId)) || undefined;
      const key = parent ? (parent.kind === 'task' ? parent.task.id : parent.sprint.id) : projectId;
      if (parent) parentOf.set(t.id, parent);
      const list = childrenOf.get(key) ?? [];
      list.push(node);
      childrenOf.set(key, list);
    }
    // Filtered, a sprint with none of the tasks shown is noise.
    const sprints = [...sprintNodes.values()].filter((s) => !isFiltered(filter) || childrenOf.has(s.sprint.id));
    return { sections: sprints, childrenOf, parentOf };
  }

  /** Every node currently loaded, for commands that pick a task or project without a selection. */
  async allProjects(): Promise<ProjectNode[]> {
    return this.loadProjects();
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.emitter.dispose();
  }
}

function findById(c: ProjectContents, id: string): TreeNode | undefined {
  return c.sections.find((s) => (s.kind === 'sprint' ? s.sprint.id : s.id) === id) ?? [...c.childrenOf.values()].flat().find((t) => t.task.id === id);
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

