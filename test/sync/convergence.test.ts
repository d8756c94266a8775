// CONTRACT §5's client guarantees as a property: three devices change one cart (and carts of
// their own) in random order, syncing at random moments. Once all have synced, they hold the
// same log and views, and every change a device accepted is in that log, or listed as rejected
// on that device, or — decided again on top of the others' changes — found nothing left to change
// (e.g. both renamed the cart alike): none is lost without a word. Some syncs lose the answer to
// a request the server did handle, as a dropped connection would.
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { catalog } from '../../src/cart/catalog.ts';
import type { CartCommand } from '../../src/cart/commands.ts';
import { DomainError } from '../../src/es/errors.ts';
import { closeDevices, flakyFetch, logOf, newUser, openDevice, startServer, streamOf, token, type Device, type TestServer } from './helpers.ts';

const skus = catalog.slice(0, 4).map((p) => p.sku);

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.close());
afterEach(closeDevices);

type Step = { device: number; do: 'sync' | 'lossy-sync' } | { device: number; do: 'command'; command: CartCommand; own: boolean };

const command: fc.Arbitrary<CartCommand> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ type: fc.constant('AddItem' as const), data: fc.record({ sku: fc.constantFrom(...skus), quantity: fc.integer({ min: 1, max: 3 }) }) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('ChangeQuantity' as const), data: fc.record({ sku: fc.constantFrom(...skus), quantity: fc.integer({ min: 1, max: 5 }) }) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('RemoveItem' as const), data: fc.record({ sku: fc.constantFrom(...skus) }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('RenameCart' as const), data: fc.record({ name: fc.constantFrom('Home', 'Office') }) }) },
  { weight: 1, arbitrary: fc.constant({ type: 'Checkout' as const, data: {} }) },
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ device: fc.integer({ min: 0, max: 2 }), do: fc.constantFrom('sync' as const, 'lossy-sync' as const) }) },
  { weight: 3, arbitrary: fc.record({ device: fc.integer({ min: 0, max: 2 }), do: fc.constant('command' as const), command, own: fc.boolean() }) },
);

it('converges, and every accepted change is confirmed or rejected with a reason', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 24 }), async (steps) => {
      const me = { url: server.url, token: await token(newUser()) };
      const devices: Device[] = [];
      const cuts = [flakyFetch(), flakyFetch(), flakyFetch()];
      for (const cut of cuts) devices.push(await openDevice({ ...me, fetch: cut.fetch }));
      const shared = await devices[0]!.carts.openCart('Shared');
      for (const device of devices) await device.engine.syncNow();
      const own = await Promise.all(devices.map((device, i) => device.carts.openCart(`Own ${i}`)));
      const accepted = devices.map(() => new Set<string>());

      for (const s of steps) {
        const device = devices[s.device]!;
        if (s.do !== 'command') {
          if (s.do === 'lossy-sync') cuts[s.device]!.loseAnswerOf = () => true;
          expect((await device.engine.syncNow()).state).toBe(s.do === 'sync' ? 'synced' : 'offline');
          continue;
        }
        try {
          const result = await device.carts.execute(s.own ? own[s.device]! : shared, s.command);
          if (result.events.length) accepted[s.device]!.add(result.events[0]!.meta.commandId);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
        }
      }
      for (let round = 0; round < 2; round++) for (const device of devices) expect(await device.engine.syncNow()).toEqual({ state: 'synced', pending: 0 });

      const [first, ...others] = devices as [Device, ...Device[]];
      const sorted = async (device: Device) => (await logOf(device.carts)).sort((a, b) => a.position! - b.position!);
      const log = await sorted(first);
      expect(log.every((e) => e.position !== undefined)).toBe(true);
      for (const device of others) {
        expect(await sorted(device)).toEqual(log);
        expect(await streamOf(device.carts, shared)).toEqual(await streamOf(first.carts, shared));
        for (const cartId of [shared, ...own]) expect(await device.carts.view(cartId)).toEqual(await first.carts.view(cartId));
      }
      const logged = new Set(log.map((e) => e.meta.commandId));
      for (const [i, device] of devices.entries()) {
        const rejected = new Set((await device.engine.rejected()).map((r) => r.commandId));
        const journal = new Map((await device.carts.store.db.commands.toArray()).map((r) => [r.commandId, r]));
        for (const commandId of accepted[i]!) {
          const absorbed = journal.get(commandId)?.versions === null && !rejected.has(commandId);
          expect([logged.has(commandId), rejected.has(commandId), absorbed].filter(Boolean)).toEqual([true]);
        }
      }
      await closeDevices();
    }),
    { numRuns: 12 },
  );
}, 30_000);
