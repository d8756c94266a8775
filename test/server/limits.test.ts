// CONTRACT §5 "Cost": the two-phase 413/429, the event rate, the uploads in flight and the
// storage quota (507), on every storage.
import { describe, expect, it } from 'vitest';
import { apiApp, cartEvent, cartEvents, clientFor, newCart, newUser, onStorage, pulled, pushed, storageKinds, token } from './helpers.ts';

const expectRateLimited = async (res: Response) => {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  const body = await res.json();
  expect(body).toEqual({ error: 'rate_limited', message: expect.any(String), retryAfterMs: expect.any(Number) });
  expect(body.retryAfterMs).toBeGreaterThan(0);
  return body as { retryAfterMs: number };
};

for (const kind of storageKinds) {
  describe.skipIf(kind.skip)(`cost limits on ${kind.name}`, () => {
    const suite = onStorage(kind);

    describe('event rate', () => {
      it('counts every event, duplicates included, with a burst of at least a full push', async () => {
        // One event per second: the burst is still 1000, so a full push fits once.
        const limited = apiApp(suite.storage, { eventRateLimit: 1 });
        const alice = await clientFor(limited, newUser());
        const events = cartEvents(newCart(), 1, 600);
        await pushed(await alice.push(events));
        // The same 600 again store nothing, but cost as much.
        const { retryAfterMs } = await expectRateLimited(await alice.push(events));
        expect(retryAfterMs).toBeGreaterThan(100_000);
        // Another user has a budget of their own.
        await pushed(await (await clientFor(limited, newUser())).push(cartEvents(newCart(), 1, 1000)));
      });

      it('checks the body’s 413 before the event rate’s 429, and an event-free body costs nothing', async () => {
        const limited = apiApp(suite.storage, { eventRateLimit: 1 });
        const alice = await clientFor(limited, newUser());
        await pushed(await alice.push(cartEvents(newCart(), 1, 1000)));
        expect((await alice.push(cartEvents(newCart(), 1, 1001))).status).toBe(413);
        await expectRateLimited(await alice.push(cartEvents(newCart(), 1, 1)));
        expect((await alice.push([])).status).toBe(200);
      });
    });

    it('lets a user have at most 4 uploads in flight: the fifth is 429 at once, others go on', async () => {
      const app = suite.app;
      const userId = newUser();
      const authorization = `Bearer ${await token(userId)}`;
      const finishers: (() => void)[] = [];
      const reading: Promise<void>[] = [];
      // A body that arrives only when told: the upload is in flight until then. Its server has
      // started reading it (so counts it in flight) once it asks for more than the first bytes.
      const slowUpload = () => {
        const body = new TextEncoder().encode(JSON.stringify({ deviceId: 'd', events: [cartEvent(newCart(), 1)] }));
        let read!: () => void;
        reading.push(new Promise<void>((resolve) => (read = resolve)));
        const stream = new ReadableStream<Uint8Array>(
          {
            start(controller) {
              controller.enqueue(body.subarray(0, 10));
              finishers.push(() => {
                controller.enqueue(body.subarray(10));
                controller.close();
              });
            },
            pull: () => read(),
          },
          { highWaterMark: 0 },
        );
        return app.request(new Request('http://localhost/v1/push', { method: 'POST', headers: { authorization }, body: stream, duplex: 'half' } as RequestInit));
      };
      const uploads = Array.from({ length: 4 }, slowUpload);
      await Promise.all(reading);
      await expectRateLimited(await (await clientFor(app, userId)).push(cartEvents(newCart(), 1, 1)));
      expect((await (await clientFor(app, newUser())).push(cartEvents(newCart(), 1, 1))).status).toBe(200);
      finishers.forEach((finish) => finish());
      for (const res of await Promise.all(uploads)) expect(res.status).toBe(200);
      // Done: the slots are free again.
      expect((await (await clientFor(app, userId)).push(cartEvents(newCart(), 1, 1))).status).toBe(200);
    });

    describe('quota', () => {
      it('refuses a push that would take the user past it: 507 quota_exceeded with limit, nothing stored', async () => {
        const small = apiApp(suite.storage, { userQuota: 5 });
        const alice = await clientFor(small, newUser());
        const cart = newCart();
        const first = cartEvents(cart, 1, 3);
        await pushed(await alice.push(first));
        const over = await alice.push(cartEvents(cart, 4, 3));
        expect(over.status).toBe(507);
        expect(await over.json()).toEqual({ error: 'quota_exceeded', message: expect.any(String), limit: 5 });
        expect((await pulled(await alice.pull())).events).toHaveLength(3);
        // Retries are not new events; up to the quota itself is fine.
        await pushed(await alice.push(first));
        await pushed(await alice.push(cartEvents(cart, 4, 2)));
        expect((await alice.push(cartEvents(cart, 6, 1))).status).toBe(507);
      });

      it('answers 409 before 507', async () => {
        const small = apiApp(suite.storage, { userQuota: 2 });
        const alice = await clientFor(small, newUser());
        const cart = newCart();
        await pushed(await alice.push(cartEvents(cart, 1, 2)));
        const res = await alice.push([cartEvent(cart, 5)]);
        expect(res.status).toBe(409);
        expect(await res.json()).toMatchObject({ error: 'version_conflict', log: expect.any(String) });
      });
    });
  });
}
