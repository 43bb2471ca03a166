// The Projects tree's reads on a real store (src/store/taskTree.ts, taskTreePlace.ts): where each task shows under
// the filter (under its parent when the parent shows, else its sprint, else the project), its shown subtasks, pages
// and totals, sprints and groups with their counts, a task's place for Reveal Task, the indexes each level reads, and
// the methods' params refused with a message.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import { invoke, MethodError, type Context } from '../../src/backend/methods';
import { ErrorCodes } from '../../src/backend/protocol';
import { createProject } from '../../src/store/projects';
import { OPEN_TASK_STATUSES } from '../../src/store/schema';
import { createSprint } from '../../src/store/sprints';
import type { Store } from '../../src/store/store';
import { createTask, type TaskInput } from '../../src/store/tasks';
import { levelQueries, treePage, treeSections, type TreeLevel, type TreeView } from '../../src/store/taskTree';
import { treePlace } from '../../src/store/taskTreePlace';
import { human, useTempStore } from '../helpers';

const BY_SPRINT: TreeView = { groupBy: 'sprint' };
const HIDE_DONE: TreeView = { groupBy: 'sprint', statuses: OPEN_TASK_STATUSES };

describe('the Projects tree a level at a time (taskTree.ts)', () => {
  let store: Store;
  let projectId: string;
  useTempStore((s) => (store = s));
  beforeEach(async () => {
    projectId = (await store.write((orm) => createProject(orm, human, { name: 'Tree' }))).id;
  });
  const add = async (title: string, more: Partial<TaskInput> = {}) => (await store.write((orm) => createTask(orm, human, { projectId, title, ...more }))).id;
  const sprint = async (name: string) => (await store.write((orm) => createSprint(orm, human, { projectId, name }))).id;
  /** Titles of a level (with their shown subtasks when any) and its total. */
  async function level(at: Partial<{ sprintId: string; parentId: string; group: string }>, v: TreeView, offset = 0, limit = 500) {
    const page = await store.read((orm) => treePage(orm, { projectId, ...at } as TreeLevel, v, offset, limit));
    return { total: page.total, tasks: page.tasks.map((t) => (t.children ? `${t.title} (${t.children})` : t.title)) };
  }

  describe('grouped by sprint', () => {
    let s1: string;
    let s2: string;
    let parentA: string;
    let parentB: string;
    beforeEach(async () => {
      s1 = await sprint('S1');
      s2 = await sprint('S2');
      parentA = await add('A');
      await add('A1, in S1', { parentId: parentA, sprintId: s1, assignee: 'ada' });
      await add('A2, done', { parentId: parentA, status: 'done' });
      parentB = await add('B, done, in S1', { sprintId: s1, status: 'done' });
      await add('B1, in S1', { parentId: parentB, sprintId: s1 });
      await add('B2, no sprint', { parentId: parentB });
      await add('C, cancelled, in S2', { sprintId: s2, status: 'cancelled' });
      await add('D', { assignee: 'ada' });
    });

    it('puts each task under its parent, whatever its sprint; else under its sprint, else under the project', async () => {
      assert.deepEqual(await level({}, BY_SPRINT), { total: 2, tasks: ['A (2)', 'D'] });
      assert.deepEqual(await level({ sprintId: s1 }, BY_SPRINT), { total: 1, tasks: ['B, done, in S1 (2)'] });
      assert.deepEqual(await level({ sprintId: s2 }, BY_SPRINT), { total: 1, tasks: ['C, cancelled, in S2'] });
      assert.deepEqual(await level({ parentId: parentA }, BY_SPRINT), { total: 2, tasks: ['A1, in S1', 'A2, done'] });
      assert.deepEqual(await level({ parentId: parentB }, BY_SPRINT), { total: 2, tasks: ['B1, in S1', 'B2, no sprint'] });
    });

    it('hiding done: a subtask whose parent is hidden shows under its sprint (or the project), and its parent counts only shown subtasks', async () => {
      assert.deepEqual(await level({}, HIDE_DONE), { total: 3, tasks: ['A (1)', 'B2, no sprint', 'D'] });
      assert.deepEqual(await level({ sprintId: s1 }, HIDE_DONE), { total: 1, tasks: ['B1, in S1'] });
      assert.deepEqual(await level({ sprintId: s2 }, HIDE_DONE), { total: 0, tasks: [] });
      assert.deepEqual(await level({ parentId: parentA }, HIDE_DONE), { total: 1, tasks: ['A1, in S1'] });
      assert.deepEqual(await level({ parentId: parentB }, HIDE_DONE), { total: 0, tasks: [] }, 'a hidden parent holds nothing: its subtasks are elsewhere');
    });

    it("only someone's tasks: A1 shows under its sprint once A is hidden", async () => {
      const mine: TreeView = { groupBy: 'sprint', assignee: 'ada' };
      assert.deepEqual(await level({}, mine), { total: 1, tasks: ['D'] });
      assert.deepEqual(await level({ sprintId: s1 }, mine), { total: 1, tasks: ['A1, in S1'] });
    });

    it("lists the sprints with how many tasks show directly under each (the view drops the empty ones when filtered)", async () => {
      const counts = async (v: TreeView) => {
        const sections = await store.read((orm) => treeSections(orm, projectId, v));
        assert.ok('sprints' in sections);
        return sections.sprints.map((s) => `${s.sprint.name}:${s.count}`);
      };
      assert.deepEqual(await counts(BY_SPRINT), ['S1:1', 'S2:1']);
      assert.deepEqual(await counts(HIDE_DONE), ['S1:1', 'S2:0']);
      assert.deepEqual(await counts({ groupBy: 'sprint', assignee: 'nobody' }), ['S1:0', 'S2:0']);
    });

    it("gives a task's place: its shown ancestors from the top, each with its position, and null when it does not show", async () => {
      const b1 = (await store.read((orm) => treePage(orm, { projectId, parentId: parentB }, BY_SPRINT, 0, 10))).tasks[0]!.id;
      const place = await store.read((orm) => treePlace(orm, b1, BY_SPRINT));
      assert.deepEqual(place!.level, { projectId, sprintId: s1 });
      assert.deepEqual(place!.chain.map((c) => [c.task.title, c.position, c.task.children]), [['B, done, in S1', 0, 2], ['B1, in S1', 0, 0]]);
      const hidingDone = await store.read((orm) => treePlace(orm, b1, HIDE_DONE));
      assert.deepEqual(hidingDone!.level, { projectId, sprintId: s1 }, 'B hidden: B1 sits in its sprint');
      assert.deepEqual(hidingDone!.chain.map((c) => [c.task.title, c.position]), [['B1, in S1', 0]]);
      assert.equal(await store.read((orm) => treePlace(orm, parentB, HIDE_DONE)), null);
      const b2 = (await store.read((orm) => treePlace(orm, parentB, BY_SPRINT)))!.chain[0]!.task.id;
      assert.equal(b2, parentB);
    });

    it('a parent in another project (only a hand-edited restore could hold one) does not take the task', async () => {
      const other = (await store.write((orm) => createProject(orm, human, { name: 'Other' }))).id;
      const stranger = (await store.write((orm) => createTask(orm, human, { projectId: other, title: 'Stranger' }))).id;
      await store.write((orm) => orm.run(sql`update tasks set parent_id = ${stranger} where title = 'D'`));
      assert.deepEqual(await level({}, BY_SPRINT), { total: 2, tasks: ['A (2)', 'D'] });
      const onOtherSide = await store.read((orm) => treePage(orm, { projectId: other }, BY_SPRINT, 0, 10));
      assert.deepEqual(onOtherSide.tasks.map((t) => [t.title, t.children]), [['Stranger', 0]]);
    });

    it('a loop of parents (never written by Cairn) shows nowhere, and has no place', async () => {
      const [x, y] = [await add('X'), await add('Y')];
      await store.write((orm) => orm.run(sql`update tasks set parent_id = case id when ${x} then ${y} else ${x} end where id in (${x}, ${y})`));
      assert.deepEqual((await level({}, BY_SPRINT)).tasks, ['A (2)', 'D']);
      assert.equal(await store.read((orm) => treePlace(orm, x, BY_SPRINT)), null);
    });
  });

  it('pages a level in id order, each page with the total; the place of a task beyond the first page', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await add(`T${i}`, { status: i % 2 ? 'done' : 'pending' }));
    assert.deepEqual(await level({}, BY_SPRINT, 0, 3), { total: 7, tasks: ['T0', 'T1', 'T2'] });
    assert.deepEqual(await level({}, BY_SPRINT, 3, 3), { total: 7, tasks: ['T3', 'T4', 'T5'] });
    assert.deepEqual(await level({}, BY_SPRINT, 6, 3), { total: 7, tasks: ['T6'] });
    assert.deepEqual(await level({}, BY_SPRINT, 9, 3), { total: 7, tasks: [] });
    assert.deepEqual(await level({}, HIDE_DONE, 2, 3), { total: 4, tasks: ['T4', 'T6'] });
    const place = await store.read((orm) => treePlace(orm, ids[5]!, BY_SPRINT));
    assert.deepEqual([place!.level, place!.chain.map((c) => c.position)], [{ projectId }, [5]]);
    assert.deepEqual((await store.read((orm) => treePlace(orm, ids[6]!, HIDE_DONE)))!.chain.map((c) => c.position), [3]);
  });

  it('grouped by status, assignee or priority: groups in their order with counts, each a flat level', async () => {
    const parent = await add('Lead', { assignee: 'zoe', priority: 'low' });
    await add('Sub', { parentId: parent, status: 'blocked', priority: 'urgent' });
    await add('Solo', { assignee: 'Adam', status: 'done', priority: 'low' });
    await add('Zed', { assignee: 'zoe', status: 'blocked', priority: 'high' });
    const groups = async (v: TreeView) => {
      const sections = await store.read((orm) => treeSections(orm, projectId, v));
      assert.ok('groups' in sections);
      return sections.groups.map((g) => `${g.key}:${g.count}`);
    };
    assert.deepEqual(await groups({ groupBy: 'status' }), ['pending:1', 'blocked:2', 'done:1']);
    assert.deepEqual(await groups({ groupBy: 'priority' }), ['urgent:1', 'high:1', 'low:2']);
    assert.deepEqual(await groups({ groupBy: 'assignee' }), ['Adam:1', 'zoe:2', ':1']);
    assert.deepEqual(await groups({ groupBy: 'assignee', statuses: OPEN_TASK_STATUSES }), ['zoe:2', ':1']);
    assert.deepEqual(await level({ group: 'blocked' }, { groupBy: 'status' }), { total: 2, tasks: ['Sub', 'Zed'] }, 'flat: no subtask counts');
    assert.deepEqual(await level({ group: '' }, { groupBy: 'assignee' }), { total: 1, tasks: ['Sub'] });
    assert.deepEqual(await level({ group: 'low' }, { groupBy: 'priority', statuses: OPEN_TASK_STATUSES }), { total: 1, tasks: ['Lead'] });
    assert.deepEqual(await level({}, { groupBy: 'status' }), { total: 0, tasks: [] }, 'grouped, the project holds only its groups');
    const sub = await store.read(async (orm) => treePlace(orm, (await treePage(orm, { projectId, group: 'urgent' }, { groupBy: 'priority' }, 0, 1)).tasks[0]!.id, { groupBy: 'priority' }));
    assert.deepEqual([sub!.level, sub!.chain.map((c) => [c.task.title, c.position])], [{ projectId, group: 'urgent' }, [['Sub', 0]]]);
  });

  it('reads each level from an index range, never the table, and never sorts it', async () => {
    const levels: [string, Partial<{ sprintId: string; parentId: string; group: string }>, TreeView, RegExp][] = [
      ['project', {}, HIDE_DONE, /tasks_tree_idx \(project_id=\? AND sprint_id=\?\)/],
      ['sprint', { sprintId: 'S' }, { groupBy: 'sprint', assignee: 'ada' }, /tasks_tree_idx \(project_id=\? AND sprint_id=\?\)/],
      ['parent', { parentId: 'P' }, HIDE_DONE, /tasks_parent_idx \(parent_id=\?\)/],
      ['group', { group: 'high' }, { groupBy: 'priority', statuses: OPEN_TASK_STATUSES }, /tasks_project_id_idx \(project_id=\?\)/],
    ];
    const planOf = async (query: SQL) => ((await store.read((orm) => orm.all(sql`explain query plan ${query}`))) as unknown[][]).map((r) => String(r[3])).join('\n');
    for (const [name, at, v, index] of levels) {
      const { count, pairs, page } = levelQueries({ projectId, ...at } as TreeLevel, v, 0, 500);
      for (const query of [count, pairs]) {
        const plan = await planOf(query);
        assert.match(plan.split('\n')[0]!, index, `${name}: ${plan}`);
        assert.match(plan.split('\n')[0]!, /COVERING INDEX/, `${name}: ${plan}`);
      }
      if (!('parentId' in at) && v.groupBy === 'sprint') assert.match(await planOf(count), /SEARCH p USING COVERING INDEX tasks_project_id_idx \(project_id=\? AND id=\?/, `${name}: a parent is looked up without its row`);
      const plan = await planOf(page);
      assert.match(plan, /SEARCH t USING INDEX sqlite_autoindex_tasks_1 \(id=\?\)/, `${name}: the page's rows by id: ${plan}`);
      assert.doesNotMatch(plan, /SCAN t\b|SCAN tasks|TEMP B-TREE|USING INDEX tasks_(status|assignee|sprint)_/, `${name}: ${plan}`);
    }
  });

  describe('as methods (tasks.tree, tasks.treeSections, tasks.treePlace)', () => {
    const call = (method: string, params: object) => invoke({ store, who: human, vaultDir: path.join(store.dir, 'vault'), agentDirs: [] } satisfies Context, method, params);
    async function refused(params: object, message: RegExp, method = 'tasks.tree') {
      const err = await call(method, params).then(() => assert.fail('expected a refusal'), (e: unknown) => e);
      assert.ok(err instanceof MethodError, String(err));
      assert.match(err.message, message);
      assert.doesNotMatch(err.message, /select|at .*\.ts:/i, 'no SQL or stack');
      return err;
    }

    it('answers a page with children counts and the total, sections and places', async () => {
      const parent = await add('Parent');
      await add('Child', { parentId: parent });
      const page = (await call('tasks.tree', { projectId })) as { total: number; offset: number; tasks: { title: string; children: number }[] };
      assert.deepEqual([page.total, page.offset, page.tasks.map((t) => [t.title, t.children])], [1, 0, [['Parent', 1]]]);
      assert.deepEqual(await call('tasks.treeSections', { projectId, groupBy: 'status' }), { groups: [{ key: 'pending', count: 2 }] });
      const child = (await call('tasks.tree', { projectId, parentId: parent })) as { tasks: { id: string }[] };
      const { place } = (await call('tasks.treePlace', { id: child.tasks[0]!.id })) as { place: { chain: { task: { title: string } }[] } };
      assert.deepEqual(place.chain.map((c) => c.task.title), ['Parent', 'Child']);
    });

    it('reveals a secret title, and names every encrypted field of the task', async () => {
      await call('crypto.init', { passphrase: 'correct horse battery' });
      await call('tasks.create', { projectId, title: 'Rotate keys', description: 'the db password', secretFields: ['title', 'description'] });
      const page = (await call('tasks.tree', { projectId })) as { tasks: Record<string, unknown>[] };
      const { title, secretFields, lockedFields, damagedFields, description } = page.tasks[0]!;
      assert.deepEqual({ title, secretFields, lockedFields, damagedFields, description }, { title: 'Rotate keys', secretFields: ['title', 'description'], lockedFields: undefined, damagedFields: undefined, description: undefined });
      // Locked, the tooltip names every encrypted field as locked, the description too (the row does not carry it).
      await call('tasks.create', { projectId, title: 'Only the description', description: 'a token', secretFields: ['description'] });
      await call('crypto.lock', {});
      const locked = ((await call('tasks.tree', { projectId })) as { tasks: Record<string, unknown>[] }).tasks;
      assert.deepEqual(
        locked.map((t) => [t.secretFields, t.lockedFields]),
        [
          [['title', 'description'], ['title', 'description']],
          [['description'], ['description']],
        ],
      );
    });

    it('refuses bad params with a message that says what to give', async () => {
      const s = await sprint('S');
      await refused({ projectId, sprintId: s, group: 'x', groupBy: 'status' }, /give at most one of sprintId, parentId or group/);
      await refused({ projectId, sprintId: s, groupBy: 'status' }, /sprintId and parentId are levels of the tree grouped by sprint/);
      await refused({ projectId, group: 'done' }, /group needs groupBy status, assignee or priority/);
      await refused({ projectId, group: 'later', groupBy: 'status' }, /grouped by status, group must be one of pending, in_progress, blocked, done, cancelled/);
      await refused({ projectId, statuses: [] }, /statuses must not be empty: leave it out to show every status/);
      await refused({ projectId, statuses: ['finished'] }, /status must be one of/);
      await refused({ projectId, groupBy: 'colour' }, /groupBy must be one of sprint, status, assignee, priority/);
      await refused({ projectId, limit: 5001 }, /limit must be a whole number from 1 to 5000/);
      await refused({ projectId, assignee: ' ' }, /assignee must not be empty/);
      const unknown = await refused({ projectId: 'no-such-project' }, /no-such-project/);
      assert.equal(unknown.code, ErrorCodes.NotFound);
      const otherProject = (await store.write((orm) => createProject(orm, human, { name: 'Other' }))).id;
      await refused({ projectId: otherProject, sprintId: s }, /is in project .*, not /);
      await refused({ id: 'no-such-task' }, /no-such-task/, 'tasks.treePlace');
    });
  });
});
