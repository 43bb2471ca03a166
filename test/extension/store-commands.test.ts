// Palette parity with the CLI, in the real VS Code: Show History (cairn log --id), Check Store (cairn doctor), Export
// Store (cairn export), Erase Project (cairn project erase) and Log Agent Run (cairn agents run-log); what each one
// did is read back through the CLI, and bad input gets one message and changes nothing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../waitFor';
import { runCli } from './cli';
import type { CairnApi } from '../../src/extension/extension';
import type { ProjectNode, TaskNode, TreeNode } from '../../src/views/nodes';

let api: CairnApi;
let extensionPath: string;
const cli = (...args: string[]) => runCli(extensionPath, api.storeDir, args);
const lastError = () => [...api.shownMessages()].reverse().find((m) => m.level === 'error')?.message ?? '';
const errorCount = () => api.shownMessages().filter((m) => m.level === 'error').length;

describe('Palette parity: history, check, export, erase, log a run', () => {
  let projectId: string;
  let taskId: string;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-export-'));
  const projectNode = () => waitFor('the project row', async () => ((await api.tree.getChildren()) as TreeNode[]).find((n): n is ProjectNode => n.kind === 'project' && n.project.id === projectId));
  const taskNode = async () => ((await api.tree.getChildren(await projectNode())) as TreeNode[]).find((n): n is TaskNode => n.kind === 'task' && n.task.id === taskId)!;

  before(async () => {
    const ext = vscode.extensions.getExtension<CairnApi>('cairn.cairn')!;
    extensionPath = ext.extensionPath;
    api = await ext.activate();
    await api.whenReady();
    projectId = cli('project', 'add', 'Parity lab').id;
    taskId = cli('task', 'add', '--project', projectId, 'Write the parser').id;
    cli('task', 'move', taskId, 'in_progress');
    runCli(extensionPath, api.storeDir, ['task', 'assign', taskId, 'coder'], { CAIRN_ACTOR: 'lead' });
  });

  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it('Show History opens the task\'s events in words, newest first: who moved and assigned it', async () => {
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('cairn.showHistory', await taskNode());
    assert.ok(editor, lastError());
    const text = editor.document.getText();
    assert.match(text, /^# History of task Write the parser\n/);
    assert.match(text, /· lead \(cli\) assigned it to coder · v3\n[\s\S]*moved it to In progress · v2\n[\s\S]*created the task · v1\n/);
    assert.equal(editor.document.languageId, 'markdown');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Check Store shows what cairn doctor prints', async () => {
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('cairn.checkStore');
    const text = editor!.document.getText();
    assert.match(text, /^integrity\s+ok$/m);
    assert.match(text, /^schema\s+\d+ \(this Cairn supports \d+\)$/m);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Log Agent Run records a run on the task, as cairn agents run-log does', async () => {
    const run = await vscode.commands.executeCommand<{ id: string }>('cairn.logAgentRun', await taskNode(), { agent: 'coder', outcome: 'success', tokensIn: 1200, durationMs: 60_000 });
    assert.ok(run?.id, lastError());
    const runs = cli('agents', 'runs', '--task', taskId) as { agentName: string; outcome: string; tokensIn: number }[];
    assert.deepEqual(runs.map((r) => [r.agentName, r.outcome, r.tokensIn]), [['coder', 'success', 1200]]);
  });

  it('Export Store writes JSON rows, a Markdown document and the MCP memory graph, each whole', async () => {
    const json = path.join(out, 'store.json');
    assert.deepEqual(await vscode.commands.executeCommand('cairn.exportStore', { format: 'json', file: json, projectId }), { file: json }, lastError());
    const rows = JSON.parse(fs.readFileSync(json, 'utf8'));
    assert.deepEqual(rows.tables.tasks.map((t: { title: string }) => t.title), ['Write the parser']);
    const md = path.join(out, 'store.md');
    await vscode.commands.executeCommand('cairn.exportStore', { format: 'markdown', file: md });
    assert.match(fs.readFileSync(md, 'utf8'), /Parity lab[\s\S]*Write the parser/);
    const jsonl = path.join(out, 'memory.jsonl');
    await vscode.commands.executeCommand('cairn.exportStore', { format: 'mcp-memory', file: jsonl });
    assert.ok(fs.existsSync(jsonl));
  });

  it('bad input: one message each, nothing written', async () => {
    const errors = errorCount();
    assert.equal(await vscode.commands.executeCommand('cairn.exportStore', { format: 'xml', file: path.join(out, 'x') }), undefined);
    assert.match(lastError(), /Export Store takes \{ format: "json" \| "markdown" \| "mcp-memory"/);
    assert.equal(await vscode.commands.executeCommand('cairn.exportStore', { format: 'json', file: 'relative.json' }), undefined);
    assert.match(lastError(), /absolute path/);
    assert.equal(await vscode.commands.executeCommand('cairn.logAgentRun', await taskNode(), { agent: 'coder', outcome: 'great' }), undefined);
    assert.match(lastError(), /outcome must be one of/);
    assert.equal(await vscode.commands.executeCommand('cairn.showHistory', 'not-a-row'), undefined);
    assert.match(lastError(), /Give a project, sprint or task row/);
    assert.equal(errorCount(), errors + 4);
    assert.ok(!fs.existsSync(path.join(out, 'x')) && !fs.existsSync(path.join(out, 'relative.json')));
    assert.equal((cli('agents', 'runs', '--task', taskId) as unknown[]).length, 1);
  });

  it('Erase Project (confirmed) removes the project and its history from the store', async () => {
    const r = await vscode.commands.executeCommand<{ removed: { tasks: number; agentRuns: number } }>('cairn.eraseProject', await projectNode(), { confirmed: true });
    assert.deepEqual([r?.removed.tasks, r?.removed.agentRuns], [1, 1], lastError());
    assert.ok(!(cli('project', 'list') as { id: string }[]).some((p) => p.id === projectId));
    assert.deepEqual(cli('log', '--id', taskId), []);
  });
});
