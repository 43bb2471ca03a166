// Wires the dashboard (src/views/dashboard/): the command Cairn: Open Dashboard (from the palette, the Projects view's
// title bar, a project's context menu: then that project is chosen), one dashboard panel at a time, and the serializer
// that brings the panel back after a window reload (the page restores its filters from its own state).
import * as vscode from 'vscode';
import { DASHBOARD_VIEW_TYPE, DashboardPanel, type DashboardDeps } from '../../views/dashboard/dashboardPanel';
import { DEFAULT_FILTER, type DashboardFilter } from '../../views/dashboard/messages';
import type { ProjectNode, SprintNode } from '../../views/nodes';
import { panelOptions } from '../../views/webview/webviewHost';
import type { BackendClient } from '../backendClient';
import type { Messages } from '../messages';
import { safeCommands } from '../safeCommand';
import { SinglePanel } from '../singlePanel';

export interface DashboardApi {
  /** The open dashboard, if any. */
  current(): DashboardPanel | undefined;
}

function filterFor(target: ProjectNode | SprintNode | undefined): DashboardFilter | undefined {
  if (target?.kind === 'project') return { ...DEFAULT_FILTER, projectId: target.project.id };
  if (target?.kind === 'sprint') return { ...DEFAULT_FILTER, projectId: target.sprint.projectId, sprintId: target.sprint.id };
  return undefined;
}

export function registerDashboard(o: { context: vscode.ExtensionContext; backend: BackendClient; messages: Messages; log: vscode.LogOutputChannel }): {
  disposables: vscode.Disposable[];
  api: DashboardApi;
} {
  const dashboards = new SinglePanel<DashboardPanel>();
  const deps: DashboardDeps = {
    backend: o.backend,
    log: o.log,
    extensionUri: o.context.extensionUri,
    timeZone: () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  };
  const command = safeCommands(o.messages);
  return {
    api: { current: () => dashboards.current },
    disposables: [
      command('cairn.openDashboard', async (target?: ProjectNode | SprintNode) => {
        const openedAt = performance.now();
        const filter = filterFor(target);
        dashboards.show(
          filter,
          (current, f) => current.showFilter(f),
          () => new DashboardPanel(vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Cairn Dashboard', vscode.ViewColumn.Active, panelOptions(o.context.extensionUri)), deps, filter, openedAt),
        );
        return true;
      }),
      dashboards.restoreOn(DASHBOARD_VIEW_TYPE, (panel) => new DashboardPanel(panel, deps)),
      dashboards,
    ],
  };
}
