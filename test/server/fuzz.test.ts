// Seeded fuzz of POST /v1/push on every storage (CONTRACT §5): 2,000 random mutations of valid
// push bodies per storage — fields removed, replaced by odd values (control characters, lone
// surrogates, huge or fractional numbers, other types), extra keys, truncated JSON, conflicts,
// other users' streams. Every answer must be 200 or the contract's 4xx JSON for its status,
// never 5xx, never slower than 5 s; an unmutated valid body must be accepted; and at the end
// each user's pull must equal exactly what was accepted, at the positions answered.
// FUZZ_SEED=<n> replays a run (FUZZ_RUNS=<n> makes it longer); a failure prints its seed.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConfirmedEvent, PullResponse, PushResponse, PushedEvent } from '../../src/sync/protocol.ts';
import { cartEvent, newCart, newUser, onStorage, storageKinds, token } from './helpers.ts';

/** 2,000 per storage in CI; FUZZ_RUNS=<n> for a longer run by hand. */
const MUTATIONS = Number(process.env.FUZZ_RUNS) || 2000;
const USERS = 4;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);

/** The error code each refused status must carry (CONTRACT §5). */
const CODES: Record<number, string[]> = {
  400: ['invalid_request'],
  403: ['forbidden'],
  409: ['id_conflict', 'version_conflict'],
  413: ['too_large'],
  429: ['rate_limited'],
  507: ['quota_exceeded'],
};

const EVENT_PATHS = [
  'id',
  'streamId',
  'version',
  'type',
  'schemaVersion',
  'data',
  'data.sku',
  'data.name',
  'data.unitPrice',
  'data.quantity',
  'meta',
  'meta.at',
  'meta.deviceId',
  'meta.commandId',
  'meta.correlationId',
  'position',
] as const;

const oddValue = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', 'x\ud800', '\udc00y', '\u2028', '💥', 'a'.repeat(300), 'cart-not-a-uuid', '2026-13-40T25:00:00Z'),
  fc.constantFrom(-1, 0, 1, 99, 100, 1.5, 1e308, -0, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER),
  fc.constantFrom(null, true, [], {}, [1], { a: 1 }),
);

const mutation = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), path: fc.constantFrom(...EVENT_PATHS), value: oddValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), path: fc.constantFrom(...EVENT_PATHS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extra' as const), at: fc.nat(), key: fc.string({ maxLength: 8 }), value: oddValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deviceId' as const), value: oddValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('body' as const), value: oddValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('conflict' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('versionShift' as const), at: fc.nat(), by: fc.integer({ min: -3, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('twice' as const), at: fc.nat() }) },
);

const step = fc.record({
  user: fc.nat(USERS - 1),
  base: fc.constantFrom('next', 'new', 'retry', 'mixed', 'foreign', 'empty'),
  size: fc.integer({ min: 1, max: 4 }),
  type: fc.constantFrom('ItemAdded', 'CartOpened', 'ItemQuantityChanged', 'ItemRemoved', 'CartCheckedOut', 'CartCleared'),
  mutation,
});
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

const DATA: Record<string, Record<string, unknown>> = {
  ItemAdded: { sku: 'sku-1', name: 'Oat milk', unitPrice: 199, quantity: 2 },
  CartOpened: { name: 'Weekly shop' },
  ItemQuantityChanged: { sku: 'sku-1', quantity: 3 },
  ItemRemoved: { sku: 'sku-1' },
  CartCheckedOut: { total: 597, itemCount: 3 },
  CartCleared: {},
};

interface Model {
  users: string[];
  /** Every accepted event of each user, by id, with its position. */
  accepted: Map<string, Map<string, ConfirmedEvent>>;
  /** Each stream's owner and version, as the server holds them. */
  streams: Map<string, { owner: number; version: number }>;
}

function validBatch(model: Model, { user, base, size, type }: Step): PushedEvent[] {
  const mine = [...model.streams].filter(([, s]) => s.owner === user);
  const foreign = [...model.streams].filter(([, s]) => s.owner !== user);
  const retries = [...model.accepted.get(model.users[user]!)!.values()].map(({ position: _, ...event }) => event as PushedEvent);
  const next = (streamId: string, from: number) =>
    Array.from({ length: size }, (_, n) => cartEvent(streamId, from + n, { type, data: DATA[type] }));
  switch (base) {
    case 'empty':
      return [];
    case 'retry':
      if (retries.length > 0) return retries.slice(-size);
      return next(newCart(), 1);
    case 'foreign':
      if (foreign.length > 0) return next(foreign[0]![0], foreign[0]![1].version + 1);
      return next(newCart(), 1);
    case 'mixed':
      if (mine.length > 0 && retries.length > 0) return [retries.at(-1)!, ...next(mine.at(-1)![0], mine.at(-1)![1].version + 1)];
      return next(newCart(), 1);
    case 'next':
      if (mine.length > 0) return next(mine.at(-1)![0], mine.at(-1)![1].version + 1);
      return next(newCart(), 1);
    default:
      return next(newCart(), 1);
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown, remove = false): void {
  const keys = path.split('.');
  let node: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  if (remove) delete node[keys.at(-1)!];
  else node[keys.at(-1)!] = value;
}

/** The body to send (a string: some mutations are not even JSON) and whether it is the valid one unchanged. */
function mutate(events: PushedEvent[], { mutation: m }: Step): { text: string; valid: boolean } {
  const copy = structuredClone(events) as unknown as Record<string, unknown>[];
  const body: Record<string, unknown> = { deviceId: 'fuzz-device', events: copy };
  const pick = (at: number) => copy[at % Math.max(1, copy.length)];
  switch (m.kind) {
    case 'none':
      return { text: JSON.stringify(body), valid: true };
    case 'set':
    case 'delete': {
      const event = pick(m.at);
      if (event) setPath(event, m.path, m.kind === 'set' ? m.value : undefined, m.kind === 'delete');
      break;
    }
    case 'extra': {
      const event = pick(m.at);
      if (event) event[m.key] = m.value;
      break;
    }
    case 'deviceId':
      body.deviceId = m.value;
      break;
    case 'body':
      return { text: JSON.stringify(m.value) ?? 'undefined', valid: false };
    case 'truncate': {
      const text = JSON.stringify(body);
      return { text: text.slice(0, m.at % text.length), valid: false };
    }
    case 'conflict': {
      // The same id with other content: a retry that changed.
      const event = pick(m.at);
      if (event) (event.meta as Record<string, unknown>).at = '2031-01-01T00:00:00.000Z';
      break;
    }
    case 'versionShift': {
      const event = pick(m.at);
      if (event) event.version = (event.version as number) + m.by;
      break;
    }
    case 'twice': {
      const event = pick(m.at);
      if (event) copy.push({ ...event, id: randomUUID() });
      break;
    }
  }
  return { text: JSON.stringify(body), valid: false };
}

for (const kind of storageKinds) {
  describe.skipIf(kind.skip)(`push fuzz on ${kind.name}`, () => {
    const suite = onStorage(kind);

    it(`answers ${MUTATIONS} mutated pushes with 200 or the contract's 4xx, and stores exactly what it accepted (seed ${SEED})`, async () => {
      const model: Model = { users: Array.from({ length: USERS }, newUser), accepted: new Map(), streams: new Map() };
      for (const userId of model.users) model.accepted.set(userId, new Map());
      const auth = await Promise.all(model.users.map(async (userId) => `Bearer ${await token(userId)}`));
      const steps = fc.sample(step, { seed: SEED, numRuns: MUTATIONS });
      const statuses = new Map<number, number>();

      for (const [index, s] of steps.entries()) {
        const userId = model.users[s.user]!;
        const { text, valid } = mutate(validBatch(model, s), s);
        const where = `seed ${SEED}, mutation ${index} (${JSON.stringify(s.mutation).slice(0, 200)}), body ${text.slice(0, 300)}`;
        const started = performance.now();
        const res = await suite.app.request('/v1/push', {
          method: 'POST',
          headers: { authorization: auth[s.user]!, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) },
          body: text,
        });
        const ms = performance.now() - started;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(ms, where).toBeLessThan(5000);
        const answer = await res.json();
        if (res.status !== 200) {
          expect(CODES[res.status], `${where}: status ${res.status} ${JSON.stringify(answer)}`).toBeDefined();
          expect(CODES[res.status], where).toContain(answer.error);
          expect(answer.message, where).toEqual(expect.any(String));
          // An unchanged valid body of the user's own streams may only wait for its rate.
          if (valid && s.base !== 'foreign') expect([429], `${where}: a valid body refused: ${JSON.stringify(answer)}`).toContain(res.status);
          continue;
        }
        // Accepted: every event is new (recorded now) or a retry (answered with its position).
        const sent = (JSON.parse(text) as { events: PushedEvent[] }).events;
        const { events: positions } = answer as PushResponse;
        const accepted = model.accepted.get(userId)!;
        for (const [i, event] of sent.entries()) {
          const { id, position } = positions[i]!;
          expect(id, where).toBe(event.id);
          const known = accepted.get(id);
          if (known) expect(position, where).toBe(known.position);
          else accepted.set(id, { ...event, position });
          const stream = model.streams.get(event.streamId);
          model.streams.set(event.streamId, { owner: s.user, version: Math.max(stream?.version ?? 0, event.version) });
        }
      }

      // Each user's log holds exactly what was accepted, at the positions answered, in order.
      for (const [u, userId] of model.users.entries()) {
        const pulled: ConfirmedEvent[] = [];
        for (let after = 0; ; ) {
          const res = await suite.app.request(`/v1/pull?after=${after}&limit=1000`, { headers: { authorization: auth[u]! } });
          const page = (await res.json()) as PullResponse;
          pulled.push(...page.events);
          after = page.events.at(-1)?.position ?? after;
          if (!page.more) break;
        }
        const expected = [...model.accepted.get(userId)!.values()].sort((a, b) => a.position - b.position);
        expect(pulled, `seed ${SEED}: user ${u}'s pull`).toEqual(expected);
      }
      console.log(`push fuzz on ${kind.name}, seed ${SEED}: answers by status ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
      // The run must have reached the store, not only the validation.
      expect(statuses.get(200) ?? 0, `seed ${SEED}: ${JSON.stringify([...statuses])}`).toBeGreaterThan(MUTATIONS / 10);
    }, Math.max(60_000, MUTATIONS * 30));
  });
}
