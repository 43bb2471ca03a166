// What the Projects tree has loaded of the backend's tree (src/store/taskTree.ts): each project's sprints or groups
// (tasks.treeSections), and under each node that lists tasks (a project, a sprint, a group, a parent task) the rows
// loaded so far from tasks.tree, a page at a time, with the level's total, and so which node each loaded task sits
// under. Forgotten all at once on a store change; how many rows the user asked to see under a node is kept, so a
// list the user grew stays as long after a redraw.
import type { BackendClient } from '../extension/backendClient';
import type { TreeLevel, TreePage, TreeSections } from '../store/taskTree';
import type { TreePlace } from '../store/taskTreePlace';
import { nodeKey, type GroupNode, type ListNode, type ProjectNode, type SprintNode, type TaskNode } from './nodes';
import { groupLook, hidesTasks, treeQuery, type ProjectsFilter } from './projectsFilter';

/** Tasks shown per page under one node: a 100,000-task project paints its first page at once. */
export const PAGE_SIZE = 500;
/** Most rows one tasks.tree call returns (TREE_PAGE_MAX). */
const MOST_PER_CALL = 5000;

interface Level {
  total: number;
  tasks: TaskNode[];
}

export class ProjectsTreeLevels {
  private readonly sections = new Map<string, Promise<(SprintNode | GroupNode)[]>>();
  private readonly levels = new Map<string, Promise<Level>>();
  /** The node each loaded task sits under, by the task's id. */
  private readonly parents = new Map<string, ListNode>();
  /** Rows the user asked to see under each node (grows by PAGE_SIZE with each "Show more" and by Reveal Task). */
  private readonly wanted = new Map<string, number>();

  constructor(
    private readonly backend: BackendClient,
    private readonly view: { filter: () => ProjectsFilter; me: () => string },
  ) {}

  forget(): void {
    this.sections.clear();
    this.levels.clear();
    this.parents.clear();
  }

  private query() {
    return treeQuery(this.view.filter(), this.view.me());
  }

  /** A project's sprints (filtered, those with tasks shown directly under them) or groups. */
  sectionsOf(project: ProjectNode): Promise<(SprintNode | GroupNode)[]> {
    const projectId = project.project.id;
    let sections = this.sections.get(projectId);
    if (!sections) {
      const filter = this.view.filter();
      sections = this.backend.request<'tasks.treeSections', TreeSections>('tasks.treeSections', { projectId, ...this.query() }).then((s) =>
        'sprints' in s
          ? s.sprints.filter((x) => !hidesTasks(filter) || x.count > 0).map(({ sprint }): SprintNode => ({ kind: 'sprint', sprint }))
          : s.groups.map(({ key, count }): GroupNode => ({ kind: 'group', projectId, id: `group:${projectId}:${filter.groupBy}:${key}`, key, count, ...groupLook(filter.groupBy as Exclude<typeof filter.groupBy, 'sprint'>, key) })),
      );
      this.remember(this.sections, projectId, sections);
    }
    return sections;
  }

  /** The tasks loaded under a node: its first page, or as many as the user asked for. */
  tasksUnder(node: ListNode): Promise<Level> {
    const key = nodeKey(node);
    let level = this.levels.get(key);
    if (!level) {
      // Grouped, a project's tasks are all in its groups: nothing to ask.
      level = node.kind === 'project' && this.view.filter().groupBy !== 'sprint' ? Promise.resolve({ total: 0, tasks: [] }) : this.fill(node, { total: Infinity, tasks: [] });
      this.remember(this.levels, key, level);
    }
    return level;
  }

  /** Loads the next page under a node ("Show more"). */
  async showMore(node: ListNode): Promise<void> {
    const key = nodeKey(node);
    this.wanted.set(key, (await this.tasksUnder(node)).tasks.length + PAGE_SIZE);
    await this.grow(node);
  }

  /** The node a loaded task sits under. */
  parentOf(taskId: string): ListNode | undefined {
    return this.parents.get(taskId);
  }

  /**
   * Loads what the tree needs to show a task (tasks.treePlace): the levels from its project down to it, each up to
   * the page that holds the next one. Undefined when the view does not show the task (its filter hides it), or the
   * store changed meanwhile. `grew`: a level got rows it did not have, which the workbench must be told of.
   */
  async locate(taskId: string, project: (id: string) => Promise<ProjectNode | undefined>): Promise<{ node: TaskNode; grew: boolean } | undefined> {
    const { place } = await this.backend.request<'tasks.treePlace', { place: TreePlace | null }>('tasks.treePlace', { id: taskId, ...this.query() });
    if (!place) return undefined;
    const top = await project(place.level.projectId);
    if (!top) return undefined;
    const { level } = place;
    let under: ListNode | undefined =
      'sprintId' in level ? (await this.sectionsOf(top)).find((s) => s.kind === 'sprint' && s.sprint.id === level.sprintId)
      : 'group' in level ? (await this.sectionsOf(top)).find((s) => s.kind === 'group' && s.key === level.group)
      : top;
    let grew = false;
    for (const { task, position } of place.chain) {
      if (!under) return undefined;
      const key = nodeKey(under);
      const before = (await this.tasksUnder(under)).tasks.length;
      this.wanted.set(key, Math.max(this.wantedUnder(key), (Math.floor(position / PAGE_SIZE) + 1) * PAGE_SIZE));
      const loaded = await this.grow(under);
      grew ||= loaded.tasks.length > before;
      under = loaded.tasks.find((t) => t.task.id === task.id);
    }
    return under?.kind === 'task' ? { node: under, grew } : undefined;
  }

  private wantedUnder(key: string): number {
    return this.wanted.get(key) ?? PAGE_SIZE;
  }

  /** Loads rows under a node until it holds as many as wanted (or all there are). */
  private grow(node: ListNode): Promise<Level> {
    const key = nodeKey(node);
    const level = this.tasksUnder(node).then((loaded) => this.fill(node, loaded));
    this.remember(this.levels, key, level);
    return level;
  }

  private async fill(node: ListNode, loaded: Level): Promise<Level> {
    const want = this.wantedUnder(nodeKey(node));
    let { total, tasks } = loaded;
    while (tasks.length < Math.min(want, total)) {
      const page = await this.backend.request<'tasks.tree', TreePage>('tasks.tree', { ...levelOf(node), ...this.query(), offset: tasks.length, limit: Math.min(MOST_PER_CALL, want - tasks.length) });
      const nodes = page.tasks.map((task): TaskNode => ({ kind: 'task', task, hasChildren: task.children > 0 }));
      for (const n of nodes) this.parents.set(n.task.id, node);
      tasks = [...tasks, ...nodes];
      total = page.total;
      if (!nodes.length) break; // the level shrank meanwhile: the store's change will redraw it
    }
    return { total: Number.isFinite(total) ? total : tasks.length, tasks };
  }

  /** Keeps a load while it stands; a failed one is forgotten, so the next redraw asks again. */
  private remember<T>(map: Map<string, Promise<T>>, key: string, value: Promise<T>): void {
    map.set(key, value);
    value.catch(() => map.get(key) === value && map.delete(key));
  }
}

/** The level tasks.tree lists under a node. */
function levelOf(node: ListNode): TreeLevel {
  if (node.kind === 'project') return { projectId: node.project.id };
  if (node.kind === 'sprint') return { projectId: node.sprint.projectId, sprintId: node.sprint.id };
  if (node.kind === 'group') return { projectId: node.projectId, group: node.key };
  return { projectId: node.task.projectId, parentId: node.task.id };
}
