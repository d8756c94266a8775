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
import { LOOK_BACK } from './event-words.ts';

export interface Timeline {
  readonly cartId: string;
  /**
   * Every event of the stream, in version order (the panel's rows). Until `complete`, only the
   * versions from `rowsFrom - LOOK_BACK` on are held; the ones before are holes.
   */
  readonly events: readonly EventEnvelope[];
  readonly length: number;
  /** Goes up whenever a row changed: new events, a confirmation, a rebase (a new tail), the whole log read. */
  readonly rowsRevision: number;
  /** Versions up to here are confirmed by the server; later ones are pending. */
  readonly confirmedThrough: number;
  /**
   * False while a long cart shows its newest rows and the rest is still being read. Until then the
   * present is shown: a seek or a skip asked for meanwhile is applied once the log is held, since
   * a past state can only be folded from every event before it.
   */
  readonly complete: boolean;
  /** The first version whose row can be shown (1 once complete): its words look back far enough. */
  readonly rowsFrom: number;
  /** Resolves once every event is held. */
  readonly completed: Promise<void>;
  /** How many events are applied in the state shown (the slider's value). */
  readonly position: number;
  readonly skipped: ReadonlySet<number>;
  /** The present is shown: last position and no skips. Commands are allowed only then. */
  readonly atPresent: boolean;
  /** The state at `position`; undefined at 0, and for any past before `complete`. */
  view: (position?: number) => CartView | undefined;
  /** What event `version` changed, skips applied (none when it is skipped, or not read yet). */
  diff: (version: number) => Change[];
  /**
   * Whether diff(version) is cheap now: the fold behind it is done (a long cart's first fold, up to
   * its present, can be spread by `warm` instead of one long task).
   */
  diffReady: (version: number) => boolean;
  /** Folds ahead until `enough()`; true once every state is near (see History.warm). */
  warm: (enough: () => boolean) => boolean;
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

export interface TimelineOptions {
  /**
   * Shows a long cart in two reads (issue 12: first rows within 100 ms at 100 000 events): first
   * its head, these newest events plus the look-back their words need, and the persisted view;
   * then the whole stream. Unset: one read of everything.
   */
  firstRows?: number;
}

const NO_SKIPS: ReadonlySet<number> = new Set();

type ViewHistory = History<CartView | undefined, EventEnvelope>;
type Head = { version: number; confirmedThrough?: number } | undefined;

export async function openTimeline(carts: Carts, cartId: string, { firstRows }: TimelineOptions = {}): Promise<Timeline> {
  const options = {
    initialState: () => undefined,
    evolve: (view: CartView | undefined, event: EventEnvelope) => cartViewProjection.evolve(view, event, cartId),
  };
  // Every read takes the stream's head and its events in one read transaction: read apart, a
  // sync's rebase or confirmation landing between them pairs a mark with other events. `from`
  // may depend on the head (the newest rows first). The carts' store has no upcasters, so the
  // stored events are the events (store.readStream would upcast them; with upcasters this must too).
  const readTail = <Row = never>(from: number | ((head: Head) => number), withView = false) =>
    carts.store.use((db) =>
      inTransaction(db, 'r', ['pages', 'streams'], async (t) => {
        const stored = await t.streams.get(cartId);
        const head = stored as Head;
        const start = typeof from === 'number' ? from : from(head);
        const read = await readStreamRange(t, cartId, start, Number.MAX_SAFE_INTEGER);
        // The cart's view rides in its head (src/es/head-rows.ts).
        const viewRow = withView && stored?.rows?.[cartViewProjection.name] !== undefined ? { value: stored.rows[cartViewProjection.name] as Row } : undefined;
        return [head, read, viewRow, start] as const;
      }),
    );
  const markOf = (head: Head) => Math.min(head?.confirmedThrough ?? 0, head?.version ?? 0);

  let history: ViewHistory = createHistory<CartView | undefined, EventEnvelope>(options);
  let events: EventEnvelope[] = [];
  let position = 0;
  let rowsRevision = 1;
  /** Versions 1..confirmedThrough have reached the server (the stream head's mark, CONTRACT §2). */
  let confirmedThrough = 0;
  let rowsFrom = 1;
  /** The persisted present of a partial open: what is shown until the whole log is read. */
  let partialPresent: CartView | undefined;
  /** What the viewer asked for before the whole log was read (a partial open), applied once it is. */
  let early: { skips: ReadonlySet<number>; position?: number } | undefined;

  // The persisted cart view read with the events, so the view is exactly the state after them:
  // the present is then shown without folding anything; the past is folded only when the viewer
  // moves there (issue 12). The guard on the view's version keeps a view that does not describe
  // these events (none should) out of it: then the plain fold.
  const consistentPresent = (view: CartView | undefined, version: number) =>
    (view ? view.version === version : version === 0) ? { present: view } : {};

  const clamp = (p: number) => Math.max(0, Math.min(Math.trunc(p), events.length));

  /** Holds the whole stream as read now, at the present or where the viewer asked to be meanwhile. */
  const holdWhole = (head: Head, all: EventEnvelope[], view: CartView | undefined) => {
    history = createHistory<CartView | undefined, EventEnvelope>({ ...options, ...consistentPresent(view, all.length) }, all);
    if (early) history.setSkipped([...early.skips].filter((version) => version <= all.length));
    events = all;
    position = early?.position === undefined ? all.length : clamp(early.position);
    early = undefined;
    partialPresent = undefined;
    rowsFrom = 1;
    confirmedThrough = markOf(head);
    rowsRevision++;
  };

  const stage = firstRows !== undefined ? firstRows + LOOK_BACK : Number.POSITIVE_INFINITY;
  const [openedHead, openedEvents, viewRow, openedFrom] = await readTail<CartView>((head) => Math.max(1, (head?.version ?? 0) - stage + 1), true);
  let completed: Promise<void>;
  if (openedFrom === 1) {
    holdWhole(openedHead, openedEvents, viewRow?.value);
    completed = Promise.resolve();
  } else {
    // The newest rows now, the rest read next: the events before are holes until then.
    events = new Array<EventEnvelope>(openedFrom - 1);
    for (const event of openedEvents) events.push(event);
    position = events.length;
    rowsFrom = openedFrom + LOOK_BACK;
    confirmedThrough = markOf(openedHead);
    partialPresent = consistentPresent(viewRow?.value, events.length).present;
    early = { skips: new Set() };
    completed = readTail<CartView>(1, true).then(([head, all, view]) => holdWhole(head, all, view?.value));
    // A failed read (the database closed under us) surfaces through refresh and restore.
    completed.catch(() => {});
  }
  const complete = () => early === undefined;

  // Each time the stream changes: the events after the last one held, that last one too (a sync
  // rebase replaces the pending tail: then it has another id), and the head's confirmation mark
  // (a confirmation writes no event). Cheap whatever the stream's length; a rebase, rare,
  // re-reads from the confirmed part on.
  const readMore = async () => {
    const held = events.length;
    const [head, fresh] = await readTail(Math.max(1, held));
    const following = position === held;
    const mark = markOf(head);
    if (mark !== confirmedThrough) rowsRevision++;
    if (held === 0 || fresh[0]?.id === events[held - 1]!.id) {
      const more = held === 0 ? fresh : fresh.slice(1);
      for (const event of more) events.push(event);
      history.append(more);
      if (more.length) rowsRevision++;
    } else {
      // Rebased: the replay starts again from the events as they now are. Skips past the
      // confirmed part no longer point at the same events.
      const settled = Math.min(confirmedThrough, mark, held);
      const [, replaced] = await readTail(settled + 1);
      // Not splice(…, ...replaced): a long offline tail would overflow the call's arguments.
      events.length = settled;
      for (const event of replaced) events.push(event);
      const skipped = [...history.skipped].filter((version) => version <= settled);
      history = createHistory<CartView | undefined, EventEnvelope>(options, events);
      history.setSkipped(skipped);
      if (position > events.length) position = events.length;
      rowsRevision++;
    }
    confirmedThrough = mark;
    if (following) position = events.length;
  };
  // One read at a time, and none before the whole log is held: two overlapping reads (a change
  // notice arriving while restore reads its own events) would both start at the same version and
  // append the same events twice.
  let loading: Promise<void> = completed;
  const load = () => (loading = loading.catch(() => {}).then(readMore));

  const setSkips = (versions: Iterable<number>) => (early ? (early = { ...early, skips: new Set(versions) }) : history.setSkipped(versions));
  const stateAt = (at: number): CartView | undefined => {
    if (complete()) return history.stateAt(at);
    return at === events.length ? partialPresent : undefined;
  };

  return {
    cartId,
    get events() {
      return events;
    },
    get length() {
      return events.length;
    },
    get rowsRevision() {
      return rowsRevision;
    },
    get confirmedThrough() {
      return confirmedThrough;
    },
    get complete() {
      return complete();
    },
    get rowsFrom() {
      return rowsFrom;
    },
    completed,
    get position() {
      return position;
    },
    get skipped() {
      return early ? NO_SKIPS : history.skipped;
    },
    get atPresent() {
      return position === events.length && (early !== undefined || history.skipped.size === 0);
    },
    view: (at = position) => stateAt(clamp(at)),
    diff: (version) => (!complete() || history.skipped.has(version) ? [] : diffViews(history.stateAt(version - 1), history.stateAt(version))),
    diffReady: (version) => complete() && (history.skipped.has(version) || history.isNear(version - 1)),
    warm: (enough) => complete() && history.warm(enough),
    seek(p) {
      if (early) early = { ...early, position: p };
      else position = clamp(p);
    },
    toggleSkip(version) {
      const next = new Set(early ? early.skips : history.skipped);
      if (!next.delete(version)) next.add(version);
      setSkips(next);
    },
    clearSkips: () => setSkips([]),
    present() {
      if (early) early = { skips: new Set() };
      else history.setSkipped([]);
      position = events.length;
    },
    async restore() {
      await completed;
      const target = stateOf(history.stateAt(position));
      await carts.execute(cartId, (present) => restoreCommands(present, target));
      // The shown state is now the present one: what the shopper chose is what they now see. The
      // position moves to the present before the restore's events are read, so the read that
      // brings them — this one, or a change notice's that lands first — follows them there in
      // the same step as the rows: never the new length with the old position.
      history.setSkipped([]);
      position = events.length;
      await load();
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
