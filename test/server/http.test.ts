// CONTRACT §5 at the HTTP layer, on a real socket: timeouts (408, never cutting a long-poll),
// every refusal as the contract's JSON (431, 414, 400), abandoned requests logged as aborted,
// log lines that no request can forge, and SIGTERM (Connection: close, exit 0).
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CartlogApp } from '../../src/server/app.ts';
import { listenHttp, type HttpServer } from '../../src/server/http.ts';
import type { Storage } from '../../src/server/storage/index.ts';
import { apiApp, cartEvents, newCart, newUser, storageKinds, token, type Place } from './helpers.ts';
import { startServerProcess, stopServerProcess } from './processes.ts';

const HEADERS_MS = 400;
const BODY_MS = 800;

/** Writes raw bytes, then reads until the server closes (or `ms` pass), optionally hanging up after `hangUpAfterMs`. */
function exchange(port: number, data: string | Buffer, { ms = 5000, hangUpAfterMs }: { ms?: number; hangUpAfterMs?: number } = {}) {
  return new Promise<{ text: string; closed: boolean }>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed });
    };
    const timer = setTimeout(() => done(false), ms);
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.on('close', () => done(true));
    socket.on('error', () => {});
    socket.write(data);
    if (hangUpAfterMs !== undefined) setTimeout(() => socket.destroy(), hangUpAfterMs);
  });
}

/** The status and JSON body of a raw HTTP response. */
function parse(text: string): { status: number; headers: string; body: unknown } {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const chunked = /transfer-encoding: chunked/i.test(head);
  const json = chunked ? body.split('\r\n').filter((_, i) => i % 2 === 1).join('') : body;
  return { status, headers: head, body: json ? JSON.parse(json) : undefined };
}

const kind = storageKinds[0]!; // SQLite: this layer does not depend on the storage.

describe('the HTTP layer', () => {
  let place: Place;
  let storage: Storage;
  let app: CartlogApp;
  let http: HttpServer;
  const lines: string[] = [];
  beforeAll(async () => {
    place = await kind.place();
    storage = await place.open();
    app = apiApp(storage, { log: (line) => lines.push(line) });
    http = await listenHttp({ fetch: app.fetch, host: '127.0.0.1', port: 0, headersTimeoutMs: HEADERS_MS, bodyTimeoutMs: BODY_MS, log: (line) => lines.push(line) });
  });
  afterAll(async () => {
    await http?.drain();
    await app?.close();
    await storage?.close();
    await place?.drop();
  });
  const port = () => http.address.port;

  it('answers headers that do not arrive in time with 408 timeout JSON and closes', async () => {
    const { text, closed } = await exchange(port(), 'GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect(closed).toBe(true);
    expect(parse(text)).toMatchObject({ status: 408, body: { error: 'timeout', message: expect.any(String) } });
  });

  it('answers a body that does not arrive in time with 408 and closes; the push is logged as aborted, never 500', async () => {
    const errors = vi.spyOn(console, 'error');
    lines.length = 0;
    const authorization = `Bearer ${await token(newUser())}`;
    const { text, closed } = await exchange(
      port(),
      `POST /v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"deviceId":`,
    );
    expect(closed).toBe(true);
    expect(parse(text)).toMatchObject({ status: 408, body: { error: 'timeout' } });
    await vi.waitFor(() => expect(lines.some((line) => /^POST \/v1\/push aborted /.test(line))).toBe(true));
    expect(lines.join('\n')).not.toMatch(/ 500 /);
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
  });

  it('never cuts a long-poll: a pull waiting longer than the body timeout is answered when its wait ends', async () => {
    const authorization = `Bearer ${await token(newUser())}`;
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${port()}/v1/pull?wait=2`, { headers: { authorization } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ events: [], head: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('logs an upload the client abandons as aborted, never as a 500', async () => {
    const errors = vi.spyOn(console, 'error');
    lines.length = 0;
    const authorization = `Bearer ${await token(newUser())}`;
    const body = JSON.stringify({ deviceId: 'd', events: cartEvents(newCart(), 1, 50) });
    await exchange(
      port(),
      `POST /v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 1000)}`,
      { hangUpAfterMs: 100 },
    );
    await vi.waitFor(() => expect(lines.some((line) => /^POST \/v1\/push aborted /.test(line))).toBe(true));
    expect(lines.join('\n')).not.toMatch(/ 500 /);
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
  });

  it('answers oversized headers with 431 headers_too_large JSON', async () => {
    const { text } = await exchange(port(), `GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'x'.repeat(20_000)}\r\n\r\n`);
    expect(parse(text)).toMatchObject({ status: 431, body: { error: 'headers_too_large', message: expect.any(String) } });
  });

  it('answers an over-long URL with 414 uri_too_long JSON, whether the app or the parser sees it first', async () => {
    for (const length of [10_000, 20_000]) {
      const { text } = await exchange(port(), `GET /v1/pull?pad=${'x'.repeat(length)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      expect(parse(text), `URL of ${length}`).toMatchObject({ status: 414, body: { error: 'uri_too_long', message: expect.any(String) } });
    }
  });

  it('answers a bad or missing Host, and what is not HTTP, with 400 bad_request JSON', async () => {
    for (const request of [
      'GET /v1/health HTTP/1.1\r\nHost: exa mple\r\nConnection: close\r\n\r\n',
      'GET /v1/health HTTP/1.1\r\nHost: a/b@c\r\nConnection: close\r\n\r\n',
      'GET /v1/health HTTP/1.1\r\nConnection: close\r\n\r\n',
      'NOT HTTP AT ALL\r\n\r\n',
      'GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    ]) {
      const { text } = await exchange(port(), request);
      expect(parse(text), JSON.stringify(request)).toMatchObject({ status: 400, body: { error: 'bad_request', message: expect.any(String) } });
    }
  });

  it('writes one log line per request whatever the path and user hold', async () => {
    lines.length = 0;
    const authorization = `Bearer ${await token('alice 200 user=admin "x"')}`;
    await exchange(port(), `GET /x%0aPOST%20/v1/push%20200%201.0ms%20user=admin HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    await exchange(port(), `GET /v1/pull HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\nConnection: close\r\n\r\n`);
    expect(lines).toEqual([
      expect.stringMatching(/^GET \/x%0aPOST%20\/v1\/push%20200%201\.0ms%20user=admin 404 \S+ms$/),
      expect.stringMatching(/^GET \/v1\/pull 200 \S+ms user="alice 200 user=admin \\"x\\""$/),
    ]);
  });
});

describe('SIGTERM', () => {
  it('answers held pulls at once with Connection: close, closes kept-alive connections, and exits 0', async () => {
    const server = await startServerProcess({ DATABASE_URL: '' });
    const authorization = `Bearer ${await token(newUser())}`;
    // One kept-alive connection that already served a request, and a held pull on another.
    const idle = connect(server.port, '127.0.0.1');
    const idleClosed = new Promise<void>((resolve) => idle.on('close', () => resolve()));
    idle.on('error', () => {});
    idle.write('GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await new Promise((resolve) => idle.once('data', resolve));
    const held = exchange(server.port, `GET /v1/pull?wait=30 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\n\r\n`, { ms: 8000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    expect(await stopServerProcess(server)).toBe(0);
    const answer = await held;
    expect(answer.closed).toBe(true);
    const { status, headers } = parse(answer.text);
    expect(status).toBe(200);
    expect(headers).toMatch(/connection: close/i);
    await idleClosed;
    expect(Date.now() - started).toBeLessThan(5000);
  }, 30_000);
});
