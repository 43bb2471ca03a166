// The task board's read on a real store: columns by status in pages with totals, every filter, the card's
// dependency and criteria counts, and the facets (assignees, tags) the filter lists offer.
import * as assert from 'node:assert/strict';
import { createProject } from '../../src/store/projects';
import { createSprint } from '../../src/store/sprints';
import type { Store } from '../../src/store/store';
import { boardColumns, boardFacets, boardLanes } from '../../src/store/taskBoard';
import { createTask, updateTask, type TaskInput } from '../../src/store/tasks';
import { human, useTempStore } from '../helpers';

describe('task board read (boardColumns, boardFacets)', () => {
  let store: Store;
  let projectId: string;
  useTempStore((s) => (store = s));
  beforeEach(async () => {
    projectId = (await store.write((orm) => createProject(orm, human, { name: 'Board' }))).id;
  });
  const add = (title: string, more: Partial<TaskInput> = {}) => store.write((orm) => createTask(orm, human, { projectId, title, ...more }));
  const titles = (cards: { title: string }[]) => cards.map((c) => c.title);

  it('pages each column (urgent first, then by id) and counts the whole column', async () => {
    for (let i = 0; i < 7; i++) await add(`Task ${i}`, { priority: i === 5 ? 'urgent' : i === 6 ? 'low' : 'medium' });
    await add('Doing', { status: 'in_progress' });
    const [pending, doing, done] = await boardColumns(store.orm, { projectId }, [
      { status: 'pending', offset: 0, limit: 3 },
      { status: 'in_progress', offset: 0, limit: 10 },
      { status: 'done', offset: 0, limit: 10 },
    ]);
    assert.equal(pending.total, 7);
    assert.deepEqual(titles(pending.cards), ['Task 5', 'Task 0', 'Task 1']);
    assert.equal(doing.total, 1);
    assert.deepEqual(titles(doing.cards), ['Doing']);
    assert.deepEqual(done, { status: 'done', total: 0, offset: 0, cards: [] });
    const [rest] = await boardColumns(store.orm, { projectId }, [{ status: 'pending', offset: 3, limit: 10 }]);
    assert.deepEqual(titles(rest.cards), ['Task 2', 'Task 3', 'Task 4', 'Task 6']);
  });

  it('filters by project, sprint (or none), assignee (or unassigned), tag, priority and text', async () => {
    const sprint = await store.write((orm) => createSprint(orm, human, { projectId, name: 'S1' }));
    const other = (await store.write((orm) => createProject(orm, human, { name: 'Other' }))).id;
    await store.write((orm) => createTask(orm, human, { projectId: other, title: 'Elsewhere' }));
    await add('Login page', { sprintId: sprint.id, assignee: 'alice', tags: ['ui', 'auth'], priority: 'high' });
    await add('Token refresh', { assignee: 'bob', tags: ['auth'], description: 'Rotate the OAuth tokens' });
    await add('Docs', { tags: ['docs'], priority: 'low' });
    const pending = async (f: Parameters<typeof boardColumns>[1]) => titles((await boardColumns(store.orm, f, [{ status: 'pending', offset: 0, limit: 50 }]))[0].cards);
    assert.deepEqual(await pending({}), ['Login page', 'Elsewhere', 'Token refresh', 'Docs'], 'high, then medium by id, then low');
    assert.deepEqual(await pending({ projectId }), ['Login page', 'Token refresh', 'Docs']);
    assert.deepEqual(await pending({ projectId, sprintId: sprint.id }), ['Login page']);
    assert.deepEqual(await pending({ projectId, sprintId: null }), ['Token refresh', 'Docs']);
    assert.deepEqual(await pending({ assignee: 'bob' }), ['Token refresh']);
    assert.deepEqual(await pending({ projectId, assignee: null }), ['Docs']);
    assert.deepEqual(await pending({ tag: 'auth' }), ['Login page', 'Token refresh']);
    assert.deepEqual(await pending({ priorities: ['low', 'high'] }), ['Login page', 'Docs']);
    assert.deepEqual(await pending({ text: 'oauth' }), ['Token refresh'], 'text matches the description too, any case');
    assert.deepEqual(await pending({ text: 'LOGIN' }), ['Login page']);
    assert.deepEqual(await pending({ text: "'; drop table tasks; --" }), []);
    assert.deepEqual(await boardFacets(store.orm, projectId), { assignees: ['alice', 'bob'], tags: ['auth', 'docs', 'ui'] });
    assert.deepEqual((await boardFacets(store.orm, other)).tags, []);
  });

  it('counts the dependencies not done and the criteria checked', async () => {
    const a = await add('A');
    const b = await add('B');
    const c = await add('C', { dependsOn: [a.id, b.id], criteria: ['one', 'two', 'three'] });
    const [col] = await boardColumns(store.orm, { text: c.id }, [{ status: 'pending', offset: 0, limit: 1 }]);
    assert.deepEqual([col.cards[0].dependsOn, col.cards[0].waitingOn, col.cards[0].criteriaDone, col.cards[0].criteriaTotal], [2, 2, 0, 3]);
    await store.write((orm) => updateTask(orm, human, a.id, a.version, { status: 'done' }));
    await store.write((orm) => updateTask(orm, human, b.id, b.version, { status: 'cancelled' }));
    const [after] = await boardColumns(store.orm, { text: c.id }, [{ status: 'pending', offset: 0, limit: 1 }]);
    assert.equal(after.cards[0].waitingOn, 1, 'a cancelled dependency is not done');
  });

  it('swimlanes: the sprints or assignees with cards under the filter, in the shown columns, the none lane last', async () => {
    const s1 = await store.write((orm) => createSprint(orm, human, { projectId, name: 'S1' }));
    await add('a', { sprintId: s1.id, assignee: 'bob' });
    await add('b', { sprintId: s1.id, assignee: 'alice', status: 'done' });
    await add('c', { assignee: 'alice' });
    await add('d', { status: 'cancelled', assignee: 'zed' });
    const open = ['pending', 'in_progress', 'blocked', 'done'] as const;
    assert.deepEqual(await boardLanes(store.orm, { projectId }, 'sprint', open), [
      { key: s1.id, total: 2 },
      { key: null, total: 1 },
    ]);
    assert.deepEqual(await boardLanes(store.orm, { projectId }, 'assignee', open), [
      { key: 'alice', total: 2 },
      { key: 'bob', total: 1 },
    ], 'zed has only a cancelled task, not shown');
    assert.deepEqual(await boardLanes(store.orm, { projectId, text: 'c' }, 'assignee', ['pending']), [{ key: 'alice', total: 1 }]);
  });
});
