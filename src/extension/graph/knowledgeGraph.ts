// Wires the knowledge graph (src/views/knowledgeGraph/): the commands Cairn: Show Knowledge Graph (the palette, the
// Knowledge view's title bar) and Show in Graph (a note's context menu in the Explorer, the editor and the knowledge
// views: the local graph around it), one graph panel at a time, the editor the local graph follows, how a node
// opens (a note at its file, a task in its editor, an entity as its read-only document, all beside the graph), and
// the serializer that brings the panel back after a window reload (the page restores its filter from its own state).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ViewNode } from '../../store/graph/view';
import { KNOWLEDGE_GRAPH_VIEW_TYPE, KnowledgeGraphPanel, type KnowledgeGraphDeps } from '../../views/knowledgeGraph/knowledgeGraphPanel';
import { DEFAULT_FILTER, type GraphFilter } from '../../views/knowledgeGraph/messages';
import type { NoteNode } from '../../views/knowledgeNodes';
import { panelOptions } from '../../views/webview/webviewHost';
import type { BackendClient } from '../backendClient';
import { itemUri } from '../knowledge/knowledge';
import type { Messages } from '../messages';
import { safeCommands } from '../safeCommand';
import { SinglePanel } from '../singlePanel';

export interface KnowledgeGraphApi {
  /** The open graph, if any. */
  current(): KnowledgeGraphPanel | undefined;
}

/** The vault path of a file, or null when it is not a Markdown file inside the vault. */
function vaultNote(vault: string, uri: vscode.Uri | undefined): string | null {
  if (!uri || uri.scheme !== 'file' || !/\.md$/i.test(uri.fsPath)) return null;
  const rel = path.relative(vault, uri.fsPath);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

/** The node an editor shows: a vault note, or an entity's read-only document. */
function nodeOfEditor(vault: string, editor: vscode.TextEditor | undefined): string | null {
  const uri = editor?.document.uri;
  if (!uri) return null;
  const note = vaultNote(vault, uri);
  if (note) return `note:${note}`;
  const entity = uri.scheme === 'cairn-item' && /^\/entity\/(.+)\.md$/.exec(uri.path);
  return entity ? `entity:${decodeURIComponent(entity[1]!)}` : null;
}

/** A column for what the graph opens: another group that shows an editor, else the first one that is not the graph's. */
function besideGraph(graph: vscode.WebviewPanel): vscode.ViewColumn {
  const other = vscode.window.visibleTextEditors.find((e) => e.viewColumn !== undefined && e.viewColumn !== graph.viewColumn)?.viewColumn;
  return other ?? (graph.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
}

export function registerKnowledgeGraph(o: { context: vscode.ExtensionContext; backend: BackendClient; messages: Messages; log: vscode.LogOutputChannel }): {
  disposables: vscode.Disposable[];
  api: KnowledgeGraphApi;
} {
  const graphs = new SinglePanel<KnowledgeGraphPanel>();
  // The last editor of a note or entity: the graph's own tab (or any other webview) leaves it as it was.
  let followed = nodeOfEditor(o.backend.vault, vscode.window.activeTextEditor);
  const open = async (node: ViewNode, graph: vscode.WebviewPanel): Promise<unknown> => {
    const column = besideGraph(graph);
    if (node.kind === 'note') return vscode.commands.executeCommand('cairn.openNoteAt', node.key, undefined, column);
    if (node.kind === 'task') return vscode.commands.executeCommand('cairn.openTask', node.key);
    if (node.kind === 'entity') {
      const doc = await vscode.workspace.openTextDocument(itemUri('entity', node.key));
      await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
      return vscode.window.showTextDocument(doc, { preview: true, viewColumn: column });
    }
    throw new Error(`A ${node.kind} has nothing to open: its neighbours are its local graph.`);
  };
  const deps: KnowledgeGraphDeps = { backend: o.backend, log: o.log, extensionUri: o.context.extensionUri, activeNode: () => followed, open };
  const show = (filter: GraphFilter | undefined) => {
    const openedAt = performance.now();
    return graphs.show(
      filter,
      (current, f) => current.showFilter(f, openedAt),
      () => {
        // Beside the editor, so the local graph and the note it follows are both in sight.
        const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
        const panel = vscode.window.createWebviewPanel(KNOWLEDGE_GRAPH_VIEW_TYPE, 'Knowledge Graph', { viewColumn: column, preserveFocus: false }, panelOptions(o.context.extensionUri));
        return new KnowledgeGraphPanel(panel, deps, filter, openedAt);
      },
    );
  };

  /** The node Show in Graph was run on: a file (Explorer, editor), a note of a knowledge view, a node id, or the active editor. */
  const targetOf = (target: unknown): string => {
    if (target instanceof vscode.Uri) {
      const note = vaultNote(o.backend.vault, target);
      if (!note) throw new Error(`${target.fsPath} is not a note of the vault ${o.backend.vault}.`);
      return `note:${note}`;
    }
    if (typeof target === 'object' && target !== null && (target as NoteNode).kind === 'note' && typeof (target as NoteNode).note?.path === 'string') return `note:${(target as NoteNode).note.path}`;
    if (typeof target === 'string' && /^(note|entity|task|agent|tag|placeholder):./.test(target)) return target;
    if (target === undefined) {
      // From the graph's own tab (a webview: no active text editor) too: the note last shown in an editor.
      const active = nodeOfEditor(o.backend.vault, vscode.window.activeTextEditor) ?? followed;
      if (active) return active;
      throw new Error('Show in Graph needs a note: open one of the vault, or run it from a note in the Explorer.');
    }
    throw new Error('Show in Graph takes a note (a file of the vault or a note of the Knowledge view) or a node id such as note:a.md or task:ID.');
  };

  const command = safeCommands(o.messages);
  return {
    api: { current: () => graphs.current },
    disposables: [
      command('cairn.showKnowledgeGraph', async () => {
        show(undefined);
        return true;
      }),
      command('cairn.showInGraph', async (target?: unknown) => {
        const center = targetOf(target);
        show({ ...DEFAULT_FILTER, mode: 'local', center, depth: 1 });
        return center;
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        const node = nodeOfEditor(o.backend.vault, editor);
        if (!node || node === followed) return;
        followed = node;
        graphs.current?.editorChanged();
      }),
      graphs.restoreOn(KNOWLEDGE_GRAPH_VIEW_TYPE, (panel) => new KnowledgeGraphPanel(panel, deps)),
      graphs,
    ],
  };
}
