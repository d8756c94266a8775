import { describe, expect, it } from 'vitest';
import type { CommitListener } from '../../src/server/storage/types.ts';
import { createWaiters } from '../../src/server/waiters.ts';

function commits() {
  const listeners = new Set<CommitListener>();
  return {
    subscribe: (listener: CommitListener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    commit: (userId?: string) => listeners.forEach((listener) => listener(userId)),
    get listening() {
      return listeners.size;
    },
  };
}

describe('waiters', () => {
  it('wakes the waiters of the user who committed, and no one else', async () => {
    const source = commits();
    const waiters = createWaiters(source.subscribe);
    const alice = waiters.wait('alice', 5000);
    const bob = waiters.wait('bob', 50);
    source.commit('alice');
    expect(await alice.done).toBe('commit');
    expect(await bob.done).toBe('timeout');
  });

  it('wakes everyone on a commit by an unknown user (another process)', async () => {
    const source = commits();
    const waiters = createWaiters(source.subscribe);
    const held = [waiters.wait('alice', 5000), waiters.wait('bob', 5000)];
    source.commit(undefined);
    expect(await Promise.all(held.map((wait) => wait.done))).toEqual(['commit', 'commit']);
  });

  it('listens only while someone waits', async () => {
    const source = commits();
    const waiters = createWaiters(source.subscribe);
    expect(source.listening).toBe(0);
    const first = waiters.wait('alice', 5000);
    const second = waiters.wait('alice', 5000);
    expect(source.listening).toBe(1);
    first.cancel();
    expect(source.listening).toBe(1);
    second.cancel();
    expect(source.listening).toBe(0);
    expect(waiters.size).toBe(0);
  });

  it('ends a wait whose client went away', async () => {
    const waiters = createWaiters(commits().subscribe);
    const controller = new AbortController();
    const held = waiters.wait('alice', 5000, controller.signal);
    controller.abort();
    expect(await held.done).toBe('aborted');
    expect(await waiters.wait('alice', 5000, AbortSignal.abort()).done).toBe('aborted');
  });

  it('answers every waiter on close, and every later one at once', async () => {
    const waiters = createWaiters(commits().subscribe);
    const held = waiters.wait('alice', 30_000);
    waiters.close();
    expect(await held.done).toBe('closed');
    expect(await waiters.wait('bob', 30_000).done).toBe('closed');
    expect(waiters.size).toBe(0);
  });
});
