// `npm run delete-user -- <id>` (cli.ts delete-user) against a running server's data: the user's
// devices are refused from then on (401), and a token minted after it starts a new, empty log.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../../src/server/storage/index.ts';
import { apiApp, cartEvents, clientFor, newCart, newUser, pulled, pushed, SECRET } from './helpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'cartlog-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('cli.ts delete-user', () => {
  it('erases the user’s log while a server runs on it, refuses their old token, and a new token starts afresh', async () => {
    const storage = openSqliteStorage({ file: join(dataDir, 'cartlog.sqlite') });
    const app = apiApp(storage);
    try {
      const userId = newUser();
      const device = await clientFor(app, userId);
      const { log } = await pushed(await device.push(cartEvents(newCart(), 1, 3)));
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', 'delete-user', userId], {
        env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', CARTLOG_SECRET: SECRET },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/deleted 3 events of user/);
      expect((await device.pull()).status).toBe(401);
      const fresh = await pulled(await (await clientFor(app, userId)).pull());
      expect(fresh).toMatchObject({ events: [], head: 0 });
      expect(fresh.log).not.toBe(log);
    } finally {
      await app.close();
      await storage.close();
    }
  }, 30_000);
});
