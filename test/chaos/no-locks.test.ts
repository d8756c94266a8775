// A plain-HTTP origin that is not localhost has no Web Locks, so every tab leads. Three tabs of
// one device with changes pending, while another device changed the same cart, all rebase at
// once when the network returns: each change is applied once, round after round.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright';
import { addSelector, catalogSkus, connect, deviceLog, openApp, press, report, shownCartId, showCart, shownCount, shownLines, synced } from './harness/cart.ts';
import { countNow, sumCounts } from './harness/count.ts';
import { foldLines } from './harness/fold.ts';
import { expectSameLog } from './harness/logs.ts';
import { useRig } from './harness/rig.ts';

const ROUNDS = 6;
/** Pending "+" on the shared line per round (more work for each rebase to redo). */
const SHARED_PER_ROUND = 2;
const TABS = 3;
const SHOP = ['--host-resolver-rules=MAP shop.test 127.0.0.1'];

const rig = useRig();

describe('a plain-HTTP origin without Web Locks', () => {
  it('applies each change once when three tabs rebase at once', async () => {
    const started = Date.now();
    const server = await rig.server({ host: 'shop.test' });
    const a = await rig.shopper(server.url, { args: SHOP });
    const b = await rig.shopper(server.url, { args: SHOP });
    const token = await server.token('no-locks');
    const tabs: Page[] = [a.page];
    // The premise: this origin has no Web Locks, so every tab leads.
    expect(await tabs[0]!.evaluate(() => [window.isSecureContext, typeof navigator.locks])).toEqual([false, 'undefined']);
    await connect(tabs[0]!, server.url, token);
    const skus = await catalogSkus(tabs[0]!, 2 + 2 * ROUNDS);
    const [shared, theirs] = [skus[0]!, skus[1]!];
    const expected: Record<string, number> = { [shared]: 1 };
    await press(tabs[0]!, [addSelector(shared)], 1);
    await expect.poll(() => shownCount(tabs[0]!)).toBe(1);
    await synced(tabs[0]!);
    const cartId = await shownCartId(tabs[0]!);
    for (let i = 1; i < TABS; i++) tabs.push(await openApp(a.device.context(), server.url));
    const other = b.page;
    await connect(other, server.url, token);
    await showCart(other, cartId);
    await expect.poll(() => shownLines(other)).toEqual(expected);

    let rounds = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        // A, offline: more of the shared line, and a new line of its own, from one of its tabs.
        await a.device.context().setOffline(true);
        const mine = skus[2 + round]!;
        await press(tabs[round % TABS]!, [addSelector(mine), ...Array(SHARED_PER_ROUND).fill(addSelector(shared))], 1 + SHARED_PER_ROUND);
        expected[shared]! += SHARED_PER_ROUND;
        expected[mine] = 1;
        await expect.poll(() => shownLines(tabs[0]!)).toEqual(expected);
        // B changes the same cart first, so A's pending changes no longer follow the server's head.
        await press(other, [addSelector(theirs)], 1);
        expected[theirs] = (expected[theirs] ?? 0) + 1;
        await synced(other);
        // Back online: every tab of A leads, and all of them rebase the same pending commands.
        await a.device.context().setOffline(false);
        for (const tab of tabs) await synced(tab);
        await synced(other);
        for (const tab of [...tabs, other]) await expect.poll(() => shownLines(tab)).toEqual(expected);
        rounds++;
      }
    } finally {
      const serverLog = () => server.log(token);
      const remote = await serverLog();
      const onServer = foldLines(remote);
      const figures = sumCounts([await countNow(a.shown, tabs[0]!, serverLog), await countNow(b.shown, other, serverLog)]);
      report('no-locks', started, { runs: rounds, ...figures, tabs: TABS, expected: JSON.stringify(expected), server: JSON.stringify(onServer) });
      expect(figures).toMatchObject({ lost: 0, notOnServer: 0, duplicated: 0 });
      expect(onServer).toEqual(expected);
      expectSameLog(await deviceLog(tabs[0]!), remote);
    }
  });
});
