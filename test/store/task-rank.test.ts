// A card's place within its board column on a real store: a move writes one row (its rank, between the
// neighbours' ranks) and one event; the board reads the column in that order (ranked first, then by priority and
// id); a card dropped below a never-moved one ranks the cards above it; neighbours too close to split renumber the
// column in the same transaction; a stale move, or one next to a card that left the column, changes nothing.
import * as assert from 'node:assert/strict';
import { listEvents } from '../../src/store/events';
import { createProject } from '../../src/store/projects';
import type { Store } from '../../src/store/store';
import { boardColumns } from '../../src/store/taskBoard';
import { MIN_RANK_GAP, RANK_STEP, rankBetween, reorderTask, type ColumnPlace } from '../../src/store/taskRank';
import { createTask, getTask, updateTask, type TaskInput } from '../../src/store/tasks';
import { human, rejectsWith, useTempStore } from '../helpers';

describe('task rank (reorderTask, the board order)', () => {
  let store: Store;
  let projectId: string;
  useTempStore((s) => (store = s));
  beforeEach(async () => {
    projectId = (await store.write((orm) => createProject(orm, human, { name: 'Ranks' }))).id;
  });
  const add = (title: string, more: Partial<TaskInput> = {}) => store.write((orm) => createTask(orm, human, { projectId, title, ...more }));
  const column = async (status: 'pending' | 'done' = 'pending') => (await boardColumns(store.orm, { projectId }, [{ status, offset: 0, limit: 100 }]))[0]!.cards.map((c) => c.title);
  const ids = async () => (await boardColumns(store.orm, { projectId }, [{ status: 'pending', offset: 0, limit: 100 }]))[0]!.cards.map((c) => c.id);
  const eventCount = async () => (await listEvents(store.orm, { limit: 10_000, order: 'asc' })).length;
  const versions = async () => Object.fromEntries((await boardColumns(store.orm, { projectId }, [{ status: 'pending', offset: 0, limit: 100 }]))[0]!.cards.map((c) => [c.title, c.version]));
  /** Moves the task titled `title` to sit between the cards titled `after` and `before` (null: an end). */
  const move = async (title: string, after: string | null, before: string | null) => {
    const cards = (await boardColumns(store.orm, { projectId }, [{ status: 'pending', offset: 0, limit: 100 }]))[0]!.cards;
    const by = (t: string | null) => (t === null ? null : cards.find((c) => c.title === t)!.id);
    const card = cards.find((c) => c.title === title)!;
    const place: ColumnPlace = { after: by(after), before: by(before) };
    return store.write((orm) => reorderTask(orm, human, card.id, card.version, place));
  };

  it('the rank between two neighbours; none when they are too close', () => {
    assert.equal(rankBetween(undefined, undefined), 0);
    assert.equal(rankBetween(undefined, 10), 10 - RANK_STEP);
    assert.equal(rankBetween(10, undefined), 10 + RANK_STEP);
    assert.equal(rankBetween(0, 1024), 512);
    assert.equal(rankBetween(1, 1 + MIN_RANK_GAP / 2), null);
    assert.equal(rankBetween(5, 5), null);
  });

  it('a move rewrites one row, as one task.reordered event; the board reads the column in the new order', async () => {
    await add('Urgent one', { priority: 'urgent' });
    await add('Alpha');
    await add('Beta');
    await add('Gamma');
    assert.deepEqual(await column(), ['Urgent one', 'Alpha', 'Beta', 'Gamma'], 'never moved: by priority, then id');
    // Gamma to the top: above the first card.
    let before = { events: await eventCount(), versions: await versions() };
    const moved = await move('Gamma', null, 'Urgent one');
    assert.deepEqual(await column(), ['Gamma', 'Urgent one', 'Alpha', 'Beta']);
    assert.equal(await eventCount(), before.events + 1, 'one event');
    const after = await versions();
    assert.deepEqual(Object.keys(after).filter((t) => after[t] !== before.versions[t]), ['Gamma'], 'one row changed');
    const [event] = await listEvents(store.orm, { aggregateType: 'task', aggregateId: moved.id, limit: 1, order: 'desc' });
    assert.equal(event!.type, 'task.reordered');
    assert.deepEqual(event!.data, { from: { rank: null }, to: { rank: 0 } });
    // Between two ranked cards: again one row.
    await move('Urgent one', null, 'Gamma');
    before = { events: await eventCount(), versions: await versions() };
    await move('Beta', 'Urgent one', 'Gamma');
    assert.deepEqual(await column(), ['Urgent one', 'Beta', 'Gamma', 'Alpha']);
    assert.equal(await eventCount(), before.events + 1);
    assert.equal((await getTask(store.orm, moved.id)).rank, 0);
  });

  it('a card dropped below a never-moved one ranks the never-moved cards above it (one transaction), keeping their order', async () => {
    for (const t of ['A', 'B', 'C', 'D', 'E']) await add(t);
    const before = await eventCount();
    await move('E', 'B', 'C');
    assert.deepEqual(await column(), ['A', 'B', 'E', 'C', 'D']);
    assert.equal(await eventCount(), before + 3, 'A and B numbered (task.renumbered), E placed');
    const types = (await listEvents(store.orm, { aggregateType: 'task', limit: 3, order: 'desc' })).map((e) => e.type).reverse();
    assert.deepEqual(types, ['task.renumbered', 'task.renumbered', 'task.reordered']);
    // Now between ranked cards: one row.
    const n = await eventCount();
    await move('D', 'A', 'B');
    assert.deepEqual(await column(), ['A', 'D', 'B', 'E', 'C']);
    assert.equal(await eventCount(), n + 1);
  });

  it('neighbours too close to split: the column is numbered afresh in the same transaction, and the order holds', async () => {
    for (const t of ['Top', 'Bottom', 'Mover 1']) await add(t);
    await move('Top', null, 'Bottom');
    await move('Bottom', 'Top', 'Mover 1');
    // Drop a card right under Top again and again: each halves the gap, one row each, until there is no room.
    let renumbered = false;
    for (let i = 2; i <= 60 && !renumbered; i++) {
      await add(`Mover ${i}`);
      const n = await eventCount();
      const [, second] = await column();
      await move(`Mover ${i}`, 'Top', second!);
      const written = (await eventCount()) - n;
      if (written > 1) renumbered = true;
      else assert.equal(written, 1);
      assert.deepEqual((await column()).slice(0, 2), ['Top', `Mover ${i}`]);
    }
    assert.ok(renumbered, 'the column was renumbered once the gap was too small');
    const cards = (await boardColumns(store.orm, { projectId }, [{ status: 'pending', offset: 0, limit: 100 }]))[0]!.cards;
    assert.equal(cards[cards.length - 1]!.title, 'Mover 1', 'never moved: below the ranked cards');
    const ranks = cards.slice(0, -1).map((c) => c.rank!);
    for (let i = 1; i < ranks.length; i++) assert.ok(ranks[i]! > ranks[i - 1]!, `ranks rise down the column: ${ranks.join(', ')}`);
  });

  it('a stale move, or one next to a card that left the column, is refused and changes nothing', async () => {
    const a = await add('A');
    const b = await add('B');
    const c = await add('C');
    const n = await eventCount();
    await rejectsWith(store.write((orm) => reorderTask(orm, human, c.id, c.version + 1, { after: null, before: a.id })), 'conflict', /changed by someone else/);
    await store.write((orm) => updateTask(orm, human, b.id, b.version, { status: 'done' }));
    await rejectsWith(store.write((orm) => reorderTask(orm, human, c.id, c.version, { after: a.id, before: b.id })), 'conflict', /no longer in the same column/);
    await rejectsWith(store.write((orm) => reorderTask(orm, human, c.id, c.version, { after: c.id, before: null })), 'invalid', /next to itself/);
    await rejectsWith(store.write((orm) => reorderTask(orm, human, c.id, c.version, { after: 'nope', before: null })), 'not_found', /nope/);
    assert.equal(await eventCount(), n + 1, 'only the status change was written');
    assert.deepEqual(await ids(), [a.id, c.id]);
  });

  it('a card keeps its rank when it moves to another column, and lands there by it', async () => {
    await add('One');
    await add('Two');
    const three = await add('Three');
    await move('Three', null, 'One');
    for (const t of ['Done 1', 'Done 2']) await add(t, { status: 'done' });
    const t = await getTask(store.orm, three.id);
    await store.write((orm) => updateTask(orm, human, t.id, t.version, { status: 'done' }));
    assert.deepEqual(await column('done'), ['Three', 'Done 1', 'Done 2']);
  });
});
