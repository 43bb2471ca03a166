// The Agents view: each agent definition the backend indexed, with its description, model and tools, the tasks
// assigned to it and its run metrics; and the lint problems of agent files as diagnostics on those files. Agents in
// a sub-folder of an agent folder (`<folder>/<category>/<agent>.md`) are grouped under their category, the
// categories sorted and listed first; agents at the top of a folder stay at the top.
import * as vscode from 'vscode';
import type { BackendClient } from '../extension/backendClient';
import type { AgentLintResult, AgentSummary } from '../store/agents/indexer';

export type AgentNode =
  | { kind: 'category'; category: string; agents: AgentSummary[] }
  | { kind: 'agent'; agent: AgentSummary }
  | { kind: 'detail'; id: string; label: string; description?: string; icon: string };

/** The top level: a node per category (sorted, first), then the agents that have none, in the list's order. */
export function groupByCategory(agents: AgentSummary[]): AgentNode[] {
  const byCategory = new Map<string, AgentSummary[]>();
  const top: AgentNode[] = [];
  for (const agent of agents) {
    if (!agent.category) top.push({ kind: 'agent', agent });
    else if (byCategory.has(agent.category)) byCategory.get(agent.category)!.push(agent);
    else byCategory.set(agent.category, [agent]);
  }
  const categories = [...byCategory.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return [...categories.map((category): AgentNode => ({ kind: 'category', category, agents: byCategory.get(category)! })), ...top];
}

const fileName = (p: string) => p.slice(p.lastIndexOf('/') + 1);

export class AgentsTreeProvider implements vscode.TreeDataProvider<AgentNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<AgentNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private agents: Promise<AgentSummary[]> | undefined;
  readonly diagnostics = vscode.languages.createDiagnosticCollection('cairn-agents');

  constructor(
    private readonly backend: BackendClient,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Re-reads the agent folders (only changed files are parsed), then redraws the view and the diagnostics. */
  async reindex(): Promise<unknown> {
    const report = await this.backend.request('agents.index', {});
    await this.refresh();
    return report;
  }

  async refresh(): Promise<void> {
    this.agents = undefined;
    this.emitter.fire(undefined);
    const lint = await this.backend.request<'agents.lint', AgentLintResult>('agents.lint', {});
    this.diagnostics.clear();
    for (const file of lint.files) {
      this.diagnostics.set(
        vscode.Uri.file(file.path),
        file.diagnostics.map((d) => {
          const line = Math.max(0, d.line - 1);
          const diagnostic = new vscode.Diagnostic(
            new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER),
            d.message,
            d.severity === 'error' ? vscode.DiagnosticSeverity.Error : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information,
          );
          diagnostic.source = 'Cairn';
          diagnostic.code = d.code;
          return diagnostic;
        }),
      );
    }
  }

  getTreeItem(node: AgentNode): vscode.TreeItem {
    if (node.kind === 'category') {
      const item = new vscode.TreeItem(node.category, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `agent-category:${node.category}`;
      item.contextValue = 'agentCategory';
      item.description = `${node.agents.length} agent${node.agents.length === 1 ? '' : 's'}`;
      item.iconPath = vscode.ThemeIcon.Folder;
      return item;
    }
    if (node.kind === 'detail') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.description = node.description;
      item.iconPath = new vscode.ThemeIcon(node.icon);
      return item;
    }
    const a = node.agent;
    const item = new vscode.TreeItem(a.name ?? fileName(a.path), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `agent:${a.path}`;
    item.contextValue = 'agent';
    item.description = [a.model ?? '', a.shadowed ? 'shadowed' : ''].filter(Boolean).join(' · ');
    item.iconPath = a.diagnostics.error
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
      : new vscode.ThemeIcon('hubot', a.shadowed ? new vscode.ThemeColor('disabledForeground') : undefined);
    item.tooltip = new vscode.MarkdownString(
      [`**${a.name ?? fileName(a.path)}**`, '', a.description ?? '*(no description)*', '', `\`${a.path}\``].join('\n'),
    );
    item.resourceUri = vscode.Uri.file(a.path);
    item.command = { command: 'vscode.open', title: 'Open Agent File', arguments: [vscode.Uri.file(a.path)] };
    return item;
  }

  async getChildren(node?: AgentNode): Promise<AgentNode[]> {
    try {
      if (!node) {
        this.agents ??= this.backend.request<'agents.list', AgentSummary[]>('agents.list', {});
        return groupByCategory(await this.agents);
      }
      if (node.kind === 'category') return node.agents.map((agent) => ({ kind: 'agent', agent }));
      if (node.kind === 'detail') return [];
      const a = node.agent;
      const r = a.runs;
      const problems = a.diagnostics.error + a.diagnostics.warning;
      return [
        { kind: 'detail', id: `${a.path}:desc`, label: a.description ?? '(no description)', icon: 'info' },
        { kind: 'detail', id: `${a.path}:model`, label: 'Model', description: a.model ?? 'inherited', icon: 'chip' },
        { kind: 'detail', id: `${a.path}:tools`, label: 'Tools', description: a.tools ? a.tools.join(', ') : 'all (inherited)', icon: 'tools' },
        { kind: 'detail', id: `${a.path}:tasks`, label: 'Tasks', description: `${a.tasks.total} assigned, ${a.tasks.open} open`, icon: 'checklist' },
        {
          kind: 'detail',
          id: `${a.path}:runs`,
          label: 'Runs',
          description: r.count
            ? `${r.count} · ${r.totalTokens} tokens · quality ${r.meanQuality === null ? '—' : r.meanQuality.toFixed(2)} · ${r.failures} failed`
            : 'none recorded',
          icon: 'pulse',
        },
        ...(problems ? [{ kind: 'detail' as const, id: `${a.path}:problems`, label: 'Problems', description: `${a.diagnostics.error} errors, ${a.diagnostics.warning} warnings (see Problems)`, icon: 'warning' }] : []),
      ];
    } catch (err) {
      this.onError(err);
      return [];
    }
  }

  dispose(): void {
    this.emitter.dispose();
    this.diagnostics.dispose();
  }
}
