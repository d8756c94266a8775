// The time-travel engine: the state of a stream as of any version, and "what if these events had
// not happened", folded in memory. It reads events handed to it and never writes the log.
//
// States are kept at every `interval`-th version (checkpoints), so a jump costs at most
// `interval` evolve calls, whatever the position. Skipping events only invalidates the
// checkpoints after the first skipped version; they are refolded lazily, once, as the viewer
// moves there.
import type { DomainEvent } from './envelope.ts';

export interface HistoryOptions<State, Event> {
  initialState: () => State;
  /** Must be pure: checkpoints share states, so an evolve that mutates corrupts them. */
  evolve: (state: State, event: Event) => State;
  interval?: number;
  /**
   * The state after all `initialEvents`, when it is known already (the stream's persisted read
   * model, consistent with its events): showing the present then folds nothing, and the fold of
   * the past happens only when the viewer moves there. Used while no event is skipped.
   */
  present?: State;
}

export interface History<State, Event> {
  /** How many events the history holds (the slider's max). */
  readonly length: number;
  /** The state after the first `version` events (0 = before any), skipped events left out. */
  stateAt: (version: number) => State;
  /** The event at `version` (1-based). */
  eventAt: (version: number) => Event | undefined;
  /** New events of the stream arrived: the history grows, nothing already shown moves. */
  append: (events: readonly Event[]) => void;
  /** Whether stateAt(version) is at most `interval` evolve calls away (its checkpoint is folded). */
  isNear: (version: number) => boolean;
  /**
   * Folds the checkpoints ahead, one at a time, until `enough()` says stop: a caller can spread the
   * first fold of a long history over idle moments instead of one long task. True once all are.
   */
  warm: (enough: () => boolean) => boolean;
  /** Leaves these versions out of every replayed state (what-if); the events stay. */
  setSkipped: (versions: Iterable<number>) => void;
  readonly skipped: ReadonlySet<number>;
}

export const DEFAULT_CHECKPOINT_INTERVAL = 256;

export function createHistory<State, Event = DomainEvent>(
  options: HistoryOptions<State, Event>,
  initialEvents: readonly Event[] = [],
): History<State, Event> {
  const interval = options.interval ?? DEFAULT_CHECKPOINT_INTERVAL;
  const events: Event[] = [];
  // checkpoints[i] = state after i * interval events; valid while i * interval < firstDirty.
  const checkpoints: State[] = [options.initialState()];
  let skipped = new Set<number>();
  const known = 'present' in options ? { version: initialEvents.length, state: options.present as State } : undefined;

  const step = (state: State, version: number): State =>
    skipped.has(version) ? state : options.evolve(state, events[version - 1]!);

  /** Folds forward from the last checkpoint we have to the one at or below `version`. */
  function checkpointBelow(version: number): number {
    const wanted = Math.floor(version / interval);
    for (let i = checkpoints.length; i <= wanted; i++) {
      let state = checkpoints[i - 1] as State;
      for (let v = (i - 1) * interval + 1; v <= i * interval; v++) state = step(state, v);
      checkpoints[i] = state;
    }
    return wanted;
  }

  function stateAt(version: number): State {
    const target = Math.max(0, Math.min(Math.trunc(version), events.length));
    if (known && target === known.version && skipped.size === 0) return known.state;
    const index = checkpointBelow(target);
    let state = checkpoints[index] as State;
    for (let v = index * interval + 1; v <= target; v++) state = step(state, v);
    return state;
  }

  const lastCheckpoint = () => Math.floor(events.length / interval);

  /** Drops the checkpoints whose fold included `version` or anything after it. */
  function invalidateFrom(version: number): void {
    checkpoints.length = Math.min(checkpoints.length, Math.floor((version - 1) / interval) + 1);
  }

  const history: History<State, Event> = {
    get length() {
      return events.length;
    },
    stateAt,
    eventAt: (version) => events[version - 1],
    isNear: (version) => Math.floor(Math.max(0, Math.min(Math.trunc(version), events.length)) / interval) < checkpoints.length,
    warm(enough) {
      while (checkpoints.length <= lastCheckpoint()) {
        checkpointBelow(checkpoints.length * interval);
        if (enough()) break;
      }
      return checkpoints.length > lastCheckpoint();
    },
    append(more) {
      // One by one: a spread passes every event as an argument, and past ~120 000 the call overflows the stack.
      for (const event of more) events.push(event);
    },
    setSkipped(versions) {
      const next = new Set([...versions].filter((v) => Number.isInteger(v) && v >= 1));
      const changed = [...next].filter((v) => !skipped.has(v)).concat([...skipped].filter((v) => !next.has(v)));
      skipped = next;
      if (changed.length) invalidateFrom(Math.min(...changed));
    },
    get skipped() {
      return skipped;
    },
  };
  history.append(initialEvents);
  return history;
}
