// CONTRACT §5 over HTTP, one suite run against every storage: SQLite always, PostgreSQL when
// DATABASE_URL is set. Each test uses users and carts of its own, so tests share one database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartlogApp } from '../../src/server/app.ts';
import type { Storage } from '../../src/server/storage/index.ts';
import {
  apiApp,
  cartEvent,
  cartEvents,
  clientFor,
  craftToken,
  newCart,
  newUser,
  storageKinds,
  token,
  unsignedToken,
  pulled,
  pushed,
  type Client,
} from './helpers.ts';

for (const kind of storageKinds) {
  describe.skipIf(kind.skip)(`sync protocol on ${kind.name}`, () => {
    let place: Awaited<ReturnType<typeof kind.place>>;
    let storage: Storage;
    let app: CartlogApp;
    const client = (userId = newUser()): Promise<Client> => clientFor(app, userId);

    beforeAll(async () => {
      place = await kind.place();
      storage = await place.open();
      app = apiApp(storage);
    });
    afterAll(async () => {
      await app?.close();
      await storage?.close();
      await place?.drop();
    });

    describe('push and pull', () => {
      it('stores a batch, answers positions in order and the head, and pulls it back', async () => {
        const alice = await client();
        const events = cartEvents(newCart(), 1, 3);
        const answer = await pushed(await alice.push(events));
        expect(answer.events.map((e) => e.id)).toEqual(events.map((e) => e.id));
        const positions = answer.events.map((e) => e.position);
        expect(positions[0]).toBeGreaterThan(0);
        expect(positions).toEqual([positions[0], positions[0]! + 1, positions[0]! + 2]);
        expect(answer.head).toBe(positions[2]);

        const page = await pulled(await alice.pull());
        expect(page).toEqual({ events: events.map((e, i) => ({ ...e, position: positions[i] })), head: answer.head, more: false, log: answer.log });
      });

      it('answers an empty push with an empty list and the head', async () => {
        const bob = await client();
        const { log } = await pushed(await bob.push([]));
        expect(log).toEqual(expect.any(String));
        expect(await pushed(await bob.push([]))).toEqual({ events: [], head: 0, log });
        const [event] = cartEvents(newCart(), 1, 1);
        const { head } = await pushed(await bob.push([event]));
        expect(await pushed(await bob.push([]))).toEqual({ events: [], head, log });
      });

      it('pulls only the caller’s events, and head is the caller’s', async () => {
        const alice = await client();
        const bob = await client();
        const mine = await pushed(await alice.push(cartEvents(newCart(), 1, 2)));
        await pushed(await bob.push(cartEvents(newCart(), 1, 2)));
        const page = await pulled(await alice.pull());
        expect(page.events.map((e) => e.position)).toEqual(mine.events.map((e) => e.position));
        expect(page.head).toBe(mine.head);
        expect(await pulled(await (await client()).pull())).toEqual({ events: [], head: 0, more: false, log: expect.any(String) });
      });
    });

    it('logs one line per request, naming the user', async () => {
      const lines: string[] = [];
      const logged = apiApp(storage, { log: (line) => lines.push(line) });
      const userId = newUser();
      await (await clientFor(logged, userId)).push([]);
      await logged.request('/v1/pull');
      expect(lines).toEqual([
        expect.stringMatching(new RegExp(`^POST /v1/push 200 \\d+(\\.\\d+)?ms user=${userId}$`)),
        expect.stringMatching(/^GET \/v1\/pull 401 \d+(\.\d+)?ms$/),
      ]);
    });

    describe('retries', () => {
      it('answers a repeated batch with the same positions and stores nothing again', async () => {
        const alice = await client();
        const events = cartEvents(newCart(), 1, 3);
        const first = await pushed(await alice.push(events));
        const again = await pushed(await alice.push(events));
        expect(again).toEqual(first);
        expect((await pulled(await alice.pull())).events).toHaveLength(3);
      });

      it('mixes retried and new events of one stream, key order ignored', async () => {
        const alice = await client();
        const cart = newCart();
        const old = cartEvents(cart, 1, 2);
        const first = await pushed(await alice.push(old));
        // The same event with its keys in another order is the same event.
        const reordered = Object.fromEntries(Object.entries(old[1]!).reverse());
        const next = cartEvent(cart, 3);
        const answer = await pushed(await alice.push([old[0], reordered, next]));
        expect(answer.events.slice(0, 2)).toEqual(first.events);
        expect(answer.events[2]!.position).toBeGreaterThan(first.head);
        expect(answer.head).toBe(answer.events[2]!.position);
      });

      it('answers the same event twice in one batch with one position', async () => {
        const alice = await client();
        const [event] = cartEvents(newCart(), 1, 1);
        const answer = await pushed(await alice.push([event, event]));
        expect(answer.events[0]).toEqual(answer.events[1]);
        expect((await pulled(await alice.pull())).events).toHaveLength(1);
      });

      it('refuses an id stored with other content, meta included: 409 id_conflict', async () => {
        const alice = await client();
        const [event] = cartEvents(newCart(), 1, 1);
        const { log } = await pushed(await alice.push([event]));
        const changed = { ...event!, meta: { ...event!.meta, at: '2030-01-01T00:00:00.000Z' } };
        const res = await alice.push([changed]);
        expect(res.status).toBe(409);
        expect(await res.json()).toEqual({ error: 'id_conflict', message: expect.any(String), index: 0, id: event!.id, log });
      });
    });

    describe('atomicity', () => {
      it('stores none of a batch with one invalid event (400 with index and field)', async () => {
        const alice = await client();
        const events = cartEvents(newCart(), 1, 3);
        events[2] = { ...events[2]!, data: { sku: 'x', name: 'X', unitPrice: 100, quantity: 100 } };
        const res = await alice.push(events);
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual({ error: 'invalid_request', message: expect.stringContaining('quantity'), index: 2, field: 'data.quantity' });
        expect((await pulled(await alice.pull())).events).toEqual([]);
      });

      it('stores none of a batch with a version conflict in another stream (409)', async () => {
        const alice = await client();
        const other = newCart();
        await pushed(await alice.push(cartEvents(other, 1, 1)));
        const before = await pulled(await alice.pull());
        const res = await alice.push([...cartEvents(newCart(), 1, 2), cartEvent(other, 5)]);
        expect(res.status).toBe(409);
        expect(await pulled(await alice.pull())).toEqual(before);
      });

      it('stores none of a batch touching another user’s stream (403)', async () => {
        const alice = await client();
        const bob = await client();
        const bobs = newCart();
        await pushed(await bob.push(cartEvents(bobs, 1, 1)));
        const res = await alice.push([...cartEvents(newCart(), 1, 2), cartEvent(bobs, 2)]);
        expect(res.status).toBe(403);
        expect((await pulled(await alice.pull())).events).toEqual([]);
      });
    });

    describe('versions', () => {
      it('wants the first new event at the stream version + 1: 409 version_conflict', async () => {
        const alice = await client();
        const cart = newCart();
        const { log } = await pushed(await alice.push(cartEvents(cart, 1, 2)));
        for (const version of [2, 4]) {
          const res = await alice.push([cartEvent(cart, version)]);
          expect(res.status).toBe(409);
          expect(await res.json()).toEqual({
            error: 'version_conflict',
            message: expect.any(String),
            index: 0,
            streamId: cart,
            expectedVersion: 3,
            receivedVersion: version,
            log,
          });
        }
        await pushed(await alice.push([cartEvent(cart, 3)]));
      });

      it('wants a new stream to start at version 1, and a batch to be contiguous', async () => {
        const alice = await client();
        const cart = newCart();
        const res = await alice.push([cartEvent(cart, 2)]);
        expect(res.status).toBe(409);
        expect(await res.json()).toMatchObject({ streamId: cart, expectedVersion: 1, receivedVersion: 2 });

        const gap = await alice.push([cartEvent(cart, 1), cartEvent(cart, 3)]);
        expect(gap.status).toBe(409);
        expect(await gap.json()).toMatchObject({ error: 'version_conflict', index: 1, streamId: cart, expectedVersion: 1, receivedVersion: 3 });
      });

      it('interleaves streams in one batch', async () => {
        const alice = await client();
        const [a, b] = [newCart(), newCart()];
        await pushed(await alice.push([cartEvent(a, 1), cartEvent(b, 1), cartEvent(a, 2), cartEvent(b, 2)]));
      });
    });

    describe('ownership', () => {
      it('gives a stream to its first pusher: another user gets 403 forbidden with streamId', async () => {
        const alice = await client();
        const bob = await client();
        const cart = newCart();
        const [first] = cartEvents(cart, 1, 1);
        await pushed(await alice.push([first]));
        for (const events of [[cartEvent(cart, 2)], [first]]) {
          const res = await bob.push(events);
          expect(res.status).toBe(403);
          expect(await res.json()).toEqual({ error: 'forbidden', message: expect.any(String), index: 0, streamId: cart });
        }
        expect((await pulled(await bob.pull())).events).toEqual([]);
      });
    });

    describe('auth', () => {
      const pullWith = (authorization?: string) =>
        app.request('/v1/pull', { headers: authorization === undefined ? {} : { authorization } });
      const expectUnauthorized = async (res: Response) => {
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ error: 'unauthorized', message: expect.any(String) });
      };

      it('refuses a missing token, another scheme and garbage', async () => {
        await expectUnauthorized(await pullWith());
        await expectUnauthorized(await pullWith(`Basic ${Buffer.from('a:b').toString('base64')}`));
        await expectUnauthorized(await pullWith('Bearer not-a-jwt'));
      });

      it('refuses a bad signature, alg none, another algorithm and an expired token', async () => {
        const sub = newUser();
        const exp = Math.floor(Date.now() / 1000) + 60;
        await expectUnauthorized(await pullWith(`Bearer ${await craftToken({ sub, exp }, { secret: 'wrong' })}`));
        await expectUnauthorized(await pullWith(`Bearer ${unsignedToken({ sub, exp })}`));
        await expectUnauthorized(await pullWith(`Bearer ${await craftToken({ sub, exp }, { alg: 'HS512' })}`));
        const expired = await pullWith(`Bearer ${await craftToken({ sub, exp: Math.floor(Date.now() / 1000) - 1 })}`);
        await expectUnauthorized(expired);
      });

      it('refuses a token without a user', async () => {
        await expectUnauthorized(await pullWith(`Bearer ${await craftToken({ exp: Math.floor(Date.now() / 1000) + 60 })}`));
      });

      it('refuses a sub with control characters or lone surrogates (401), on push and pull alike', async () => {
        for (const sub of ['x\u0000', 'x\n', 'x\u007f', 'x\u0085', 'x\ud800', '\udc00x', 'x'.repeat(201)]) {
          const authorization = `Bearer ${await craftToken({ sub })}`;
          await expectUnauthorized(await pullWith(authorization));
          await expectUnauthorized(await app.request('/v1/push', { method: 'POST', headers: { authorization }, body: JSON.stringify({ deviceId: 'd', events: [] }) }));
        }
        // Well-formed text of any script is a user id; x\ufffd is not x\ud800 in disguise.
        for (const sub of ['x\ufffd', 'Zoë 😀', 'a b']) expect((await pullWith(`Bearer ${await craftToken({ sub: `${sub}-${newUser()}` })}`)).status).toBe(200);
      });

      it('accepts a token without exp, and a minted one', async () => {
        expect((await pullWith(`Bearer ${await craftToken({ sub: newUser() })}`)).status).toBe(200);
        expect((await pullWith(`Bearer ${await token(newUser())}`)).status).toBe(200);
      });

      it('guards push too', async () => {
        const res = await app.request('/v1/push', { method: 'POST', body: JSON.stringify({ deviceId: 'd', events: [] }) });
        await expectUnauthorized(res);
      });
    });

    describe('invalid requests', () => {
      const invalid = async (res: Response, details: Record<string, unknown>) => {
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual({ error: 'invalid_request', message: expect.any(String), ...details });
      };
      const raw = async (body: string) =>
        app.request('/v1/push', { method: 'POST', headers: { authorization: `Bearer ${await token(newUser())}` }, body });

      it('refuses malformed JSON and a body of the wrong shape', async () => {
        await invalid(await raw('{"deviceId": "d", "events": ['), { field: 'body' });
        await invalid(await raw(''), { field: 'body' });
        await invalid(await raw('[]'), { field: 'body' });
        await invalid(await raw('{"deviceId": "d"}'), { field: 'events' });
        await invalid(await raw('{"deviceId": "d", "events": {}}'), { field: 'events' });
        await invalid(await raw('{"deviceId": 7, "events": []}'), { field: 'deviceId' });
        await invalid(await raw(JSON.stringify({ deviceId: 'd'.repeat(101), events: [] })), { field: 'deviceId' });
        await invalid(await raw('{"deviceId": "", "events": []}'), { field: 'deviceId' });
        expect((await raw(JSON.stringify({ deviceId: 'd'.repeat(100), events: [] }))).status).toBe(200);
      });

      it('names the first bad event and its field', async () => {
        const alice = await client();
        const cart = newCart();
        const cases: [Record<string, unknown>, string][] = [
          [{ version: '2' }, 'version'],
          [{ version: 0 }, 'version'],
          [{ id: 'not-a-uuid' }, 'id'],
          [{ streamId: 'order-1' }, 'streamId'],
          [{ type: 'ItemStolen' }, 'type'],
          [{ schemaVersion: 2 }, 'schemaVersion'],
          [{ data: { sku: 'a', name: 'A', unitPrice: -1, quantity: 1 } }, 'data.unitPrice'],
          [{ data: { sku: 'a', name: 'A', unitPrice: 1.5, quantity: 1 } }, 'data.unitPrice'],
          [{ data: { sku: 'a', name: 'A', unitPrice: 1, quantity: 0 } }, 'data.quantity'],
          [{ type: 'CartOpened', data: { name: '' } }, 'data.name'],
          [{ type: 'CartOpened', data: { name: 'x'.repeat(81) } }, 'data.name'],
          [{ meta: { at: 'yesterday', deviceId: crypto.randomUUID(), commandId: crypto.randomUUID() } }, 'meta.at'],
          [{ position: 7 }, 'position'],
          [{ extra: true }, 'extra'],
        ];
        for (const [change, field] of cases) {
          const events = [cartEvent(cart, 1), { ...cartEvent(cart, 2), ...change }];
          await invalid(await alice.push(events), { index: 1, field });
        }
        await invalid(await alice.push([null]), { index: 0, field: 'event' });
        expect((await pulled(await alice.pull())).events).toEqual([]);
      });

      it('refuses out-of-range pull parameters', async () => {
        const alice = await client();
        for (const [query, field] of [
          ['after=-1', 'after'],
          ['after=abc', 'after'],
          ['after=1.5', 'after'],
          ['limit=0', 'limit'],
          ['limit=1001', 'limit'],
          ['wait=31', 'wait'],
          ['wait=', 'wait'],
        ]) {
          await invalid(await alice.pull(query), { field });
        }
        expect((await alice.pull('after=0&limit=1000&wait=0')).status).toBe(200);
      });
    });

    describe('limits', () => {
      it('refuses more than 1000 events: 413 too_large', async () => {
        const alice = await client();
        const res = await alice.push(cartEvents(newCart(), 1, 1001));
        expect(res.status).toBe(413);
        expect(await res.json()).toEqual({ error: 'too_large', message: expect.stringContaining('1000') });
        await pushed(await alice.push(cartEvents(newCart(), 1, 1000)));
      });

      it('refuses a body over 1 MiB, declared or streamed', async () => {
        const authorization = `Bearer ${await token(newUser())}`;
        const body = JSON.stringify({ deviceId: 'd', events: [], padding: 'x'.repeat(1_048_576) });
        const declared = await app.request('/v1/push', { method: 'POST', headers: { authorization }, body });
        expect(declared.status).toBe(413);
        expect(await declared.json()).toMatchObject({ error: 'too_large' });

        const stream = new ReadableStream({
          start(controller) {
            for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(300_000)));
            controller.close();
          },
        });
        const request = new Request('http://localhost/v1/push', { method: 'POST', headers: { authorization }, body: stream, duplex: 'half' } as RequestInit);
        expect((await app.request(request)).status).toBe(413);
      });

      it('limits each user’s request rate: 429 with Retry-After', async () => {
        const limited = apiApp(storage, { rateLimit: 3 });
        const alice = await clientFor(limited, newUser());
        for (let i = 0; i < 3; i++) expect((await alice.pull()).status).toBe(200);
        const res = await alice.pull();
        expect(res.status).toBe(429);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        const body = await res.json();
        expect(body).toEqual({ error: 'rate_limited', message: expect.any(String), retryAfterMs: expect.any(Number) });
        expect(body.retryAfterMs).toBeGreaterThan(0);
        // Another user has a budget of their own.
        expect((await (await clientFor(limited, newUser())).pull()).status).toBe(200);
      });
    });

    describe('check order: 401 → 413 → 429 → 400 → 403 → 409', () => {
      const huge = JSON.stringify({ deviceId: 'd', events: [], padding: 'x'.repeat(1_100_000) });

      it('answers 401 before 413', async () => {
        const res = await app.request('/v1/push', { method: 'POST', headers: { authorization: 'Bearer nope' }, body: huge });
        expect(res.status).toBe(401);
      });

      it('answers 413 from the headers before 429, and 429 before 400', async () => {
        const limited = apiApp(storage, { rateLimit: 1 });
        const authorization = `Bearer ${await token(newUser())}`;
        // As a real client sends it: app.request() adds no Content-Length by itself.
        const post = (body: string) =>
          limited.request('/v1/push', { method: 'POST', headers: { authorization, 'content-length': String(Buffer.byteLength(body)) }, body });
        expect((await post('{"deviceId": "d", "events": []}')).status).toBe(200);
        expect((await post(huge)).status).toBe(413);
        // Too many events shows only in the body, which a user over the request rate never gets to send.
        expect((await post(JSON.stringify({ deviceId: 'd', events: cartEvents(newCart(), 1, 1001) }))).status).toBe(429);
        expect((await post('{not json')).status).toBe(429);
      });

      it('answers 400 before 403, and 403 before 409', async () => {
        const alice = await client();
        const bob = await client();
        const bobs = newCart();
        await pushed(await bob.push(cartEvents(bobs, 1, 1)));
        const invalid = { ...cartEvent(newCart(), 1), type: 'Nope' };
        expect((await alice.push([cartEvent(bobs, 2), invalid])).status).toBe(400);
        // A version conflict in alice's own stream first, bob's stream after: still 403.
        const own = newCart();
        expect((await alice.push([cartEvent(own, 3), cartEvent(bobs, 2)])).status).toBe(403);
      });
    });

    describe('CORS', () => {
      let cross: CartlogApp;
      beforeAll(() => {
        cross = apiApp(storage, { corsOrigins: ['https://shop.example'] });
      });
      const preflight = (origin: string) =>
        cross.request('/v1/push', {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
        });

      it('answers a listed origin’s pre-flight with the allowed methods and headers', async () => {
        const res = await preflight('https://shop.example');
        expect(res.status).toBe(204);
        expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
        expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST');
        expect(res.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
      });

      it('answers another origin’s pre-flight with 204 and no Access-Control-Allow-* header', async () => {
        for (const res of [await preflight('https://evil.example'), await app.request('/v1/pull', { method: 'OPTIONS', headers: { origin: 'https://shop.example' } })]) {
          expect(res.status).toBe(204);
          expect([...res.headers.keys()].filter((name) => name.startsWith('access-control-allow'))).toEqual([]);
        }
      });

      it('marks a listed origin’s actual requests, errors included', async () => {
        const authorization = `Bearer ${await token(newUser())}`;
        const ok = await cross.request('/v1/pull', { headers: { origin: 'https://shop.example', authorization } });
        expect(ok.status).toBe(200);
        expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example');
        const refused = await cross.request('/v1/pull', { headers: { origin: 'https://shop.example' } });
        expect(refused.status).toBe(401);
        expect(refused.headers.get('access-control-allow-origin')).toBe('https://shop.example');
        const other = await cross.request('/v1/pull', { headers: { origin: 'https://evil.example', authorization } });
        expect(other.headers.get('access-control-allow-origin')).toBeNull();
      });
    });

    describe('pull paging', () => {
      it('pages by after and limit, with more and head', async () => {
        const alice = await client();
        const { events: acked, head } = await pushed(await alice.push(cartEvents(newCart(), 1, 5)));
        const positions = acked.map((e) => e.position);

        const first = await pulled(await alice.pull('limit=2'));
        expect(first.events.map((e) => e.position)).toEqual(positions.slice(0, 2));
        expect(first).toMatchObject({ head, more: true });
        const second = await pulled(await alice.pull(`after=${positions[1]}&limit=2`));
        expect(second.events.map((e) => e.position)).toEqual(positions.slice(2, 4));
        expect(second.more).toBe(true);
        const last = await pulled(await alice.pull(`after=${positions[3]}&limit=2`));
        expect(last.events.map((e) => e.position)).toEqual(positions.slice(4));
        expect(last.more).toBe(false);
        expect(await pulled(await alice.pull(`after=${head}`))).toEqual({ events: [], head, more: false, log: first.log });
        expect((await pulled(await alice.pull(`after=${positions[3]}&limit=1`))).more).toBe(false);
      });
    });

    describe('long-poll', () => {
      it('answers a held pull within 1 s of a commit', async () => {
        const alice = await client();
        const cart = newCart();
        const { head } = await pushed(await alice.push(cartEvents(cart, 1, 1)));
        const held = alice.pull(`after=${head}&wait=10`);
        await new Promise((resolve) => setTimeout(resolve, 150));
        const [event] = cartEvents(cart, 2, 1);
        await pushed(await alice.push([event]));
        const committed = Date.now();
        const page = await pulled(await held);
        expect(Date.now() - committed).toBeLessThan(1000);
        expect(page.events.map((e) => e.id)).toEqual([event!.id]);
      });

      it('is not woken by another user’s commit, and answers empty when wait runs out', async () => {
        const alice = await client();
        const bob = await client();
        const started = Date.now();
        const held = alice.pull('wait=1');
        await pushed(await bob.push(cartEvents(newCart(), 1, 1)));
        expect(await pulled(await held)).toEqual({ events: [], head: 0, more: false, log: expect.any(String) });
        expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      });

      it('answers at once when there is something already', async () => {
        const alice = await client();
        await pushed(await alice.push(cartEvents(newCart(), 1, 1)));
        const started = Date.now();
        expect((await pulled(await alice.pull('wait=30'))).events).toHaveLength(1);
        expect(Date.now() - started).toBeLessThan(500);
      });

      it('answers held pulls at once on close(), finishes them, and refuses data requests after', async () => {
        const closing = apiApp(storage);
        const alice = await clientFor(closing, newUser());
        const held = [alice.pull('wait=30'), alice.pull('wait=30')];
        await new Promise((resolve) => setTimeout(resolve, 100));
        const started = Date.now();
        await closing.close();
        for (const res of await Promise.all(held)) expect(await pulled(res)).toEqual({ events: [], head: 0, more: false, log: expect.any(String) });
        expect(Date.now() - started).toBeLessThan(500);
        const after = await alice.pull();
        expect(after.status).toBe(503);
        expect(await after.json()).toMatchObject({ error: 'unavailable' });
        expect((await closing.request('/v1/health')).status).toBe(200);
      });
    });

    describe('ordering', () => {
      it('lets a concurrent puller see every acknowledged event once, in position order', async () => {
        const userId = newUser();
        // Four: the most uploads one user may have in flight.
        const pushers = await Promise.all(Array.from({ length: 4 }, () => clientFor(app, userId)));
        await expectRaceSeenInOrder(pushers, await clientFor(app, userId));
      }, 30_000);
    });

    describe('two server processes on one database', () => {
      /** A second instance with a storage of its own (its own pool, connection or file handle) on the same data. */
      const withSecondInstance = async (work: (other: CartlogApp) => Promise<void>) => {
        const otherStorage = await place.open();
        const other = apiApp(otherStorage);
        try {
          await work(other);
        } finally {
          await other.close();
          await otherStorage.close();
        }
      };

      it('wakes a pull held by one instance within 1 s of a push to the other', () =>
        withSecondInstance(async (other) => {
          const userId = newUser();
          const here = await clientFor(app, userId);
          const there = await clientFor(other, userId);
          const held = there.pull('wait=10');
          await new Promise((resolve) => setTimeout(resolve, 150));
          const [event] = cartEvents(newCart(), 1, 1);
          await pushed(await here.push([event]));
          const committed = Date.now();
          const page = await pulled(await held);
          expect(Date.now() - committed).toBeLessThan(1000);
          expect(page.events.map((e) => e.id)).toEqual([event!.id]);
        }));

      it('keeps commit order = position order when both instances push at once', () =>
        withSecondInstance(async (other) => {
          const userId = newUser();
          const pushers = await Promise.all([app, other, app, other, app, other].map((instance) => clientFor(instance, userId)));
          await expectRaceSeenInOrder(pushers, await clientFor(other, userId));
        }), 30_000);
    });

    describe('deleting a user', () => {
      it('removes their log and streams, refuses older tokens (401), and a new token starts a new log', async () => {
        const aliceId = newUser();
        const alice = await client(aliceId);
        const bob = await client();
        const cart = newCart();
        const { log } = await pushed(await alice.push(cartEvents(cart, 1, 3)));
        expect(await storage.deleteUser(aliceId)).toBe(3);
        // The devices holding the old token stop, instead of uploading it all again.
        for (const res of [await alice.pull(), await alice.push(cartEvents(newCart(), 1, 1))]) {
          expect(res.status).toBe(401);
          expect(await res.json()).toMatchObject({ error: 'unauthorized' });
        }
        const again = await client(aliceId);
        const fresh = await pulled(await again.pull());
        expect(fresh).toEqual({ events: [], head: 0, more: false, log: expect.any(String) });
        expect(fresh.log).not.toBe(log);
        // The stream is free again.
        expect((await pushed(await bob.push(cartEvents(cart, 1, 1)))).events[0]!.position).toBe(1);
      });

      it('takes the push lock: a push racing it either lands before and is deleted, or is refused', async () => {
        const aliceId = newUser();
        const alice = await client(aliceId);
        const cart = newCart();
        await pushed(await alice.push(cartEvents(cart, 1, 3)));
        const [racing] = await Promise.all([alice.push(cartEvents(cart, 4, 2)), storage.deleteUser(aliceId)]);
        expect([200, 401]).toContain(racing.status);
        // A new device (new token) finds nothing, and the stream starts again at version 1.
        const again = await client(aliceId);
        expect((await pulled(await again.pull())).events).toEqual([]);
        expect((await pushed(await again.push(cartEvents(cart, 1, 1)))).head).toBe(1);
      });
    });
  });
}

/**
 * Pushers (a cart each) race a puller that follows the log with long-polls: the puller must see
 * every acknowledged event exactly once, in ascending position — it never moves past a position
 * while a lower one is still to commit.
 */
async function expectRaceSeenInOrder(pushers: Client[], puller: Client, rounds = 12): Promise<void> {
  const acked = new Map<string, number>();
  const seen: { id: string; position: number }[] = [];
  let pushing = true;
  const follow = async () => {
    let after = 0;
    while (pushing || after < Math.max(0, ...acked.values())) {
      const page = await pulled(await puller.pull(`after=${after}&limit=7&wait=1`));
      seen.push(...page.events.map(({ id, position }) => ({ id, position })));
      after = page.events.at(-1)?.position ?? after;
    }
  };
  const push = async (pusher: Client) => {
    const cart = newCart();
    let version = 1;
    for (let round = 0; round < rounds; round++) {
      const size = 1 + (round % 3);
      const answer = await pushed(await pusher.push(cartEvents(cart, version, size)));
      version += size;
      for (const { id, position } of answer.events) acked.set(id, position);
    }
  };
  const following = follow();
  await Promise.all(pushers.map(push));
  pushing = false;
  await following;

  const positions = seen.map((e) => e.position);
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
  expect(new Set(positions).size).toBe(positions.length);
  expect(new Map(seen.map((e) => [e.id, e.position]))).toEqual(acked);
}
