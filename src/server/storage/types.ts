// The one interface every upstream log storage implements (SQLite, PostgreSQL). The server holds
// no state of its own beyond it, so any number of processes can share one database.
//
// Each user has a log of their own (CONTRACT §5): positions count within it, taken under that
// user's lock, so users never wait on each other, and the user id is the sharding key.
import type { ConfirmedEvent, PushedEvent } from '../../sync/protocol.ts';

/** Who asks: the token's user and when the token was issued (`iat`, seconds), if it says. */
export interface Caller {
  userId: string;
  issuedAt?: number;
}

/** Why a push stored nothing (CONTRACT §5: 401, 403, then 409, then 507); `index` is the event's place in the batch. */
export type PushRejection =
  | { kind: 'revoked' }
  | { kind: 'forbidden'; index: number; streamId: string }
  | { kind: 'id_conflict'; index: number; id: string }
  | { kind: 'version_conflict'; index: number; streamId: string; expectedVersion: number; receivedVersion: number }
  | { kind: 'quota_exceeded'; limit: number };

/** A refused push still names the user's log (every 409 carries it), except when refused before one was drawn. */
export type PushOutcome =
  | { ok: true; positions: number[]; head: number; log: string }
  | { ok: false; rejection: PushRejection; log?: string };

export interface PullPage {
  events: ConfirmedEvent[];
  head: number;
  more: boolean;
  log: string;
}

export interface PullRequest {
  after: number;
  limit: number;
  /** The id the caller holds at position `after`; another one (or none) there is a mismatch. */
  check?: string;
}

export type PullOutcome =
  | { ok: true; page: PullPage }
  | { ok: false; rejection: { kind: 'revoked' } | { kind: 'cursor_mismatch'; log: string; head: number } };

export interface PushOptions {
  /** New events a user may hold in all; a push past it stores nothing. */
  quota?: number;
}

/** Called after a commit: with the user whose events were stored, or undefined when unknown. */
export type CommitListener = (userId: string | undefined) => void;

export interface Storage {
  /**
   * Stores a user's pushed (already validated) events in one transaction: every new event or
   * none. Positions are given in commit order of that user's pushes, so a reader never sees a
   * higher position of a user before a lower one has committed. Draws the user's `log` if none.
   */
  push(caller: Caller, events: PushedEvent[], options?: PushOptions): Promise<PushOutcome>;
  /** The user's events with position > after, ascending, at most `limit`. Draws the `log` if none. */
  pull(caller: Caller, request: PullRequest): Promise<PullOutcome>;
  /** True when the user was deleted after this token was issued (or the token does not say when). */
  revoked(caller: Caller): Promise<boolean>;
  /**
   * Removes a user's events and streams under the user's lock, ends their log (the next push or
   * pull draws another) and refuses tokens issued before now. Resolves once a token minted from
   * then on is accepted (tokens count in whole seconds); returns how many events went.
   */
  deleteUser(userId: string): Promise<number>;
  /** Hears about commits by this process and, where the storage can tell, by others sharing it. */
  onCommit(listener: CommitListener): () => void;
  close(): Promise<void>;
}

/** A token is refused when issued in or before the second its user was deleted (or when it has no `iat`). */
export function isRevoked(notBefore: number | null | undefined, issuedAt: number | undefined): boolean {
  if (notBefore === null || notBefore === undefined) return false;
  return issuedAt === undefined || !(issuedAt > notBefore);
}

/** The whole second a deletion is stamped with: tokens issued in it or before are refused. */
export function deletionStamp(now = Date.now()): { notBefore: number } {
  return { notBefore: Math.floor(now / 1000) };
}

/** Waits out the deletion's second, so a token minted once deleteUser resolves is accepted. */
export function settle(notBefore: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, (notBefore + 1) * 1000 - Date.now())));
}
