import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.ts';
import { readConfig } from '../../src/server/config.ts';
import { mintToken } from '../../src/server/token.ts';
import { cartEvents, newCart } from './helpers.ts';

const temp = mkdtempSync(join(tmpdir(), 'cartlog-config-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('readConfig', () => {
  it('has the contract’s defaults', () => {
    expect(readConfig({})).toEqual({
      dataDir: join(process.cwd(), 'data'),
      databaseUrl: undefined,
      host: '127.0.0.1',
      port: 8787,
      rateLimit: 100,
      eventRateLimit: 10_000,
      userQuota: 1_000_000,
      corsOrigins: [],
    });
  });

  it('reads RATE_LIMIT, EVENT_RATE_LIMIT, USER_QUOTA and CORS_ORIGINS', () => {
    const config = readConfig({ RATE_LIMIT: '5', EVENT_RATE_LIMIT: '1', USER_QUOTA: '10', CORS_ORIGINS: 'https://a.example/, http://localhost:5173', DATA_DIR: '/srv/cartlog' });
    expect(config).toMatchObject({ rateLimit: 5, eventRateLimit: 1, userQuota: 10, corsOrigins: ['https://a.example', 'http://localhost:5173'], dataDir: '/srv/cartlog' });
  });

  it('refuses a setting out of range, naming it (a RATE_LIMIT of 0.5 would lock everyone out)', () => {
    const cases: [string, string][] = [
      ['RATE_LIMIT', '0'],
      ['RATE_LIMIT', '0.5'],
      ['RATE_LIMIT', '-1'],
      ['RATE_LIMIT', 'fast'],
      ['RATE_LIMIT', 'Infinity'],
      ['EVENT_RATE_LIMIT', '0.9'],
      ['EVENT_RATE_LIMIT', 'many'],
      ['USER_QUOTA', '0'],
      ['USER_QUOTA', '1.5'],
      ['USER_QUOTA', '1e400'],
      ['PORT', '65536'],
      ['PORT', '80.5'],
      ['PORT', 'http'],
    ];
    for (const [name, value] of cases) expect(() => readConfig({ [name]: value }), `${name}=${value}`).toThrow(new RegExp(`^${name} must be`));
  });

  it('stops `serve` at start with one line naming the setting', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', 'serve'], {
      env: { ...process.env, RATE_LIMIT: '0.5', DATABASE_URL: '', DATA_DIR: join(temp, 'never') },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^cartlog: RATE_LIMIT must be a number of 1 or more/);
    expect(existsSync(join(temp, 'never'))).toBe(false);
  });
});

describe('createApp without a storage', () => {
  it('opens SQLite in DATA_DIR on the first data request, not before, and closes it', async () => {
    const dataDir = join(temp, 'data');
    const app = createApp({ staticDir: temp, log: () => {}, env: { DATA_DIR: dataDir, CARTLOG_SECRET: 'from-env' } });
    expect((await app.request('/v1/health')).status).toBe(200);
    expect(existsSync(join(dataDir, 'cartlog.sqlite'))).toBe(false);

    const authorization = `Bearer ${await mintToken('demo', 'from-env')}`;
    const res = await app.request('/v1/push', {
      method: 'POST',
      headers: { authorization },
      body: JSON.stringify({ deviceId: 'd', events: cartEvents(newCart(), 1, 2) }),
    });
    expect(res.status).toBe(200);
    expect(existsSync(join(dataDir, 'cartlog.sqlite'))).toBe(true);
    await app.close();
  });
});
