// In Chromium, with the real Web Locks: a tab whose database another tab upgraded gives up the
// sync lock at once, so a newer tab can lead (before, it slept 2³¹ ms holding it).
import { Dexie } from 'dexie';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openCarts } from '../../src/cart/carts.ts';
import { SCHEMA_VERSION } from '../../src/es/schema.ts';
import { deleteEventStore } from '../../src/es/store.ts';
import { createSyncEngine, type LockManagerLike } from '../../src/sync/client/index.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const free = (name: string) => navigator.locks.request(name, { ifAvailable: true }, async (lock) => lock !== null);

describe('a tab halted by a database upgrade (Chromium, Web Locks)', () => {
  it('releases the sync lock at once', async () => {
    const name = `upgrade-${uuidv7()}`;
    const carts = await openCarts({ name, deviceId: uuidv7() });
    // A server that never answers: the leader waits in its request, holding the lock.
    const engine = createSyncEngine({
      carts,
      url: 'http://127.0.0.1:9',
      token: 'token',
      locks: navigator.locks as unknown as LockManagerLike,
      channel: null,
      fetch: (_url, init) => new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('Aborted', 'AbortError')))),
    });
    cleanup.push(async () => {
      await engine.stop();
      carts.close();
      await deleteEventStore(name);
    });
    engine.start();
    const lock = `cartlog-sync:${name}`;
    await vi.waitFor(async () => expect(await free(lock)).toBe(false));

    const newer = new Dexie(name);
    newer.version(SCHEMA_VERSION + 1).stores({ pages: '++seq, &[streamId+first], *types', streams: 'streamId', readModels: '[projection+key]', projections: 'name', commands: 'commandId, streamId', extra: 'id' });
    await newer.open();
    cleanup.push(() => newer.close());
    await vi.waitFor(async () => expect(await free(lock)).toBe(true), { timeout: 3000 });
    expect(engine.status.get()).toMatchObject({ state: 'error', reason: expect.stringMatching(/newer version/) });
  });
});
