// What a failed sync step leads to: the state to show, with its reason, and when to try again.
// Pure, so the engine's reactions can be read (and tested) in one place.
import { ConnectionLostError, DatabaseUpgradedError, InvalidEventError } from '../../es/errors.ts';
import { SyncRequestError } from './server.ts';

export type FailedState = { state: 'offline' | 'syncing' | 'error'; reason: string };

export interface Verdict extends FailedState {
  /**
   * 'backoff': the growing wait; 'long': the longest wait (resending the same will not help soon);
   * 'halt': until woken by syncNow or new settings; a number: exactly that many ms (Retry-After).
   */
  retry: 'backoff' | 'long' | 'halt' | number;
  /** False when the server said when to come back: that is no failure to back off from. */
  counts: boolean;
}

/** 5xx in a row before the state says error rather than syncing. */
export const SERVER_FAILURES_BEFORE_ERROR = 3;

/** `failures`: this one included. */
export function judge(error: unknown, failures: number): Verdict {
  if (error instanceof SyncRequestError) {
    switch (error.kind) {
      case 'network':
        return { state: 'offline', reason: error.message, retry: 'backoff', counts: true };
      case 'server': {
        const state = failures >= SERVER_FAILURES_BEFORE_ERROR ? 'error' : 'syncing';
        return { state, reason: `${error.message} Trying again shortly.`, retry: 'backoff', counts: true };
      }
      case 'rate_limited':
        return { state: 'syncing', reason: error.message, retry: error.details.retryAfterMs ?? 1000, counts: false };
      case 'unauthorized':
        return { state: 'error', reason: `The sync server refused the token: ${error.message} Enter a valid token in the sync settings.`, retry: 'halt', counts: true };
      default:
        return { state: 'error', reason: error.message, retry: 'long', counts: true };
    }
  }
  // The browser keeps dropping this tab's database connection (the store reopens it once by
  // itself, and tells the page when that failed): try again later, it may come back.
  if (error instanceof ConnectionLostError) return { state: 'error', reason: error.message, retry: 'backoff', counts: true };
  // This tab's database closed under it (another tab upgraded it): nothing works until a reload.
  if (error instanceof DatabaseUpgradedError || (error as { name?: string } | undefined)?.name === 'DatabaseClosedError')
    return { state: 'error', reason: error instanceof Error ? error.message : String(error), retry: 'halt', counts: true };
  if (error instanceof InvalidEventError)
    return {
      state: 'error',
      reason: `A change from another device cannot be read here (${error.message}) It may come from a newer cartlog: reload to update.`,
      retry: 'long',
      counts: true,
    };
  return { state: 'error', reason: error instanceof Error ? error.message : String(error), retry: 'backoff', counts: true };
}

/** Exponential, capped, with jitter: half the ceiling plus a random half, so tabs and devices spread out. */
export function backoffMs(failures: number, { minMs, maxMs }: { minMs: number; maxMs: number }, random: () => number): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.max(0, failures - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}
