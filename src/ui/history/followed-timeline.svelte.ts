// A Timeline (timeline.ts) the panel can render: every change to it bumps one signal, so what
// reads it re-renders; and it follows the store, so events written by another tab, a sync or a
// restore show up as new rows while the view stays where the shopper put it.
import type { Carts } from '../../cart/carts.ts';
import type { CartView } from '../../cart/projections.ts';
import type { Change } from './diff.ts';
import { openTimeline, type Timeline } from './timeline.ts';

/** What the panel reads of a Timeline, reactive, and what it adds. */
export interface FollowedTimeline
  extends Pick<Timeline, 'cartId' | 'events' | 'length' | 'rowsRevision' | 'confirmedThrough' | 'complete' | 'rowsFrom' | 'position' | 'skipped' | 'atPresent' | 'seek' | 'toggleSkip' | 'clearSkips' | 'present' | 'restore'> {
  /** The cart at the position, skips applied; undefined at version 0 (before it was opened). */
  readonly shown: CartView | undefined;
  /**
   * What the event at the position changed (none at version 0 or when it is skipped); undefined
   * while a long cart's first fold up to there is still being worked out, a slice at a time.
   */
  readonly changes: readonly Change[] | undefined;
  /** Why the rest of a long cart's log could not be read ('' while it is read or once it was). */
  readonly readError: string;
  /** The cart at any version, skips applied (compare two versions). */
  viewAt: (version: number) => CartView | undefined;
  step: (delta: number) => void;
  /** Stops following the store. */
  close: () => void;
}

/**
 * A long cart's newest rows first (issue 12: within 100 ms at 100 000 events), then the rest: the
 * panel follows it as one more change of the rows.
 */
export const FIRST_ROWS = 100;
/** How long one slice of the first fold may hold the main thread. */
const WARM_SLICE_MS = 6;

export async function followTimeline(carts: Carts, cartId: string, at?: number): Promise<FollowedTimeline> {
  const timeline = await openTimeline(carts, cartId, { firstRows: FIRST_ROWS });
  if (at !== undefined) timeline.seek(at);

  // Two signals: anything changed, and the events grew. What depends only on the rows (the
  // filter, counts per type: O(events)) does not recompute at every step of the slider.
  let revision = $state(0);
  let grown = $state(0);
  const changed = () => void revision++;
  /** Reads the signal, so a $derived or the template depending on `read` re-runs after a change. */
  const read = <T>(value: () => T): T => {
    void revision;
    return value();
  };
  const readRows = <T>(value: () => T): T => {
    void grown;
    return value();
  };
  const act =
    <Args extends unknown[]>(action: (...args: Args) => void) =>
    (...args: Args) => {
      action(...args);
      changed();
      warmSoon();
    };

  let closed = false;
  // The present's diff needs the state before it: on a long cart, a fold of every event. It runs
  // in slices of a few ms between other work (a click, a frame), not as one long task.
  let warming = false;
  const warmUp = () => {
    if (closed || !timeline.complete) return void (warming = false);
    const until = performance.now() + WARM_SLICE_MS;
    if (!timeline.warm(() => performance.now() > until)) return void setTimeout(warmUp, 0);
    warming = false;
    changed();
  };
  const warmSoon = () => {
    if (warming || !timeline.complete || timeline.diffReady(timeline.position)) return;
    warming = true;
    setTimeout(warmUp, 0);
  };
  const reread = async (work: () => Promise<void>) => {
    const before = timeline.rowsRevision;
    try {
      await work();
    } finally {
      if (!closed) {
        // New rows, or rows that changed under a sync (confirmed, rebased): the list re-renders.
        if (timeline.rowsRevision !== before) grown++;
        changed();
        warmSoon();
      }
    }
  };
  const refresh = () =>
    reread(() => timeline.refresh()).catch(
      // The database closed under us (the page moved to a sandbox or back): this timeline is
      // being replaced, and there is nothing left to show from it.
      () => {},
    );
  const stop = carts.store.subscribe((change) => {
    if (change.streamIds.includes(cartId)) void refresh();
  });
  // Anything written between the first read and the subscription; a long cart's whole log comes
  // first (the refresh waits for it), and the panel shows its newest rows meanwhile.
  const caughtUp = refresh();
  if (timeline.complete) await caughtUp;
  // A failed read of the rest is said in the panel, not left as "reading" for ever.
  let readError = $state('');
  timeline.completed.catch((failure: unknown) => {
    if (!closed) readError = failure instanceof Error ? failure.message : String(failure);
  });

  const shown = $derived(read(() => timeline.view()));
  const changes = $derived(
    read(() => {
      if (timeline.position === 0) return [];
      // A past state shown is folded for `shown` anyway, and then its diff is near; the present's
      // state is known without a fold, so its diff may wait for the slices.
      timeline.view();
      return timeline.diffReady(timeline.position) ? timeline.diff(timeline.position) : undefined;
    }),
  );

  return {
    cartId,
    get events() {
      return readRows(() => timeline.events);
    },
    get length() {
      return readRows(() => timeline.length);
    },
    get rowsRevision() {
      return readRows(() => timeline.rowsRevision);
    },
    get confirmedThrough() {
      return readRows(() => timeline.confirmedThrough);
    },
    get complete() {
      return readRows(() => timeline.complete);
    },
    get rowsFrom() {
      return readRows(() => timeline.rowsFrom);
    },
    get position() {
      return read(() => timeline.position);
    },
    get skipped() {
      return read(() => timeline.skipped);
    },
    get atPresent() {
      return read(() => timeline.atPresent);
    },
    get shown() {
      return shown;
    },
    get changes() {
      return changes;
    },
    get readError() {
      return readError;
    },
    viewAt: (version) => read(() => timeline.view(version)),
    seek: act((position: number) => timeline.seek(position)),
    step: act((delta: number) => timeline.seek(timeline.position + delta)),
    toggleSkip: act((version: number) => timeline.toggleSkip(version)),
    clearSkips: act(() => timeline.clearSkips()),
    present: act(() => timeline.present()),
    restore: () => reread(() => timeline.restore()),
    close() {
      closed = true;
      stop();
    },
  };
}
