// One cart's history, as the time-travel panel uses it: the stream's events, the slider
// position, what-if skips, the state shown, the change each event made, and restore. Plain
// TypeScript over the generic engine (src/es/history.ts); it reads the log and writes only
// through the command path (restore, undo).
import type { Carts } from '../../cart/carts.ts';
import { initialCartState, type CartState } from '../../cart/decider.ts';
import { cartViewProjection, type CartView } from '../../cart/projections.ts';
import { restoreCommands } from '../../cart/restore.ts';
import { DomainError } from '../../es/errors.ts';
import type { EventEnvelope } from '../../es/envelope.ts';
import { createHistory, type History } from '../../es/history.ts';
import { inTransaction } from '../../es/db.ts';
import { readStreamRange } from '../../es/pages.ts';
import { diffViews, type Change } from './diff.ts';

export interface Timeline {
  readonly cartId: string;
  /** Every event of the stream, in version order (the panel's rows). */
  readonly events: readonly EventEnvelope[];
  readonly length: number;
  /** Goes up whenever a row changed: new events, a confirmation, a rebase (a new tail). */
  readonly rowsRevision: number;
  /** Versions up to here are confirmed by the server; later ones are pending. */
  readonly confirmedThrough: number;
  /** How many events are applied in the state shown (the slider's value). */
  readonly position: number;
  readonly skipped: ReadonlySet<number>;
  /** The present is shown: last position and no skips. Commands are allowed only then. */
  readonly atPresent: boolean;
  view: (position?: number) => CartView | undefined;
  /** What event `version` changed, skips applied (none when it is skipped). */
  diff: (version: number) => Change[];
  seek: (position: number) => void;
  toggleSkip: (version: number) => void;
  clearSkips: () => void;
  /** Back to now: last position, no skips, following new events. */
  present: () => void;
  /** Appends, as one command, what makes the present cart equal to the state shown; then shows the present. */
  restore: () => Promise<void>;
  /** Reads events appended since (another tab, sync): the slider grows; the view stays put unless at the present. */
  refresh: () => Promise<void>;
}

type ViewHistory = History<CartView | undefined, EventEnvelope>;

export async function openTimeline(carts: Carts, cartId: string): Promise<Timeline> {
  const options = {
    initialState: () => undefined,
    evolve: (view: CartView | undefined, event: EventEnvelope) => cartViewProjection.evolve(view, event, cartId),
  };
  // Every read takes the stream's head and its events from `from` on in one read transaction: read
  // apart, a sync's rebase or confirmation landing between them pairs a mark with other events.
  // The carts' store has no upcasters, so the stored events are the events (store.readStream
  // would upcast them; with upcasters this must too).
  const readTail = <Row = never>(from: number, withView = false) =>
    carts.store.use((db) =>
      inTransaction(db, 'r', ['pages', 'streams', 'readModels'], (t) =>
        Promise.all([
          t.streams.get(cartId),
          readStreamRange(t, cartId, from, Number.MAX_SAFE_INTEGER),
          withView ? (t.readModels.get([cartViewProjection.name, cartId]) as Promise<{ value: Row } | undefined>) : undefined,
        ]),
      ),
    );
  // The open: with the persisted cart view in the same transaction, so the view is exactly the
  // state after these events. The present is then shown without folding anything; the past is
  // folded only when the viewer moves there (issue 12). The guard on the view's version keeps a
  // view that does not describe these events (none should) out of it: then the plain fold.
  const opened = await readTail<CartView>(1, true);
  const [openedHead, openedEvents, viewRow] = opened;
  const present = viewRow?.value as CartView | undefined;
  const consistent = present ? present.version === openedEvents.length : openedEvents.length === 0;
  let history: ViewHistory = createHistory<CartView | undefined, EventEnvelope>(consistent ? { ...options, present } : options, openedEvents);
  const events: EventEnvelope[] = [...openedEvents];
  let position = events.length;
  let rowsRevision = 1;
  /** Versions 1..confirmedThrough have reached the server (the stream head's mark, CONTRACT §2). */
  let confirmedThrough = Math.min(openedHead?.confirmedThrough ?? 0, openedHead?.version ?? 0);

  // Each time the stream changes: the events after the last one held, that last one too (a sync
  // rebase replaces the pending tail: then it has another id), and the head's confirmation mark
  // (a confirmation writes no event). Cheap whatever the stream's length; a rebase, rare,
  // re-reads from the confirmed part on.
  const readMore = async () => {
    const held = events.length;
    const [head, fresh] = await readTail(Math.max(1, held));
    const following = position === held;
    const mark = Math.min(head?.confirmedThrough ?? 0, head?.version ?? 0);
    if (mark !== confirmedThrough) rowsRevision++;
    if (held === 0 || fresh[0]?.id === events[held - 1]!.id) {
      const more = held === 0 ? fresh : fresh.slice(1);
      events.push(...more);
      history.append(more);
      if (more.length) rowsRevision++;
    } else {
      // Rebased: the replay starts again from the events as they now are. Skips past the
      // confirmed part no longer point at the same events.
      const settled = Math.min(confirmedThrough, mark, held);
      const [, replaced] = await readTail(settled + 1);
      events.splice(settled, held - settled, ...replaced);
      const skipped = [...history.skipped].filter((version) => version <= settled);
      history = createHistory<CartView | undefined, EventEnvelope>(options, events);
      history.setSkipped(skipped);
      if (position > events.length) position = events.length;
      rowsRevision++;
    }
    confirmedThrough = mark;
    if (following) position = events.length;
  };
  // One read at a time: two overlapping reads (a change notice arriving while restore reads its
  // own events) would both start at the same version and append the same events twice.
  let loading: Promise<void> = Promise.resolve();
  const load = () => (loading = loading.catch(() => {}).then(readMore));

  const clamp = (p: number) => Math.max(0, Math.min(Math.trunc(p), events.length));

  return {
    cartId,
    events,
    get length() {
      return events.length;
    },
    get rowsRevision() {
      return rowsRevision;
    },
    get confirmedThrough() {
      return confirmedThrough;
    },
    get position() {
      return position;
    },
    get skipped() {
      return history.skipped;
    },
    get atPresent() {
      return position === events.length && history.skipped.size === 0;
    },
    view: (at = position) => history.stateAt(clamp(at)),
    diff: (version) => (history.skipped.has(version) ? [] : diffViews(history.stateAt(version - 1), history.stateAt(version))),
    seek(p) {
      position = clamp(p);
    },
    toggleSkip(version) {
      const next = new Set(history.skipped);
      if (!next.delete(version)) next.add(version);
      history.setSkipped(next);
    },
    clearSkips: () => history.setSkipped([]),
    present() {
      history.setSkipped([]);
      position = events.length;
    },
    async restore() {
      const target = stateOf(history.stateAt(position));
      await carts.execute(cartId, (present) => restoreCommands(present, target));
      await load();
      // The shown state is now the present one: what the shopper chose is what they now see.
      history.setSkipped([]);
      position = events.length;
    },
    refresh: load,
  };
}

/** The decider's state behind a cart view (what restore compares). */
export function stateOf(view: CartView | undefined): CartState {
  if (!view) return initialCartState();
  return { status: view.status, name: view.name, lines: view.lines.map(({ sku, name, unitPrice, quantity }) => ({ sku, name, unitPrice, quantity })) };
}

/**
 * Takes back the cart's last change (all events of its last command) by restoring the state
 * before it — ordinary events, one command, like any restore.
 */
export async function undoLastChange(carts: Carts, cartId: string): Promise<void> {
  const events = await carts.store.readStream(cartId);
  const last = events[events.length - 1];
  if (!last || last.version === 1) throw new DomainError('nothing_to_undo', 'There is no change to undo in this cart yet.');
  let first = events.length;
  while (first > 1 && events[first - 2]!.meta.commandId === last.meta.commandId) first--;
  const before = createHistory<CartView | undefined, EventEnvelope>(
    { initialState: () => undefined, evolve: (view, event) => cartViewProjection.evolve(view, event, cartId) },
    events,
  ).stateAt(first - 1);
  await carts.execute(cartId, (present) => restoreCommands(present, stateOf(before)));
}
