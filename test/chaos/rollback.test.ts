// A rollback to the previous release and forward again (issue 24), with real processes on one
// origin: the server process is restarted from the previous release's tree (commit b9c31e4) on the
// same port and data folder, and back. The previous release cannot be changed: Dexie lets it into
// the newer database and it adds there — pushing what it can, leaving pending what it cannot
// (its server down). The current release, opened again, must push all of it: nothing the page
// showed as done is lost, dropped or held twice, and the device ends synced/0 (README "Rolling
// back to an older release").
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright';
import { addSelector, catalogSkus, connect, deviceLog, incSelector, press, report, shownCartId, shownCount, synced, syncState } from './harness/cart.ts';
import { appRoot, releaseRoot } from './harness/app.ts';
import { countNow } from './harness/count.ts';
import { expectSameLog } from './harness/logs.ts';
import { expectBuild, leaveApp, openRelease } from './harness/release.ts';
import { useRig } from './harness/rig.ts';

/** The release before this work, whose code cannot change any more. */
const PREVIOUS = 'b9c31e4';
/** Adds on the current release, then on the previous one with its server up, then down. */
const CURRENT_ADDS = 8;
const PREVIOUS_ONLINE = 6;
const PREVIOUS_OFFLINE = 7;

const rig = useRig();
let current = '';
let previous: Awaited<ReturnType<typeof releaseRoot>> = { root: '' };

// Both builds before the test, so its own time is the scenario's (the previous one is cached after
// its first build; its time is printed either way).
beforeAll(async () => {
  current = await appRoot();
  previous = await releaseRoot(PREVIOUS);
}, 240_000);

const pending = async (page: Page) => (await deviceLog(page)).filter((event) => event.position === undefined).length;

describe(`a rollback to the previous release (${PREVIOUS}) and forward again, on one origin`, () => {
  it('keeps and pushes everything the previous release did in the newer database', async () => {
    const started = Date.now();
    const server = await rig.server();
    const token = await server.token('rollback');
    const serverLog = () => server.log(token);
    const { shown, page } = await rig.shopper(server.url);

    /** Waits for synced/0 and prints the three-way count then — also when it never comes. */
    const settle = async (stage: string, extra: Record<string, number | string | undefined> = {}) => {
      let figures: Awaited<ReturnType<typeof countNow>> | undefined;
      try {
        await synced(page);
      } finally {
        figures = await countNow(shown, page, serverLog);
        report(`rollback ${stage}`, started, { ...figures, state: await syncState(page), ...extra });
      }
      return figures;
    };

    // 1. The current release: sync set up through the page, items added and pushed.
    await expectBuild(page, current);
    await connect(page, server.url, token);
    const skus = await catalogSkus(page, 6);
    await press(page, [addSelector(skus[0]!), addSelector(skus[1]!)], CURRENT_ADDS, 20);
    await expect.poll(() => shownCount(page)).toBe(CURRENT_ADDS);
    const cart = await shownCartId(page);
    await settle('current release');

    // 2. Rollback: the previous release on the same origin, server and data folder.
    await leaveApp(page);
    await server.stop();
    await server.start(previous.root);
    await openRelease(page, server.url, previous.root);
    // It opened the newer database and shows the cart as it was.
    await expect.poll(() => shownCartId(page)).toBe(cart);
    await expect.poll(() => shownCount(page)).toBe(CURRENT_ADDS);
    await press(page, [incSelector(skus[0]!), addSelector(skus[2]!)], PREVIOUS_ONLINE, 20);
    await expect.poll(() => shownCount(page)).toBe(CURRENT_ADDS + PREVIOUS_ONLINE);
    await settle('previous release online');

    await server.stop();
    await press(page, [incSelector(skus[1]!), addSelector(skus[3]!)], PREVIOUS_OFFLINE, 20);
    await expect.poll(() => shownCount(page)).toBe(CURRENT_ADDS + PREVIOUS_ONLINE + PREVIOUS_OFFLINE);
    // One event per add: what it could not push is in the database, pending — after it tried.
    await expect.poll(() => pending(page)).toBe(PREVIOUS_OFFLINE);
    await expect.poll(() => syncState(page), { timeout: 30_000 }).toBe(`offline/${PREVIOUS_OFFLINE}`);
    const leftPending = await pending(page);
    const previousState = await syncState(page);

    // 3. Forward again: the current release, on the same origin, opens the database the previous one wrote.
    await leaveApp(page);
    await server.start();
    const serverBefore = (await serverLog()).length;
    await openRelease(page, server.url, current);
    const figures = await settle('forward again', {
      previousBuildS: previous.builtMs === undefined ? 'cached' : (previous.builtMs / 1000).toFixed(1),
      leftPending,
      previousState,
      serverBefore,
    });

    expect(figures).toMatchObject({
      acknowledged: CURRENT_ADDS + PREVIOUS_ONLINE + PREVIOUS_OFFLINE,
      lost: 0,
      droppedByDevice: 0,
      notOnServer: 0,
      duplicated: 0,
    });
    expect(await syncState(page)).toBe('synced/0');
    expectSameLog(await deviceLog(page), await serverLog());
  });
});
