// The task board in the real VS Code: the command opens a webview panel whose page (the real bundle, in the
// workbench's browser) draws the store's cards and reports what it drew; moves go through the host's checked
// message port to tasks.update; a stale move is refused with a message and changes nothing; hostile messages are
// refused, answered with an error and change nothing; a change made by the CLI reaches the open board. The DOM
// itself (keyboard and mouse moves, screenshots, restore after a reload) is driven by test/ui/board.js.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CairnApi } from '../../src/extension/extension';
import type { Project } from '../../src/store/projects';
import type { TaskRow } from '../../src/store/schema';
import { waitFor } from '../waitFor';
import { runCli } from './cli';
import { closeTaskProject, nextPosted, openTaskProject } from './taskPanels';

let api: CairnApi;
let extensionPath: string;
let project: Project;
let tasks: Record<string, TaskRow>;

const cli = (...args: string[]) => runCli(extensionPath, api.storeDir, args);

const board = () => {
  const b = api.taskBoard.current();
  assert.ok(b, 'a task board is open');
  return b;
};
const getTask = (id: string) => api.request<'tasks.get', TaskRow>('tasks.get', { id });
const newestSeq = async () => (await api.request<'events.list', { seq: number }[]>('events.list', { limit: 1 }))[0]?.seq ?? 0;

describe('Task board (webview)', function () {
  before(async () => {
    ({ api, extensionPath, project, tasks } = await openTaskProject('Board project', async (add) => {
      const design = await add('Design the board', { priority: 'high', assignee: 'alice', tags: ['ui'], estimatedMinutes: 120, criteria: ['columns', 'cards', 'moves'] });
      await add('Write the docs', { status: 'in_progress', assignee: 'bob' });
      await add('Ship it', { dependsOn: [design.id] });
      await add('Old idea', { status: 'done' });
    }));
  });

  after(() => closeTaskProject(api, project));

  it('Cairn: Open Task Board opens the board and its page draws the cards of the store, filtered to a project from its context menu', async () => {
    assert.ok((await vscode.commands.getCommands(true)).includes('cairn.openTaskBoard'));
    await vscode.commands.executeCommand('cairn.openTaskBoard', { kind: 'project', project });
    const b = board();
    assert.equal(b.panel.viewType, 'cairn.taskBoard');
    assert.equal(b.panel.webview.options.enableScripts, true);
    assert.deepEqual(
      b.panel.webview.options.localResourceRoots?.map((u) => u.path),
      [vscode.Uri.joinPath(vscode.Uri.file(extensionPath), 'dist', 'webviews').path],
      'the page may load only the webview bundles',
    );
    const html = b.panel.webview.html;
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{20,}'(;|$)/);
    // Beyond the nonce, only the webview's own resource origin (cspSource): nothing inline, nothing remote.
    assert.doesNotMatch(csp.split(b.panel.webview.cspSource).join('SELF'), /unsafe-inline|unsafe-eval|https?:|\*/);
    const painted = await waitFor('the page to draw the four cards', () => {
      const ids = b.lastPainted?.cardIds ?? [];
      return Object.values(tasks).every((t) => ids.includes(t.id)) ? b.lastPainted : undefined;
    }, 30_000);
    assert.deepEqual(painted.totals, { pending: 2, in_progress: 1, blocked: 0, done: 1 });
  });

  it('a move posted by the page changes the task in the store, through tasks.update with its version', async () => {
    const b = board();
    const t = await getTask(tasks['Ship it'].id);
    const answer = nextPosted(b, 'moveResult', (m) => m.moveId === 'move-1');
    assert.equal(b.port.receive({ type: 'move', moveId: 'move-1', taskId: t.id, expectedVersion: t.version, status: 'blocked' }), true);
    const result = await answer;
    assert.equal(result.ok, true);
    const after = await getTask(t.id);
    assert.equal(after.status, 'blocked');
    assert.equal(result.version, after.version);
    await waitFor('the page to show the blocked column with one card', () => b.lastPainted?.totals.blocked === 1);
  });

  it('a stale move (the task changed meanwhile, by the CLI) is refused with a message and changes nothing', async () => {
    const b = board();
    const read = await getTask(tasks['Design the board'].id);
    cli('task', 'update', read.id, '--title', 'Design the board (changed by the CLI)');
    const answer = nextPosted(b, 'moveResult', (m) => m.moveId === 'move-stale');
    b.port.receive({ type: 'move', moveId: 'move-stale', taskId: read.id, expectedVersion: read.version, status: 'done' });
    const result = await answer;
    assert.equal(result.ok, false);
    assert.match(result.message ?? '', /not moved to Done: .*changed by someone else/);
    assert.ok(api.shownMessages().some((m) => m.level === 'warning' && /not moved to Done.*changed by someone else/.test(m.message)), 'a warning says why');
    const now = await getTask(read.id);
    assert.equal(now.status, 'pending');
    assert.equal(now.title, 'Design the board (changed by the CLI)');
    assert.equal(now.version, read.version + 1);
  });

  it('hostile or malformed messages are refused, logged and answered with an error; nothing changes', async () => {
    const b = board();
    const t = await getTask(tasks['Design the board'].id);
    const before = await newestSeq();
    const hostile: unknown[] = [
      null,
      'move',
      42,
      [],
      { type: 'drop table' },
      { type: 'move', moveId: 'x', taskId: t.id, expectedVersion: t.version, status: 'deleted' },
      { type: 'move', moveId: 'x', taskId: t.id, expectedVersion: -1, status: 'done' },
      { type: 'move', moveId: 'x', taskId: t.id, expectedVersion: t.version, status: 'done', title: 'also rename it' },
      { type: 'move', moveId: 'x', taskId: 'a'.repeat(10_000), expectedVersion: 1, status: 'done' },
      { type: 'move', moveId: 'x', taskId: t.id, expectedVersion: t.version, status: 'done', __proto__: { admin: true }, constructor: { prototype: {} } },
      { type: 'create', requestId: 'c', status: 'pending', title: '', projectId: project.id, sprintId: null },
      { type: 'create', requestId: 'c', status: 'pending', title: 'x'.repeat(2_000_000), projectId: project.id, sprintId: null },
      { type: 'query', seq: 1, filter: {}, columns: [{ status: 'pending', offset: 0, limit: 100_000 }], facets: false },
      { type: 'reveal', taskId: { $ne: null } },
      { type: 'painted', cardIds: Array.from({ length: 5000 }, (_, i) => `id${i}`), totals: {} },
    ];
    for (const message of hostile) {
      const refusal = nextPosted(b, 'error');
      assert.equal(b.port.receive(message), false, `refused: ${JSON.stringify(message)?.slice(0, 120)}`);
      assert.match((await refusal).message, /^Cairn refused a message from the task board: /);
    }
    assert.equal(await newestSeq(), before, 'no event was written');
    const after = await getTask(t.id);
    assert.deepEqual([after.status, after.title, after.version], [t.status, t.title, t.version]);
  });

  it('a task added and one moved by the CLI show up on the open board without a refresh', async () => {
    const b = board();
    const added = cli('task', 'add', '--project', project.id, '--priority', 'urgent', 'Added from the terminal');
    cli('task', 'move', tasks['Write the docs'].id, 'done');
    await waitFor('the page to draw the new card and the moved one', () => {
      const p = b.lastPainted;
      return p && p.cardIds.includes(added.id) && p.totals.done === 2 && p.totals.in_progress === 0 ? p : undefined;
    }, 30_000);
  });

  it('a reorder posted by the page moves the card within its column: one row and one event written, read back by the CLI', async () => {
    const b = board();
    const pendingIds = async () =>
      (await api.request<'tasks.board', { columns: { cards: { id: string }[] }[] }>('tasks.board', { projectId: project.id, columns: [{ status: 'pending', offset: 0, limit: 50 }] })).columns[0]!.cards.map((c) => c.id);
    const [top, second] = await pendingIds();
    assert.ok(top && second, 'two pending cards');
    const t = await getTask(second);
    const before = await newestSeq();
    const answer = nextPosted(b, 'moveResult', (m) => m.moveId === 'reorder-1');
    assert.equal(b.port.receive({ type: 'reorder', moveId: 'reorder-1', taskId: t.id, expectedVersion: t.version, after: null, before: top }), true);
    const result = await answer;
    assert.equal(result.ok, true, result.message);
    assert.deepEqual((await pendingIds()).slice(0, 2), [second, top]);
    assert.equal(await newestSeq(), before + 1, 'one event');
    const shown = cli('task', 'show', t.id);
    assert.equal(typeof shown.rank, 'number');
    assert.equal(shown.version, t.version + 1);
    assert.equal(cli('task', 'show', top).rank, null, 'its neighbour was not written');
    const [event] = await api.request<'events.list', { type: string }[]>('events.list', { aggregateType: 'task', aggregateId: t.id, limit: 1 });
    assert.equal(event.type, 'task.reordered');
    // The same move again, at the version it had: refused as stale, with a message; nothing written.
    const stale = nextPosted(b, 'moveResult', (m) => m.moveId === 'reorder-2');
    b.port.receive({ type: 'reorder', moveId: 'reorder-2', taskId: t.id, expectedVersion: t.version, after: top, before: null });
    const refused = await stale;
    assert.equal(refused.ok, false);
    assert.match(refused.message ?? '', /not moved within its column: .*changed by someone else/);
    assert.equal(await newestSeq(), before + 1);
  });

  it('swimlanes: a query lists the assignees with cards (unassigned last); a lane\'s pages come back with its key', async () => {
    const b = board();
    const lanes = nextPosted(b, 'columns', (m) => m.seq === 900);
    const columns = [{ status: 'pending', offset: 0, limit: 0 }, { status: 'in_progress', offset: 0, limit: 0 }, { status: 'blocked', offset: 0, limit: 0 }, { status: 'done', offset: 0, limit: 0 }];
    assert.ok(b.port.receive({ type: 'query', seq: 900, filter: { projectId: project.id, sprint: { kind: 'any' }, assignee: { kind: 'any' }, tag: null, priority: null, text: '' }, columns, facets: false, lanes: 'assignee' }));
    const answer = await lanes;
    assert.deepEqual(answer.lanes?.map((l) => l.key), ['alice', 'bob', null]);
    const lane = nextPosted(b, 'columns', (m) => m.seq === 901);
    b.port.receive({ type: 'query', seq: 901, filter: { projectId: project.id, sprint: { kind: 'any' }, assignee: { kind: 'name', name: 'bob' }, tag: null, priority: null, text: '' }, columns: [{ status: 'done', offset: 0, limit: 50 }], facets: false, lane: 'a:bob' });
    const bob = await lane;
    assert.equal(bob.lane, 'a:bob', 'the lane is echoed with its pages');
    assert.deepEqual(bob.columns[0]!.cards.map((c) => c.title), ['Write the docs']);
  });

  it('a card moved into another lane takes its assignee or sprint; a sprint of another project is refused and changes nothing', async () => {
    const b = board();
    const t = await getTask(tasks['Write the docs'].id);
    const moved = nextPosted(b, 'moveResult', (m) => m.moveId === 'lane-1');
    assert.ok(b.port.receive({ type: 'move', moveId: 'lane-1', taskId: t.id, expectedVersion: t.version, status: 'pending', assignee: null }));
    assert.equal((await moved).ok, true);
    const unassigned = await getTask(t.id);
    assert.deepEqual([unassigned.assignee, unassigned.status], [null, 'pending']);
    const elsewhere = await api.request<'projects.create', Project>('projects.create', { name: 'Lane move elsewhere' });
    try {
      const sprint = await api.request<'sprints.create', { id: string }>('sprints.create', { projectId: elsewhere.id, name: 'Their sprint' });
      const refused = nextPosted(b, 'moveResult', (m) => m.moveId === 'lane-2');
      assert.ok(b.port.receive({ type: 'move', moveId: 'lane-2', taskId: t.id, expectedVersion: unassigned.version, status: 'in_progress', sprintId: sprint.id }));
      const answer = await refused;
      assert.equal(answer.ok, false);
      assert.match(answer.message ?? '', /not moved to In progress in that sprint: .*another project/);
      const after = await getTask(t.id);
      assert.deepEqual([after.status, after.sprintId, after.version], ['pending', null, unassigned.version]);
    } finally {
      await api.request('projects.delete', { id: elsewhere.id });
    }
    // Back as the tests that follow expect it.
    await api.request('tasks.update', { id: t.id, expectedVersion: unassigned.version, status: 'in_progress', assignee: 'bob' });
  });

  it('opening the board again from another project shows that project (one board panel)', async () => {
    const other = await api.request<'projects.create', Project>('projects.create', { name: 'Other board project' });
    try {
      const first = board();
      const filter = nextPosted(first, 'setFilter');
      await vscode.commands.executeCommand('cairn.openTaskBoard', { kind: 'project', project: other });
      assert.equal(board(), first, 'the same panel');
      assert.equal((await filter).filter.projectId, other.id);
      await waitFor('the empty project to be drawn', () => first.lastPainted && first.lastPainted.cardIds.length === 0 && Object.values(first.lastPainted.totals).every((n) => n === 0));
    } finally {
      await api.request('projects.delete', { id: other.id });
    }
  });
});
