// Which rows of a long list to put in the DOM: only the ones in view plus a few either side, so
// the history panel costs the same at 10 events and at 100 000. Rows have one fixed height, so
// where a row sits is arithmetic, never a measurement.

export interface ScrollBox {
  /** The scroller's scrollTop, px. */
  scrollTop: number;
  /** Its visible height, px (0 before the first layout). */
  viewport: number;
  rowHeight: number;
}

export interface RowWindow {
  /** First row rendered (index into the rows). */
  start: number;
  /** One past the last row rendered. */
  end: number;
  /** Where row `start` sits, px from the top of the list. */
  offset: number;
  /** The whole list's height, px: what the scrollbar measures. */
  height: number;
}

/** Before the scroller is laid out we cannot know its height; this many rows is a screenful. */
const UNMEASURED_ROWS = 12;

export function rowWindow(box: ScrollBox, count: number, overscan = 6): RowWindow {
  const { rowHeight } = box;
  const height = count * rowHeight;
  const first = Math.floor(Math.max(0, Math.min(box.scrollTop, height)) / rowHeight);
  const visible = box.viewport > 0 ? Math.ceil(box.viewport / rowHeight) + 1 : UNMEASURED_ROWS;
  const start = Math.max(0, Math.min(first - overscan, count));
  const end = Math.max(start, Math.min(first + visible + overscan, count));
  return { start, end, offset: start * rowHeight, height };
}

/** The scrollTop that brings row `index` fully into view, moving as little as possible. */
export function revealRow(box: ScrollBox, index: number): number {
  const top = index * box.rowHeight;
  const bottom = top + box.rowHeight;
  if (top < box.scrollTop) return top;
  if (bottom > box.scrollTop + box.viewport) return Math.max(0, bottom - box.viewport);
  return box.scrollTop;
}

/** Index of `value` in an ascending list, or -1: the filtered rows are versions in order. */
export function indexIn(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = sorted[middle]!;
    if (at === value) return middle;
    if (at < value) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
