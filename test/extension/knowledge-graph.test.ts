// The knowledge graph in the real VS Code: a generated vault of 100 notes (wikilinks, embeds, tags, a note that names
// a task) plus Foam's documentation vault, a task and entities written through the backend. The command opens a
// webview panel whose page (the real bundle: sigma.js in WebGL, ForceAtlas2 in a web worker, in the workbench's
// browser) draws the graph and reports what it holds: as many nodes and edges as graph.view counts in the store. A
// click's message opens the note, the task or the entity; the local graph follows the active editor; hostile
// messages are refused. Screenshots and keyboard use: test/ui/graph.js.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CairnApi } from '../../src/extension/extension';
import type { GraphView } from '../../src/store/graph/view';
import type { Project } from '../../src/store/projects';
import type { TaskRow } from '../../src/store/schema';
import type { GraphLaidOut, GraphPainted } from '../../src/views/knowledgeGraph/knowledgeGraphPanel';
import { DEFAULT_FILTER, type GraphFilter } from '../../src/views/knowledgeGraph/messages';
import { waitFor } from '../waitFor';
import { nextPosted } from './taskPanels';

let api: CairnApi;
let extensionPath: string;
let project: Project;
let task: TaskRow;
const FOLDER = 'graph-test';
const FOAM = 'graph-foam';
const NOTES = 100;
const written: string[] = [];

const graph = () => {
  const g = api.knowledgeGraph.current();
  assert.ok(g, 'a knowledge graph is open');
  return g;
};
/** The store's own count of the graph under a filter (every page). */
async function storeCounts(filter: GraphFilter, center?: string): Promise<{ nodes: number; edges: number; center: string | null }> {
  const v = await api.request<'graph.view', GraphView>('graph.view', {
    mode: filter.mode,
    ...(filter.mode === 'local' ? { center, depth: filter.depth } : {}),
    kinds: filter.kinds,
    ...(filter.folder !== null ? { folder: filter.folder } : {}),
    orphans: filter.orphans,
    limit: 1,
  });
  return { nodes: v.totalNodes, edges: v.totalEdges, center: v.center };
}
/** The next paint whose totals are the store's (the page may paint an older answer first). */
const paintedAs = (what: string, want: { nodes: number; edges: number }) =>
  waitFor(what, () => {
    const p = api.knowledgeGraph.current()?.lastPainted;
    return p && p.nodes === want.nodes && p.edges === want.edges ? p : undefined;
  }, 60_000);

function write(rel: string, text: string): void {
  const file = path.join(api.vaultDir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  written.push(file);
}

let vaultExisted = false;

describe('Knowledge graph (webview)', function () {
  before(async () => {
    const ext = vscode.extensions.getExtension<CairnApi>('cairn.cairn');
    assert.ok(ext);
    api = await ext.activate();
    extensionPath = ext.extensionPath;
    await api.whenReady();
    vaultExisted = fs.existsSync(api.vaultDir);
    project = await api.request<'projects.create', Project>('projects.create', { name: 'Graph project' });
    task = await api.request<'tasks.create', TaskRow>('tasks.create', { projectId: project.id, title: 'Draw the graph', notes: [`${FOLDER}/n1`] });
    // A generated vault: each note links to the next three (one embedded), tagged by tens; n0 names the task.
    for (let i = 0; i < NOTES; i++) {
      const links = [1, 2, 3].map((d) => (i + d * 7) % NOTES).map((j, k) => (k === 2 ? `![[n${j}]]` : `[[n${j}]]`));
      write(`${FOLDER}/n${i}.md`, `# Note ${i}\n\nSee ${links.join(', ')}. #g${Math.floor(i / 10)}${i === 0 ? `\n\nWork: ${task.id}\n` : ''}\n`);
    }
    write(`${FOLDER}/lonely.md`, '# Lonely\n\nNo links.\n');
    // A real vault written by other people: Foam's documentation.
    const foam = path.join(extensionPath, 'test', 'fixtures', 'foam-docs-vault');
    for (const rel of fs.readdirSync(foam, { recursive: true }) as string[]) {
      if (rel.endsWith('.md') && fs.statSync(path.join(foam, rel)).isFile()) write(`${FOAM}/${rel.split(path.sep).join('/')}`, fs.readFileSync(path.join(foam, rel), 'utf8'));
    }
    await api.request('knowledge.index', { create: true });
    await api.request('graph.createEntities', { entities: [{ name: 'Graph Person', entityType: 'person', observations: ['draws graphs'] }] });
    await api.request('graph.createRelations', { relations: [{ from: 'Graph Person', to: `${FOLDER}/n5.md`, relationType: 'wrote' }] });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await api.request('projects.delete', { id: project.id });
    await api.request('graph.deleteEntities', { entityNames: ['Graph Person'] });
    for (const file of written) fs.rmSync(file, { force: true });
    for (const dir of [FOLDER, FOAM]) fs.rmSync(path.join(api.vaultDir, dir), { recursive: true, force: true });
    await api.request('knowledge.index', {});
    // The vault as the next suite finds it: the Knowledge vault tests start from none at all.
    if (!vaultExisted) fs.rmSync(api.vaultDir, { recursive: true, force: true });
  });

  it('Cairn: Show Knowledge Graph opens a strict page whose graph holds as many nodes and edges as the store counts, laid out in a web worker', async () => {
    assert.ok((await vscode.commands.getCommands(true)).includes('cairn.showKnowledgeGraph'));
    await vscode.commands.executeCommand('cairn.showKnowledgeGraph');
    const g = graph();
    assert.equal(g.panel.viewType, 'cairn.knowledgeGraph');
    assert.deepEqual(g.panel.webview.options.localResourceRoots?.map((u) => u.path), [vscode.Uri.joinPath(vscode.Uri.file(extensionPath), 'dist', 'webviews').path]);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(g.panel.webview.html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{20,}'(;|$)/);
    assert.match(csp, /worker-src blob:(;|$)/, 'workers only from blob: URLs the page makes');
    assert.doesNotMatch(csp.split(g.panel.webview.cspSource).join('SELF'), /unsafe-inline|unsafe-eval|https?:|\*/);
    const laidOut = new Promise<GraphLaidOut>((resolve) => g.onDidLayOut(resolve));
    const want = await storeCounts(DEFAULT_FILTER);
    assert.ok(want.nodes >= NOTES + 1 + 1 + 1, 'the notes, the task and the entity at least');
    const p: GraphPainted = await paintedAs('the page to paint the whole store', want);
    console.log(`      graph: ${p.nodes} nodes, ${p.edges} edges; command → first frame ${p.sinceOpenedMs.toFixed(0)} ms (page: answer → drawn ${p.timings.drawMs.toFixed(0)} ms)`);
    const layout = await laidOut;
    assert.equal(layout.layoutIn, 'worker', 'ForceAtlas2 ran in a web worker inside the webview');
    assert.ok(layout.iterations > 0, 'the worker sent positions back');
    console.log(`      layout: stable after ${layout.ms.toFixed(0)} ms, ${layout.iterations} iterations in the worker`);
  });

  it('filters by kind and folder: the page holds what graph.view counts under the same filter', async () => {
    const g = graph();
    const filter: GraphFilter = { ...DEFAULT_FILTER, kinds: ['note', 'task', 'tag', 'placeholder'], folder: FOLDER };
    g.showFilter(filter);
    const want = await storeCounts(filter);
    // 101 notes of the folder, 10 tags, the tasks (the shared store may hold others'), no placeholder.
    assert.ok(want.nodes >= NOTES + 1 + 10 + 1);
    await paintedAs('the filtered graph painted', want);
    assert.equal(g.lastSent?.nodes, want.nodes);
    assert.equal(g.lastSent?.edges, want.edges);
  });

  it('clicking a node (the message its click sends) opens the note beside the graph, the task in its editor, the entity as its document', async () => {
    const g = graph();
    g.showFilter(DEFAULT_FILTER);
    await paintedAs('the whole store again', await storeCounts(DEFAULT_FILTER));
    assert.ok(g.port.receive({ type: 'open', id: `note:${FOLDER}/n3.md` }));
    await waitFor('the note to open', () => vscode.window.activeTextEditor?.document.uri.fsPath === path.join(api.vaultDir, FOLDER, 'n3.md'), 30_000);
    assert.notEqual(vscode.window.activeTextEditor?.viewColumn, g.panel.viewColumn, 'beside the graph, which stays in sight');
    assert.ok(g.panel.visible, 'the graph is still shown');
    assert.ok(g.port.receive({ type: 'open', id: `task:${task.id}` }));
    await waitFor('the task editor to open', () => vscode.window.tabGroups.all.some((grp) => grp.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.label.includes('Draw the graph'))), 30_000);
    assert.ok(g.port.receive({ type: 'open', id: 'entity:Graph Person' }));
    await waitFor('the entity document to open', () => vscode.window.activeTextEditor?.document.uri.scheme === 'cairn-item', 30_000);
    assert.match(vscode.window.activeTextEditor!.document.getText(), /draws graphs/);
  });

  it('the local graph follows the active editor (Show in Graph, then another note opened)', async () => {
    const g = graph();
    // Notes open in another group than the graph's: a hidden webview is gone until shown again.
    const beside = g.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
    const doc = await vscode.workspace.openTextDocument(path.join(api.vaultDir, FOLDER, 'n10.md'));
    await vscode.window.showTextDocument(doc, beside);
    await vscode.commands.executeCommand('cairn.showInGraph', doc.uri);
    const local: GraphFilter = { ...DEFAULT_FILTER, mode: 'local', center: null, depth: 1 };
    const around10 = await storeCounts(local, `note:${FOLDER}/n10.md`);
    assert.equal(around10.center, `note:${FOLDER}/n10.md`);
    // n10 links to n17, n24, n31 and is linked from n3, n96, n89: itself and six neighbours.
    assert.equal(around10.nodes, 7);
    await paintedAs('the local graph of n10', around10);
    assert.equal(g.lastSent?.center, `note:${FOLDER}/n10.md`);
    // Follow the editor: the filter without a fixed centre.
    g.showFilter(local);
    const other = await vscode.workspace.openTextDocument(path.join(api.vaultDir, FOLDER, 'n0.md'));
    await vscode.window.showTextDocument(other, beside);
    const around0 = await storeCounts(local, `note:${FOLDER}/n0.md`);
    assert.ok(around0.nodes >= 8, 'n0, its six neighbours and the task it names');
    await waitFor('the local graph to follow to n0', () => (g.lastSent?.center === `note:${FOLDER}/n0.md` ? true : undefined), 30_000);
    await paintedAs('the local graph of n0', around0);
    // Depth 2 reaches further.
    g.showFilter({ ...local, depth: 2 });
    const deeper = await storeCounts({ ...local, depth: 2 }, `note:${FOLDER}/n0.md`);
    assert.ok(deeper.nodes > around0.nodes);
    await paintedAs('the depth-2 graph of n0', deeper);
  });

  it('a change in the store reaches the open graph without a refresh', async () => {
    const g = graph();
    g.showFilter(DEFAULT_FILTER);
    await api.request('graph.createEntities', { entities: [{ name: 'Graph Latecomer', entityType: 'idea', observations: [] }] });
    try {
      const want = await storeCounts(DEFAULT_FILTER);
      await paintedAs('the graph with the new entity', want);
    } finally {
      await api.request('graph.deleteEntities', { entityNames: ['Graph Latecomer'] });
    }
  });

  it('hostile or malformed messages are refused, logged and answered with an error; a node not shown is not opened', async () => {
    const g = graph();
    const hostile: unknown[] = [
      null,
      'query',
      [],
      { type: 'drop table' },
      { type: 'query', seq: 1, filter: { ...DEFAULT_FILTER, depth: 9 } },
      { type: 'query', seq: 1, filter: { ...DEFAULT_FILTER, kinds: ['note', 'password'] } },
      { type: 'query', seq: 1, filter: { ...DEFAULT_FILTER, kinds: [] } },
      { type: 'query', seq: -1, filter: DEFAULT_FILTER },
      { type: 'query', seq: 1, filter: DEFAULT_FILTER, sql: 'select 1' },
      { type: 'open', id: '../../etc/passwd' },
      { type: 'open', id: `note:${'x'.repeat(5000)}` },
      { type: 'painted', seq: 1, nodes: -1, edges: 0, timings: { sinceStartMs: 1, drawMs: 1 } },
      { type: 'frames', token: 't', frameMs: [1], padding: 'x'.repeat(200_000) },
    ];
    for (const message of hostile) {
      const refusal = nextPosted(g, 'error');
      assert.equal(g.port.receive(message), false, `refused: ${JSON.stringify(message)?.slice(0, 120)}`);
      assert.match((await refusal).message, /^Cairn refused a message from the knowledge graph: /);
    }
    // Well-formed, but not a node of the graph shown: answered with an error, nothing opened.
    const before = vscode.window.activeTextEditor?.document.uri.toString();
    const error = nextPosted(g, 'error');
    assert.ok(g.port.receive({ type: 'open', id: 'note:../../etc/passwd' }));
    assert.match((await error).message, /is not in the graph shown/);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), before);
  });
});
