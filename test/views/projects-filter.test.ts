import { strict as assert } from 'node:assert';
import type { TaskRow } from '../../src/store/schema';
import { describeFilter, groupTasks, isFiltered, NO_FILTER, readFilter, taskQuery } from '../../src/views/projectsFilter';

const task = (title: string, fields: Partial<TaskRow>) => ({ id: title, title, status: 'pending', priority: 'medium', assignee: null, ...fields }) as TaskRow;

describe('the Projects view filter', () => {
  it('reads a stored filter as far as it is valid', () => {
    assert.deepEqual(readFilter(undefined), NO_FILTER);
    assert.deepEqual(readFilter({ hideDone: true, mine: 'yes', groupBy: 'colour' }), { hideDone: true, mine: false, groupBy: 'sprint' });
    assert.deepEqual(readFilter({ mine: true, groupBy: 'assignee' }), { hideDone: false, mine: true, groupBy: 'assignee' });
  });

  it('names itself for the view\'s description, and asks the backend for only what it shows', () => {
    assert.equal(describeFilter(NO_FILTER, 'ada'), '');
    assert.equal(isFiltered(NO_FILTER), false);
    const f = { hideDone: true, mine: true, groupBy: 'status' } as const;
    assert.equal(describeFilter(f, 'ada'), "@ada's tasks · hiding done · by status");
    assert.deepEqual(taskQuery('p1', f, 'ada'), { projectId: 'p1', status: ['pending', 'in_progress', 'blocked'], assignee: 'ada' });
    assert.deepEqual(taskQuery('p1', NO_FILTER, 'ada'), { projectId: 'p1' });
  });

  it('groups by status and priority in their order, by assignee alphabetically with the unassigned last', () => {
    const tasks = [
      task('a', { status: 'done', priority: 'low', assignee: 'zoe' }),
      task('b', { status: 'blocked', priority: 'urgent' }),
      task('c', { status: 'pending', priority: 'low', assignee: 'Adam' }),
      task('d', { status: 'blocked', priority: 'high', assignee: 'zoe' }),
    ];
    const view = (by: 'status' | 'priority' | 'assignee') => groupTasks(tasks, by).map((g) => `${g.label}:${g.tasks.map((t) => t.id).join('')}`);
    assert.deepEqual(view('status'), ['Pending:c', 'Blocked:bd', 'Done:a']);
    assert.deepEqual(view('priority'), ['Urgent:b', 'High:d', 'Low:ac']);
    assert.deepEqual(view('assignee'), ['@Adam:c', '@zoe:ad', 'Unassigned:b']);
    assert.deepEqual(groupTasks([], 'status'), []);
  });
});
