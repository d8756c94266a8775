// Switching account in the middle of a heal (issue 24, item 2): alice syncs, the server is
// restored empty, the device starts healing alice's cart back into it, the network drops before
// the upload, and the shopper signs in as bob. Bob's log must never get alice's cart — not then,
// not after bob shops, not after alice signs in again — and alice's cart must reach alice's log
// once she is back: which account a stream belongs to is recorded, not inferred.
import { describe, expect, it } from 'vitest';
import { addSelector, catalogSkus, connect, deviceLog, press, report, shownCartId, shownCount, syncState } from './harness/cart.ts';
import { countNow } from './harness/count.ts';
import { useRig } from './harness/rig.ts';
import { wipe } from './harness/server.ts';

const rig = useRig();

describe('an account switch in the middle of a heal', () => {
  it("never uploads alice's cart into bob's log", async () => {
    const started = Date.now();
    const server = await rig.server();
    const [alice, bob] = [await server.token('alice'), await server.token('bob')];
    const { device, shown, page } = await rig.shopper(server.url);
    await connect(page, server.url, alice);
    const skus = await catalogSkus(page, 4);
    await press(page, [addSelector(skus[0]!), addSelector(skus[1]!)], 6, 20);
    await expect.poll(() => shownCount(page)).toBe(6);
    await expect.poll(() => syncState(page)).toBe('synced/0');
    const aliceCart = await shownCartId(page);
    const aliceStreams = new Set((await server.log(alice)).map((event) => event.streamId));
    expect(aliceStreams).toEqual(new Set([aliceCart]));

    // The server comes back empty. Pushes never get through from here (the network drops as the
    // heal would upload), so the device is left mid-heal: alice's events turned pending again.
    await server.stop();
    wipe(server);
    await device.context().route('**/v1/push', (route) => route.abort('internetdisconnected'));
    await server.start();
    await expect.poll(async () => Number(await page.getByTestId('sync-status').getAttribute('data-pending')), { timeout: 30_000 }).toBeGreaterThan(0);
    await device.context().setOffline(true);

    // Bob signs in on the same device while it is offline, then the network is back.
    await connect(page, server.url, bob, { unreachable: true });
    await device.context().unroute('**/v1/push');
    await device.context().setOffline(false);
    await page.getByTestId('new-cart').click();
    await expect.poll(async () => (await shownCartId(page)) !== aliceCart).toBe(true);
    await press(page, [addSelector(skus[2]!)], 3, 20);
    await expect.poll(() => shownCount(page)).toBe(3);
    await expect.poll(() => syncState(page), { timeout: 30_000 }).toBe('synced/0');
    const bobCart = await shownCartId(page);
    const leaked = async () => (await server.log(bob)).filter((event) => aliceStreams.has(event.streamId)).length;
    const bothLogs = async () => [...(await server.log(alice)), ...(await server.log(bob))];
    const whileBob = { ...(await countNow(shown, page, bothLogs)), aliceEventsInBobsLog: await leaked(), bobStreams: new Set((await server.log(bob)).map((e) => e.streamId)).size };
    report('account-switch as bob', started, whileBob);
    expect(whileBob.aliceEventsInBobsLog).toBe(0);
    expect(new Set((await server.log(bob)).map((e) => e.streamId))).toEqual(new Set([bobCart]));

    // Alice signs in again: her cart heals into her (empty) log; bob's stays bob's.
    await connect(page, server.url, alice);
    const aliceEvents = (await deviceLog(page)).filter((event) => event.streamId === aliceCart).length;
    let figures = await countNow(shown, page, bothLogs);
    try {
      await expect
        .poll(async () => (await server.log(alice)).filter((event) => event.streamId === aliceCart).length, { timeout: 60_000, interval: 250 })
        .toBe(aliceEvents);
      await expect.poll(() => syncState(page), { timeout: 30_000 }).toBe('synced/0');
    } finally {
      figures = await countNow(shown, page, bothLogs);
      report('account-switch back to alice', started, { ...figures, aliceEventsInBobsLog: await leaked(), bobEventsInAlicesLog: (await server.log(alice)).filter((e) => e.streamId === bobCart).length });
    }
    expect(figures).toMatchObject({ acknowledged: 9, lost: 0, notOnServer: 0, duplicated: 0 });
    expect(await leaked()).toBe(0);
    expect(new Set((await server.log(alice)).map((e) => e.streamId))).toEqual(new Set([aliceCart]));
  });
});
