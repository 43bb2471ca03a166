// The task editor's pure parts, without a browser or VS Code: the three-way merge of a draft with a change made
// meanwhile (taken where only they changed a field, a choice where both did), the rebase of a save that raced a
// change, estimates as typed, the message schemas both ways (what is refused and why), the description's preview
// (no raw HTML, no script, no unsafe link) and the history's sentences.
import * as assert from 'node:assert/strict';
import { ENCRYPTED_PREFIX } from '../../src/store/crypto/cipher';
import { descriptionHtml } from '../../src/views/taskEditor/descriptionHtml';
import { dirtyFields, draftOf, mergeDraft, parseMinutes, rebaseChanges, type DraftFields } from '../../src/views/taskEditor/fields';
import { historyEntry } from '../../src/views/taskEditor/history';
import { editorViewState, fromEditor, toEditor } from '../../src/views/taskEditor/messages';
import { describeIssues } from '../../src/views/taskBoard/messages';

const base: DraftFields = {
  title: 'Write the docs',
  description: 'All of them',
  status: 'pending',
  priority: 'medium',
  assignee: null,
  tags: ['docs'],
  estimatedMinutes: 60,
  sprintId: null,
  parentId: null,
};
const task = (more: Partial<DraftFields> = {}) => ({ ...draftOf(base), ...more });

describe('task editor merge (fields.ts)', () => {
  it('a draft knows which fields changed; tags compare by content', () => {
    assert.deepEqual(dirtyFields(base, task()), []);
    assert.deepEqual(dirtyFields(base, task({ tags: ['docs'] })), []);
    assert.deepEqual(dirtyFields(base, task({ title: 'x', tags: ['docs', 'ui'] })), ['title', 'tags']);
  });

  it('their change to a field I did not touch is taken; my changes stay', () => {
    const mine = task({ title: 'Write the user docs', tags: ['docs', 'ui'] });
    const theirs = task({ priority: 'high', assignee: 'bob' });
    const r = mergeDraft(base, mine, theirs);
    assert.deepEqual(r.conflicts, []);
    assert.deepEqual(r.taken, ['priority', 'assignee']);
    assert.deepEqual(r.draft, { ...mine, priority: 'high', assignee: 'bob' });
    assert.deepEqual(dirtyFields(theirs, r.draft), ['title', 'tags'], 'against their version, only my fields are left to save');
  });

  it('the same field changed on both sides, differently, is a conflict: my value kept until chosen', () => {
    const mine = task({ title: 'Mine', priority: 'urgent' });
    const theirs = task({ title: 'Theirs', priority: 'urgent', status: 'in_progress' });
    const r = mergeDraft(base, mine, theirs);
    assert.deepEqual(r.conflicts, [{ field: 'title', mine: 'Mine', theirs: 'Theirs' }], 'priority: both chose urgent, no conflict');
    assert.deepEqual(r.taken, ['status']);
    assert.equal(r.draft.title, 'Mine');
  });

  it('a locked field always takes the store’s value (it cannot be edited)', () => {
    const r = mergeDraft(task({ title: '🔒 encrypted (locked)' }), task({ title: '🔒 encrypted (locked)' }), task({ title: 'Plain again' }), ['title']);
    assert.equal(r.draft.title, 'Plain again');
    assert.deepEqual(r.taken, []);
    assert.deepEqual(r.conflicts, []);
  });

  it('a save that raced a change keeps what only it changed and sends both-changed fields back', () => {
    const current = task({ priority: 'high', title: 'Renamed by the CLI' });
    const clean = rebaseChanges({ status: 'pending' }, { status: 'done' }, current);
    assert.deepEqual(clean, { apply: { status: 'done' }, conflicts: [], theirs: [] });
    const clash = rebaseChanges({ title: 'Write the docs', status: 'pending' }, { title: 'Mine', status: 'done' }, current);
    assert.deepEqual(clash.conflicts, [{ field: 'title', mine: 'Mine', theirs: 'Renamed by the CLI' }]);
    assert.deepEqual(clash.apply, { status: 'done' });
    const same = rebaseChanges({ title: 'Write the docs' }, { title: 'Renamed by the CLI' }, current);
    assert.deepEqual(same, { apply: {}, conflicts: [], theirs: ['title'] }, 'they wrote what I wrote: nothing left to write');
  });

  it('estimates as people type them', () => {
    assert.equal(parseMinutes(''), null);
    assert.equal(parseMinutes('90'), 90);
    assert.equal(parseMinutes('90m'), 90);
    assert.equal(parseMinutes('1.5h'), 90);
    assert.equal(parseMinutes('1h 30m'), 90);
    assert.equal(parseMinutes('2d'), 2880);
    assert.equal(parseMinutes(' 45 min '), 45);
    for (const bad of ['soon', '-5', '1x', 'h', '1hh', '90 minutes please']) assert.equal(parseMinutes(bad), undefined, bad);
  });
});

describe('task editor messages (messages.ts)', () => {
  const ok = (m: unknown) => fromEditor.safeParse(m).success;
  const why = (m: unknown) => {
    const r = fromEditor.safeParse(m);
    return r.success ? '' : describeIssues(r.error);
  };

  it('accepts what the page sends', () => {
    for (const m of [
      { type: 'ready' },
      { type: 'save', requestId: 's1', expectedVersion: 3, changes: { title: 'New', assignee: null, tags: ['a'], estimatedMinutes: 90 }, base: { title: 'Old', assignee: 'bob', tags: [], estimatedMinutes: null } },
      { type: 'criteria', requestId: 'c1', expectedVersion: 3, op: { move: 2, to: 1 } },
      { type: 'criteria', requestId: 'c1', expectedVersion: 3, op: { add: 'Works offline', at: 1 } },
      { type: 'depend', requestId: 'd1', on: '01JABC' },
      { type: 'search', seq: 1, purpose: 'dependency', query: 'login' },
      { type: 'preview', seq: 1, text: '# Hello' },
      { type: 'openNote', path: 'notes/a.md' },
      { type: 'state', version: 3, dirty: ['title'], conflicts: [], taken: ['status'] },
    ]) {
      assert.ok(ok(m), `${JSON.stringify(m)}: ${why(m)}`);
    }
  });

  it('refuses anything else, saying which field is wrong', () => {
    assert.match(why({ type: 'save', requestId: 's', expectedVersion: 1, changes: { title: '' }, base: {} }), /changes\.title: the title must not be empty/);
    assert.match(why({ type: 'save', requestId: 's', expectedVersion: 1, changes: { title: 'a\nb' }, base: {} }), /line breaks/);
    assert.match(why({ type: 'save', requestId: 's', expectedVersion: 1, changes: { title: 'x'.repeat(201) }, base: {} }), /at most 200/);
    assert.match(why({ type: 'save', requestId: 's', expectedVersion: 1, changes: { version: 99 }, base: {} }), /unknown field "version"/);
    assert.match(why({ type: 'save', requestId: 's', expectedVersion: 1, changes: { status: 'deleted' }, base: {} }), /changes\.status/);
    assert.match(why({ type: 'save', requestId: 's', expectedVersion: 0, changes: {}, base: {} }), /expectedVersion/);
    assert.match(why({ type: 'save', requestId: 's', expectedVersion: 1, changes: { estimatedMinutes: -1 }, base: {} }), /estimatedMinutes/);
    assert.ok(!ok({ type: 'criteria', requestId: 'c', expectedVersion: 1, op: { move: 1 } }), 'move goes with to');
    assert.ok(!ok({ type: 'criteria', requestId: 'c', expectedVersion: 1, op: { check: 0 } }), 'items count from 1');
    assert.ok(!ok({ type: 'criteria', requestId: 'c', expectedVersion: 1, op: { check: 1, remove: 2 } }), 'one change at a time');
    assert.ok(!ok({ type: 'openTask', taskId: { $ne: null } }));
    assert.ok(!ok({ type: 'search', seq: 1, purpose: 'everything', query: 'x' }));
    assert.ok(!ok({ type: 'preview', seq: 1, text: 'x'.repeat(100_001) }));
    assert.ok(!ok({ type: 'state', version: 1, dirty: ['secretFields'], conflicts: [], taken: [] }));
    assert.ok(!ok(null));
    assert.ok(!ok({ type: 'eval', code: 'alert(1)' }));
  });

  it('the page checks what the host sends, and its own saved state', () => {
    assert.ok(!toEditor.safeParse({ type: 'preview', seq: 1 }).success);
    assert.ok(toEditor.safeParse({ type: 'saveResult', requestId: 's', ok: false, conflicts: [{ field: 'title', mine: 'a', theirs: 'b' }] }).success);
    assert.ok(editorViewState.safeParse({ taskId: '01J' }).success);
    assert.ok(!editorViewState.safeParse({ taskId: '' }).success);
    assert.ok(!editorViewState.safeParse({ draft: draftOf(base) }).success, 'a state without its task is not restored');
  });
});

describe('task description preview (descriptionHtml.ts)', () => {
  it('renders Markdown', () => {
    const html = descriptionHtml('# Plan\n\n- **one**\n- `two`\n\n[docs](https://example.com/docs)');
    assert.match(html, /<h1>Plan<\/h1>/);
    assert.match(html, /<strong>one<\/strong>/);
    assert.match(html, /<code>two<\/code>/);
    assert.match(html, /<a href="https:\/\/example\.com\/docs" rel="noopener noreferrer">docs<\/a>/);
  });

  it('raw HTML is text, and no link or image can run anything', () => {
    const html = descriptionHtml(
      [
        '<script>alert(1)</script>',
        '<img src=x onerror=alert(1)>',
        '<iframe src="https://evil.example"></iframe>',
        '[click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) [file](file:///etc/passwd) [vb](vbscript:x)',
        '![pic](https://example.com/a.png) ![local](javascript:alert(2))',
        '<a href="javascript:alert(3)">a</a>',
      ].join('\n\n'),
    );
    assert.doesNotMatch(html, /<script|<img|<iframe|<a href="javascript|href="data:|href="file:|href="vbscript:/i);
    assert.doesNotMatch(html, /<[a-z][^>]*\son\w+=/i, 'no element carries an event handler');
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(html, /<a href="https:\/\/example\.com\/a\.png" class="image-link">🖼 pic<\/a>/);
  });
});

describe('task history (history.ts)', () => {
  const event = (type: string, data: Record<string, unknown>, more: Partial<{ actor: string; source: string }> = {}) =>
    historyEntry({ seq: 7, version: 2, type, data, actor: more.actor ?? 'alice', source: (more.source ?? 'extension') as 'extension', createdAt: '2026-12-01T10:00:00.000Z' });

  it('says what happened, who did it and from what to what', () => {
    assert.equal(event('task.created', { id: 'x' }).summary, 'created the task');
    const moved = event('task.status_changed', { from: { status: 'pending', startedAt: null }, to: { status: 'in_progress', startedAt: 'now' } }, { actor: 'coder', source: 'agent' });
    assert.equal(moved.summary, 'moved it to In progress');
    assert.deepEqual(moved.changes, [{ field: 'status', from: 'Pending', to: 'In progress' }]);
    assert.equal(moved.source, 'agent');
    assert.equal(event('task.assigned', { from: { assignee: null }, to: { assignee: 'bob' } }).summary, 'assigned it to bob');
    assert.equal(event('task.updated', { from: { title: 'a', tags: [] }, to: { title: 'b', tags: ['x', 'y'] } }).summary, 'changed title, tags');
    const criteria = event('task.criteria_changed', { from: { criteria: [{ text: 'a', done: false }] }, to: { criteria: [{ text: 'a', done: true }] } });
    assert.deepEqual(criteria.changes, [{ field: 'acceptance criteria', from: '0/1 done', to: '1/1 done' }]);
  });

  it('never shows an encrypted value, and cuts long ones', () => {
    const e = event('task.updated', { from: { title: `${ENCRYPTED_PREFIX}abc`, description: 'x'.repeat(500) }, to: { title: `${ENCRYPTED_PREFIX}def`, description: 'short' } });
    assert.deepEqual(e.changes[0], { field: 'title', from: '🔒 encrypted', to: '🔒 encrypted' });
    assert.equal(e.changes[1]!.from.length, 80);
  });
});
