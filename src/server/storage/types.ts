// The one interface every upstream log storage implements (SQLite, PostgreSQL). The server holds
// no state of its own beyond it, so any number of processes can share one database.
import type { ConfirmedEvent, PushedEvent } from '../../sync/protocol.ts';

/** Why a push stored nothing (CONTRACT §5: 403, then 409); `index` is the event's place in the batch. */
export type PushRejection =
  | { kind: 'forbidden'; index: number; streamId: string }
  | { kind: 'id_conflict'; index: number; id: string }
  | { kind: 'version_conflict'; index: number; streamId: string; expectedVersion: number; receivedVersion: number };

export type PushOutcome =
  | { ok: true; positions: number[]; head: number }
  | { ok: false; rejection: PushRejection };

export interface PullPage {
  events: ConfirmedEvent[];
  head: number;
  more: boolean;
}

/** Called after a commit: with the user whose events were stored, or undefined when unknown. */
export type CommitListener = (userId: string | undefined) => void;

export interface Storage {
  /**
   * Stores a user's pushed (already validated) events in one transaction: every new event or
   * none. Positions are given in commit order, so a reader never sees a higher position before a
   * lower one has committed.
   */
  push(userId: string, events: PushedEvent[]): Promise<PushOutcome>;
  /** The user's events with position > after, ascending, at most `limit`. */
  pull(userId: string, after: number, limit: number): Promise<PullPage>;
  /** Removes a user's events and streams; returns how many events went. Positions are not reused. */
  deleteUser(userId: string): Promise<number>;
  /** Hears about commits by this process and, where the storage can tell, by others sharing it. */
  onCommit(listener: CommitListener): () => void;
  close(): Promise<void>;
}
