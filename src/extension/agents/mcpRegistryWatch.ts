// Keeps the Agents view's MCP Servers group current: re-read when cairn.registryPaths changes, and when a file it was
// read from (or could be: a missing .mcp.json) is created, changed or deleted. The watchers follow the files each
// read names, so a registry added to the setting is watched from its first read on.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { McpServersReport } from '../../store/agents/mcpRegistries';
import type { AgentsTreeProvider, McpQuery } from '../../views/agentsTree';

/** What agents.mcpServers is asked: the first workspace folder (else the home folder) and the setting as written. */
export const mcpQuery: McpQuery = () => {
  const setting = vscode.workspace.getConfiguration('cairn').get<unknown>('registryPaths');
  const registryPaths = Array.isArray(setting) ? setting.filter((p): p is string => typeof p === 'string' && p.trim() !== '').map((p) => p.trim()) : [];
  return { workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir(), registryPaths };
};

export function watchMcpRegistries(tree: AgentsTreeProvider, log: vscode.LogOutputChannel): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  /** Editors save in bursts (write, rename, touch): one read after they settle. */
  const refreshSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void tree.refreshMcp(), 150);
  };
  const watchers = new Map<string, vscode.Disposable>();
  const watch = (files: string[]) => {
    const wanted = new Set(files);
    for (const [file, watcher] of watchers) {
      if (!wanted.has(file)) {
        watcher.dispose();
        watchers.delete(file);
      }
    }
    for (const file of wanted) {
      if (watchers.has(file)) continue;
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
      watcher.onDidCreate(refreshSoon);
      watcher.onDidChange(refreshSoon);
      watcher.onDidDelete(refreshSoon);
      watchers.set(file, watcher);
    }
  };
  const onRead = (report: McpServersReport) => watch(report.files.map((f) => f.path));
  const disposables = [
    tree.onDidReadMcpServers(onRead),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('cairn.registryPaths')) return;
      log.info(`cairn.registryPaths changed: ${JSON.stringify(mcpQuery().registryPaths)}`);
      refreshSoon();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(refreshSoon),
  ];
  return new vscode.Disposable(() => {
    clearTimeout(timer);
    for (const d of [...disposables, ...watchers.values()]) d.dispose();
    watchers.clear();
  });
}
