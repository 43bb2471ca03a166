// A column's cards as far as they are loaded: a sparse list by position, the column's total, and the edits an
// optimistic move makes (take a card out, put it in where the store's order will put it, or move it within the
// column), with a snapshot to put everything back when the store refuses the move. Pure (no DOM).
import { compareCards, type BoardCard } from '../../views/taskBoard/messages';

export interface ColumnSnapshot {
  total: number;
  cards: [number, BoardCard][];
}

export class ColumnCache {
  total = 0;
  private byIndex = new Map<number, BoardCard>();

  /** Drops every card (a new filter, or the store changed): the next pages replace them. */
  reset(total = 0): void {
    this.byIndex.clear();
    this.total = total;
  }

  applyPage(offset: number, cards: readonly BoardCard[], total: number): void {
    if (total !== this.total) {
      // The column grew or shrank since other pages were read: their positions may be off, so keep only this one.
      this.byIndex.clear();
      this.total = total;
    }
    cards.forEach((c, i) => this.byIndex.set(offset + i, c));
  }

  get(index: number): BoardCard | undefined {
    return this.byIndex.get(index);
  }

  has(index: number): boolean {
    return this.byIndex.has(index);
  }

  indexOf(id: string): number {
    for (const [i, c] of this.byIndex) if (c.id === id) return i;
    return -1;
  }

  /** Loaded positions, in order. */
  loaded(): number[] {
    return [...this.byIndex.keys()].sort((a, b) => a - b);
  }

  /** Takes a card out; the cards after it move up one. Returns its position, or -1. */
  remove(id: string): number {
    const at = this.indexOf(id);
    if (at < 0) return -1;
    const next = new Map<number, BoardCard>();
    for (const [i, c] of this.byIndex) if (i !== at) next.set(i > at ? i - 1 : i, c);
    this.byIndex = next;
    this.total = Math.max(0, this.total - 1);
    return at;
  }

  /**
   * Puts a card where the store's order puts it, judged by the loaded cards: before the first loaded card that sorts
   * after it. When that place is outside what is loaded, only the total grows (the card shows up when its page is
   * read). Returns its position, or -1 when not placed.
   */
  insert(card: BoardCard): number {
    const loaded = this.loaded();
    let at = -1;
    for (const i of loaded) {
      if (compareCards(card, this.byIndex.get(i)!) < 0) {
        // Sure only if the row before it is loaded too (or it is the first row).
        if (i === 0 || this.byIndex.has(i - 1)) at = i;
        break;
      }
    }
    if (at < 0) {
      const last = loaded[loaded.length - 1];
      if (this.total === 0) at = 0;
      else if (last === this.total - 1 && loaded.length > 0) at = this.total;
    }
    this.total += 1;
    if (at < 0) return -1;
    const next = new Map<number, BoardCard>();
    for (const [i, c] of this.byIndex) next.set(i >= at ? i + 1 : i, c);
    next.set(at, card);
    this.byIndex = next;
    return at;
  }

  /**
   * Moves a loaded card to position `to` of the column (a move within it). Returns false when the card or the place
   * is not loaded (the rows around `to` must be, to know its neighbours).
   */
  moveTo(id: string, to: number): boolean {
    const from = this.indexOf(id);
    if (from < 0 || to < 0 || to >= this.total) return false;
    if (from === to) return true;
    const lo = Math.min(from, to);
    const hi = Math.max(from, to);
    for (let i = lo; i <= hi; i++) if (!this.byIndex.has(i)) return false;
    const card = this.byIndex.get(from)!;
    const step = from < to ? 1 : -1;
    for (let i = from; i !== to; i += step) this.byIndex.set(i, this.byIndex.get(i + step)!);
    this.byIndex.set(to, card);
    return true;
  }

  /** The ids of the cards above and below a card (null at an end of the column); undefined when not loaded. */
  neighbours(id: string): { after: string | null; before: string | null } | undefined {
    const at = this.indexOf(id);
    if (at < 0) return undefined;
    const above = at === 0 ? null : this.byIndex.get(at - 1);
    const below = at === this.total - 1 ? null : this.byIndex.get(at + 1);
    if (above === undefined || below === undefined) return undefined;
    return { after: above?.id ?? null, before: below?.id ?? null };
  }

  snapshot(): ColumnSnapshot {
    return { total: this.total, cards: [...this.byIndex] };
  }

  restore(s: ColumnSnapshot): void {
    this.total = s.total;
    this.byIndex = new Map(s.cards);
  }
}
