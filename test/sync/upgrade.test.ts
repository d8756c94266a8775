// A tab whose database another tab upgraded can do nothing until reloaded: it must stop leading
// at once, so the lock passes to a tab that can sync (newer tabs would otherwise never lead).
import { Dexie } from 'dexie';
import { describe, expect, it, vi } from 'vitest';
import { SCHEMA_VERSION } from '../../src/es/schema.ts';
import { createSyncEngine } from '../../src/sync/client/index.ts';
import { fakeLocks, newUser, openDevice, token, useServer } from './helpers.ts';

const server = useServer();

describe('a tab halted by a database upgrade', () => {
  it('releases the sync lock at once and says why it stopped', async () => {
    const me = { url: server().url, token: await token(newUser()) };
    const device = await openDevice(me);
    const locks = fakeLocks();
    const name = device.carts.store.name;
    device.engine = createSyncEngine({ carts: device.carts, ...me, locks, channel: null, longPollSeconds: 20 });
    device.engine.start();
    await device.carts.openCart('Before the upgrade');
    await vi.waitFor(() => expect(device.engine.status.get()).toEqual({ state: 'synced', pending: 0 }));

    // A newer cartlog opens the database in another tab, with a newer schema.
    const newer = new Dexie(name);
    newer.version(SCHEMA_VERSION + 1).stores({ pages: '++seq, &[streamId+first], *types', streams: 'streamId', readModels: '[projection+key]', projections: 'name', commands: 'commandId, streamId', extra: 'id' });
    await newer.open();
    try {
      let granted = false;
      void locks.request(`cartlog-sync:${name}`, {}, async () => {
        granted = true;
      });
      await vi.waitFor(() => expect(granted).toBe(true), { timeout: 3000 });
      expect(device.engine.status.get()).toMatchObject({ state: 'error', reason: expect.stringMatching(/newer version/) });
    } finally {
      newer.close();
    }
  });
});
