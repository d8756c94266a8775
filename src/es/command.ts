// The command path: in ONE transaction, dedupe the command id, load the stream's state (snapshot
// plus the tail after it), decide, append the events with the new snapshot, update inline read
// models and journal the command. A crash or a refused rule leaves all or nothing.
import { v7 as uuidv7 } from 'uuid';
import { fold, type Decider } from './decider.ts';
import type { DomainEvent, EventEnvelope, NewEvent } from './envelope.ts';
import type { CommandRecord, StreamHead } from './db.ts';
import type { EventStore, StoreTransaction } from './store.ts';

export interface CommandOptions {
  commandId: string;
  correlationId?: string;
  causationId?: string;
  /** Sync rebase: decide a pending command again under its own id instead of treating it as done. */
  rerun?: boolean;
}

export interface CommandResult<State> {
  events: EventEnvelope[];
  /** The stream's version after the command. */
  version: number;
  /** The command id was already handled on this device: nothing was appended again. */
  duplicate: boolean;
  state: State;
  /**
   * The stream's row in a read model as this command wrote it (undefined when it wrote none):
   * a page can show it at once instead of waiting for a live query to read it back.
   */
  written: (projection: string) => unknown;
}

export interface CommandHandlerOptions<State, Command, Event extends DomainEvent> {
  store: EventStore;
  decider: Decider<State, Command, Event>;
  deviceId: string;
  schemaVersionOf: (type: string) => number;
  /** See StateRow: without it, the state comes from a snapshot in the stream's head plus its tail. */
  stateFrom?: StateRow<State>;
}

/**
 * A stream-keyed inline read model whose row already holds what the decider needs (a cart's view
 * holds its status, name and lines). The command path reads that row with the head anyway, and
 * inline rows are written in their events' transaction, so when the row has folded the stream's
 * last version it is the state: no snapshot is written (fewer bytes per command) and no tail is
 * read — also after a bulk append (import, sync pull), which writes rows but no snapshots.
 */
export interface StateRow<State> {
  projection: string;
  /** The stream version the row has folded. */
  version: (row: unknown) => number;
  state: (row: unknown) => State;
}

/**
 * A command, several decided one after another as ONE command (one commandId, one transaction:
 * e.g. a restore), or a function that makes either from the stream's current state inside the
 * transaction. The latter is how "one more than now" stays right when two tabs press "+" at the
 * same moment: each is decided against what the other already wrote, so neither is lost.
 */
export type CommandInput<State, Command> = Command | readonly Command[] | ((state: State) => Command | readonly Command[]);

export type HandleCommand<State, Command> = (
  streamId: string,
  command: CommandInput<State, Command>,
  options: CommandOptions,
) => Promise<CommandResult<State>>;

export function createCommandHandler<State, Command, Event extends DomainEvent>(
  config: CommandHandlerOptions<State, Command, Event>,
): HandleCommand<State, Command> {
  const { store, decider, deviceId, schemaVersionOf, stateFrom } = config;

  /** The state to decide on, and the version up to which the stored state already holds it. */
  async function load(tx: StoreTransaction, streamId: string, head: StreamHead | undefined): Promise<{ state: State; through: number; tail: EventEnvelope[] }> {
    const version = head?.version ?? 0;
    const row = stateFrom ? tx.written(stateFrom.projection, streamId) : undefined;
    if (stateFrom && row !== undefined && stateFrom.version(row) === version) return { state: stateFrom.state(row), through: version, tail: [] };
    const snapshot = head?.snapshot?.stateVersion === decider.stateVersion ? head.snapshot : undefined;
    const through = snapshot?.version ?? 0;
    const tail = through < version ? await tx.readStream(streamId, through + 1, version) : [];
    const state = fold(decider, tail as unknown as Event[], (snapshot?.state as State | undefined) ?? decider.initialState());
    return { state, through, tail };
  }

  /**
   * One try in one transaction. `retrying`: the connection dropped under the first try, which may
   * or may not have committed; the journal (read first, in this transaction) tells.
   */
  const attempt = (streamId: string, input: CommandInput<State, Command>, options: CommandOptions, retrying: boolean) => async (tx: StoreTransaction): Promise<CommandResult<State>> => {
    const [handled, head] = await Promise.all([tx.tables.commands.get(options.commandId), tx.prefetch(streamId)]);
    const version = head?.version ?? 0;
    const { state, through: snapshotVersion, tail } = await load(tx, streamId, head);

    if (handled) {
      const duplicate = { events: [], version, duplicate: true, state, written: () => undefined };
      // A sync rebase re-runs a pending command: decided again unless its events are still there.
      const rerun = options.rerun === true && handled.status === 'pending';
      if (!rerun && !retrying) return duplicate;
      const applied = await appliedEvents(tx, handled, options.commandId, version, snapshotVersion, tail);
      if (applied || !rerun) {
        // A retry that finds the first try committed: this call did apply it, so it says so.
        if (retrying) return { events: applied ?? [], version, duplicate: false, state, written: (projection) => tx.written(projection, streamId) };
        return duplicate;
      }
    }

    const command = typeof input === 'function' ? (input as (state: State) => Command | readonly Command[])(state) : input;
    const decided: Event[] = [];
    let newState = state;
    for (const step of Array.isArray(command) ? (command as readonly Command[]) : [command as Command]) {
      const events = decider.decide(step, newState);
      decided.push(...events);
      newState = fold(decider, events, newState);
    }
    const meta = {
      at: new Date().toISOString(),
      deviceId,
      commandId: options.commandId,
      ...(options.correlationId ? { correlationId: options.correlationId } : {}),
      ...(options.causationId ? { causationId: options.causationId } : {}),
    };
    const events: NewEvent[] = decided.map((e) => ({ id: uuidv7(), type: e.type, schemaVersion: schemaVersionOf(e.type), data: e.data, meta }));
    const newVersion = version + events.length;
    // Journal first: the append's writes are the last of the transaction, which then commits at
    // once; if the append fails, the whole transaction (journal included) aborts.
    const journalled = tx.tables.commands.put({
      commandId: options.commandId,
      streamId,
      status: 'pending',
      command,
      versions: events.length ? [version + 1, newVersion] : null,
      at: meta.at,
    });
    const [result] = await Promise.all([
      tx.append(streamId, events, {
        expectedVersion: version,
        // The row is the state (StateRow): a snapshot beside it would be the same lines again.
        snapshot: stateFrom ? null : { version: newVersion, stateVersion: decider.stateVersion, state: newState },
        last: true,
      }),
      journalled,
    ]);
    const written = (projection: string) => (result.events.length ? tx.written(projection, streamId) : undefined);
    return { events: result.events, version: result.version, duplicate: false, state: newState, written };
  };

  return (streamId, input, options) => store.transact(attempt(streamId, input, options, false), { retry: attempt(streamId, input, options, true) });
}

/**
 * The events the stream holds where the journal says this command put them, or null when they
 * are not there (never appended, or dropped by a rebase). Where Web Locks are missing every tab
 * syncs, and two tabs finishing one rebase both re-run its commands: the second must find the
 * first's events here, in its own transaction, or the command is applied twice. After a rebase
 * the snapshot is gone, so the events are in the tail the fold read already; only otherwise
 * (a retry, or a snapshot taken since) are they read.
 */
async function appliedEvents(
  tx: StoreTransaction,
  handled: CommandRecord,
  commandId: string,
  version: number,
  snapshotVersion: number,
  tail: readonly EventEnvelope[],
): Promise<EventEnvelope[] | null> {
  if (!handled.versions || handled.versions[1] > version) return null;
  const [from, to] = handled.versions;
  const events = from > snapshotVersion ? tail.slice(from - snapshotVersion - 1, to - snapshotVersion) : await tx.readStream(handled.streamId, from, to);
  return events.length === to - from + 1 && events.every((e) => e.meta.commandId === commandId) ? events : null;
}

/** What a handler's commands are doing, for a page that follows the read-model rows they write. */
export interface CommandWatch {
  /** A command is running on the stream: its result will bring the rows it writes. */
  running: (streamId: string) => boolean;
  /**
   * Called as each command settles, right after the store's change notification of its commit
   * and before any other commit is seen (the same task), with the rows it wrote — or without,
   * when it wrote nothing or failed.
   */
  onSettled: (listener: CommandSettled) => () => void;
}

export type CommandSettled = (streamId: string, written: ((projection: string) => unknown) | undefined) => void;

/** Wraps a handler so its running commands can be watched (CommandWatch). */
export function watchCommands<State, Command>(handle: HandleCommand<State, Command>): { handle: HandleCommand<State, Command>; watch: CommandWatch } {
  const running = new Map<string, number>();
  const listeners = new Set<CommandSettled>();
  const settle = (streamId: string, written: ((projection: string) => unknown) | undefined) => {
    const left = (running.get(streamId) ?? 1) - 1;
    if (left) running.set(streamId, left);
    else running.delete(streamId);
    // A listener's bug must not turn a committed command into a failed one.
    for (const listener of listeners)
      try {
        listener(streamId, written);
      } catch (error) {
        console.error(error);
      }
  };
  return {
    handle: (streamId, command, options) => {
      running.set(streamId, (running.get(streamId) ?? 0) + 1);
      return handle(streamId, command, options).then(
        (result) => {
          settle(streamId, result.written);
          return result;
        },
        (error: unknown) => {
          settle(streamId, undefined);
          throw error;
        },
      );
    },
    watch: {
      running: (streamId) => running.has(streamId),
      onSettled(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
  };
}
