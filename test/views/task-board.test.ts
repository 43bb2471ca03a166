// The task board's pure parts, without a browser or VS Code: the page's HTML and its Content-Security-Policy (a
// fresh nonce each time, nothing inline, nothing remote), the message schemas both ways (what is refused and
// why), the filter turned into tasks.board params, column windowing, the column cache's optimistic edits and
// snapshots, keyboard moves and the card's text.
import * as assert from 'node:assert/strict';
import { contentSecurityPolicy, newNonce, webviewHtml } from '../../src/views/webview/html';
import { boardParams } from '../../src/views/taskBoard/boardQuery';
import { BOARD_STATUSES, boardViewState, compareCards, DEFAULT_VIEW_STATE, describeIssues, EMPTY_FILTER, fromWebview, toWebview, type BoardCard } from '../../src/views/taskBoard/messages';
import { TASK_STATUSES } from '../../src/store/schema';
import { ageDays, cardLabel, formatMinutes, isStale } from '../../src/webviews/taskBoard/cardText';
import { ColumnCache } from '../../src/webviews/taskBoard/columnCache';
import { announce, dropOf, pickUp, step, stepLane, stepWithin } from '../../src/webviews/taskBoard/keyboardMove';
import { laneChange, laneFields, laneFilter, laneKey, orderLanes } from '../../src/webviews/taskBoard/lanes';
import { pageRequests, pagesOf, scrollToShow, visibleRange } from '../../src/webviews/taskBoard/windowing';

const card = (id: string, more: Partial<BoardCard> = {}): BoardCard => ({
  id,
  projectId: 'P',
  sprintId: null,
  parentId: null,
  title: `Task ${id}`,
  status: 'pending',
  priority: 'medium',
  assignee: null,
  tags: [],
  estimatedMinutes: null,
  criteriaDone: 0,
  criteriaTotal: 0,
  dependsOn: 0,
  waitingOn: 0,
  updatedAt: '2026-12-01T00:00:00.000Z',
  version: 1,
  ...more,
});

describe('webview page (html.ts)', () => {
  it('a fresh 128-bit nonce for every page', () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    assert.equal(nonces.size, 100);
    for (const n of nonces) assert.equal(Buffer.from(n, 'base64').length, 16);
  });

  it('the policy allows scripts only with the nonce, styles and fonts only from the webview origin, nothing remote or inline', () => {
    const csp = contentSecurityPolicy('https://self.example', 'NONCE');
    const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    assert.equal(directives['default-src'], "'none'");
    assert.equal(directives['script-src'], "'nonce-NONCE'");
    assert.equal(directives['style-src'], "https://self.example 'nonce-NONCE'");
    assert.equal(directives['connect-src'], "'none'");
    assert.equal(directives['frame-src'], "'none'");
    assert.doesNotMatch(csp, /unsafe|\*|http:/);
  });

  it('the page loads the bundle with the nonce, marks its app and escapes what it is given', () => {
    const html = webviewHtml({
      title: 'Board <&>',
      cspSource: 'vscode-resource:',
      nonce: 'abc123',
      script: 'https://x/app.js?a=1&b="2"',
      styles: ['https://x/codicon.css', 'https://x/app.css'],
      bodyAttributes: { 'data-app': 'taskBoard', 'on click': 'alert(1)' },
    });
    assert.match(html, /<script nonce="abc123" src="https:\/\/x\/app\.js\?a=1&amp;b=&quot;2&quot;"><\/script>/);
    assert.match(html, /<title>Board &lt;&amp;&gt;<\/title>/);
    assert.match(html, /<link rel="stylesheet" href="https:\/\/x\/codicon\.css" id="vscode-codicon-stylesheet" nonce="abc123">/);
    assert.match(html, /<body data-app="taskBoard">/);
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'one script, and it is not inline');
    assert.doesNotMatch(html, /on click|alert/);
  });
});

describe('task board messages (messages.ts)', () => {
  it('the board has a column for each status of the store, in its order', () => {
    assert.deepEqual([...BOARD_STATUSES], [...TASK_STATUSES]);
  });

  it('accepts what the page sends and refuses anything else, saying which field is wrong', () => {
    const ok = [
      { type: 'ready' },
      { type: 'query', seq: 3, filter: EMPTY_FILTER, columns: [{ status: 'pending', offset: 0, limit: 50 }], facets: true },
      { type: 'move', moveId: 'm1', taskId: '01J', expectedVersion: 2, status: 'done' },
      { type: 'create', requestId: 'c1', status: 'blocked', title: '  Call legal ', projectId: null, sprintId: null },
      { type: 'painted', cardIds: ['a'], totals: { pending: 1 } },
      { type: 'reorder', moveId: 'm2', taskId: '01J', expectedVersion: 2, after: null, before: '01K' },
      { type: 'open', taskId: '01J' },
    ];
    for (const m of ok) assert.equal(fromWebview.safeParse(m).success, true, JSON.stringify(m));
    const create = fromWebview.parse(ok[3]);
    assert.equal(create.type === 'create' && create.title, 'Call legal', 'titles are trimmed');
    const refused: [unknown, RegExp][] = [
      [{ type: 'move', moveId: 'm', taskId: 'x', expectedVersion: 1, status: 'archived' }, /^status: /],
      [{ type: 'move', moveId: 'm', taskId: 'x', expectedVersion: 0, status: 'done' }, /^expectedVersion: /],
      [{ type: 'move', moveId: 'm', taskId: 'x', expectedVersion: 1, status: 'done', title: 'x' }, /title/],
      [{ type: 'query', seq: 1, filter: EMPTY_FILTER, columns: [{ status: 'done', offset: 0, limit: 501 }], facets: false }, /^columns\.0\.limit: /],
      [{ type: 'query', seq: 1, filter: { ...EMPTY_FILTER, assignee: { kind: 'root' } }, columns: [{ status: 'done', offset: 0, limit: 1 }], facets: false }, /^filter\.assignee/],
      [{ type: 'create', requestId: 'c', status: 'pending', title: '   ', projectId: null, sprintId: null }, /^title: /],
      [{ type: 'shell', command: 'rm -rf /' }, /^type: /],
      [null, /^message: /],
    ];
    for (const [m, why] of refused) {
      const r = fromWebview.safeParse(m);
      assert.equal(r.success, false, JSON.stringify(m));
      assert.match(describeIssues(r.error!), why);
    }
  });

  it('the page checks what the host sends, and its saved state', () => {
    assert.equal(toWebview.safeParse({ type: 'changed', projectsChanged: false }).success, true);
    assert.equal(toWebview.safeParse({ type: 'columns', seq: 1, columns: [{ status: 'pending', total: 1, offset: 0, cards: [card('A')] }] }).success, true);
    assert.equal(toWebview.safeParse({ type: 'columns', seq: 1, columns: [{ status: 'pending', total: -1, offset: 0, cards: [] }] }).success, false);
    assert.equal(boardViewState.safeParse(DEFAULT_VIEW_STATE).success, true);
    assert.equal(boardViewState.safeParse({ ...DEFAULT_VIEW_STATE, shown: ['nope'] }).success, false, 'a damaged state falls back to the default');
  });

  it('cards sort urgent first, then by id (the store\'s order)', () => {
    const cards = [card('B', { priority: 'low' }), card('A'), card('C', { priority: 'urgent' }), card('D', { priority: 'high' })];
    assert.deepEqual(cards.sort(compareCards).map((c) => c.id), ['C', 'D', 'A', 'B']);
  });

  it('cards moved within their column come first, by rank; then the rest as before', () => {
    const cards = [card('B', { priority: 'urgent' }), card('A', { rank: 2048, priority: 'low' }), card('C', { rank: -5 }), card('D', { rank: null })];
    assert.deepEqual(cards.sort(compareCards).map((c) => c.id), ['C', 'A', 'B', 'D']);
  });

  it('a reorder names both neighbours (null at an end), and nothing else', () => {
    const why = (m: unknown) => {
      const r = fromWebview.safeParse(m);
      return r.success ? '' : describeIssues(r.error);
    };
    assert.match(why({ type: 'reorder', moveId: 'm', taskId: 'x', expectedVersion: 1, after: null }), /^before: /);
    assert.match(why({ type: 'reorder', moveId: 'm', taskId: 'x', expectedVersion: 1, after: null, before: null, rank: 5 }), /unknown field "rank"/);
    assert.match(why({ type: 'reorder', moveId: 'm', taskId: 'x', expectedVersion: 1, after: { $gt: '' }, before: null }), /^after: /);
  });
});

describe('board filter → tasks.board params (boardQuery.ts)', () => {
  const columns = [{ status: 'pending' as const, offset: 0, limit: 50 }];
  it('no filter asks for the columns alone', () => {
    assert.deepEqual(boardParams(EMPTY_FILTER, columns, 'me', false), { columns });
  });
  it('"mine" is the user\'s name; no sprint and unassigned are nulls; text is trimmed', () => {
    assert.deepEqual(
      boardParams({ projectId: 'P', sprint: { kind: 'none' }, assignee: { kind: 'mine' }, tag: 'ui', priority: 'high', text: '  login ' }, columns, 'alice', true),
      { columns, projectId: 'P', sprintId: null, assignee: 'alice', tag: 'ui', priority: ['high'], text: 'login', facets: true },
    );
    assert.deepEqual(boardParams({ ...EMPTY_FILTER, sprint: { kind: 'id', id: 'S' }, assignee: { kind: 'unassigned' }, text: '   ' }, columns, 'alice', false), { columns, sprintId: 'S', assignee: null });
    assert.equal(boardParams({ ...EMPTY_FILTER, assignee: { kind: 'name', name: 'bob' } }, columns, 'alice', false).assignee, 'bob');
  });
});

describe('column windowing (windowing.ts)', () => {
  it('draws the rows in view plus a few either side, within the column', () => {
    assert.deepEqual(visibleRange(0, 500, 100, 10_000, 2), { start: 0, end: 7 });
    assert.deepEqual(visibleRange(50_000, 500, 100, 10_000, 2), { start: 498, end: 507 });
    assert.deepEqual(visibleRange(999_950, 500, 100, 10_000, 2), { start: 9997, end: 10_000 });
    assert.deepEqual(visibleRange(0, 500, 100, 0), { start: 0, end: 0 });
  });
  it('a column of 10,000 cards draws about a screenful', () => {
    const r = visibleRange(123_456, 900, 96, 10_000);
    assert.ok(r.end - r.start <= Math.ceil(900 / 96) + 9, `${r.end - r.start} rows`);
  });
  it('pages of a range, and consecutive pages in one request up to the limit', () => {
    assert.deepEqual(pagesOf({ start: 45, end: 105 }, 50), [0, 1, 2]);
    assert.deepEqual(pagesOf({ start: 0, end: 0 }, 50), []);
    assert.deepEqual(pageRequests([3, 2, 7, 2], 50, 500), [
      { offset: 100, limit: 100 },
      { offset: 350, limit: 50 },
    ]);
    assert.deepEqual(pageRequests([0, 1, 2], 50, 100), [
      { offset: 0, limit: 100 },
      { offset: 100, limit: 50 },
    ]);
  });
  it('scrolls just enough to show a row', () => {
    assert.equal(scrollToShow(5, 0, 300, 100), 300);
    assert.equal(scrollToShow(1, 0, 300, 100), 0);
    assert.equal(scrollToShow(0, 250, 300, 100), 0);
  });
});

describe('column cache (columnCache.ts)', () => {
  it('pages fill positions; a page read at another total replaces what was there', () => {
    const c = new ColumnCache();
    c.applyPage(0, [card('A'), card('B')], 4);
    c.applyPage(2, [card('C'), card('D')], 4);
    assert.deepEqual(c.loaded(), [0, 1, 2, 3]);
    c.applyPage(2, [card('D')], 3);
    assert.deepEqual(c.loaded(), [2]);
    assert.equal(c.total, 3);
  });

  it('a move takes the card out of one column and puts it where the store will (by priority, then id); a snapshot puts it all back', () => {
    const from = new ColumnCache();
    const to = new ColumnCache();
    from.applyPage(0, [card('A'), card('B'), card('C')], 3);
    to.applyPage(0, [card('D', { priority: 'high' }), card('E'), card('F')], 3);
    const snaps = [from.snapshot(), to.snapshot()];
    assert.equal(from.remove('B'), 1);
    assert.deepEqual(from.loaded().map((i) => from.get(i)!.id), ['A', 'C']);
    assert.equal(from.total, 2);
    assert.equal(to.insert({ ...card('B'), status: 'done' }), 1, 'after the high one, before E (same priority, larger id)');
    assert.deepEqual(to.loaded().map((i) => to.get(i)!.id), ['D', 'B', 'E', 'F']);
    from.restore(snaps[0]);
    to.restore(snaps[1]);
    assert.deepEqual(from.loaded().map((i) => from.get(i)!.id), ['A', 'B', 'C']);
    assert.deepEqual(to.loaded().map((i) => to.get(i)!.id), ['D', 'E', 'F']);
  });

  it('a move within the column shifts the cards between; its neighbours are what the store is told; not when unloaded', () => {
    const c = new ColumnCache();
    c.applyPage(0, [card('A'), card('B'), card('C'), card('D')], 10);
    const snap = c.snapshot();
    assert.equal(c.moveTo('D', 1), true);
    assert.deepEqual(c.loaded().map((i) => c.get(i)!.id), ['A', 'D', 'B', 'C']);
    assert.deepEqual(c.neighbours('D'), { after: 'A', before: 'B' });
    assert.equal(c.moveTo('A', 3), true);
    assert.deepEqual(c.loaded().map((i) => c.get(i)!.id), ['D', 'B', 'C', 'A']);
    assert.deepEqual(c.neighbours('D'), { after: null, before: 'B' });
    assert.equal(c.neighbours('A'), undefined, 'the card below is not loaded');
    assert.equal(c.moveTo('A', 6), false, 'rows 4 and 5 are not loaded');
    c.restore(snap);
    assert.deepEqual(c.loaded().map((i) => c.get(i)!.id), ['A', 'B', 'C', 'D']);
    const whole = new ColumnCache();
    whole.applyPage(0, [card('X'), card('Y')], 2);
    assert.deepEqual(whole.neighbours('Y'), { after: 'X', before: null });
  });

  it('a card whose place is not loaded only counts (it shows when its page is read); an empty column takes it first', () => {
    const c = new ColumnCache();
    c.applyPage(0, [card('A'), card('B')], 100);
    assert.equal(c.insert(card('Z')), -1);
    assert.equal(c.total, 101);
    const empty = new ColumnCache();
    assert.equal(empty.insert(card('Q')), 0);
    assert.equal(empty.get(0)!.id, 'Q');
    assert.equal(c.remove('nope'), -1);
  });
});

describe('keyboard moves (keyboardMove.ts)', () => {
  const shown = ['pending', 'in_progress', 'done'] as const;
  it('arrows choose among the shown columns and stop at the ends; each step has its sentence', () => {
    let held = pickUp({ id: 'T', title: 'Write docs', status: 'pending' });
    assert.match(announce.pickedUp(held), /^Picked up "Write docs" at position 1 of 1 in Pending\. .*Space or Enter drops it, Escape cancels\.$/);
    held = step(held, shown, -1);
    assert.equal(held.to, 'pending');
    assert.equal(announce.over(held), '"Write docs" over Pending, where it was.');
    held = step(step(step(held, shown, 1), shown, 1), shown, 1);
    assert.equal(held.to, 'done');
    assert.equal(announce.dropped(held), 'Moved "Write docs" to Done.');
    assert.equal(announce.cancelled(held), 'Move cancelled. "Write docs" stays in Pending.');
  });
  it('up and down move it within its own column, stopping at the ends; a drop says where', () => {
    let held = pickUp({ id: 'T', title: 'Write docs', status: 'pending' }, 2, 4);
    held = stepWithin(held, -1);
    assert.equal(held.index, 1);
    assert.equal(announce.at(held), '"Write docs" at position 2 of 4 in Pending.');
    held = stepWithin(stepWithin(stepWithin(held, -1), -1), -1);
    assert.equal(held.index, 0);
    assert.equal(dropOf(held), 'within');
    assert.equal(announce.dropped(held), 'Moved "Write docs" to position 1 of 4 in Pending.');
    const other = step(held, shown, 1);
    assert.deepEqual([other.to, other.index, dropOf(other)], ['in_progress', 2, 'column'], 'another column: back in its place in its own');
    assert.equal(stepWithin(other, 1), other, 'up and down do nothing over another column');
    assert.equal(dropOf(stepWithin(stepWithin(pickUp({ id: 'T', title: 't', status: 'pending' }, 1, 3), 1), -1)), 'none');
  });
  it('Alt with up and down choose another swimlane (same column), stopping at the ends; the drop names the lane', () => {
    const lanes = [
      { key: 'a:alice', label: 'alice' },
      { key: 'a:bob', label: 'bob' },
      { key: 'a:', label: 'Unassigned' },
    ];
    let held = pickUp({ id: 'T', title: 'Write docs', status: 'pending' }, 1, 3, lanes[0]);
    assert.match(announce.pickedUp(held, true), /Alt with up and down arrows a swimlane/);
    assert.doesNotMatch(announce.pickedUp(held), /swimlane/);
    assert.equal(stepLane(held, lanes, -1).toLane, 'a:alice', 'the first lane is the end');
    held = stepLane(stepLane(stepLane(held, lanes, 1), lanes, 1), lanes, 1);
    assert.deepEqual([held.toLane, held.to, dropOf(held)], ['a:', 'pending', 'column']);
    assert.equal(announce.over(held), '"Write docs" over Pending of Unassigned.');
    assert.equal(stepWithin(held, 1), held, 'up and down do nothing over another lane');
    held = step(held, shown, 1);
    assert.equal(announce.dropped(held), 'Moved "Write docs" to In progress of Unassigned.');
    const back = stepLane(stepLane(held, lanes, -1), lanes, -1);
    assert.equal(announce.over(step(back, shown, -1)), '"Write docs" over Pending, where it was.');
    assert.equal(stepLane(pickUp({ id: 'T', title: 't', status: 'pending' }), lanes, 1).toLane, '', 'without lanes there is none to step to');
  });
  it('a card held in a column that is not shown steps from where it was', () => {
    assert.equal(step(pickUp({ id: 'T', title: 't', status: 'blocked' }), shown, 1).to, 'pending');
  });
});

describe('card text (cardText.ts)', () => {
  const now = Date.parse('2026-12-06T12:00:00Z');
  it('estimates in minutes, hours or days', () => {
    assert.deepEqual([45, 60, 90, 480, 2880].map(formatMinutes), ['45m', '1h', '1.5h', '8h', '2d']);
  });
  it('the age cue: open tasks untouched 30 days or more', () => {
    assert.equal(ageDays('2026-11-06T12:00:00Z', now), 30);
    assert.equal(ageDays('not a date', now), 0);
    assert.equal(isStale({ updatedAt: '2026-11-06T12:00:00Z', status: 'pending' }, now), true);
    assert.equal(isStale({ updatedAt: '2026-11-07T12:00:01Z', status: 'pending' }, now), false);
    assert.equal(isStale({ updatedAt: '2020-01-01T00:00:00Z', status: 'done' }, now), false, 'finished work is not stale');
  });
  it('the screen reader hears everything the card shows', () => {
    const label = cardLabel(card('A', { title: 'Ship', priority: 'high', assignee: 'alice', waitingOn: 1, dependsOn: 2, criteriaDone: 3, criteriaTotal: 5, estimatedMinutes: 120, tags: ['ui'], updatedAt: '2026-10-01T00:00:00Z' }), now);
    assert.equal(label, 'Ship, Pending, priority high, assigned to alice, waits on 1 of 2 tasks, criteria 3 of 5 done, estimate 2h, tags ui, untouched for 66 days');
  });
});

describe('swimlanes (lanes.ts)', () => {
  const sprints = [
    { id: 'S2', name: 'Sprint 2', projectId: 'P' },
    { id: 'S1', name: 'Sprint 1', projectId: 'P' },
  ];
  it('a lane narrows the board’s filter to its sprint or assignee (or none)', () => {
    assert.equal(laneKey('sprint', 'S1'), 's:S1');
    assert.equal(laneKey('assignee', null), 'a:');
    assert.equal(laneKey('none', 'x'), '');
    assert.deepEqual(laneFilter(EMPTY_FILTER, 's:S1').sprint, { kind: 'id', id: 'S1' });
    assert.deepEqual(laneFilter(EMPTY_FILTER, 's:').sprint, { kind: 'none' });
    assert.deepEqual(laneFilter({ ...EMPTY_FILTER, text: 'x' }, 'a:bob'), { ...EMPTY_FILTER, text: 'x', assignee: { kind: 'name', name: 'bob' } });
    assert.deepEqual(laneFilter(EMPTY_FILTER, 'a:').assignee, { kind: 'unassigned' });
    assert.equal(laneFilter(EMPTY_FILTER, ''), EMPTY_FILTER);
  });
  it('a task created in a lane gets its sprint or assignee', () => {
    assert.deepEqual(laneFields('s:S1', EMPTY_FILTER), { sprintId: 'S1' });
    assert.deepEqual(laneFields('s:', EMPTY_FILTER), { sprintId: null });
    assert.deepEqual(laneFields('a:bob', { ...EMPTY_FILTER, sprint: { kind: 'id', id: 'S2' } }), { sprintId: 'S2', assignee: 'bob' });
    assert.deepEqual(laneFields('a:', EMPTY_FILTER), { sprintId: null });
    assert.deepEqual(laneFields('', EMPTY_FILTER), { sprintId: null });
  });
  it('a card moved into a lane takes its sprint or assignee (null: none); the move message carries it', () => {
    assert.deepEqual(laneChange('s:S1'), { sprintId: 'S1' });
    assert.deepEqual(laneChange('s:'), { sprintId: null });
    assert.deepEqual(laneChange('a:bob'), { assignee: 'bob' });
    assert.deepEqual(laneChange('a:'), { assignee: null });
    assert.deepEqual(laneChange(''), {});
    const move = { type: 'move', moveId: 'm1', taskId: 'T1', expectedVersion: 2, status: 'pending' };
    assert.equal(fromWebview.safeParse({ ...move, assignee: null }).success, true);
    assert.equal(fromWebview.safeParse({ ...move, sprintId: 'S1' }).success, true);
    assert.equal(fromWebview.safeParse({ ...move, assignee: ' ' }).success, false);
    assert.equal(fromWebview.safeParse({ ...move, sprintId: 7 }).success, false);
  });
  it('lanes in board order, labelled: sprints as the store lists them then "No sprint"; assignees by name then "Unassigned"', () => {
    const bySprint = orderLanes('sprint', [{ key: 'S1', total: 2 }, { key: 'S2', total: 1 }, { key: null, total: 4 }], sprints, () => 'Web', false);
    assert.deepEqual(bySprint, [
      { key: 's:S2', label: 'Sprint 2', total: 1 },
      { key: 's:S1', label: 'Sprint 1', total: 2 },
      { key: 's:', label: 'No sprint', total: 4 },
    ]);
    assert.equal(orderLanes('sprint', [{ key: 'S1', total: 1 }], sprints, () => 'Web', true)[0]!.label, 'Sprint 1 (Web)', 'with every project shown, the project is named');
    const byAssignee = orderLanes('assignee', [{ key: null, total: 1 }, { key: 'carol', total: 1 }, { key: 'alice', total: 3 }], sprints, () => '', false);
    assert.deepEqual(byAssignee.map((l) => l.label), ['alice', 'carol', 'Unassigned']);
    assert.deepEqual(orderLanes('none', [], sprints, () => '', false), [{ key: '', label: '', total: 0 }]);
  });
  it('the lanes choice is kept in the page’s state; a state saved before lanes existed still loads', () => {
    assert.equal(boardViewState.safeParse({ ...DEFAULT_VIEW_STATE, lanes: 'assignee' }).success, true);
    assert.equal(boardViewState.safeParse({ ...DEFAULT_VIEW_STATE, lanes: 'priority' }).success, false);
    assert.equal(boardViewState.safeParse(DEFAULT_VIEW_STATE).success, true);
    assert.equal(fromWebview.safeParse({ type: 'query', seq: 1, filter: EMPTY_FILTER, columns: [{ status: 'done', offset: 0, limit: 0 }], facets: true, lanes: 'sprint' }).success, true);
    assert.equal(fromWebview.safeParse({ type: 'query', seq: 1, filter: EMPTY_FILTER, columns: [{ status: 'done', offset: 0, limit: 0 }], facets: true, lanes: 'tag' }).success, false);
  });
});
