// The limits of CONTRACT §5: the size of a push (413) and each user's request rate (429). They
// run after auth and in this order, so an oversized push is 413 even from a user over the rate.
import type { MiddlewareHandler } from 'hono';
import { MAX_BODY_BYTES, MAX_PUSH_EVENTS, tooManyEvents } from '../sync/protocol.ts';
import { fail, type AppEnv, type ReadBody } from './context.ts';

export const DEFAULT_RATE_LIMIT = 100;

/**
 * Reads the body, refusing it past `maxBytes` without reading further, and parses it as JSON.
 * A batch of too many events is refused here too: 413 comes before 429 and 400.
 */
export function bodyLimit(maxBytes = MAX_BODY_BYTES, maxEvents = MAX_PUSH_EVENTS): MiddlewareHandler<AppEnv> {
  const tooLarge = (c: Parameters<MiddlewareHandler<AppEnv>>[0]) =>
    fail(c, 413, 'too_large', `A request body may be at most ${maxBytes} bytes.`);
  return async (c, next) => {
    const declared = Number(c.req.header('content-length'));
    if (declared > maxBytes) return tooLarge(c);
    const bytes = await readAtMost(c.req.raw, maxBytes);
    if (!bytes) return tooLarge(c);
    const body = parseJson(bytes);
    if (body.ok) {
      const { events } = (body.json ?? {}) as { events?: unknown };
      if (Array.isArray(events) && events.length > maxEvents) return c.json(tooManyEvents(events.length), 413);
    }
    c.set('body', body);
    await next();
  };
}

async function readAtMost(request: Request, maxBytes: number): Promise<Uint8Array | undefined> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function parseJson(bytes: Uint8Array): ReadBody {
  try {
    return { ok: true, json: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * At most `perSecond` requests per second per user, with bursts up to that many: a token bucket
 * per user. Per process: behind a load balancer each instance counts on its own.
 */
export function rateLimit(perSecond = DEFAULT_RATE_LIMIT, now = () => performance.now()): MiddlewareHandler<AppEnv> {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = (bucket: { tokens: number; at: number }, time: number) => {
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((time - bucket.at) / 1000) * perSecond);
    bucket.at = time;
  };
  return async (c, next) => {
    const time = now();
    const userId = c.get('userId');
    const bucket = buckets.get(userId) ?? { tokens: perSecond, at: time };
    refill(bucket, time);
    if (bucket.tokens < 1) {
      c.header('Retry-After', String(Math.max(1, Math.ceil(((1 - bucket.tokens) / perSecond)))));
      return fail(c, 429, 'rate_limited', `At most ${perSecond} requests per second per user; try again shortly.`);
    }
    bucket.tokens -= 1;
    buckets.set(userId, bucket);
    // Forget users whose bucket has filled up again, so the map stays as small as the busy set.
    if (buckets.size > 10_000) {
      for (const [id, other] of buckets) {
        refill(other, time);
        if (other.tokens >= perSecond) buckets.delete(id);
      }
    }
    await next();
  };
}
