// The Projects view's filter and grouping (Filter Projects View, Clear Filter) and the rows left expanded, both kept
// per workspace so a reload shows the tree as the user left it.
import * as vscode from 'vscode';
import type { TreeNode } from '../../views/nodes';
import { describeFilter, GROUPINGS, isFiltered, NO_FILTER, readFilter, type Grouping, type ProjectsFilter } from '../../views/projectsFilter';
import type { ProjectsTreeProvider } from '../../views/projectsTree';
import { isViewRowCall, safeCommands } from '../safeCommand';
import type { Messages } from '../messages';
import { myName } from '../board/taskBoard';

const FILTER_KEY = 'cairn.projects.filter';
const EXPANDED_KEY = 'cairn.projects.expanded';
/** Expanded rows remembered; the oldest are forgotten first. */
const MAX_EXPANDED = 2000;

const idOf = (node: TreeNode): string | undefined =>
  node.kind === 'project' ? node.project.id : node.kind === 'sprint' ? node.sprint.id : node.kind === 'task' ? node.task.id : node.kind === 'group' ? node.id : undefined;

/** The workspace-kept state the tree reads while it draws. */
export class ProjectsViewState {
  private readonly expanded: Set<string>;

  constructor(private readonly memento: vscode.Memento) {
    const stored = memento.get<unknown>(EXPANDED_KEY);
    this.expanded = new Set(Array.isArray(stored) ? stored.filter((id): id is string => typeof id === 'string') : []);
  }

  filter(): ProjectsFilter {
    return readFilter(this.memento.get(FILTER_KEY));
  }

  setFilter(filter: ProjectsFilter): Thenable<void> {
    return this.memento.update(FILTER_KEY, filter);
  }

  isExpanded = (id: string): boolean => this.expanded.has(id);

  /** Follows the view's expand and collapse. */
  track(view: vscode.TreeView<TreeNode>): vscode.Disposable[] {
    const save = () => void this.memento.update(EXPANDED_KEY, [...this.expanded].slice(-MAX_EXPANDED));
    return [
      view.onDidExpandElement(({ element }) => {
        const id = idOf(element);
        if (id) this.expanded.delete(id), this.expanded.add(id), save();
      }),
      view.onDidCollapseElement(({ element }) => {
        const id = idOf(element);
        if (id && this.expanded.delete(id)) save();
      }),
    ];
  }
}

/** Arguments Filter Projects View takes from code: the fields to change. */
function parseFilterChange(arg: unknown): Partial<ProjectsFilter> {
  const bad = () => new Error(`Filter Projects View takes no argument, or { hideDone?: boolean, mine?: boolean, groupBy?: ${GROUPINGS.join(' | ')} }.`);
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) throw bad();
  const out: Partial<ProjectsFilter> = {};
  for (const [key, value] of Object.entries(arg)) {
    if ((key === 'hideDone' || key === 'mine') && typeof value === 'boolean') out[key] = value;
    else if (key === 'groupBy' && GROUPINGS.includes(value as Grouping)) out.groupBy = value as Grouping;
    else throw bad();
  }
  return out;
}

export function registerProjectsView(o: { state: ProjectsViewState; view: vscode.TreeView<TreeNode>; tree: ProjectsTreeProvider; messages: Messages }): vscode.Disposable[] {
  const { state, view, tree } = o;
  const command = safeCommands(o.messages);

  const show = (filter: ProjectsFilter) => {
    view.description = describeFilter(filter, myName()) || undefined;
    void vscode.commands.executeCommand('setContext', 'cairn.projectsFiltered', isFiltered(filter));
  };
  const apply = async (filter: ProjectsFilter) => {
    await state.setFilter(filter);
    show(filter);
    tree.refresh(0);
    return filter;
  };
  show(state.filter());

  async function pickChange(current: ProjectsFilter): Promise<Partial<ProjectsFilter> | undefined> {
    type Item = vscode.QuickPickItem & { change?: Partial<ProjectsFilter> };
    const tick = (on: boolean) => (on ? '$(check)' : '$(blank)');
    const items: Item[] = [
      { label: 'Show', kind: vscode.QuickPickItemKind.Separator },
      { label: `${tick(current.hideDone)} Hide done and cancelled tasks`, change: { hideDone: !current.hideDone } },
      { label: `${tick(current.mine)} Only my tasks`, description: `assigned to ${myName()} (setting cairn.userName)`, change: { mine: !current.mine } },
      { label: 'Group tasks by', kind: vscode.QuickPickItemKind.Separator },
      ...GROUPINGS.map((g): Item => ({ label: `${tick(current.groupBy === g)} ${g[0].toUpperCase()}${g.slice(1)}`, description: g === 'sprint' ? 'sprints, then subtasks under their parent' : undefined, change: { groupBy: g } })),
    ];
    if (isFiltered(current)) items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(clear-all) Clear filter', change: NO_FILTER });
    return (await vscode.window.showQuickPick(items, { title: 'Cairn: Filter Projects View', placeHolder: 'Pick one to switch it; the view shows the filter beside its title' }))?.change;
  }

  return [
    ...state.track(view),
    command('cairn.filterProjects', async (...args: unknown[]) => {
      const current = state.filter();
      const change = args[0] === undefined || isViewRowCall(args) ? await pickChange(current) : parseFilterChange(args[0]);
      if (!change) return undefined;
      return apply({ ...current, ...change });
    }),
    command('cairn.clearProjectsFilter', async () => apply(NO_FILTER)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('cairn.userName') && state.filter().mine) void apply(state.filter());
    }),
  ];
}
