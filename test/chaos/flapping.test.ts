// The network flapping (offline/online every 100–300 ms) while 60 commands are made: once it
// settles, the server holds each event once, versions contiguous, equal to the device's log.
import { describe, expect, it } from 'vitest';
import { addButton, addSelector, catalogSkus, connect, deviceLog, press, report, shownCount, synced, watchSyncStates } from './harness/cart.ts';
import { countNow } from './harness/count.ts';
import { expectSameLog } from './harness/logs.ts';
import { useRig } from './harness/rig.ts';

const COMMANDS = 60;

const rig = useRig();

describe('a flapping network', () => {
  it('ends with each event once on the server, equal to the device log', async () => {
    const started = Date.now();
    const server = await rig.server();
    const token = await server.token('flapping');
    const { device, shown, page } = await rig.shopper(server.url);
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
    const remote = await server.log(token);
    const offlineShown = (await states()).filter((state) => state === 'offline').length;
    const figures = await countNow(shown, page, () => server.log(token));
    report('flapping', started, { ...figures, commands: COMMANDS, flips, offlineShown });
    expect(figures).toMatchObject({ acknowledged: COMMANDS, lost: 0, notOnServer: 0, duplicated: 0 });
    // The flapping reached the page: it went offline and came back more than once.
    expect(offlineShown).toBeGreaterThan(1);
    expectSameLog(await deviceLog(page), remote);
  });
});
