// What the store does when IndexedDB fails under its work. Two failures look alike from here and
// need opposite answers:
// - the browser dropped the connection (WebKit does so to background tabs: "Connection to Indexed
//   Database server lost"; a forced close aborts what was in flight): reopen, try once more;
// - the disk is full. Only a quota gives QuotaExceededError: a real full disk (ENOSPC) arrives as
//   UnknownError or AbortError, and Chromium may close the connection with it. Reopening and
//   retrying then fails again, slowly and without end, and the shopper's click neither counts
//   nor is refused. It is refused as "storage is full" instead, within REFUSE_WITHIN_MS.
// A write that fails so while its connection still answers is the disk; on a dead connection it
// gets one reopen, and a reopen or a second try that fails the same way (or a reopen that does not
// answer in time) is the disk too.
import type { CartlogDb } from './db.ts';
import { ConnectionLostError, DatabaseUpgradedError, StorageFullError } from './errors.ts';

/** From the work's start to its refusal, at most: the reopen gets what is left of it but a second. */
export const REFUSE_WITHIN_MS = 5_000;
const RETRY_ALLOWANCE_MS = 1_000;
/** How long the check that the connection still answers may take: a live one answers in a few ms. */
const PROBE_MS = 500;

type ErrorLike = { name?: string; message?: string; inner?: { name?: string; message?: string } | null } | undefined;

export interface GuardOptions {
  db: CartlogDb;
  /** Another tab upgraded the database: a closed connection is then no failure to heal. */
  upgraded: () => boolean;
  /** The store was closed on purpose. */
  closed: () => boolean;
  /** The connection kept dropping: reopening and trying once more failed too. */
  onLost: (error: ConnectionLostError) => void;
}

export interface Guard {
  /**
   * Runs `work`; when the connection dropped under it, reopens the database and runs `again`
   * once (null: nothing is retried, the failure is passed on; the next call finds the database
   * open). A second drop in a row — or a reopen that fails — is reported (onLost); a full disk is
   * refused as StorageFullError, whatever the engine called it.
   */
  guarded: <T>(work: () => Promise<T>, again?: (() => Promise<T>) | null) => Promise<T>;
}

type Failure = 'full' | 'dropped' | 'unclear' | 'other';

const namesOf = (error: unknown) => {
  const e = error as ErrorLike;
  return [e?.name, e?.inner?.name];
};

/** A bulk write's failures one by one (Dexie's BulkError: the requests an abort cut off), else the error. */
function causes(error: unknown): unknown[] {
  const failures = (error as { name?: string; failures?: unknown[] } | undefined)?.failures;
  return (error as ErrorLike)?.name === 'BulkError' && failures?.length ? failures : [error];
}

const quota = (error: unknown) => causes(error).some((cause) => namesOf(cause).includes('QuotaExceededError'));

/** The engine's own words for a connection that is gone. */
function saysDropped(error: unknown): boolean {
  const e = error as ErrorLike;
  const text = `${e?.message ?? ''} ${e?.inner?.message ?? ''}`;
  return /connection[^.]*\b(lost|closed|closing)\b|database connection is clos/i.test(text) || namesOf(error).includes('DatabaseClosedError');
}

/** An unknown or aborted write, with no other reason inside: how a full disk looks from the page. */
function diskLike(error: unknown): boolean {
  const vague = (name: string | undefined) => name === 'UnknownError' || name === 'AbortError';
  return causes(error).every((cause) => {
    const [name, inner] = namesOf(cause);
    return vague(name) && (inner === undefined || vague(inner)) && !saysDropped(cause);
  });
}

class Late extends Error {
  override name = 'TimeoutError';
}

/** `promise`, or a Late rejection once `ms` have passed (the promise itself runs on). */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Late('No answer in time')), Math.max(0, ms))));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export function createGuard(options: GuardOptions): Guard {
  const { db } = options;

  function mapError(error: unknown): unknown {
    if (quota(error)) return new StorageFullError(error);
    if (options.upgraded() && namesOf(error).includes('DatabaseClosedError')) return new DatabaseUpgradedError();
    return error;
  }

  /** Whether this tab's connection still answers a read. */
  async function answers(): Promise<boolean> {
    if (!db.isOpen()) return false;
    try {
      const idb = db.backendDB();
      const read = new Promise<boolean>((resolve) => {
        const tx = idb.transaction('projections', 'readonly');
        tx.objectStore('projections').count().onsuccess = () => resolve(true);
        tx.onabort = () => resolve(false);
      });
      return await within(PROBE_MS, read);
    } catch {
      return false;
    }
  }

  async function classify(error: unknown): Promise<Failure> {
    if (quota(error)) return 'full';
    if (options.upgraded() || options.closed()) return 'other';
    if (saysDropped(error)) return 'dropped';
    if (!diskLike(error)) return 'other';
    return (await answers()) ? 'full' : 'unclear';
  }

  // Each reopen is one generation: a failure from an older connection than the current one needs
  // no reopen of its own, only the retry.
  let generation = 0;
  let reopening: Promise<void> | undefined;
  function reopen(since: number): Promise<void> {
    if (since !== generation) return Promise.resolve();
    return (reopening ??= (async () => {
      try {
        db.close({ disableAutoOpen: false });
        await db.open();
      } finally {
        generation++;
        reopening = undefined;
      }
    })());
  }

  function reportLost(cause: unknown): ConnectionLostError {
    const error = new ConnectionLostError(cause);
    options.onLost(error);
    return error;
  }

  async function guarded<T>(work: () => Promise<T>, again: (() => Promise<T>) | null = work): Promise<T> {
    const since = generation;
    const started = Date.now();
    try {
      return await work();
    } catch (error) {
      const failure = await classify(error);
      if (failure === 'full') throw new StorageFullError(error);
      if (failure === 'other') throw mapError(error);
      try {
        await within(started + REFUSE_WITHIN_MS - RETRY_ALLOWANCE_MS - Date.now(), reopen(since));
      } catch (failed) {
        const disk = quota(failed) || diskLike(failed) || (failed instanceof Late && failure === 'unclear');
        throw disk ? new StorageFullError(failed) : reportLost(failed);
      }
      if (!again) throw mapError(error);
      try {
        return await again();
      } catch (second) {
        const next = await classify(second);
        if (next === 'full' || next === 'unclear') throw new StorageFullError(second);
        if (next === 'dropped') throw reportLost(second);
        throw mapError(second);
      }
    }
  }

  return { guarded };
}
