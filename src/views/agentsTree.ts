// The Agents view: each agent definition the backend indexed, with its description, model and tools, the tasks
// assigned to it and its run metrics; and the lint problems of agent files as diagnostics on those files. Agents in
// a sub-folder of an agent folder (`<folder>/<category>/<agent>.md`) are grouped under their category, the
// categories sorted and listed first; agents at the top of a folder stay at the top. Last, an "MCP Servers" group:
// the servers agents use (.mcp.json, .vscode/mcp.json, ~/.claude.json, the registries of cairn.registryPaths), each
// opening its definition, and those files' problems as diagnostics. Values of env and headers are never shown.
import * as vscode from 'vscode';
import type { BackendClient } from '../extension/backendClient';
import type { AgentLintResult, AgentSummary } from '../store/agents/indexer';
import type { McpDiagnostic, McpServerEntry, McpServersReport, McpSource } from '../store/agents/mcpRegistries';

export type AgentNode =
  | { kind: 'category'; category: string; agents: AgentSummary[] }
  | { kind: 'agent'; agent: AgentSummary }
  | { kind: 'detail'; id: string; label: string; description?: string; icon: string }
  | { kind: 'mcpGroup'; report: McpServersReport }
  | { kind: 'mcpServer'; server: McpServerEntry };

/** What agents.mcpServers is asked: the first workspace folder and the cairn.registryPaths setting as written. */
export type McpQuery = () => { workspaceFolder?: string; registryPaths: string[] };

const MCP_SOURCE_LABEL: Record<McpSource, string> = {
  project: '.mcp.json',
  vscode: '.vscode/mcp.json',
  'claude-local': "~/.claude.json, this folder's servers",
  'claude-user': "~/.claude.json, the user's servers",
  registry: 'a registry (cairn.registryPaths)',
};

const severityOf = (s: McpDiagnostic['severity']) =>
  s === 'error' ? vscode.DiagnosticSeverity.Error : s === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;

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
  /** The MCP server files' problems (the backend reads them; no store needed). */
  readonly mcpDiagnostics = vscode.languages.createDiagnosticCollection('cairn-mcp-servers');
  private mcp: Promise<McpServersReport | undefined> | undefined;
  private readonly mcpEmitter = new vscode.EventEmitter<McpServersReport>();
  /** Fires with each MCP server report read (the extension watches the files it names). */
  readonly onDidReadMcpServers = this.mcpEmitter.event;

  constructor(
    private readonly backend: BackendClient,
    private readonly onError: (err: unknown) => void,
    private readonly mcpQuery: McpQuery = () => ({ registryPaths: [] }),
  ) {}

  /** Re-reads the agent folders (only changed files are parsed) and the MCP server files, then redraws. */
  async reindex(): Promise<unknown> {
    const mcp = this.refreshMcp();
    const report = await this.backend.request('agents.index', {});
    await Promise.all([this.refresh(), mcp]);
    return report;
  }

  /** Re-reads the MCP server files: the group and their diagnostics are redrawn. */
  refreshMcp(): Promise<McpServersReport | undefined> {
    const reading = this.backend.request<'agents.mcpServers', McpServersReport>('agents.mcpServers', this.mcpQuery()).then(
      (report) => {
        if (this.mcp !== reading) return report; // a newer read is on its way
        const byFile = new Map<string, vscode.Diagnostic[]>();
        for (const d of report.diagnostics) {
          const diagnostic = new vscode.Diagnostic(new vscode.Range(d.line - 1, Math.max(0, d.column - 1), d.line - 1, Number.MAX_SAFE_INTEGER), d.message, severityOf(d.severity));
          diagnostic.source = 'Cairn';
          diagnostic.code = d.code;
          byFile.set(d.file, [...(byFile.get(d.file) ?? []), diagnostic]);
        }
        this.mcpDiagnostics.clear();
        for (const [file, list] of byFile) this.mcpDiagnostics.set(vscode.Uri.file(file), list);
        this.emitter.fire(undefined);
        this.mcpEmitter.fire(report);
        return report;
      },
      (err: unknown) => {
        this.onError(err);
        return undefined;
      },
    );
    this.mcp = reading;
    return reading;
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
    if (node.kind === 'mcpGroup') return mcpGroupItem(node.report);
    if (node.kind === 'mcpServer') return mcpServerItem(node.server);
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
        this.mcp ??= this.refreshMcp();
        // The MCP group needs no store: it shows even when the agents cannot be listed.
        const [agents, mcp] = await Promise.all([this.agents.catch((err: unknown) => (this.onError(err), [] as AgentSummary[])), this.mcp]);
        const group: AgentNode[] = mcp && (mcp.servers.length || mcp.diagnostics.length) ? [{ kind: 'mcpGroup', report: mcp }] : [];
        return [...groupByCategory(agents), ...group];
      }
      if (node.kind === 'category') return node.agents.map((agent) => ({ kind: 'agent', agent }));
      if (node.kind === 'mcpGroup') return node.report.servers.map((server) => ({ kind: 'mcpServer', server }));
      if (node.kind === 'detail' || node.kind === 'mcpServer') return [];
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
    this.mcpEmitter.dispose();
    this.diagnostics.dispose();
    this.mcpDiagnostics.dispose();
  }
}

function mcpGroupItem(report: McpServersReport): vscode.TreeItem {
  const item = new vscode.TreeItem('MCP Servers', vscode.TreeItemCollapsibleState.Collapsed);
  item.id = 'mcp-servers';
  item.contextValue = 'mcpServers';
  const n = report.servers.length;
  const { error, warning } = report.counts;
  item.description = [`${n} server${n === 1 ? '' : 's'}`, error ? `${error} error${error === 1 ? '' : 's'}` : '', warning ? `${warning} warning${warning === 1 ? '' : 's'}` : ''].filter(Boolean).join(' · ');
  item.iconPath = new vscode.ThemeIcon('server-environment');
  const read = report.files.filter((f) => f.state !== 'missing').map((f) => `- \`${f.path}\`: ${f.state === 'read' ? `${f.servers} server${f.servers === 1 ? '' : 's'}` : f.state}`);
  item.tooltip = new vscode.MarkdownString(['**MCP servers agents use**', '', ...(read.length ? read : ['No server file found.']), '', 'Problems are in the Problems panel.'].join('\n'));
  return item;
}

function mcpServerItem(s: McpServerEntry): vscode.TreeItem {
  const item = new vscode.TreeItem(s.name, vscode.TreeItemCollapsibleState.None);
  item.id = `mcp-server:${s.file}:${s.line}:${s.name}`;
  item.contextValue = 'mcpServer';
  const target = s.transport === 'stdio' ? [s.command ?? '', ...s.args].join(' ') : (s.url ?? '');
  item.description = target;
  item.iconPath = s.problems.error
    ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
    : s.problems.warning
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'))
      : new vscode.ThemeIcon(s.transport === 'stdio' ? 'terminal' : 'globe');
  const code = (t: string) => `\`${t.replace(/`/g, "'")}\``;
  item.tooltip = new vscode.MarkdownString(
    [
      `**${s.name}** (${s.transport})`,
      '',
      s.transport === 'stdio' ? `Command: ${code(target)}` : `URL: ${code(target)}`,
      '',
      `Defined in ${code(`${s.file}:${s.line}`)} (${MCP_SOURCE_LABEL[s.source]})`,
      ...(s.envNames.length ? ['', `Environment: ${s.envNames.map(code).join(', ')} (values not shown)`] : []),
      ...(s.headerNames.length ? ['', `Headers: ${s.headerNames.map(code).join(', ')} (values not shown)`] : []),
      ...(s.problems.error || s.problems.warning ? ['', `${s.problems.error} errors, ${s.problems.warning} warnings (see Problems)`] : []),
    ].join('\n'),
  );
  const line = Math.max(0, s.line - 1);
  item.command = { command: 'vscode.open', title: 'Open Definition', arguments: [vscode.Uri.file(s.file), { selection: new vscode.Range(line, 0, line, 0) }] };
  return item;
}
