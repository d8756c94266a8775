// A decider (decide / evolve / initialState) is how a domain plugs into the command path: the
// store folds a stream's events with `evolve`, asks `decide` what a command appends, and keeps
// the folded state as a snapshot so the next command does not refold the stream.
import type { DomainEvent } from './envelope.ts';

export interface Decider<State, Command, Event extends DomainEvent> {
  initialState: () => State;
  /** Throws a DomainError when a rule forbids the command; [] when the command changes nothing. */
  decide: (command: Command, state: State) => Event[];
  evolve: (state: State, event: Event) => State;
  /** Bump when State's shape changes: stored snapshots of another version are ignored and refolded. */
  stateVersion: number;
}

export function fold<State, Event extends DomainEvent>(
  decider: Pick<Decider<State, unknown, Event>, 'evolve' | 'initialState'>,
  events: Iterable<Event>,
  state: State = decider.initialState(),
): State {
  for (const event of events) state = decider.evolve(state, event);
  return state;
}
