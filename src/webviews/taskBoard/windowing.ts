// Which cards of a column to draw and which pages to load: a column draws only the rows in view (plus a few
// either side), each of one fixed height, so a column of 10,000 tasks costs what a screenful does. Pure, so it is
// tested without a browser.

export interface Range {
  /** First row to draw. */
  start: number;
  /** One past the last row to draw. */
  end: number;
}

/** Rows in view for a scroll position, widened by `overscan` rows each side, within [0, total). */
export function visibleRange(scrollTop: number, viewportHeight: number, rowHeight: number, total: number, overscan = 4): Range {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewportHeight)) / rowHeight);
  return { start: Math.max(0, Math.min(total, first - overscan)), end: Math.max(0, Math.min(total, last + overscan)) };
}

/** The pages (of `pageSize` rows) a range touches. */
export function pagesOf(range: Range, pageSize: number): number[] {
  if (range.end <= range.start) return [];
  const pages: number[] = [];
  for (let p = Math.floor(range.start / pageSize); p <= Math.floor((range.end - 1) / pageSize); p++) pages.push(p);
  return pages;
}

/** Consecutive pages as one request each: [2, 3, 7] → [{offset 2·size, limit 2·size}, {offset 7·size, limit size}]. */
export function pageRequests(pages: readonly number[], pageSize: number, maxLimit: number): { offset: number; limit: number }[] {
  const sorted = [...new Set(pages)].sort((a, b) => a - b);
  const out: { offset: number; limit: number }[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && last.offset + last.limit === p * pageSize && last.limit + pageSize <= maxLimit) last.limit += pageSize;
    else out.push({ offset: p * pageSize, limit: pageSize });
  }
  return out;
}

/** The scroll position that shows row `index` whole (unchanged when it already is). */
export function scrollToShow(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return Math.max(0, top + rowHeight - viewportHeight);
  return scrollTop;
}
