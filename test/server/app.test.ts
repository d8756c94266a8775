import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from 'hono/jwt';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.ts';
import { loadSecret } from '../../src/server/secret.ts';
import { mintToken } from '../../src/server/token.ts';

const temp = mkdtempSync(join(tmpdir(), 'cartlog-server-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function builtApp() {
  const staticDir = join(temp, 'dist');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>cartlog</title>');
  writeFileSync(join(staticDir, 'assets', 'main-abc123.js'), 'console.log(1)');
  const lines: string[] = [];
  return { app: createApp({ staticDir, log: (line) => lines.push(line) }), lines };
}

describe('createApp', () => {
  const { app, lines } = builtApp();

  it('answers health without auth', async () => {
    const res = await app.request('/v1/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('serves index.html at / and asks browsers to revalidate it', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toContain('<title>cartlog</title>');
  });

  it('lets browsers keep hashed assets for good', async () => {
    const res = await app.request('/assets/main-abc123.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
  });

  it('answers 404 for a file that is not there', async () => {
    const res = await app.request('/nope.js');
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).toBeNull();
  });

  it('answers an unknown /v1 path with a 404 error body', async () => {
    const res = await app.request('/v1/nope', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_found', message: expect.stringContaining('/v1/nope') });
  });

  it('logs one line per request', async () => {
    lines.length = 0;
    await app.request('/v1/health');
    expect(lines).toEqual([expect.stringMatching(/^GET \/v1\/health 200 \d+(\.\d+)?ms$/)]);
  });
});

describe('tokens', () => {
  it('mints an HS256 token that verifies, for the user, valid 90 days', async () => {
    const token = await mintToken('alice', 'a-secret');
    const payload = await verify(token, 'a-secret', 'HS256');
    expect(payload.sub).toBe('alice');
    const days = ((payload.exp as number) - (payload.iat as number)) / 86_400;
    expect(days).toBe(90);
    expect(Math.abs((payload.iat as number) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('is refused under another secret', async () => {
    const token = await mintToken('alice', 'a-secret');
    await expect(verify(token, 'other-secret', 'HS256')).rejects.toThrow();
  });
});

describe('loadSecret', () => {
  it('generates a secret once, private to the owner, and reuses it', () => {
    const dataDir = join(temp, 'data-generated');
    const first = loadSecret(dataDir, {});
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dataDir, 'secret')).mode & 0o777).toBe(0o600);
    expect(loadSecret(dataDir, {})).toBe(first);
  });

  it('prefers CARTLOG_SECRET and writes nothing', () => {
    const dataDir = join(temp, 'data-env');
    expect(loadSecret(dataDir, { CARTLOG_SECRET: 'from-env' })).toBe('from-env');
    expect(() => statSync(join(dataDir, 'secret'))).toThrow();
  });

  it('requires CARTLOG_SECRET with DATABASE_URL', () => {
    expect(() => loadSecret(join(temp, 'data-pg'), { DATABASE_URL: 'postgres://x' })).toThrow(/CARTLOG_SECRET/);
  });
});
