// The server killed -9 in the middle of a push of ≥ 100 pending events, and started again on the
// same port and files: the device pushes again and the server ends with each event once. Each
// round kills at another moment of the push (as the request leaves the browser, or a few ms later:
// before, during or after its commit).
import { describe, expect, it } from 'vitest';
import { addButton, addSelector, catalogSkus, connect, deviceLog, press, report, shownCount, synced, syncState } from './harness/cart.ts';
import { countNow } from './harness/count.ts';
import { expectSameLog } from './harness/logs.ts';
import { useRig } from './harness/rig.ts';

const ROUNDS = 4;
const PENDING = 100;
const KILL_DELAYS_MS = [0, 2, 5, 15];

const rig = useRig();

describe('the server killed mid-push', () => {
  it('ends with each event once after it restarts', async () => {
    const started = Date.now();
    const server = await rig.server();
    const token = await server.token('server-kill');
    const { device, shown, page } = await rig.shopper(server.url);
    await connect(page, server.url, token);
    const skus = await catalogSkus(page, 12); // 4 × 100 adds over 12 lines stays under 99 a line
    await addButton(page, skus[0]!).click();
    await synced(page);
    for (let round = 0; round < ROUNDS; round++) {
      const count = await shownCount(page);
      await device.context().setOffline(true);
      await press(page, skus.map(addSelector), PENDING);
      await expect.poll(() => shownCount(page)).toBe(count + PENDING);
      await expect
        .poll(() => syncState(page))
        .toBe(`offline/${PENDING}`)
        .catch(async (error: unknown) => {
          // Say which events were pending (offline/102 once was the first add's two events: the
          // test went offline before they were pushed, while the status still read synced/0).
          const waiting = (await deviceLog(page)).filter((e) => e.position === undefined);
          console.log(`chaos server-kill round ${round + 1}: pending ${waiting.length}:`, waiting.slice(0, 5).map((e) => `${e.streamId.slice(0, 8)} v${e.version} ${e.type} ${e.meta.commandId.slice(0, 8)}`));
          throw error;
        });

      // Kill the server as the push leaves the browser (plus a few ms, another moment each round).
      const pushSeen = new Promise<void>((seen) => {
        const onRequest = (request: { url: () => string; method: () => string }) => {
          if (request.method() !== 'POST' || !request.url().endsWith('/v1/push')) return;
          page.off('request', onRequest);
          seen();
        };
        page.on('request', onRequest);
      });
      await device.context().setOffline(false);
      await pushSeen;
      await new Promise((r) => setTimeout(r, KILL_DELAYS_MS[round % KILL_DELAYS_MS.length]));
      await server.kill();
      await server.start();

      await synced(page);
      const figures = await countNow(shown, page, () => server.log(token));
      report(`server-kill round ${round + 1}`, started, { runs: round + 1, ...figures, pendingPerRound: PENDING, killAfterMs: KILL_DELAYS_MS[round % KILL_DELAYS_MS.length] });
      expect(figures).toMatchObject({ acknowledged: 1 + (round + 1) * PENDING, lost: 0, notOnServer: 0, duplicated: 0 });
      expectSameLog(await deviceLog(page), await server.log(token));
    }
  });
});
