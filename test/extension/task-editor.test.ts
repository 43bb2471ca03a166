// The task editor in the real VS Code: a click on a task in the Projects view (its tree item's command) opens one
// editor tab per task, whose page (the real bundle, in the workbench's browser) draws the task and reports what it
// shows. A save goes through the host's checked port to tasks.update with the version read, and is read back with
// the CLI; a change the CLI makes meanwhile reaches the open page, which takes it into its draft; a save that raced
// a change to another field is merged; one that raced a change to the same field is offered as a choice and
// overwrites nothing; criteria and dependencies change at once; hostile messages are refused and change nothing.
// Typing in the page (keyboard only), choosing between conflicting values and the reload are driven by
// test/ui/editor.js.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CairnApi } from '../../src/extension/extension';
import type { Project } from '../../src/store/projects';
import type { TaskRow } from '../../src/store/schema';
import type { TaskNode } from '../../src/views/nodes';
import type { EditorContext } from '../../src/views/taskEditor/messages';
import type { TaskEditorPanel } from '../../src/views/taskEditor/taskEditorPanel';
import { waitFor } from '../waitFor';
import { runCli } from './cli';
import { closeTaskProject, nextPosted, openTaskProject } from './taskPanels';

let api: CairnApi;
let extensionPath: string;
let project: Project;
let tasks: Record<string, TaskRow>;

const cli = (...args: string[]) => runCli(extensionPath, api.storeDir, args, { CAIRN_ACTOR: 'terminal-user' });

const getTask = (id: string) => api.request<'tasks.get', TaskRow>('tasks.get', { id });
const newestSeq = async () => (await api.request<'events.list', { seq: number }[]>('events.list', { limit: 1 }))[0]?.seq ?? 0;
const editorOf = (id: string) => {
  const e = api.taskEditor.get(id);
  assert.ok(e, `an editor is open for ${id}`);
  return e;
};

/** Waits for the page to report that it shows `version` (with `check` on its report). */
const pageShows = (e: TaskEditorPanel, version: number, check: (s: NonNullable<TaskEditorPanel['lastState']>) => boolean = () => true) =>
  waitFor(`the page to show version ${version}`, () => (e.lastState && e.lastState.version === version && check(e.lastState) ? e.lastState : undefined), 30_000);

describe('Task editor (webview)', function () {
  before(async () => {
    ({ api, extensionPath, project, tasks } = await openTaskProject('Editor project', async (add) => {
      await add('Set up CI');
      await add('Write the editor', { description: 'With a **preview**', priority: 'high', assignee: 'alice', tags: ['ui'], estimatedMinutes: 90, criteria: ['fields', 'save', 'merge'] });
    }));
  });

  after(() => closeTaskProject(api, project));

  it('a click on a task in the Projects view opens its editor (one tab per task), whose page draws the task', async () => {
    const t = tasks['Write the editor'];
    const node: TaskNode = { kind: 'task', task: t, hasChildren: false };
    const item = api.tree.getTreeItem(node);
    assert.equal(item.command?.command, 'cairn.openTask', 'the tree item opens the editor');
    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    const e = editorOf(t.id);
    assert.equal(e.panel.viewType, 'cairn.taskEditor');
    assert.deepEqual(
      e.panel.webview.options.localResourceRoots?.map((u) => u.path),
      [vscode.Uri.joinPath(vscode.Uri.file(extensionPath), 'dist', 'webviews').path],
    );
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(e.panel.webview.html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp.split(e.panel.webview.cspSource).join('SELF'), /unsafe-inline|unsafe-eval|https?:|\*/);
    const context = await nextPosted(e, 'context');
    assert.equal(context.context.project.name, 'Editor project');
    assert.ok(context.context.history.some((h) => h.summary === 'created the task'));
    await pageShows(e, t.version, (s) => s.dirty.length === 0 && s.conflicts.length === 0);
    assert.equal(e.panel.title, 'Write the editor');
    // Opening it again (from the palette, with its id) shows the same tab.
    assert.equal(await vscode.commands.executeCommand('cairn.openTask', t.id), e);
    assert.equal(api.taskEditor.all().filter((x) => x.taskId === t.id).length, 1);
  });

  it('a save writes the changed fields with the version read; the CLI reads them back', async () => {
    const t = await getTask(tasks['Write the editor'].id);
    const e = editorOf(t.id);
    const answer = nextPosted(e, 'saveResult', (m) => m.requestId === 'save-1');
    assert.ok(e.port.receive({ type: 'save', requestId: 'save-1', expectedVersion: t.version, changes: { priority: 'urgent', tags: ['ui', 'webview'], estimatedMinutes: 120 }, base: { priority: 'high', tags: ['ui'], estimatedMinutes: 90 } }));
    assert.equal((await answer).ok, true);
    const shown = cli('task', 'show', t.id);
    assert.deepEqual([shown.priority, shown.tags, shown.estimatedMinutes, shown.version], ['urgent', ['ui', 'webview'], 120, t.version + 1]);
    const [event] = await api.request<'events.list', { type: string; source: string; data: { to: Record<string, unknown> } }[]>('events.list', { aggregateType: 'task', aggregateId: t.id, limit: 1 });
    assert.equal(event.source, 'extension');
    assert.deepEqual(Object.keys(event.data.to).sort(), ['estimatedMinutes', 'priority', 'tags']);
    await pageShows(e, t.version + 1, (s) => s.dirty.length === 0);
  });

  it('a change the CLI makes reaches the open editor, saying who made it; the page takes it into its draft', async () => {
    const t = await getTask(tasks['Write the editor'].id);
    const e = editorOf(t.id);
    const posted = nextPosted(e, 'task', (m) => m.reason === 'changed' && m.task.version === t.version + 1);
    const contexts: EditorContext[] = [];
    const sub = e.port.onDidPost((m) => m.type === 'context' && contexts.push(m.context));
    cli('task', 'update', t.id, '--description', 'Changed in a terminal');
    const m = await posted;
    assert.equal(m.task.description, 'Changed in a terminal');
    assert.deepEqual(m.by, [{ actor: 'terminal-user', source: 'cli' }]);
    await pageShows(e, t.version + 1, (s) => s.taken.includes('description') && s.dirty.length === 0);
    const context = await waitFor('the history to list the CLI change', () => contexts.find((c) => c.history[0]?.actor === 'terminal-user'));
    sub.dispose();
    assert.equal(context.history[0]!.source, 'cli');
    assert.equal(context.history[0]!.summary, 'changed description');
  });

  it('a save that raced a CLI change to another field is merged: both changes are in the store', async () => {
    const read = await getTask(tasks['Write the editor'].id);
    const e = editorOf(read.id);
    cli('task', 'update', read.id, '--priority', 'low');
    const answer = nextPosted(e, 'saveResult', (m) => m.requestId === 'save-merge');
    e.port.receive({ type: 'save', requestId: 'save-merge', expectedVersion: read.version, changes: { status: 'in_progress' }, base: { status: 'pending' } });
    const result = await answer;
    assert.equal(result.ok, true);
    const shown = cli('task', 'show', read.id);
    assert.deepEqual([shown.status, shown.priority, shown.version], ['in_progress', 'low', read.version + 2]);
  });

  it('a save that raced a CLI change to the same field is offered as a choice and overwrites nothing', async () => {
    const read = await getTask(tasks['Write the editor'].id);
    const e = editorOf(read.id);
    cli('task', 'update', read.id, '--title', 'Title from the terminal');
    const answer = nextPosted(e, 'saveResult', (m) => m.requestId === 'save-clash');
    e.port.receive({ type: 'save', requestId: 'save-clash', expectedVersion: read.version, changes: { title: 'Title from the editor', assignee: 'bob' }, base: { title: read.title, assignee: read.assignee } });
    const result = await answer;
    assert.equal(result.ok, false);
    assert.match(result.message ?? '', /someone else changed the same fields meanwhile/);
    assert.deepEqual(result.conflicts, [{ field: 'title', mine: 'Title from the editor', theirs: 'Title from the terminal' }]);
    let shown = cli('task', 'show', read.id);
    assert.deepEqual([shown.title, shown.assignee, shown.version], ['Title from the terminal', 'alice', read.version + 1], 'nothing of the save was written');
    // "Keep mine", then save again: at the version the page now has.
    const keep = nextPosted(e, 'saveResult', (m) => m.requestId === 'save-keep');
    e.port.receive({ type: 'save', requestId: 'save-keep', expectedVersion: read.version + 1, changes: { title: 'Title from the editor', assignee: 'bob' }, base: { title: 'Title from the terminal', assignee: 'alice' } });
    assert.equal((await keep).ok, true);
    shown = cli('task', 'show', read.id);
    assert.deepEqual([shown.title, shown.assignee], ['Title from the editor', 'bob']);
    await waitFor('the tab to carry the new title', () => e.panel.title === 'Title from the editor');
  });

  it('acceptance criteria change at once, at the version shown; a stale change is refused', async () => {
    const t = await getTask(tasks['Write the editor'].id);
    const e = editorOf(t.id);
    const act = async (requestId: string, expectedVersion: number, op: Record<string, unknown>) => {
      const answer = nextPosted(e, 'actionResult', (m) => m.requestId === requestId);
      assert.ok(e.port.receive({ type: 'criteria', requestId, expectedVersion, op }));
      return answer;
    };
    assert.equal((await act('c1', t.version, { check: 1 })).ok, true);
    assert.equal((await act('c2', t.version + 1, { move: 3, to: 1 })).ok, true);
    assert.equal((await act('c3', t.version + 2, { add: 'conflicts offered' })).ok, true);
    const stale = await act('c4', t.version, { remove: 1 });
    assert.equal(stale.ok, false);
    assert.match(stale.message ?? '', /changed by someone else/);
    assert.deepEqual(cli('task', 'show', t.id).criteria, [
      { text: 'merge', done: false },
      { text: 'fields', done: true },
      { text: 'save', done: false },
      { text: 'conflicts offered', done: false },
    ]);
    await pageShows(e, t.version + 3);
  });

  it('dependencies: found by search, added, removed; the preview renders Markdown without raw HTML', async () => {
    const t = await getTask(tasks['Write the editor'].id);
    const e = editorOf(t.id);
    const found = nextPosted(e, 'searchResults', (m) => m.seq === 41);
    e.port.receive({ type: 'search', seq: 41, purpose: 'dependency', query: 'Set up' });
    const results = (await found).results;
    assert.ok(results.some((r) => r.id === tasks['Set up CI'].id), `found: ${JSON.stringify(results)}`);
    const added = nextPosted(e, 'actionResult', (m) => m.requestId === 'dep-1');
    const listed = nextPosted(e, 'context', (m) => m.context.dependsOn.some((d) => d.id === tasks['Set up CI'].id));
    e.port.receive({ type: 'depend', requestId: 'dep-1', on: tasks['Set up CI'].id });
    assert.equal((await added).ok, true);
    assert.equal((await listed).context.dependsOn[0]!.title, 'Set up CI');
    assert.deepEqual(cli('task', 'show', t.id).dependsOn, [tasks['Set up CI'].id]);
    const removed = nextPosted(e, 'actionResult', (m) => m.requestId === 'dep-2');
    e.port.receive({ type: 'undepend', requestId: 'dep-2', on: tasks['Set up CI'].id });
    assert.equal((await removed).ok, true);
    assert.deepEqual(cli('task', 'show', t.id).dependsOn, []);

    const preview = nextPosted(e, 'preview', (m) => m.seq === 7);
    e.port.receive({ type: 'preview', seq: 7, text: '**bold** <script>alert(1)</script> [x](javascript:alert(1))' });
    const html = (await preview).html;
    assert.match(html, /<strong>bold<\/strong>/);
    assert.doesNotMatch(html, /<script|href="javascript/);
  });

  it('the agent runs on the task are listed', async () => {
    const t = await getTask(tasks['Write the editor'].id);
    const e = editorOf(t.id);
    const listed = nextPosted(e, 'context', (m) => m.context.runs.length > 0);
    cli('agent', 'run-log', '--agent', 'ui-builder', '--task', t.id, '--outcome', 'success', '--tokens-in', '1200', '--notes', 'Drew the form');
    const run = (await listed).context.runs[0]!;
    assert.deepEqual([run.agentName, run.outcome, run.tokensIn, run.notes], ['ui-builder', 'success', 1200, 'Drew the form']);
  });

  it('hostile or malformed messages are refused, logged and answered with an error; nothing changes', async () => {
    const t = await getTask(tasks['Write the editor'].id);
    const e = editorOf(t.id);
    const before = await newestSeq();
    const hostile: unknown[] = [
      null,
      'save',
      { type: 'save', requestId: 'h', expectedVersion: t.version, changes: { title: '' }, base: {} },
      { type: 'save', requestId: 'h', expectedVersion: t.version, changes: { title: 'ok', projectId: 'elsewhere' }, base: {} },
      { type: 'save', requestId: 'h', expectedVersion: t.version, changes: { secretFields: [] }, base: {} },
      { type: 'save', requestId: 'h', expectedVersion: t.version, changes: { description: 'x'.repeat(2_000_000) }, base: {} },
      { type: 'criteria', requestId: 'h', expectedVersion: t.version, op: { remove: 1, check: 2 } },
      { type: 'depend', requestId: 'h', on: { $ne: null } },
      { type: 'openNote', path: '' },
      { type: 'openTask', taskId: 'a'.repeat(5000) },
      { type: 'delete', taskId: t.id },
      { type: 'state', version: 1, dirty: ['__proto__'], conflicts: [], taken: [] },
    ];
    for (const message of hostile) {
      const refusal = nextPosted(e, 'error');
      assert.equal(e.port.receive(message), false, `refused: ${JSON.stringify(message)?.slice(0, 120)}`);
      assert.match((await refusal).message, /^Cairn refused a message from the task editor: /);
    }
    assert.equal(await newestSeq(), before, 'no event was written');
    const after = await getTask(t.id);
    assert.deepEqual([after.title, after.version], [t.title, t.version]);
  });

  it('Enter or a double-click on a board card opens its editor; a task deleted meanwhile is shown as gone', async () => {
    const t = tasks['Set up CI'];
    await vscode.commands.executeCommand('cairn.openTaskBoard', { kind: 'project', project });
    const board = api.taskBoard.current();
    assert.ok(board);
    assert.equal(board.port.receive({ type: 'open', taskId: t.id }), true);
    const e = await waitFor('the editor of the card', () => api.taskEditor.get(t.id));
    await pageShows(e, t.version);
    const gone = nextPosted(e, 'gone');
    cli('task', 'delete', t.id);
    assert.match((await gone).message, /deleted/);
    // A card's context menu passes { taskId }: the same command takes it.
    await vscode.commands.executeCommand('cairn.openTask', { webview: 'cairn.taskBoard', webviewSection: 'taskCard', taskId: tasks['Write the editor'].id });
    await waitFor('the editor of that task to be the active tab', () => api.taskEditor.get(tasks['Write the editor'].id)?.panel.active);
  });
});
