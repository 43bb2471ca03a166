// The Agents view and agent-file diagnostics inside the real VS Code: agent files in the workspace's
// .claude/agents (its sub-folders too) are indexed, listed with their model and tasks (those in a sub-folder under
// their category), and their problems show on the files. The MCP Servers group shows the servers of the workspace's
// .mcp.json and the registries of cairn.registryPaths, following their files and the setting, with the files' problems
// as diagnostics.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../waitFor';
import type { CairnApi } from '../../src/extension/extension';
import type { AgentNode } from '../../src/views/agentsTree';

let api: CairnApi;

describe('Agents view (real VS Code)', () => {
  let dir: string;
  before(async () => {
    const ext = vscode.extensions.getExtension<CairnApi>('cairn.cairn')!;
    api = await ext.activate();
    await api.whenReady();
    dir = path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, '.claude', 'agents');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'reviewer.md'), '---\nname: reviewer\ndescription: Reviews pull requests\ntools: Read, Grep\nmodel: sonnet\ncolour: blue\n---\nYou review code.\n');
    fs.writeFileSync(path.join(dir, 'broken.md'), '---\nname: broken\ndescription: Use when: things break\n---\nBody.\n');
    fs.mkdirSync(path.join(dir, 'quality', 'security'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'quality', 'tester.md'), '---\nname: tester\ndescription: Writes tests\nmodel: haiku\n---\nYou test.\n');
    fs.writeFileSync(path.join(dir, 'quality', 'security', 'auditor.md'), '---\nname: auditor\ndescription: Audits\n---\nYou audit.\n');
    fs.writeFileSync(path.join(dir, 'quality', 'README.md'), '# Quality agents\n');
  });
  let projectId: string | undefined;
  after(async () => {
    // Leave the store as the other suites expect it: empty.
    if (projectId) await api.request('projects.delete', { id: projectId });
    fs.rmSync(path.join(dir, '..'), { recursive: true, force: true });
    await vscode.commands.executeCommand('cairn.indexAgents');
  });

  it('lists the workspace agents with model, tools and assigned tasks', async () => {
    await vscode.commands.executeCommand('cairn.indexAgents');
    const agents = (await api.agentsTree.getChildren()) as AgentNode[];
    const reviewer = agents.find((n) => n.kind === 'agent' && n.agent.name === 'reviewer');
    assert.ok(reviewer && reviewer.kind === 'agent', `agents listed: ${agents.map((n) => (n.kind === 'agent' ? n.agent.path : n.kind === 'category' ? n.category : n.kind === 'detail' ? n.label : n.kind)).join(', ')}`);
    assert.equal(api.agentsTree.getTreeItem(reviewer).description, 'sonnet');
    const details = await api.agentsTree.getChildren(reviewer);
    const tools = details.find((d) => d.kind === 'detail' && d.label === 'Tools');
    assert.equal(tools?.kind === 'detail' && tools.description, 'Read, Grep');

    // A task assigned to the agent shows up under it once the store says it changed.
    const project = (await api.request('projects.create', { name: 'Agents at work' })) as { id: string };
    projectId = project.id;
    await api.request('tasks.create', { projectId: project.id, title: 'Review the PR', assignee: 'reviewer' });
    await waitFor('assigned task under the agent', async () => {
      const again = ((await api.agentsTree.getChildren()) as AgentNode[]).find((n) => n.kind === 'agent' && n.agent.name === 'reviewer')!;
      const tasks = (await api.agentsTree.getChildren(again)).find((d) => d.kind === 'detail' && d.label === 'Tasks');
      return tasks?.kind === 'detail' && tasks.description === '1 assigned, 1 open';
    });
  });

  it('groups the agents of sub-folders under their category, sorted and first; top-level agents stay at the top', async () => {
    await vscode.commands.executeCommand('cairn.indexAgents');
    // The workspace's agents (the user's ~/.claude/agents, if any, is indexed too).
    const ours = (a: { path: string }) => a.path.startsWith(dir + path.sep);
    const top = ((await api.agentsTree.getChildren()) as AgentNode[]).filter((n) => (n.kind === 'category' ? n.agents.every(ours) : n.kind === 'agent' && ours(n.agent)));
    const label = (n: AgentNode) => (n.kind === 'category' ? `[${n.category}]` : n.kind === 'agent' ? (n.agent.name ?? path.basename(n.agent.path)) : n.kind === 'detail' ? n.label : n.kind);
    assert.deepEqual(top.map(label), ['[quality]', '[quality/security]', 'reviewer', 'broken.md'], 'broken.md has no name (its YAML is broken): listed last');
    const quality = top[0]!;
    const item = api.agentsTree.getTreeItem(quality);
    assert.equal(item.label, 'quality');
    assert.equal(item.description, '1 agent');
    assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    const inQuality = await api.agentsTree.getChildren(quality);
    assert.deepEqual(inQuality.map(label), ['tester'], 'the README without front matter is no agent');
    const tester = inQuality[0]!;
    assert.ok(tester.kind === 'agent' && tester.agent.category === 'quality');
    assert.equal(api.agentsTree.getTreeItem(tester).description, 'haiku');
    const auditor = (await api.agentsTree.getChildren(top[1]))[0]!;
    assert.ok(auditor.kind === 'agent' && auditor.agent.category === 'quality/security' && auditor.agent.path === path.join(dir, 'quality', 'security', 'auditor.md'));
    assert.ok((await api.agentsTree.getChildren(auditor)).some((d) => d.kind === 'detail' && d.label === 'Tools'), 'an agent in a category keeps its details');
  });

  it('shows lint problems as diagnostics on the agent files', async () => {
    const reviewerUri = vscode.Uri.file(path.join(dir, 'reviewer.md'));
    const brokenUri = vscode.Uri.file(path.join(dir, 'broken.md'));
    const unknown = await waitFor('unknown-field warning', () => vscode.languages.getDiagnostics(reviewerUri).find((d) => d.code === 'unknown-field'));
    assert.equal(unknown.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(unknown.message, /colour/);
    assert.equal(unknown.range.start.line, 5, 'on the line of the unknown field');
    const bad = await waitFor('bad-yaml error', () => vscode.languages.getDiagnostics(brokenUri).find((d) => d.code === 'bad-yaml'));
    assert.equal(bad.severity, vscode.DiagnosticSeverity.Error);
  });
});

describe('MCP Servers group of the Agents view (real VS Code)', () => {
  const SECRET = 'mcp-env-value-never-shown-9137';
  let ws: string;
  before(async () => {
    api = await vscode.extensions.getExtension<CairnApi>('cairn.cairn')!.activate();
    ws = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  });
  after(async () => {
    await vscode.workspace.getConfiguration('cairn').update('registryPaths', undefined, vscode.ConfigurationTarget.Workspace);
    for (const f of ['.mcp.json', 'mcp-registry.json']) fs.rmSync(path.join(ws, f), { force: true });
    await api.agentsTree.refreshMcp();
  });

  const group = async () => ((await api.agentsTree.getChildren()) as AgentNode[]).find((n) => n.kind === 'mcpGroup');
  const serverNamed = async (name: string) => {
    const g = await group();
    return g ? (await api.agentsTree.getChildren(g)).find((n) => n.kind === 'mcpServer' && n.server.name === name) : undefined;
  };

  it("shows a server of the workspace's .mcp.json once the file appears; clicking opens it at the server's line", async () => {
    fs.writeFileSync(
      path.join(ws, '.mcp.json'),
      JSON.stringify({ mcpServers: { 'harness-docs': { type: 'http', url: 'https://docs.example.com/mcp' }, 'harness-tool': { command: process.execPath, args: ['serve.js', '--port', '7'], env: { HARNESS_TOKEN: SECRET } } } }, null, 2),
    );
    // No refresh is asked for: the file watcher sees the new file.
    const node = await waitFor('harness-tool under MCP Servers', () => serverNamed('harness-tool'));
    assert.ok(node.kind === 'mcpServer');
    const item = api.agentsTree.getTreeItem(node);
    assert.equal(item.label, 'harness-tool');
    assert.equal(item.description, `${process.execPath} serve.js --port 7`);
    const tooltip = (item.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /Defined in `.*\.mcp\.json:7` \(\.mcp\.json\)/);
    assert.match(tooltip, /Environment: `HARNESS_TOKEN` \(values not shown\)/);
    assert.ok(!tooltip.includes(SECRET) && !JSON.stringify(item).includes(SECRET), 'an env value is shown');
    const groupItem = api.agentsTree.getTreeItem((await group())!);
    assert.equal(groupItem.label, 'MCP Servers');

    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    const editor = await waitFor('.mcp.json open', () => (vscode.window.activeTextEditor?.document.uri.fsPath === path.join(ws, '.mcp.json') ? vscode.window.activeTextEditor : undefined));
    assert.equal(editor.selection.active.line, 6, "on the server's line");
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('a registry named in cairn.registryPaths: its servers join the group, and its problems show as diagnostics on it', async () => {
    const registry = path.join(ws, 'mcp-registry.json');
    fs.writeFileSync(registry, '{\n  // servers the team shares\n  "servers": {\n    "shared": { "command": "/no/such/shared-server" },\n  }\n}\n');
    await vscode.workspace.getConfiguration('cairn').update('registryPaths', ['mcp-registry.json'], vscode.ConfigurationTarget.Workspace);
    const shared = await waitFor('the registry server under MCP Servers', () => serverNamed('shared'));
    assert.ok(shared.kind === 'mcpServer' && shared.server.source === 'registry' && shared.server.line === 4);
    const missing = await waitFor('command-not-found on the registry', () => vscode.languages.getDiagnostics(vscode.Uri.file(registry)).find((d) => d.code === 'command-not-found'));
    assert.equal(missing.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(missing.range.start.line, 3);
    assert.match(missing.message, /\/no\/such\/shared-server, does not exist/);

    // Broken JSON: a diagnostic at the parse error, the registry's servers gone, the workspace's still there.
    fs.writeFileSync(registry, '{\n  "servers": {\n    "shared": { "command": "x" }\n  \n');
    const bad = await waitFor('bad-json on the registry', () => vscode.languages.getDiagnostics(vscode.Uri.file(registry)).find((d) => d.code === 'bad-json'));
    assert.equal(bad.severity, vscode.DiagnosticSeverity.Error);
    assert.match(bad.message, /^Not valid JSON \(with comments\) at line \d+, column \d+: a closing \} is expected here/);
    assert.equal(await serverNamed('shared'), undefined);
    assert.ok(await serverNamed('harness-tool'));
  });
});
