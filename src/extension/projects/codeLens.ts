// Wires the code lenses (src/views/codeLenses.ts) to the backend and the workbench: the provider for every file
// on disk, fresh answers when the store changes, the setting cairn.codeLens.enabled, and the two commands the
// lenses run: Open Note At (a vault note, at a line), Reveal Task (in the Projects view) and Show File Mentions (a
// quick pick of the notes).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CodeRefs, FileMention } from '../../store/knowledge/codeRefs';
import type { TaskRow } from '../../store/schema';
import { CairnCodeLensProvider } from '../../views/codeLenses';
import type { TreeNode } from '../../views/nodes';
import type { ProjectsTreeProvider } from '../../views/projectsTree';
import { STATUS_ICONS } from '../../views/taskPresentation';
import type { BackendClient } from '../backendClient';
import type { Messages } from '../messages';
import { safeCommands } from '../safeCommand';

export interface CodeLensWiring {
  backend: BackendClient;
  treeView: vscode.TreeView<TreeNode>;
  tree: Pick<ProjectsTreeProvider, 'locate' | 'hidesTasks'>;
  messages: Messages;
  log: vscode.LogOutputChannel;
}

/** Aggregates whose changes can change a lens: tasks (title, status, deleted), projects (deleting one deletes its tasks), notes. */
const LENS_AGGREGATES = new Set(['task', 'project', 'vault']);

export function registerCodeLenses(w: CodeLensWiring): vscode.Disposable[] {
  const { backend, treeView, tree, messages, log } = w;
  const command = safeCommands(messages);
  let lastError = '';
  const provider = new CairnCodeLensProvider({
    lookup: (query) => backend.request<'codeLens.lookup', CodeRefs>('codeLens.lookup', query),
    enabled: (doc) => vscode.workspace.getConfiguration('cairn', doc.uri).get<boolean>('codeLens.enabled', true),
    onError: (err) => {
      // Every open file asks; while the store is unavailable they all fail alike: log it once.
      if (err.message !== lastError) log.warn(`Code lenses: ${err.message}`);
      lastError = err.message;
    },
  });

  async function revealTask(target?: unknown): Promise<TaskRow> {
    // An id (code lenses, the task editor), or a board card's context menu ({ taskId }).
    const taskId = typeof target === 'object' && target !== null ? (target as { taskId?: unknown }).taskId : target;
    if (typeof taskId !== 'string' || !taskId.trim()) throw new Error('Reveal Task needs the id of a task.');
    const task = await backend.request<'tasks.get', TaskRow>('tasks.get', { id: taskId.trim() });
    const named = `Task "${task.title}" (${STATUS_ICONS[task.status].label})`;
    // A hidden view's rows are not current in the workbench (it redraws them when shown): show it first, so a reveal
    // does not race that redraw.
    if (!treeView.visible) await vscode.commands.executeCommand('cairn.projects.focus');
    // A redraw for a store change (another process's write, noticed late) can land between loading the rows and
    // the reveal, and the workbench then no longer knows the row: load them again, a few times at most.
    for (let attempt = 1; ; attempt++) {
      // Loads the pages down to it, however far down its lists it is.
      const node = await tree.locate(task.id);
      if (!node) {
        const why = tree.hidesTasks() ? ': its filter hides it (Clear Projects View Filter shows every task)' : '';
        void messages.info(`${named} is not shown in the Projects view${why}; its id is ${task.id}.`);
        return task;
      }
      try {
        await treeView.reveal(node, { select: true, focus: true, expand: false });
        return task;
      } catch {
        // The store keeps changing while it loads: say where the task is instead.
        if (attempt < 3) continue;
        void messages.info(`${named} is not shown in the Projects view yet; its id is ${task.id}.`);
        return task;
      }
    }
  }

  /** Opens a note of the vault by its vault-relative path, at a 1-based line when given. */
  /** `column`: where to show it (the knowledge graph opens notes beside itself); the active group by default. */
  async function openNoteAt(vaultPath?: unknown, line?: unknown, column?: unknown): Promise<string> {
    if (typeof vaultPath !== 'string' || !vaultPath) throw new Error("Open Note needs the note's path in the vault.");
    const file = path.resolve(backend.vault, ...vaultPath.split('/'));
    const rel = path.relative(backend.vault, file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`${vaultPath} is not inside the vault ${backend.vault}.`);
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    } catch {
      throw new Error(`Cannot open ${vaultPath}: it is no longer in the vault ${backend.vault}. Run "Cairn: Index Knowledge Vault" to update the index.`);
    }
    const at = typeof line === 'number' && Number.isInteger(line) && line >= 1 ? Math.min(line, doc.lineCount) - 1 : 0;
    const viewColumn = typeof column === 'number' && Number.isInteger(column) && column >= 1 && column <= 9 ? (column as vscode.ViewColumn) : undefined;
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(at, 0, at, 0), ...(viewColumn ? { viewColumn } : {}) });
    return vaultPath;
  }

  async function showFileMentions(mentions?: unknown): Promise<FileMention | undefined> {
    if (!Array.isArray(mentions) || !mentions.length) throw new Error('Show File Mentions needs the notes that mention the file (run it from the code lens).');
    const picked = await vscode.window.showQuickPick(
      (mentions as FileMention[]).map((m) => ({ label: `$(book) ${m.title}`, description: `${m.path}:${m.line}`, detail: m.target, mention: m })),
      { title: 'Notes that mention this file', placeHolder: 'Open a note at its link', matchOnDescription: true },
    );
    if (!picked) return undefined;
    await openNoteAt(picked.mention.path, picked.mention.line);
    return picked.mention;
  }

  return [
    provider,
    vscode.languages.registerCodeLensProvider({ scheme: 'file' }, provider),
    backend.onDidChangeStore((change) => {
      if (!change.aggregates || change.aggregates.some((a) => LENS_AGGREGATES.has(a.type))) provider.refresh();
    }),
    backend.onDidRestart(() => provider.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('cairn.codeLens.enabled')) provider.refresh(0);
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => provider.forget(doc.uri)),
    command('cairn.openNoteAt', openNoteAt),
    command('cairn.revealTask', revealTask),
    command('cairn.showFileMentions', showFileMentions),
  ];
}
