// The Projects view: projects → sprints → tasks (subtasks under their parent), or projects → groups → tasks, rendered
// only from what the backend returns. The tree never asks for all of a project's tasks: each node's tasks come a
// page at a time (tasks.tree, through ProjectsTreeLevels), and are dropped on every store change, so the tree always
// shows the store as it is now.
import * as vscode from 'vscode';
import type { BackendClient } from '../extension/backendClient';
import type { Project } from '../store/projects';
import { encryptedRows } from './encryptedFields';
import { nodeKey, sprintDates, type MoreNode, type ProjectNode, type TaskNode, type TreeNode } from './nodes';
import { hidesTasks, NO_FILTER, type ProjectsFilter } from './projectsFilter';
import { PAGE_SIZE, ProjectsTreeLevels } from './projectsTreeLevels';
import { statusIcon, STATUS_ICONS } from './taskPresentation';

const open = (c: Project['taskCounts']) => (c.pending ?? 0) + (c.in_progress ?? 0) + (c.blocked ?? 0);
const total = (c: Project['taskCounts']) => Object.values(c).reduce((a, b) => a + (b ?? 0), 0);

export class ProjectsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private projects: ProjectNode[] | undefined;
  private readonly levels: ProjectsTreeLevels;
  private refreshTimer: NodeJS.Timeout | undefined;

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
  ) {
    this.levels = new ProjectsTreeLevels(backend, view);
  }

  private collapsed(id: string): vscode.TreeItemCollapsibleState {
    return this.view.isExpanded(id) ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
  }

  /** Forgets everything and redraws; bursts of changes (a CLI adding 1,000 tasks) are folded into one redraw. */
  refresh(debounceMs = 50): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.projects = undefined;
      this.levels.forget();
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
      item.id = `more:${nodeKey(node.parent)}`;
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

  /** Shows the next page of tasks under the node a "Show more" node continues. */
  async showMore(node: MoreNode): Promise<void> {
    await this.levels.showMore(node.parent);
    this.emitter.fire(undefined); // only the grown list is new: the rest is still loaded
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    try {
      if (!node) return await this.loadProjects();
      if (node.kind === 'more') return [];
      const [sections, level] = await Promise.all([node.kind === 'project' ? this.levels.sectionsOf(node) : [], this.levels.tasksUnder(node)]);
      const more: MoreNode[] = level.tasks.length < level.total ? [{ kind: 'more', parent: node, hidden: level.total - level.tasks.length }] : [];
      return [...sections, ...level.tasks, ...more];
    } catch (err) {
      this.onError(err);
      return [];
    }
  }

  async getParent(node: TreeNode): Promise<TreeNode | undefined> {
    if (node.kind === 'project') return undefined;
    if (node.kind === 'more') return node.parent;
    if (node.kind === 'task') {
      // A task the view has not loaded (Reveal Task): load the pages down to it first.
      if (!this.levels.parentOf(node.task.id)) await this.locate(node.task.id);
      return this.levels.parentOf(node.task.id);
    }
    return this.projectNode(node.kind === 'sprint' ? node.sprint.projectId : node.projectId);
  }

  /**
   * The task's node, with the pages from its project down to it loaded (Reveal Task: a task beyond the first page
   * is revealed all the same); undefined when the view does not show it (its filter hides it).
   */
  async locate(taskId: string): Promise<TaskNode | undefined> {
    const found = await this.levels.locate(taskId, (id) => this.projectNode(id));
    // The workbench keeps the rows it was given: a list that grew must be asked for again before a reveal.
    if (found?.grew) this.emitter.fire(undefined);
    return found?.node;
  }

  /** Whether the view's filter hides tasks (a grouping only arranges them). */
  hidesTasks(): boolean {
    return hidesTasks(this.view.filter());
  }

  private async projectNode(id: string): Promise<ProjectNode | undefined> {
    return (await this.loadProjects()).find((p) => p.project.id === id);
  }

  private async loadProjects(): Promise<ProjectNode[]> {
    if (!this.projects) {
      const rows = await this.backend.request<'projects.list', Project[]>('projects.list', {});
      this.projects = rows.map((project) => ({ kind: 'project', project }));
    }
    return this.projects;
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.emitter.dispose();
  }
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

