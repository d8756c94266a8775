// CONTRACT §5 "Log identity": one log per user, positions and ids per user, `log` in every 200
// and 409, pull's `check` → 409 cursor_mismatch, and stream ownership races. On every storage.
import { describe, expect, it } from 'vitest';
import { apiApp, cartEvent, cartEvents, clientFor, newCart, newUser, onStorage, pulled, pushed, storageKinds, type Client } from './helpers.ts';

for (const kind of storageKinds) {
  describe.skipIf(kind.skip)(`one log per user on ${kind.name}`, () => {
    const suite = onStorage(kind);
    const client = (userId = newUser()): Promise<Client> => clientFor(suite.app, userId);

    it('draws a log on the first pull and keeps it for every push and pull after, one per user', async () => {
      const alice = await client();
      const { log } = await pulled(await alice.pull());
      expect(log).toMatch(/^\S{1,100}$/);
      expect((await pushed(await alice.push(cartEvents(newCart(), 1, 2)))).log).toBe(log);
      expect((await pulled(await alice.pull('after=1'))).log).toBe(log);
      expect((await pushed(await (await client()).push([]))).log).not.toBe(log);
    });

    it('numbers each user’s events from 1, with no gaps from other users’ pushes', async () => {
      const alice = await client();
      const bob = await client();
      const first = await pushed(await alice.push(cartEvents(newCart(), 1, 2)));
      await pushed(await bob.push(cartEvents(newCart(), 1, 5)));
      const second = await pushed(await alice.push(cartEvents(newCart(), 1, 2)));
      expect([...first.events, ...second.events].map((e) => e.position)).toEqual([1, 2, 3, 4]);
      expect(second.head).toBe(4);
    });

    it('keeps event ids per user: another user holding an id changes nothing for this one', async () => {
      const alice = await client();
      const bob = await client();
      const [hers] = cartEvents(newCart(), 1, 1);
      // Bob pushes alice's event id first (say, from her export file), into a cart of his.
      await pushed(await bob.push([{ ...cartEvent(newCart(), 1), id: hers!.id }]));
      const answer = await pushed(await alice.push([hers]));
      expect(answer.events).toEqual([{ id: hers!.id, position: 1 }]);
      expect((await pulled(await alice.pull())).events).toEqual([{ ...hers, position: 1 }]);
    });

    describe('check', () => {
      it('answers 200 when the caller holds the log’s event at after', async () => {
        const alice = await client();
        const { events } = await pushed(await alice.push(cartEvents(newCart(), 1, 3)));
        const page = await pulled(await alice.pull(`after=2&check=${events[1]!.id}`));
        expect(page.events.map((e) => e.id)).toEqual([events[2]!.id]);
      });

      it('answers 409 cursor_mismatch with log and head for another id, or a position the log lacks — at once, also with wait', async () => {
        const alice = await client();
        const { events, head, log } = await pushed(await alice.push(cartEvents(newCart(), 1, 3)));
        for (const query of [`after=2&check=${events[0]!.id}`, `after=${head + 5}&check=${events[0]!.id}&wait=30`]) {
          const started = Date.now();
          const res = await alice.pull(query);
          expect(res.status).toBe(409);
          expect(await res.json()).toEqual({ error: 'cursor_mismatch', message: expect.any(String), log, head });
          expect(Date.now() - started).toBeLessThan(5000);
        }
      });

      it('refuses check with after=0 and a check that is no event id: 400 field check', async () => {
        const alice = await client();
        for (const query of [`after=0&check=${crypto.randomUUID()}`, `check=${crypto.randomUUID()}`, 'after=1&check=nope']) {
          const res = await alice.pull(query);
          expect(res.status).toBe(400);
          expect(await res.json()).toMatchObject({ error: 'invalid_request', field: 'check' });
        }
      });
    });

    describe('stream ownership races', () => {
      /** Two users push the same new stream at once, through two server instances sharing the data. */
      it('gives a stream pushed by two users at once to one of them: the other gets 403, never a 500', async () => {
        const otherStorage = await suite.place.open();
        const other = apiApp(otherStorage);
        try {
          for (let round = 0; round < 8; round++) {
            const cart = newCart();
            const alice = await clientFor(suite.app, newUser());
            const bob = await clientFor(other, newUser());
            // A second stream in another order, so the two pushes claim streams crosswise.
            const spare = newCart();
            const answers = await Promise.all([
              alice.push([cartEvent(cart, 1), cartEvent(spare, 1)]),
              bob.push([cartEvent(spare, 1), cartEvent(cart, 1)]),
            ]);
            expect(answers.map((res) => res.status).sort()).toEqual([200, 403]);
            const loser = answers[0]!.status === 403 ? alice : bob;
            expect((await pulled(await loser.pull())).events).toEqual([]);
          }
        } finally {
          await other.close();
          await otherStorage.close();
        }
      }, 30_000);
    });
  });
}
