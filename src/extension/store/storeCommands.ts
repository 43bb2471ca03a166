// Palette parity with the CLI for what is not a tree edit: an item's history from the event log (cairn log --id),
// Check Store (cairn doctor), Export Store (cairn export), Erase Project (cairn project erase) and Log Agent Run
// (cairn agents run). Reports open as read-only Markdown documents, never dirty, never saved.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AgentSummary } from '../../store/agents/indexer';
import { writeFileAtomically } from '../../store/atomicFile';
import type { EraseReport } from '../../store/erase';
import type { JsonExport, MarkdownExport } from '../../store/export';
import { exportText } from '../../store/exportText';
import type { MemoryExport } from '../../store/graph/memoryJsonl';
import { healthLines } from '../../store/healthReport';
import { AGENT_RUN_OUTCOMES, type AgentRunOutcome, type EventRow, type TaskRow } from '../../store/schema';
import type { StoreHealth } from '../../store/store';
import { nodeLabel, type EntityNode } from '../../views/nodes';
import { historyMarkdown, HISTORY_LIMIT, parseMeasures } from '../../views/storeReports';
import type { BackendClient } from '../backendClient';
import type { Messages } from '../messages';
import { pickers } from '../pickers';
import { isOptions, isViewRowCall, safeCommands } from '../safeCommand';

const REPORT_SCHEME = 'cairn-report';
export function registerStoreCommands(backend: BackendClient, messages: Messages): vscode.Disposable[] {
  const command = safeCommands(messages);
  const { pickNode, pickProject, pickTask } = pickers(backend, messages);
  const changed = new vscode.EventEmitter<vscode.Uri>();

  const documents: vscode.TextDocumentContentProvider = {
    onDidChange: changed.event,
    async provideTextDocumentContent(uri) {
      const [, what, type, file] = uri.path.split('/');
      if (what === 'doctor.md') {
        const h = await backend.request<'store.health', StoreHealth>('store.health', {});
        return ['# Cairn store check', '', `Store: ${backend.store}`, '', '```text', ...healthLines(h), '```', ''].join('\n');
      }
      if (what === 'history' && (type === 'project' || type === 'sprint' || type === 'task') && file) {
        const id = decodeURIComponent(file.replace(/\.md$/, ''));
        const events = await backend.request<'events.list', EventRow[]>('events.list', { aggregateType: type, aggregateId: id, limit: HISTORY_LIMIT, order: 'desc' });
        return historyMarkdown(`${type} ${decodeURIComponent(uri.query) || id}`, events);
      }
      throw new Error(`Cairn cannot show ${uri.toString()}.`);
    },
  };

  async function showReport(uri: vscode.Uri): Promise<vscode.TextEditor> {
    changed.fire(uri); // opened again: read afresh
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  /** The project, sprint or task a command is about: its tree row, or one picked. */
  const entityOf = async (target: unknown, placeHolder: string): Promise<EntityNode | undefined> => {
    if (isOptions(target) && (target.kind === 'project' || target.kind === 'sprint' || target.kind === 'task')) return target as EntityNode;
    if (target !== undefined) throw new Error('Give a project, sprint or task row of the Projects view (or run the command from the palette and pick one).');
    return pickNode(placeHolder);
  };

  async function exportStore(options?: unknown): Promise<{ file: string } | undefined> {
    let format: 'json' | 'markdown' | 'mcp-memory' | undefined;
    let projectId: string | undefined;
    let file: string | undefined;
    if (options !== undefined) {
      if (!isOptions(options) || !['json', 'markdown', 'mcp-memory'].includes(options.format as string) || typeof options.file !== 'string' || (options.projectId !== undefined && typeof options.projectId !== 'string')) {
        throw new Error('Export Store takes { format: "json" | "markdown" | "mcp-memory", file: an absolute path, projectId? }.');
      }
      ({ format, file } = options as { format: typeof format; file: string });
      projectId = options.projectId as string | undefined;
      if (!path.isAbsolute(file)) throw new Error(`Export Store writes to an absolute path; ${file} is relative.`);
    } else {
      const picked = await vscode.window.showQuickPick(
        [
          { label: 'JSON rows', description: 'everything the store holds, secrets still encrypted (cairn export)', format: 'json' as const },
          { label: 'Markdown', description: 'a readable document per project', format: 'markdown' as const },
          { label: 'MCP memory graph', description: "the knowledge graph as the MCP memory server's memory.jsonl", format: 'mcp-memory' as const },
        ],
        { title: 'Cairn: Export Store', placeHolder: 'What to export' },
      );
      if (!picked) return undefined;
      format = picked.format;
      if (format !== 'mcp-memory') {
        const scope = await vscode.window.showQuickPick([{ label: 'The whole store', all: true }, { label: 'One project…', all: false }], { title: 'Cairn: Export Store', placeHolder: 'Export what' });
        if (!scope) return undefined;
        if (!scope.all) {
          const project = await pickProject('Project to export');
          if (!project) return undefined;
          projectId = project.id;
        }
      }
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const name = format === 'mcp-memory' ? 'memory.jsonl' : format === 'markdown' ? 'cairn-export.md' : 'cairn-export.json';
      const target = await vscode.window.showSaveDialog({ title: 'Cairn: Export Store', defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, saveLabel: 'Export' });
      if (!target) return undefined;
      file = target.fsPath;
    }
    let what: string;
    if (format === 'mcp-memory') {
      const graph = await backend.request<'graph.export', MemoryExport>('graph.export', {});
      writeFileAtomically(file, graph.text);
      what = `${graph.entities} entities, ${graph.observations} observations and ${graph.relations} relations`;
    } else {
      const result = await backend.request<'store.export', JsonExport | MarkdownExport>('store.export', { format, projectId });
      writeFileAtomically(file, exportText(result));
      what = 'tables' in result ? Object.entries(result.tables).map(([t, rows]) => `${rows.length} ${t}`).join(', ') : `${result.documents.length} project document(s)`;
    }
    void messages.info(`Cairn: exported ${what} to ${file}.`);
    return { file };
  }

  async function eraseProject(target?: unknown, options?: unknown): Promise<EraseReport | undefined> {
    const node = isOptions(target) && target.kind === 'project' ? (target as Extract<EntityNode, { kind: 'project' }>) : undefined;
    if (target !== undefined && !node) throw new Error('Erase Project takes a project row of the Projects view (or run it from the palette and pick one).');
    const project = node?.project ?? (await pickProject('Project to erase, with its whole history'));
    if (!project) return undefined;
    if (!(isOptions(options) && options.confirmed === true)) {
      const choice = await vscode.window.showWarningMessage(
        `Erase project "${project.name}" and its whole history?`,
        { modal: true, detail: 'Its sprints, tasks, agent runs, memories, sessions and every event about them are removed from the store for good: the one exception to the append-only log. Earlier backups still hold them. Delete (not erase) keeps the record.' },
        'Erase for Good',
      );
      if (choice !== 'Erase for Good') return undefined;
    }
    const r = await backend.request<'projects.erase', EraseReport>('projects.erase', { id: project.id, confirm: true });
    void messages.info(`Cairn: erased "${project.name}": ${r.removed.sprints} sprints, ${r.removed.tasks} tasks, ${r.removed.agentRuns} agent runs and ${r.removed.events} events. ${r.backups}`);
    return r;
  }

  async function logAgentRun(target?: unknown, run?: unknown): Promise<unknown> {
    const task = isOptions(target) && target.kind === 'task' ? ((target as Extract<EntityNode, { kind: 'task' }>).task as TaskRow) : target === undefined ? await pickTask('Task the agent worked on') : undefined;
    if (target !== undefined && !task) throw new Error('Log Agent Run takes a task row of the Projects view (or run it from the palette and pick one).');
    if (!task) return undefined;
    if (run !== undefined) {
      // From code: the run as agents.recordRun takes it; the backend checks every field.
      if (!isOptions(run)) throw new Error('Log Agent Run takes a task, then optionally the run: { agent, outcome, durationMs?, tokensIn?, tokensOut?, qualityScore?, errors?, notes? }.');
      return backend.request('agents.recordRun', { ...run, taskId: task.id } as never);
    }
    const agents = await backend.request<'agents.list', AgentSummary[]>('agents.list', {});
    const names = [...new Set([task.assignee, ...agents.filter((a) => !a.shadowed).map((a) => a.name)].filter((n): n is string => !!n))];
    const agentPick = vscode.window.createQuickPick();
    agentPick.title = `Log an agent run on "${task.title}" (1/3)`;
    agentPick.placeholder = 'Which agent ran (pick one, or type a name)';
    agentPick.items = names.map((label) => ({ label, description: label === task.assignee ? 'assigned' : undefined }));
    const agent = await new Promise<string | undefined>((resolve) => {
      agentPick.onDidAccept(() => resolve((agentPick.selectedItems[0]?.label ?? agentPick.value).trim() || undefined));
      agentPick.onDidHide(() => resolve(undefined));
      agentPick.show();
    });
    agentPick.dispose();
    if (!agent) return undefined;
    const outcome = await vscode.window.showQuickPick(AGENT_RUN_OUTCOMES.map((o) => ({ label: o })), { title: `Log a run of ${agent} (2/3)`, placeHolder: 'How did it go' });
    if (!outcome) return undefined;
    const measures = await vscode.window.showInputBox({
      title: `Log a run of ${agent} (3/3)`,
      prompt: 'Optional: minutes, tokens in and out, quality 0–1, as "25m 12000in 3400out q0.8" (any of them, any order); empty: none',
      validateInput: (v) => (parseMeasures(v) ? undefined : 'Write e.g. 25m 12000in 3400out q0.8 (minutes, tokens in, tokens out, quality between 0 and 1)'),
      ignoreFocusOut: true,
    });
    if (measures === undefined) return undefined;
    const r = await backend.request('agents.recordRun', { agent, taskId: task.id, outcome: outcome.label as AgentRunOutcome, ...parseMeasures(measures)! });
    void messages.info(`Cairn: logged a ${outcome.label} run of ${agent} on "${task.title}".`);
    return r;
  }

  return [
    changed,
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, documents),
    command('cairn.showHistory', async (target?: unknown) => {
      const node = await entityOf(target, 'Project, sprint or task whose history to show');
      if (!node) return undefined;
      const id = node.kind === 'project' ? node.project.id : node.kind === 'sprint' ? node.sprint.id : node.task.id;
      return showReport(vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/history/${node.kind}/${encodeURIComponent(id)}.md`, query: nodeLabel(node) }));
    }),
    command('cairn.checkStore', async () => showReport(vscode.Uri.from({ scheme: REPORT_SCHEME, path: '/doctor.md' }))),
    command('cairn.exportStore', (...args: unknown[]) => exportStore(isViewRowCall(args) ? undefined : args[0])),
    command('cairn.eraseProject', eraseProject),
    command('cairn.logAgentRun', logAgentRun),
  ];
}
