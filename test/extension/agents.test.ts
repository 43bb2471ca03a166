// The Agents view and agent-file diagnostics inside the real VS Code: agent files in the workspace's
// .claude/agents are indexed, listed with their model and tasks, and their problems show on the files.
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
    assert.ok(reviewer && reviewer.kind === 'agent', `agents listed: ${agents.map((n) => (n.kind === 'agent' ? n.agent.path : n.label)).join(', ')}`);
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
