// One tab per browser profile talks to the server (CONTRACT §5): the tab holding a Web Lock named
// after the database. The others follow its state over a BroadcastChannel and ask it to sync.
// Where Web Locks are missing every tab leads: the protocol is idempotent (a duplicate push is
// answered with its positions, a stale one with a version conflict), so that costs requests,
// never correctness. Where BroadcastChannel is missing a follower shows only its own pending count.

/** The part of navigator.locks used here. */
export interface LockManagerLike {
  request: (name: string, options: { signal?: AbortSignal }, callback: () => Promise<void>) => Promise<unknown>;
}

/** The part of BroadcastChannel used here. */
export interface ChannelLike {
  postMessage: (message: unknown) => void;
  onmessage: ((event: MessageEvent) => void) | null;
  close: () => void;
}

export type Role = 'leader' | 'follower';

export interface Leadership {
  /** Ends leading (releasing the lock) or waiting for it. */
  resign: () => Promise<void>;
}

/**
 * Runs `lead` while this tab holds the lock (at once where there are no locks); `lead` returns
 * when `signal` aborts. `onRole` hears when this tab starts following, then leading.
 */
export function seekLeadership(
  locks: LockManagerLike | undefined,
  name: string,
  lead: (signal: AbortSignal) => Promise<void>,
  onRole: (role: Role) => void,
): Leadership {
  const stop = new AbortController();
  const run = () => {
    onRole('leader');
    return lead(stop.signal);
  };
  let done: Promise<unknown>;
  if (locks) {
    onRole('follower');
    // A request still waiting rejects with AbortError when resigned: nothing to report.
    done = locks.request(name, { signal: stop.signal }, run).catch(() => {});
  } else done = run();
  return {
    async resign() {
      stop.abort();
      await done;
    },
  };
}

export function defaultLocks(): LockManagerLike | undefined {
  return typeof navigator !== 'undefined' && 'locks' in navigator ? (navigator.locks as LockManagerLike) : undefined;
}

export function defaultChannel(name: string): ChannelLike | undefined {
  return typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(name);
}
