// A server that lost what the devices hold is healed by them (CONTRACT §5 "Healing"): restored
// empty, replaced by another server (`sync-url` moved), or restored from an older backup after
// a second device pushed. Every device and the server end with the same log, and nothing is lost
// in silence: a change a page showed as done is on the server, or listed as rejected with a reason.
import { describe, expect, it } from 'vitest';
import { addSelector, catalogSkus, connect, deviceLog, press, report, shownCartId, showCart, shownCount, synced } from './harness/cart.ts';
import { countNow, sumCounts } from './harness/count.ts';
import { expectSameLog, sameEvents } from './harness/logs.ts';
import { useRig, type Shopper } from './harness/rig.ts';
import { backup, restore, wipe, type SyncServer } from './harness/server.ts';

const rig = useRig();

/** A device on its own profile, one tab, syncing with `server` as `token`'s user. */
async function shopper(server: SyncServer, token: string): Promise<Shopper> {
  const joined = await rig.shopper(server.url);
  await connect(joined.page, server.url, token);
  return joined;
}

/**
 * Waits until the server holds every event of every device once and all are synced, then prints
 * the scenario's three-way count (also when it never converges) and returns it with the server's log.
 */
async function settle(scenario: string, started: number, server: SyncServer, token: string, shoppers: Shopper[]) {
  const serverLog = () => server.log(token);
  let counts: Awaited<ReturnType<typeof countNow>> | undefined;
  try {
    await expect
      .poll(async () => {
        const remote = await serverLog();
        for (const { page } of shoppers) if (!sameEvents(await deviceLog(page), remote)) return false;
        return true;
      }, { timeout: 60_000, interval: 250 })
      .toBe(true);
    for (const { page } of shoppers) await synced(page);
  } finally {
    counts = sumCounts(await Promise.all(shoppers.map(({ shown, page }) => countNow(shown, page, serverLog))));
    report(scenario, started, counts);
  }
  return { remote: await serverLog(), counts };
}

describe('a server that lost data, healed by its devices', () => {
  it('restored empty: both devices fill it again', async () => {
    const started = Date.now();
    const server = await rig.server();
    const token = await server.token('heal-empty');
    const a = await shopper(server, token);
    const skus = await catalogSkus(a.page, 4);
    await press(a.page, [addSelector(skus[0]!), addSelector(skus[1]!)], 6);
    await expect.poll(() => shownCount(a.page)).toBe(6);
    await synced(a.page);
    const b = await shopper(server, token);
    await showCart(b.page, await shownCartId(a.page));
    await press(b.page, [addSelector(skus[2]!)], 3);
    await synced(b.page);
    await synced(a.page);

    await server.stop();
    wipe(server);
    await server.start();
    const { remote, counts } = await settle('heal-empty', started, server, token, [a, b]);
    expect(counts).toMatchObject({ lost: 0, notOnServer: 0, duplicated: 0, acknowledged: 9 });
    expectSameLog(await deviceLog(a.page), remote);
    expectSameLog(await deviceLog(b.page), remote);
  });

  it('sync-url moved to another server: the device uploads its carts there', async () => {
    const started = Date.now();
    const first = await rig.server();
    const token = await first.token('heal-moved');
    const a = await shopper(first, token);
    const skus = await catalogSkus(a.page, 3);
    await press(a.page, skus.map(addSelector), 9);
    await expect.poll(() => shownCount(a.page)).toBe(9);
    await synced(a.page);
    // The page stays served by the first server; the second is another origin that allows it.
    const second = await rig.server({ corsOrigins: [new URL(first.url).origin] });
    const secondToken = await second.token('heal-moved');
    await connect(a.page, second.url, secondToken);
    const { remote, counts } = await settle('heal-moved', started, second, secondToken, [a]);
    expect(counts).toMatchObject({ lost: 0, notOnServer: 0, duplicated: 0, acknowledged: 9 });
    expectSameLog(await deviceLog(a.page), remote);
  });

  it('restored from an older backup after another device pushed: all converge, nothing lost in silence', async () => {
    const started = Date.now();
    const server = await rig.server();
    const token = await server.token('heal-backup');
    const a = await shopper(server, token);
    const skus = await catalogSkus(a.page, 6);
    await press(a.page, [addSelector(skus[0]!)], 2);
    await expect.poll(() => shownCount(a.page)).toBe(2);
    await synced(a.page);
    const shared = await shownCartId(a.page);
    const b = await shopper(server, token);
    await showCart(b.page, shared);
    await synced(b.page);

    await server.stop();
    const copy = backup(server);
    await server.start();
    // A is offline from here: it never sees what B pushes next.
    await a.page.context().setOffline(true);
    // B pushes: changes to the shared cart, and a cart of its own.
    await press(b.page, [addSelector(skus[1]!), addSelector(skus[2]!)], 2);
    await expect.poll(() => shownCount(b.page)).toBe(4);
    await b.page.getByTestId('new-cart').click();
    await expect.poll(async () => (await shownCartId(b.page)) !== shared).toBe(true);
    await press(b.page, [addSelector(skus[3]!)], 1);
    await expect.poll(() => shownCount(b.page)).toBe(1);
    await synced(b.page);

    // The server comes back from the backup, without B's last pushes; A changes the shared cart
    // and pushes on top of it, at the versions B holds as confirmed.
    await server.stop();
    restore(server, copy);
    await server.start();
    await press(a.page, [addSelector(skus[4]!)], 1);
    await expect.poll(() => shownCount(a.page)).toBe(3);
    await a.page.context().setOffline(false);

    const { remote, counts } = await settle('heal-backup', started, server, token, [a, b]);
    // What B showed and the server no longer holds is listed on B as rejected, with a reason.
    expect(counts).toMatchObject({ lost: 0, notOnServer: 0, duplicated: 0, acknowledged: 6 });
    expectSameLog(await deviceLog(a.page), remote);
    expectSameLog(await deviceLog(b.page), remote);
    for (const text of await b.page.getByTestId('rejected-item').allTextContents()) expect(text.trim().length).toBeGreaterThan(0);
  });
});
