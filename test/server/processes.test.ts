// 8 users pushing at once through two real server processes on one database (CONTRACT §5):
// every acknowledged event is pulled exactly once, each user's positions strictly increase
// (1, 2, 3, … with no gaps: one log per user), and no puller following with long-polls skips one.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { PullResponse, PushResponse } from '../../src/sync/protocol.ts';
import { cartEvents, DATABASE_URL, newCart, newUser, token } from './helpers.ts';
import { startServerProcess, stopServerProcess, type ServerProcess } from './processes.ts';

const USERS = 8;
const ROUNDS = 8;

const places = [
  {
    name: 'PostgreSQL',
    skip: !DATABASE_URL,
    async make() {
      const schema = `cartlog_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      return {
        env: { DATABASE_URL, CARTLOG_TEST_SCHEMA: schema },
        async drop() {
          const client = new pg.Client({ connectionString: DATABASE_URL });
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await client.end();
        },
      };
    },
  },
  {
    name: 'SQLite',
    skip: false,
    async make() {
      const dir = mkdtempSync(join(tmpdir(), 'cartlog-processes-'));
      return { env: { DATABASE_URL: '', CARTLOG_TEST_SQLITE: join(dir, 'cartlog.sqlite') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
];

for (const place of places) {
  describe.skipIf(place.skip)(`two server processes on one ${place.name}`, () => {
    it(`let ${USERS} users push at once: each event once, positions 1..n per user, no puller skipping one`, async () => {
      const { env, drop } = await place.make();
      // Started together: creating the tables at once is part of what must work.
      const servers: ServerProcess[] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
      try {
        await Promise.all(Array.from({ length: USERS }, () => oneUser(servers)));
      } finally {
        for (const code of await Promise.all(servers.map(stopServerProcess))) expect(code).toBe(0);
        await drop();
      }
    }, 60_000);
  });
}

/** Two devices of one user push through different processes; a third follows through both, alternately. */
async function oneUser(servers: ServerProcess[]): Promise<void> {
  const authorization = `Bearer ${await token(newUser())}`;
  const acked = new Map<string, number>();
  const seen: { id: string; position: number }[] = [];
  let pushing = true;

  const device = async (server: ServerProcess) => {
    const cart = newCart();
    let version = 1;
    for (let round = 0; round < ROUNDS; round++) {
      const size = 1 + (round % 3);
      const res = await fetch(`${server.base}/v1/push`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ deviceId: randomUUID(), events: cartEvents(cart, version, size) }),
      });
      expect(res.status).toBe(200);
      const answer = (await res.json()) as PushResponse;
      version += size;
      for (const { id, position } of answer.events) acked.set(id, position);
    }
  };
  const follow = async () => {
    let after = 0;
    for (let n = 0; pushing || after < Math.max(0, ...acked.values()); n++) {
      const server = servers[n % servers.length]!;
      const res = await fetch(`${server.base}/v1/pull?after=${after}&limit=5&wait=1`, { headers: { authorization } });
      expect(res.status).toBe(200);
      const page = (await res.json()) as PullResponse;
      seen.push(...page.events.map(({ id, position }) => ({ id, position })));
      after = page.events.at(-1)?.position ?? after;
    }
  };

  const following = follow();
  await Promise.all(servers.map(device));
  pushing = false;
  await following;

  const positions = seen.map((e) => e.position);
  expect(positions).toEqual(Array.from({ length: acked.size }, (_, i) => i + 1));
  expect(new Map(seen.map((e) => [e.id, e.position]))).toEqual(acked);
}
