// The network flapping (offline/online every 100–300 ms) while 60 commands are made: once it
// settles, the server holds each event once, versions contiguous, equal to the device's log.
import { describe, expect, it } from 'vitest';
import { addButton, addSelector, catalogSkus, connect, deviceLog, openApp, press, report, shownCount, synced, watchSyncStates } from './harness/cart.ts';
import { compare, expectSameLog } from './harness/logs.ts';
import { useRig } from './harness/rig.ts';

const COMMANDS = 60;

const rig = useRig();

describe('a flapping network', () => {
  it('ends with each event once on the server, equal to the device log', async () => {
    const started = Date.now();
    const server = await rig.server();
    const device = await rig.device();
    const token = await server.token('flapping');
    const page = await openApp(device.context(), server.url);
    await connect(page, server.url, token);
    const skus = await catalogSkus(page, 6);
    await addButton(page, skus[0]!).click();
    await synced(page);

    const states = await watchSyncStates(page);
    let flapping = true;
    let flips = 0;
    const flapper = (async () => {
      let offline = false;
      while (flapping) {
        offline = !offline;
        await device.context().setOffline(offline);
        flips++;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
      await device.context().setOffline(false);
    })();
    // One command every ~100 ms: the burst spans many flips.
    await press(page, skus.map(addSelector), COMMANDS - 1, 100);
    await expect.poll(() => shownCount(page)).toBe(COMMANDS);
    flapping = false;
    await flapper;

    await synced(page);
    const local = await deviceLog(page);
    const remote = await server.log(token);
    const offlineShown = (await states()).filter((state) => state === 'offline').length;
    report('flapping', started, { events: remote.length, commands: COMMANDS, flips, offlineShown, ...compare(local, remote) });
    // The flapping reached the page: it went offline and came back more than once.
    expect(offlineShown).toBeGreaterThan(1);
    expectSameLog(local, remote);
  });
});
