// A sync-url change with the browser killed right after Save closed the settings (issue 24, item
// 3): 1,200 synced events and the shopper's own changes, Save to another server, SIGKILL 0.1–0.4 s
// later. CONTRACT §6: sync-save closes the settings only once they are stored durably — so after
// the restart the device is on the new server (never "local", never synced with carts missing)
// and ends with every cart there. Two moves, each killed at another moment.
import { describe, expect, it } from 'vitest';
import { addSelector, catalogSkus, connect, deviceLog, openApp, press, report, shownCount, syncState } from './harness/cart.ts';
import { countNow } from './harness/count.ts';
import { expectSameLog, sameEvents } from './harness/logs.ts';
import { useRig } from './harness/rig.ts';
import { cartHistories, interleave, pushEvents } from './harness/seed.ts';

const SEEDED_CARTS = 24;
const PER_CART = 50;
const ADDS = 20;
const KILL_AFTER_MS = [150, 350];

const rig = useRig();

describe('a sync-url change, the browser killed right after Save', () => {
  it('restarts on the new server and ends with every cart there', async () => {
    const started = Date.now();
    const first = await rig.server();
    // One secret for every server of the suite: one token serves the account on each.
    const token = await first.token('mover');
    await pushEvents(first, token, interleave(cartHistories(SEEDED_CARTS, PER_CART), 0, PER_CART));
    const { device, shown, page: firstPage } = await rig.shopper(first.url);
    await connect(firstPage, first.url, token);
    // The seeded carts first: once they are in, the page shows the account's latest cart.
    await expect.poll(() => syncState(firstPage), { timeout: 60_000 }).toBe('synced/0');
    await firstPage.getByTestId('new-cart').click();
    await expect.poll(() => shownCount(firstPage)).toBe(0);
    await press(firstPage, (await catalogSkus(firstPage, 4)).map(addSelector), ADDS, 20);
    await expect.poll(() => shownCount(firstPage)).toBe(ADDS);
    await expect.poll(async () => sameEvents(await deviceLog(firstPage), await first.log(token)), { timeout: 60_000 }).toBe(true);

    let page = firstPage;
    for (const [round, killAfterMs] of KILL_AFTER_MS.entries()) {
      // The page stays served by the first server; the next one is another origin that allows it.
      const next = await rig.server({ corsOrigins: [new URL(first.url).origin] });
      await connect(page, next.url, token);
      await new Promise((r) => setTimeout(r, killAfterMs));
      await device.kill();
      await device.restart();
      page = await openApp(device.context(), first.url);

      const serverLog = () => next.log(token);
      let figures = await countNow(shown, page, serverLog);
      try {
        await expect.poll(async () => sameEvents(await deviceLog(page), await serverLog()), { timeout: 90_000, interval: 500 }).toBe(true);
        await expect.poll(() => syncState(page), { timeout: 30_000 }).toBe('synced/0');
      } finally {
        figures = await countNow(shown, page, serverLog);
        await page.getByTestId('sync-settings').click();
        const url = await page.getByTestId('sync-url').inputValue();
        await page.keyboard.press('Escape');
        report(`sync-url-kill move ${round + 1}`, started, { runs: round + 1, ...figures, killAfterMs, state: await syncState(page), onNewServer: url === next.url });
      }
      expect(figures).toMatchObject({ acknowledged: ADDS, lost: 0, notOnServer: 0, duplicated: 0 });
      expectSameLog(await deviceLog(page), await serverLog());
    }
  });
});
