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
import { diffViews, type Change } from './diff.ts';

export interface Timeline {
  readonly cartId: string;
  /** Every event of the stream, in version order (the panel's rows). */
  readonly events: readonly EventEnvelope[];
  readonly length: number;
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
  const history: ViewHistory = createHistory<CartView | undefined, EventEnvelope>({
    initialState: () => undefined,
    evolve: (view, event) => cartViewProjection.evolve(view, event, cartId),
  });
  const events: EventEnvelope[] = [];
  let position = 0;

  const readMore = async () => {
    const more = await carts.store.readStream(cartId, { from: events.length + 1 });
    const following = position === events.length;
    events.push(...more);
    history.append(more);
    if (following) position = events.length;
  };
  // One read at a time: two overlapping reads (a change notice arriving while restore reads its
  // own events) would both start at the same version and append the same events twice.
  let loading: Promise<void> = Promise.resolve();
  const load = () => (loading = loading.catch(() => {}).then(readMore));
  await load();

  const clamp = (p: number) => Math.max(0, Math.min(Math.trunc(p), events.length));

  return {
    cartId,
    events,
    get length() {
      return events.length;
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
