// What a card says, as text: estimate, age, and the label a screen reader reads. Pure (no DOM).
import { STATUS_LABELS, type BoardCard } from '../../views/taskBoard/messages';

/** Tasks untouched this many days get the age cue. */
export const STALE_DAYS = 30;
const DAY_MS = 86_400_000;

/** 45 → "45m", 90 → "1.5h", 480 → "8h", 2880 → "2d" (days of 24 h: an estimate, not a work calendar). */
export function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${Math.round(minutes)}m`;
  if (minutes < 24 * 60) return `${+(minutes / 60).toFixed(1)}h`;
  return `${+(minutes / (24 * 60)).toFixed(1)}d`;
}

/** Whole days since `iso` (0 for a date in the future or not a date). */
export function ageDays(iso: string, now: number): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : Math.max(0, Math.floor((now - t) / DAY_MS));
}

export const isStale = (card: Pick<BoardCard, 'updatedAt' | 'status'>, now: number) =>
  card.status !== 'done' && card.status !== 'cancelled' && ageDays(card.updatedAt, now) >= STALE_DAYS;

export function cardLabel(card: BoardCard, now: number): string {
  const parts = [card.title, `${STATUS_LABELS[card.status]}`, `priority ${card.priority}`];
  parts.push(card.assignee ? `assigned to ${card.assignee}` : 'unassigned');
  if (card.waitingOn > 0) parts.push(`waits on ${card.waitingOn} of ${card.dependsOn} ${card.dependsOn === 1 ? 'task' : 'tasks'}`);
  if (card.criteriaTotal > 0) parts.push(`criteria ${card.criteriaDone} of ${card.criteriaTotal} done`);
  if (card.estimatedMinutes !== null) parts.push(`estimate ${formatMinutes(card.estimatedMinutes)}`);
  if (card.tags.length) parts.push(`tags ${card.tags.join(', ')}`);
  if (isStale(card, now)) parts.push(`untouched for ${ageDays(card.updatedAt, now)} days`);
  return parts.join(', ');
}
