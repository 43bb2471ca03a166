// Moving a card by keyboard: Space picks the focused card up, ↑/↓ move it within its column, ←/→ choose another
// column, Alt+↑/↓ another swimlane, Space or Enter drops it there, Escape puts it back. Each step has the sentence the board announces
// (aria-live). Pure (no DOM).
import { STATUS_LABELS } from '../../views/taskBoard/messages';
import type { TaskStatus } from '../../store/schema';

export interface Held {
  taskId: string;
  title: string;
  from: TaskStatus;
  to: TaskStatus;
  /** Where it was picked up in its column, and where it is now (moved with ↑/↓; only in its own column). */
  fromIndex: number;
  index: number;
  /** Cards in its column. */
  total: number;
  /** The swimlane it was picked up in and the one it is over (keys of lanes.ts; "" without lanes), and the latter's name. */
  fromLane: string;
  toLane: string;
  toLaneLabel: string;
}

export function pickUp(card: { id: string; title: string; status: TaskStatus }, index = 0, total = 1, lane: { key: string; label: string } = { key: '', label: '' }): Held {
  return { taskId: card.id, title: card.title, from: card.status, to: card.status, fromIndex: index, index, total, fromLane: lane.key, toLane: lane.key, toLaneLabel: lane.label };
}

const moved = (h: Held) => h.to !== h.from || h.toLane !== h.fromLane;

/** The next shown column left (-1) or right (+1), stopping at the ends. Leaving its column puts it back in place there. */
export function step(held: Held, shown: readonly TaskStatus[], delta: -1 | 1): Held {
  const at = shown.indexOf(held.to);
  const next = shown[Math.max(0, Math.min(shown.length - 1, (at < 0 ? shown.indexOf(held.from) : at) + delta))];
  return next ? { ...held, to: next, index: held.fromIndex } : held;
}

/** The swimlane above (-1) or below (+1), the same column there, stopping at the ends. */
export function stepLane(held: Held, lanes: readonly { key: string; label: string }[], delta: -1 | 1): Held {
  const at = lanes.findIndex((l) => l.key === held.toLane);
  const next = at < 0 ? undefined : lanes[Math.max(0, Math.min(lanes.length - 1, at + delta))];
  return next ? { ...held, toLane: next.key, toLaneLabel: next.label, index: held.fromIndex } : held;
}

/** One place up (-1) or down (+1) in its own column, stopping at the ends; nothing in another column. */
export function stepWithin(held: Held, delta: -1 | 1): Held {
  if (moved(held)) return held;
  return { ...held, index: Math.max(0, Math.min(held.total - 1, held.index + delta)) };
}

/** What a drop does: nothing, a move to another column, or a move within its own. */
export function dropOf(held: Held): 'none' | 'column' | 'within' {
  if (moved(held)) return 'column';
  return held.index !== held.fromIndex ? 'within' : 'none';
}

const position = (h: Held) => `position ${h.index + 1} of ${h.total} in ${STATUS_LABELS[h.from]}`;
/** The column it is over, with its lane's name once it is over another lane. */
const over = (h: Held) => (h.toLane !== h.fromLane ? `${STATUS_LABELS[h.to]} of ${h.toLaneLabel}` : STATUS_LABELS[h.to]);

export const announce = {
  pickedUp: (h: Held, laned = false) =>
    `Picked up "${h.title}" at ${position(h)}. Up and down arrows move it in the column, left and right arrows choose a column, ${laned ? 'Alt with up and down arrows a swimlane, ' : ''}Space or Enter drops it, Escape cancels.`,
  over: (h: Held) => (moved(h) ? `"${h.title}" over ${over(h)}.` : `"${h.title}" over ${STATUS_LABELS[h.to]}, where it was.`),
  at: (h: Held) => `"${h.title}" at ${position(h)}.`,
  dropped: (h: Held) => {
    const d = dropOf(h);
    if (d === 'column') return `Moved "${h.title}" to ${over(h)}.`;
    if (d === 'within') return `Moved "${h.title}" to ${position(h)}.`;
    return `"${h.title}" dropped back in ${STATUS_LABELS[h.from]}.`;
  },
  cancelled: (h: Held) => `Move cancelled. "${h.title}" stays in ${STATUS_LABELS[h.from]}.`,
};
