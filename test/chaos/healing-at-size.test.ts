// Healing at the sizes shoppers reach, through the real browser and the real server process
// (CONTRACT §5 "Healing"): 50 carts another device made, one event of every cart in turn, pulled
// across several pull pages into stored pages of many commands; the shopper's own changes inside
// five of those carts; the server then restored from a backup taken 560 events earlier. The
// device must heal in one pass and fill the server again — every event the backup lacked, the
// shopper's changes among them — while what the page showed as done stays done.
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import { addSelector, catalogSkus, connect, deviceLog, press, report, showCart, shownCartId, shownCount, sum, synced } from './harness/cart.ts';
import { countNow } from './harness/count.ts';
import { foldLines } from './harness/fold.ts';
import { expectSameLog, sameEvents } from './harness/logs.ts';
import { useRig } from './harness/rig.ts';
import { cartHistories, interleave, pushEvents } from './harness/seed.ts';
import { backup, restore } from './harness/server.ts';

const CARTS = 50;
/** Events per cart in the backup (2,200 in all), then 12 more for each cart the shopper leaves alone. */
const BACKED_UP = 44;
const LATER = 12;
/** The shopper's carts among the 50, and the adds made in each after the backup. */
const SHOPPER_CARTS = 5;
const ADDS = 4;

const rig = useRig();

/** Counts the healing passes a page starts (the engine says each in its console). */
function healingPasses(page: Page): () => number {
  let passes = 0;
  page.on('console', (message) => void (message.text().includes('cartlog sync: healing onto') && passes++));
  return () => passes;
}

describe('healing after a restore from an older backup, at size', () => {
  it(`finishes in one pass with ${CARTS} interleaved carts and ≥ 2,000 events across pull pages`, async () => {
    const started = Date.now();
    const server = await rig.server();
    const token = await server.token('heal-size');
    const histories = cartHistories(CARTS, BACKED_UP + LATER);
    await pushEvents(server, token, interleave(histories, 0, BACKED_UP));

    await server.stop();
    const copy = backup(server);
    await server.start();
    // After the backup the other device goes on in 45 carts. The shopper's device joins only now:
    // its pull pages run across the backup's end, so the stored pages it writes (many commands of
    // a cart each) straddle what the restored server will hold — where healing once broke.
    const later = interleave(histories.slice(SHOPPER_CARTS), BACKED_UP, BACKED_UP + LATER);
    await pushEvents(server, token, later);
    const { shown, page } = await rig.shopper(server.url);
    const passes = healingPasses(page);
    await connect(page, server.url, token);
    await synced(page, 90_000);
    expect(await deviceLog(page)).toHaveLength(CARTS * BACKED_UP + later.length);

    // The shopper adds a new line to each of the five carts the other device left alone.
    const catalog = await catalogSkus(page, 100);
    for (const history of histories.slice(0, SHOPPER_CARTS)) {
      const cartId = history[0]!.streamId;
      // What the cart holds is known from its history: wait until the page shows exactly that,
      // so no click lands on the cart shown before.
      const lines = foldLines(history.slice(0, BACKED_UP));
      const before = sum(lines);
      await showCart(page, cartId);
      await expect.poll(async () => [await shownCartId(page), await shownCount(page)]).toEqual([cartId, before]);
      const sku = catalog.find((candidate) => !(candidate in lines))!;
      await press(page, [addSelector(sku)], ADDS, 50);
      await expect.poll(() => shownCount(page)).toBe(before + ADDS);
    }
    await synced(page, 90_000);
    const held = (await deviceLog(page)).length;
    expect(held).toBe(CARTS * BACKED_UP + later.length + SHOPPER_CARTS * ADDS);

    // The restore: the server comes back 560 events behind the device.
    await server.stop();
    restore(server, copy);
    await server.start();
    const serverLog = () => server.log(token);
    let remote = await serverLog();
    try {
      await expect.poll(async () => sameEvents(await deviceLog(page), (remote = await serverLog())), { timeout: 120_000, interval: 500 }).toBe(true);
      await synced(page, 60_000);
    } finally {
      report('heal-at-size', started, { ...(await countNow(shown, page, serverLog)), held, restoredFrom: CARTS * BACKED_UP, healingPasses: passes(), state: `${await page.getByTestId('sync-status').getAttribute('data-state')}/${await page.getByTestId('sync-status').getAttribute('data-pending')}` });
    }
    expect(await countNow(shown, page, serverLog)).toMatchObject({ acknowledged: SHOPPER_CARTS * ADDS, lost: 0, notOnServer: 0, duplicated: 0, rejected: 0 });
    expect(remote).toHaveLength(held);
    expect(passes()).toBe(1);
    expectSameLog(await deviceLog(page), remote);
  });
});
