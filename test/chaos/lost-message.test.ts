// A follower tab's change whose cross-tab message never arrives (the tab's BroadcastChannel is
// silenced, and the tab is closed right after the change) still reaches the server: the leader
// asks the stored outbox what is pending, not only the counts other tabs told it.
import { describe, expect, it } from 'vitest';
import { addButton, catalogSkus, connect, deviceLog, openApp, report, shownCount, synced, syncState } from './harness/cart.ts';
import { countNow } from './harness/count.ts';
import { useRig } from './harness/rig.ts';

const rig = useRig();

describe('a follower tab whose message is lost', () => {
  it('still gets its change to the server', async () => {
    const started = Date.now();
    const server = await rig.server();
    const token = await server.token('lost-message');
    const { device, shown, page: leader } = await rig.shopper(server.url);
    await connect(leader, server.url, token);
    const [first, second] = await catalogSkus(leader, 2);
    await addButton(leader, first!).click();
    await synced(leader);

    // The second tab follows (the first holds the lock) and tells no other tab anything.
    const follower = await openApp(device.context(), server.url, () => {
      BroadcastChannel.prototype.postMessage = function silenced() {};
    });
    await expect.poll(() => shownCount(follower)).toBe(1);
    await addButton(follower, second!).click();
    await expect.poll(() => shownCount(follower)).toBe(2);
    const written = (await deviceLog(follower)).filter((event) => event.position === undefined);
    await follower.close();
    expect(written).toHaveLength(1);

    const serverLog = () => server.log(token);
    let figures = await countNow(shown, leader, serverLog);
    try {
      await expect.poll(async () => (figures = await countNow(shown, leader, serverLog)).notOnServer, { timeout: 45_000, interval: 250 }).toBe(0);
    } finally {
      report('lost-message', started, { ...figures, followerEvents: written.length, leaderShows: await syncState(leader) });
    }
    expect(figures).toMatchObject({ acknowledged: 2, lost: 0, duplicated: 0 });
    await synced(leader);
  });
});
