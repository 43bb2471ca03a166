// A task's place within its board column. A column shows its ranked tasks first, lowest rank first, then the tasks
// never moved (rank null) by priority, then id (src/store/taskBoard.ts). Moving a card gives it a rank between its
// new neighbours': one row written, as an event like other task updates. Only when the neighbours' ranks are too
// close to split, or the card lands below a never-moved one (which has no rank to be below), are the column's
// cards before it numbered afresh, in the same transaction, each with its event.
import { and, asc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { checkVersion, updateAggregate } from './aggregates';
import { StoreError } from './errors';
import type { Actor } from './events';
import type { Orm } from './orm';
import { tasks, type TaskRow } from './schema';
import { getTask } from './tasks';

/** Gap between ranks given afresh. */
export const RANK_STEP = 1024;
/** Neighbours closer than this are not split: the column is renumbered first. */
export const MIN_RANK_GAP = 1e-6;

/** Where a card goes: between the card shown above it and the one shown below it (null at either end). */
export interface ColumnPlace {
  after: string | null;
  before: string | null;
}

/** The rank between two neighbours' (undefined: no neighbour that side); null when they leave no room. */
export function rankBetween(prev: number | undefined, next: number | undefined): number | null {
  if (prev === undefined && next === undefined) return 0;
  if (prev === undefined) return next! - RANK_STEP;
  if (next === undefined) return prev + RANK_STEP;
  if (!(next - prev > MIN_RANK_GAP)) return null;
  const mid = prev + (next - prev) / 2;
  return mid > prev && mid < next ? mid : null;
}

const PRIORITY_ORDER = sql`case ${tasks.priority} when 'urgent' then 0 when 'high' then 1 when 'medium' then 2 else 3 end`;
/** A column's order (the board's): ranked first by rank, then the rest by priority and id. */
export const COLUMN_ORDER = [sql`${tasks.rank} is null`, asc(tasks.rank), PRIORITY_ORDER, asc(tasks.id)];

/** Writes a task's rank: its event is task.reordered (the card moved), or task.renumbered (its column was numbered afresh). */
const setRank = (orm: Orm, who: Actor, row: TaskRow, rank: number, renumbered = false) =>
  updateAggregate(orm, who, 'task', tasks, row, { rank }, () => (renumbered ? 'task.renumbered' : 'task.reordered'));

/**
 * Moves task `id` within its column to `place`, if it is still at `expectedVersion` and its neighbours are still in
 * its column. Call inside a write transaction.
 */
export async function reorderTask(orm: Orm, who: Actor, id: string, expectedVersion: number, place: ColumnPlace): Promise<TaskRow> {
  const task = await getTask(orm, id);
  checkVersion('task', task, expectedVersion);
  if (place.after === id || place.before === id) throw new StoreError('invalid', 'A task cannot be placed next to itself: give the tasks that will be above and below it.');
  const neighbour = async (nid: string | null) => {
    if (!nid) return undefined;
    const n = await getTask(orm, nid);
    if (n.status !== task.status) {
      throw new StoreError('conflict', `Task ${nid} is no longer in the same column (it is ${n.status}, the task is ${task.status}): the board changed meanwhile. Reload it and try again.`, { id: nid });
    }
    return n;
  };
  const prev = await neighbour(place.after);
  const next = await neighbour(place.before);
  if (prev && next && prev.rank !== null && next.rank !== null && next.rank < prev.rank) {
    throw new StoreError('conflict', 'The tasks around the drop changed places meanwhile: the board changed. Reload it and try again.');
  }

  if (prev && prev.rank === null) {
    // Below a never-moved card: rank it and every never-moved card above it in the column, after the ranked ones.
    const column = await orm
      .select()
      .from(tasks)
      .where(and(eq(tasks.status, task.status), isNull(tasks.rank)))
      .orderBy(...COLUMN_ORDER);
    const upTo = column.findIndex((t) => t.id === prev!.id);
    let rank = (await maxRank(orm, task.status, id)) ?? 0;
    for (const t of column.slice(0, upTo + 1)) {
      if (t.id === id) continue;
      rank += RANK_STEP;
      await setRank(orm, who, t, rank, true);
    }
    return setRank(orm, who, task, rank + RANK_STEP);
  }

  // The ranks either side, in the whole column: a card hidden by the board's filter may sit next to the drop. The
  // neighbours' own ranks are read again only after the column was renumbered.
  const rankOf = async (t: TaskRow, reread: boolean) => (reread ? (await getTask(orm, t.id)).rank! : t.rank!);
  const bounds = async (reread: boolean): Promise<[number | undefined, number | undefined]> => {
    const p = prev ? await rankOf(prev, reread) : undefined;
    if (next && next.rank !== null) return [p, await rankOf(next, reread)];
    return [p, await lowestRankAbove(orm, task.status, p, id)];
  };
  let [lower, upper] = await bounds(false);
  let rank = rankBetween(lower, upper);
  if (rank === null) {
    // No room left between them: number the column's ranked cards afresh, then place it.
    const ranked = await orm
      .select()
      .from(tasks)
      .where(and(eq(tasks.status, task.status), isNotNull(tasks.rank)))
      .orderBy(...COLUMN_ORDER);
    let n = 0;
    for (const t of ranked) {
      if (t.id === id) continue;
      n += 1;
      if (t.rank !== n * RANK_STEP) await setRank(orm, who, t, n * RANK_STEP, true);
    }
    [lower, upper] = await bounds(true);
    rank = rankBetween(lower, upper)!;
  }
  return setRank(orm, who, task, rank);
}

async function maxRank(orm: Orm, status: TaskRow['status'], except: string): Promise<number | undefined> {
  const [r] = await orm.select({ v: sql<number | null>`max(${tasks.rank})` }).from(tasks).where(and(eq(tasks.status, status), sql`${tasks.id} <> ${except}`));
  return r?.v ?? undefined;
}

/** The lowest rank in the column, or the lowest above `rank` (a card hidden by the board's filter may sit there). */
async function lowestRankAbove(orm: Orm, status: TaskRow['status'], rank: number | undefined, except: string): Promise<number | undefined> {
  const [r] = await orm
    .select({ v: sql<number | null>`min(${tasks.rank})` })
    .from(tasks)
    .where(and(eq(tasks.status, status), rank === undefined ? undefined : sql`${tasks.rank} > ${rank}`, sql`${tasks.id} <> ${except}`));
  return r?.v ?? undefined;
}
