// The work model on a real store: dependencies (cycles refused, naming the chain), acceptance criteria, and the
// agent loop: next (order), claim (holders, waiting, atomic), complete (criteria, runs, totals), with their events.
import * as assert from 'node:assert/strict';
import { recordAgentRun } from '../../src/store/agents/runs';
import { listEvents } from '../../src/store/events';
import { createProject } from '../../src/store/projects';
import type { Store } from '../../src/store/store';
import { createTask, deleteTask, getTask, updateTask, type TaskInput } from '../../src/store/tasks';
import { addDependency, changeCriteria, claimNext, claimTask, completeTask, nextTask, removeDependency, taskDependencies } from '../../src/store/taskWork';
import { LOCKED_TEXT } from '../../src/store/crypto/fields';
import { initKeys, lock } from '../../src/store/crypto/keys';
import { human, rejectsWith, useTempStore } from '../helpers';

describe('task work: dependencies, criteria, next, claim, complete', () => {
  let store: Store;
  let projectId: string;
  useTempStore((s) => (store = s));
  beforeEach(async () => {
    projectId = (await store.write((orm) => createProject(orm, human, { name: 'Moonshot' }))).id;
  });
  const add = (title: string, more: Partial<TaskInput> = {}) => store.write((orm) => createTask(orm, human, { projectId, title, ...more }));
  const w = <T>(fn: Parameters<Store['write']>[0] extends (orm: infer O) => unknown ? (orm: O) => Promise<T> : never) => store.write(fn);

  it('a task waits for others (across projects); itself, an unknown task and a cycle are refused, the cycle named', async () => {
    const design = await add('Design');
    const build = await add('Build', { dependsOn: [design.id] });
    const other = (await store.write((orm) => createProject(orm, human, { name: 'Other' }))).id;
    const review = await store.write((orm) => createTask(orm, human, { projectId: other, title: 'Review' }));
    const ship = await add('Ship');
    await w((orm) => addDependency(orm, human, ship.id, build.id));
    const twice = await w((orm) => addDependency(orm, human, ship.id, review.id));
    assert.deepEqual((await w((orm) => addDependency(orm, human, ship.id, review.id))).version, twice.version, 'adding it again changes nothing');
    assert.deepEqual((await getTask(store.orm, ship.id)).dependsOn, [build.id, review.id]);
    await rejectsWith(w((orm) => addDependency(orm, human, design.id, design.id)), 'invalid', /cannot depend on itself/);
    await rejectsWith(w((orm) => addDependency(orm, human, design.id, 'NOPE')), 'not_found', /No task with id NOPE/);
    await rejectsWith(w((orm) => addDependency(orm, human, design.id, ship.id)), 'invalid', new RegExp(`cannot depend on ${ship.id} "Ship": that would make a cycle, as ${ship.id} "Ship" waits for ${build.id} "Build" waits for ${design.id} "Design"`));
    await rejectsWith(add('Orphan', { dependsOn: ['NOPE'] }), 'not_found', /No task with id NOPE/);

    const view = await taskDependencies(store.orm, build.id);
    assert.deepEqual(view.dependsOn.map((t) => t.title), ['Design']);
    assert.deepEqual(view.dependants.map((t) => t.title), ['Ship']);
    assert.equal(view.ready, false);
    await w((orm) => updateTask(orm, human, design.id, 1, { status: 'done' }));
    assert.equal((await taskDependencies(store.orm, build.id)).ready, true);
    await w((orm) => deleteTask(orm, human, review.id));
    assert.deepEqual((await taskDependencies(store.orm, ship.id)).dependsOn.map((t) => [t.title, t.status]), [['Build', 'pending'], [null, null]], 'a deleted dependency shows as such');
    await w((orm) => removeDependency(orm, human, ship.id, review.id));
    assert.deepEqual((await getTask(store.orm, ship.id)).dependsOn, [build.id]);
    const types = (await listEvents(store.orm, { aggregateId: ship.id, order: 'asc', limit: 100 })).map((e) => e.type);
    assert.deepEqual(types, ['task.created', 'task.dependency_added', 'task.dependency_added', 'task.dependency_removed']);
  });

  it('acceptance criteria: add (at a place), check, uncheck, move, remove; an item past the list is refused', async () => {
    const t = await add('Land', { criteria: ['Module separates', 'Engine fires'] });
    await w((orm) => changeCriteria(orm, human, t.id, { add: 'Flag planted' }));
    await w((orm) => changeCriteria(orm, human, t.id, { add: 'Descent starts', at: 2 }));
    await w((orm) => changeCriteria(orm, human, t.id, { check: 1 }));
    await w((orm) => changeCriteria(orm, human, t.id, { check: 3 }));
    await w((orm) => changeCriteria(orm, human, t.id, { uncheck: 3 }));
    await w((orm) => changeCriteria(orm, human, t.id, { move: 4, to: 1 }));
    let now = await w((orm) => changeCriteria(orm, human, t.id, { remove: 2 }));
    assert.deepEqual(now.criteria, [
      { text: 'Flag planted', done: false },
      { text: 'Descent starts', done: false },
      { text: 'Engine fires', done: false },
    ]);
    await rejectsWith(w((orm) => changeCriteria(orm, human, t.id, { check: 4 })), 'invalid', /has acceptance criteria 1 to 3; there is no item 4/);
    now = await getTask(store.orm, t.id);
    assert.equal(now.version, 8, 'each change one version, the refused one none');
  });

  it('acceptance criteria at the version read: a change to a task changed meanwhile is refused (item numbers may name others now)', async () => {
    const t = await add('Reorder', { criteria: ['a', 'b'] });
    const moved = await w((orm) => changeCriteria(orm, human, t.id, { move: 2, to: 1 }, t.version));
    assert.deepEqual(moved.criteria.map((c) => c.text), ['b', 'a']);
    await rejectsWith(w((orm) => changeCriteria(orm, human, t.id, { check: 1 }, t.version)), 'conflict', /changed by someone else \(you read version 1, it is now at version 2\)/);
    assert.deepEqual((await getTask(store.orm, t.id)).criteria, [{ text: 'b', done: false }, { text: 'a', done: false }]);
  });

  it('next: the most urgent ready task, then the one most wait for, then the oldest; never one another holds or one that waits', async () => {
    const blocker = await add('Blocker', { priority: 'low' });
    const oldLow = await add('Old, low', { priority: 'low' });
    const waits = await add('Urgent but waits', { priority: 'urgent', dependsOn: [blocker.id] });
    const held = await add('High, held', { priority: 'high', assignee: 'other-agent' });
    const mine = await add('High, mine', { priority: 'high', assignee: 'me' });
    const waitedFor = await add('Medium, waited for', { priority: 'medium' });
    await add('Waits for it', { dependsOn: [waitedFor.id] });
    await add('Medium, newer');
    assert.equal((await nextTask(store.orm, 'me'))!.id, mine.id, 'urgent waits; high held by another is skipped; high mine is next');
    assert.equal((await nextTask(store.orm, 'someone'))!.id, waitedFor.id, 'without the high one: of the mediums, the one a task waits for, before the older one');
    void held;
    await w((orm) => updateTask(orm, human, blocker.id, 1, { status: 'done' }));
    assert.equal((await nextTask(store.orm, 'someone'))!.id, waits.id, 'its dependency done, the urgent task is ready');
    assert.equal(await nextTask(store.orm, 'someone', 'NO-SUCH-PROJECT'), null);
    void oldLow;
  });

  it('claim: atomic assign + start; refused, naming the holder, while another holds it; refused while it waits; claim-next', async () => {
    const first = await add('First');
    const second = await add('Second', { dependsOn: [first.id] });
    const claimed = await w((orm) => claimTask(orm, human, first.id, 'agent-a'));
    assert.deepEqual([claimed.assignee, claimed.status, claimed.startedAt !== null], ['agent-a', 'in_progress', true]);
    assert.equal((await w((orm) => claimTask(orm, human, first.id, 'agent-a'))).version, claimed.version, 'claiming what it holds changes nothing');
    await rejectsWith(w((orm) => claimTask(orm, human, first.id, 'agent-b')), 'conflict', /is held by agent-a \(in progress\)/);
    await rejectsWith(w((orm) => claimTask(orm, human, second.id, 'agent-b')), 'invalid', new RegExp(`waits for ${first.id} "First" \\(in_progress\\)`));
    assert.equal(await w((orm) => claimNext(orm, human, 'agent-b')), null, 'nothing ready for agent-b');
    await w((orm) => completeTask(orm, human, first.id, {}));
    assert.equal((await w((orm) => claimNext(orm, human, 'agent-b')))!.id, second.id);
    await rejectsWith(w((orm) => claimTask(orm, human, first.id, 'agent-b')), 'invalid', /is done: there is nothing to claim/);
    const blocked = await add('Blocked one', { status: 'blocked' });
    await rejectsWith(w((orm) => claimTask(orm, human, blocked.id, 'agent-b')), 'invalid', /is blocked: set its status to pending/);
    await rejectsWith(w((orm) => claimTask(orm, human, second.id, 'agent-b', 'OTHER-PROJECT')), 'invalid', /is in project .*, not OTHER-PROJECT/);
    const [event] = await listEvents(store.orm, { aggregateId: second.id, limit: 1, order: 'desc' });
    assert.equal(event!.type, 'task.claimed');
  });

  it('complete: refused while criteria are open (unless forced), records the run, and the task totals its runs', async () => {
    const t = await add('Write the report', { criteria: ['Draft', 'Review'] });
    await w((orm) => claimTask(orm, human, t.id, 'writer'));
    await rejectsWith(w((orm) => completeTask(orm, human, t.id, {})), 'invalid', /has 2 open acceptance criteria \(1\. Draft; 2\. Review\): check them, or complete it with force/);
    await w((orm) => changeCriteria(orm, human, t.id, { check: 1 }));
    // An earlier attempt, logged as a run of its own.
    await w((orm) => recordAgentRun(orm, human, { agent: 'writer', taskId: t.id, outcome: 'failure', durationMs: 60_000, tokensIn: 100, tokensOut: 50, qualityScore: 0.2 }));
    const r = await w((orm) => completeTask(orm, human, t.id, { durationMs: 120_000, tokensIn: 300, tokensOut: 150, qualityScore: 0.8, summary: 'Report written', force: true }));
    assert.deepEqual([r.forced, r.openCriteria], [true, 1]);
    assert.deepEqual([r.run.agentName, r.run.outcome, r.run.notes, r.run.taskId], ['writer', 'success', 'Report written', t.id]);
    assert.deepEqual([r.task.status, r.task.tokensIn, r.task.tokensOut, r.task.actualMinutes], ['done', 400, 200, 3]);
    assert.ok(Math.abs(r.task.qualityScore! - 0.5) < 1e-9, `mean quality ${r.task.qualityScore}`);
    assert.ok(r.task.completedAt);
    await rejectsWith(w((orm) => completeTask(orm, human, t.id, {})), 'invalid', /is already done/);
    const types = (await listEvents(store.orm, { aggregateId: t.id, limit: 1, order: 'desc' })).map((e) => e.type);
    assert.deepEqual(types, ['task.completed']);
  });

  it('an encrypted title shows in plain text while the store is unlocked, and as locked (never ciphertext) when it is not', async () => {
    await store.write((orm) => initKeys(orm, human, 'correct horse battery'));
    const secret = await add('Acquire Initech', { secretFields: ['title'] });
    const after = await add('Announce', { dependsOn: [secret.id] });
    assert.deepEqual((await taskDependencies(store.orm, after.id)).dependsOn.map((t) => t.title), ['Acquire Initech']);
    lock(store.orm);
    const locked = await taskDependencies(store.orm, after.id);
    assert.deepEqual(locked.dependsOn.map((t) => t.title), [LOCKED_TEXT]);
    await rejectsWith(w((orm) => addDependency(orm, human, secret.id, after.id)), 'invalid', new RegExp(`cannot depend on ${after.id} "Announce": that would make a cycle, as ${after.id} "Announce" waits for ${secret.id} "${LOCKED_TEXT.replace(/[()]/g, '\\$&')}"`));
  });
});
