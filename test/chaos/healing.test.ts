// A server that lost what the devices hold is healed by them (CONTRACT §5 "Healing"): restored
// empty, replaced by another server (`sync-url` moved), or restored from an older backup after
// a second device pushed. Every device and the server end with the same log, and nothing is lost
// in silence: an event a device showed is on the server, or its change is listed as rejected.
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import type { ConfirmedEvent } from '../../src/sync/protocol.ts';
import { addSelector, catalogSkus, connect, deviceLog, openApp, press, report, shownCartId, showCart, shownCount, synced, type Figures } from './harness/cart.ts';
import { compare, expectSameLog } from './harness/logs.ts';
import { useRig } from './harness/rig.ts';
import { backup, restore, wipe, type SyncServer } from './harness/server.ts';

const rig = useRig();

/** A device on its own profile, one tab, syncing with `server` as `token`'s user. */
async function device(server: SyncServer, token: string): Promise<Page> {
  const page = await openApp((await rig.device()).context(), server.url);
  await connect(page, server.url, token);
  return page;
}

/**
 * Waits until the server holds every event of every page's device once and all are synced, then
 * prints the scenario's figures (also when it never converges) and returns the server's log.
 */
async function settle(scenario: string, started: number, server: SyncServer, token: string, pages: Page[], figures: (remote: ConfirmedEvent[]) => Promise<Figures>) {
  try {
    await expect
      .poll(
        async () => {
          const remote = await server.log(token);
          const states = await Promise.all(pages.map(async (page) => compare(await deviceLog(page), remote)));
          return states.every((s) => s.lost === 0 && s.duplicated === 0);
        },
        { timeout: 60_000, interval: 250 },
      )
      .toBe(true);
    for (const page of pages) await synced(page);
  } finally {
    report(scenario, started, await figures(await server.log(token)));
  }
  return server.log(token);
}

describe('a server that lost data, healed by its devices', () => {
  it('restored empty: both devices fill it again', async () => {
    const started = Date.now();
    const server = await rig.server();
    const token = await server.token('heal-empty');
    const a = await device(server, token);
    const skus = await catalogSkus(a, 4);
    await press(a, [addSelector(skus[0]!), addSelector(skus[1]!)], 6);
    await expect.poll(() => shownCount(a)).toBe(6);
    await synced(a);
    const b = await device(server, token);
    await showCart(b, await shownCartId(a));
    await press(b, [addSelector(skus[2]!)], 3);
    await synced(b);
    await synced(a);
    const before = await server.log(token);

    await server.stop();
    wipe(server);
    await server.start();
    const remote = await settle('heal-empty', started, server, token, [a, b], async (remote) => ({ events: remote.length, ...compare(before, remote) }));
    expect(compare(before, remote)).toEqual({ lost: 0, duplicated: 0 });
    expectSameLog(await deviceLog(a), remote);
    expectSameLog(await deviceLog(b), remote);
  });

  it('sync-url moved to another server: the device uploads its carts there', async () => {
    const started = Date.now();
    const first = await rig.server();
    const token = await first.token('heal-moved');
    const page = await device(first, token);
    const skus = await catalogSkus(page, 3);
    await press(page, skus.map(addSelector), 9);
    await expect.poll(() => shownCount(page)).toBe(9);
    await synced(page);
    // The page stays served by the first server; the second is another origin that allows it.
    const second = await rig.server({ corsOrigins: [new URL(first.url).origin] });
    const secondToken = await second.token('heal-moved');
    await connect(page, second.url, secondToken);
    const local = await deviceLog(page);
    const remote = await settle('heal-moved', started, second, secondToken, [page], async (remote) => ({ events: remote.length, ...compare(local, remote) }));
    expectSameLog(await deviceLog(page), remote);
  });

  it('restored from an older backup after another device pushed: all converge, nothing lost in silence', async () => {
    const started = Date.now();
    const server = await rig.server();
    const token = await server.token('heal-backup');
    const a = await device(server, token);
    const skus = await catalogSkus(a, 6);
    await press(a, [addSelector(skus[0]!)], 2);
    await expect.poll(() => shownCount(a)).toBe(2);
    await synced(a);
    const shared = await shownCartId(a);
    const b = await device(server, token);
    await showCart(b, shared);
    await synced(b);

    await server.stop();
    const copy = backup(server);
    await server.start();
    // A is offline from here: it never sees what B pushes next.
    await a.context().setOffline(true);
    // B pushes: changes to the shared cart, and a cart of its own.
    await press(b, [addSelector(skus[1]!), addSelector(skus[2]!)], 2);
    await expect.poll(() => shownCount(b)).toBe(4);
    await b.getByTestId('new-cart').click();
    await expect.poll(async () => (await shownCartId(b)) !== shared).toBe(true);
    await press(b, [addSelector(skus[3]!)], 1);
    await expect.poll(() => shownCount(b)).toBe(1);
    await synced(b);
    const shownByB = await deviceLog(b);

    // The server comes back from the backup, without B's last pushes; A changes the shared cart
    // and pushes on top of it, at the versions B holds as confirmed.
    await server.stop();
    restore(server, copy);
    await server.start();
    await press(a, [addSelector(skus[4]!)], 1);
    await expect.poll(() => shownCount(a)).toBe(3);
    await a.context().setOffline(false);

    const lostOrRejected = (remote: ConfirmedEvent[]) => new Set(shownByB.filter((e) => !remote.some((r) => r.id === e.id)).map((e) => e.meta.commandId));
    const remote = await settle('heal-backup', started, server, token, [a, b], async (remote) => {
      const rejected = await b.getByTestId('rejected-item').count();
      return { events: remote.length, lost: Math.max(0, lostOrRejected(remote).size - rejected), duplicated: compare(remote, remote).duplicated, rejected };
    });
    const local = await deviceLog(a);
    expectSameLog(local, remote);
    expectSameLog(await deviceLog(b), remote);
    // What B showed and the server no longer holds is listed on B as rejected, with a reason.
    expect(await b.getByTestId('rejected-item').count()).toBe(lostOrRejected(remote).size);
    for (const text of await b.getByTestId('rejected-item').allTextContents()) expect(text.trim().length).toBeGreaterThan(0);
  });
});
