// Held pulls (CONTRACT §5 long-poll). A pull that finds nothing new waits here until a commit of
// its user is heard (the storage hears this process's commits and other processes' too), its time
// runs out, its client goes away, or the server shuts down.
import type { CommitListener } from './storage/types.ts';

export type WaitEnd = 'commit' | 'timeout' | 'aborted' | 'closed';

export interface Wait {
  done: Promise<WaitEnd>;
  cancel(): void;
}

export interface Waiters {
  /**
   * Starts waiting at once. Call it before the last look at the storage, so a commit that lands
   * between that look and the wait is not missed.
   */
  wait(userId: string, ms: number, signal?: AbortSignal): Wait;
  /** Answers every held pull now, and every later one at once. */
  close(): void;
  readonly size: number;
}

export function createWaiters(subscribe: (listener: CommitListener) => () => void): Waiters {
  const byUser = new Map<string, Set<(end: WaitEnd) => void>>();
  let size = 0;
  let closed = false;
  let unsubscribe: (() => void) | undefined;

  const wakeUser = (userId: string, end: WaitEnd) => byUser.get(userId)?.forEach((finish) => finish(end));
  const wakeAll = (end: WaitEnd) => [...byUser.keys()].forEach((userId) => wakeUser(userId, end));
  const onCommit: CommitListener = (userId) => (userId === undefined ? wakeAll('commit') : wakeUser(userId, 'commit'));

  return {
    wait(userId, ms, signal) {
      if (closed) return { done: Promise.resolve('closed'), cancel() {} };
      let finish!: (end: WaitEnd) => void;
      const done = new Promise<WaitEnd>((resolve) => {
        const timer = setTimeout(() => finish('timeout'), ms);
        const abort = () => finish('aborted');
        finish = (end) => {
          const waiting = byUser.get(userId);
          if (!waiting?.delete(finish)) return;
          if (waiting.size === 0) byUser.delete(userId);
          clearTimeout(timer);
          signal?.removeEventListener('abort', abort);
          if (--size === 0) {
            unsubscribe?.();
            unsubscribe = undefined;
          }
          resolve(end);
        };
        byUser.set(userId, (byUser.get(userId) ?? new Set()).add(finish));
        if (size++ === 0) unsubscribe = subscribe(onCommit);
        if (signal?.aborted) finish('aborted');
        else signal?.addEventListener('abort', abort, { once: true });
      });
      return { done, cancel: () => finish('aborted') };
    },
    close() {
      closed = true;
      wakeAll('closed');
    },
    get size() {
      return size;
    },
  };
}
