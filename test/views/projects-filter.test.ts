import { strict as assert } from 'node:assert';
import { describeFilter, groupLook, hidesTasks, isFiltered, NO_FILTER, readFilter, treeQuery } from '../../src/views/projectsFilter';

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
    assert.deepEqual(treeQuery(f, 'ada'), { groupBy: 'status', statuses: ['pending', 'in_progress', 'blocked'], assignee: 'ada' });
    assert.deepEqual(treeQuery(NO_FILTER, 'ada'), { groupBy: 'sprint' });
    assert.equal(hidesTasks({ ...NO_FILTER, groupBy: 'priority' }), false, 'a grouping hides nothing');
    assert.equal(hidesTasks({ ...NO_FILTER, mine: true }), true);
  });

  it("names each group's row (the store orders the groups: test/store/task-tree.test.ts)", () => {
    assert.deepEqual(groupLook('status', 'in_progress'), { label: 'In progress', icon: 'play-circle' });
    assert.deepEqual(groupLook('priority', 'urgent'), { label: 'Urgent', icon: 'flame' });
    assert.deepEqual(groupLook('assignee', 'zoe'), { label: '@zoe', icon: 'person' });
    assert.deepEqual(groupLook('assignee', ''), { label: 'Unassigned', icon: 'circle-slash' });
  });
});
