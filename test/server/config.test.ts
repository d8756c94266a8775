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
    expect(readConfig({})).toEqual({ dataDir: join(process.cwd(), 'data'), databaseUrl: undefined, rateLimit: 100, corsOrigins: [] });
  });

  it('reads RATE_LIMIT and CORS_ORIGINS, and refuses a rate that is no positive number', () => {
    const config = readConfig({ RATE_LIMIT: '5', CORS_ORIGINS: 'https://a.example/, http://localhost:5173', DATA_DIR: '/srv/cartlog' });
    expect(config).toMatchObject({ rateLimit: 5, corsOrigins: ['https://a.example', 'http://localhost:5173'], dataDir: '/srv/cartlog' });
    for (const RATE_LIMIT of ['0', '-1', 'fast']) expect(() => readConfig({ RATE_LIMIT })).toThrow(/RATE_LIMIT/);
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
