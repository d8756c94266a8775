// A follower tab's change whose cross-tab message never arrives (the tab's BroadcastChannel is
// silenced, and the tab is closed right after the change) still reaches the server: the leader
// asks the stored outbox what is pending, not only the counts other tabs told it.
import { describe, expect, it } from 'vitest';
import { addButton, catalogSkus, connect, deviceLog, openApp, report, shownCount, synced, syncState } from './harness/cart.ts';
import { compare } from './harness/logs.ts';
import { useRig } from './harness/rig.ts';

const rig = useRig();

describe('a follower tab whose message is lost', () => {
  it('still gets its change to the server', async () => {
    const started = Date.now();
    const server = await rig.server();
    const device = await rig.device();
    const token = await server.token('lost-message');
    const leader = await openApp(device.context(), server.url);
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

    let remote = await server.log(token);
    try {
      await expect.poll(async () => compare(written, (remote = await server.log(token))).lost, { timeout: 45_000, interval: 250 }).toBe(0);
    } finally {
      report('lost-message', started, { events: remote.length, followerEvents: written.length, ...compare(written, remote), leaderShows: await syncState(leader) });
    }
    await synced(leader);
  });
});
