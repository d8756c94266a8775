// The limits of CONTRACT §5, checked in two phases. From the headers, before the body is read:
// the declared size (413), then the request rate and the uploads in flight (429). After the body:
// its size and event count (413), then the event rate (429). Each user's budgets are per process:
// behind a load balancer each instance counts on its own.
import type { Context, MiddlewareHandler } from 'hono';
import { MAX_BODY_BYTES, MAX_PUSH_EVENTS, tooManyEvents } from '../sync/protocol.ts';
import { fail, type AppEnv, type ReadBody } from './context.ts';

export const DEFAULT_RATE_LIMIT = 100;
export const DEFAULT_EVENT_RATE_LIMIT = 10_000;
export const DEFAULT_USER_QUOTA = 1_000_000;
/** A full push must always fit in the event burst, however low the rate is set. */
export const MIN_EVENT_BURST = MAX_PUSH_EVENTS;
export const MAX_UPLOADS_IN_FLIGHT = 4;
/** What a client is told to wait when its uploads in flight are at the cap: about one upload's time. */
const UPLOAD_RETRY_MS = 1000;

type Ctx = Context<AppEnv>;

/** `429 rate_limited` with Retry-After (whole seconds, at least 1) and retryAfterMs. */
export function rateLimited(c: Ctx, retryAfterMs: number, message: string): Response {
  const ms = Math.max(1, Math.ceil(retryAfterMs));
  c.header('Retry-After', String(Math.max(1, Math.ceil(ms / 1000))));
  return fail(c, 429, 'rate_limited', message, { retryAfterMs: ms });
}

/**
 * A token bucket per user: `perSecond` refill, `capacity` burst. take() answers 0 when the cost
 * was taken, else how many ms until it could be.
 */
export function tokenBuckets(perSecond: number, capacity: number, now = () => performance.now()) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = (bucket: { tokens: number; at: number }, time: number) => {
    bucket.tokens = Math.min(capacity, bucket.tokens + ((time - bucket.at) / 1000) * perSecond);
    bucket.at = time;
  };
  return {
    take(userId: string, cost: number): number {
      const time = now();
      const bucket = buckets.get(userId) ?? { tokens: capacity, at: time };
      refill(bucket, time);
      buckets.set(userId, bucket);
      if (bucket.tokens < cost) return ((cost - bucket.tokens) / perSecond) * 1000;
      bucket.tokens -= cost;
      // Forget users whose bucket has filled up again, so the map stays as small as the busy set.
      if (buckets.size > 10_000)
        for (const [id, other] of buckets) {
          refill(other, time);
          if (other.tokens >= capacity) buckets.delete(id);
        }
      return 0;
    },
  };
}

/** Header phase, 413: a declared Content-Length over the limit is refused before a byte is read. */
export function declaredSize(maxBytes = MAX_BODY_BYTES): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (Number(c.req.header('content-length')) > maxBytes) return fail(c, 413, 'too_large', `A request body may be at most ${maxBytes} bytes.`);
    await next();
  };
}

/** Header phase, 429: at most `perSecond` requests per second per user, with bursts up to that many. */
export function requestRate(perSecond = DEFAULT_RATE_LIMIT, now?: () => number): MiddlewareHandler<AppEnv> {
  const buckets = tokenBuckets(perSecond, Math.max(1, perSecond), now);
  return async (c, next) => {
    const wait = buckets.take(c.get('userId'), 1);
    if (wait > 0) return rateLimited(c, wait, `At most ${perSecond} requests per second per user; try again shortly.`);
    await next();
  };
}

/** Header phase, 429: at most `max` uploads of one user being received or stored at once. */
export function uploadsInFlight(max = MAX_UPLOADS_IN_FLIGHT): MiddlewareHandler<AppEnv> {
  const inFlight = new Map<string, number>();
  return async (c, next) => {
    const userId = c.get('userId');
    const count = inFlight.get(userId) ?? 0;
    if (count >= max) return rateLimited(c, UPLOAD_RETRY_MS, `At most ${max} uploads per user at once; wait for one to finish.`);
    inFlight.set(userId, count + 1);
    try {
      await next();
    } finally {
      const left = (inFlight.get(userId) ?? 1) - 1;
      if (left > 0) inFlight.set(userId, left);
      else inFlight.delete(userId);
    }
  };
}

/**
 * Body phase, 413: reads the body, refusing it past `maxBytes` without reading further, and
 * parses it as JSON; a batch of too many events is refused here too. A body the client abandons
 * (or the server's body timeout cuts) is marked `aborted`: nobody is there to answer.
 */
export function bodyLimit(maxBytes = MAX_BODY_BYTES, maxEvents = MAX_PUSH_EVENTS): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const read = await readAtMost(c.req.raw, maxBytes);
    if (read === 'aborted') {
      c.set('aborted', true);
      return fail(c, 400, 'bad_request', 'The request body did not arrive in full.');
    }
    if (read === 'too large') return fail(c, 413, 'too_large', `A request body may be at most ${maxBytes} bytes.`);
    const body = parseJson(read);
    if (body.ok) {
      const { events } = (body.json ?? {}) as { events?: unknown };
      if (Array.isArray(events) && events.length > maxEvents) return c.json(tooManyEvents(events.length), 413);
    }
    c.set('body', body);
    await next();
  };
}

/**
 * Body phase, 429: every event of a push counts, duplicates included; bursts up to twice the
 * rate and never below a full push.
 */
export function eventRate(perSecond = DEFAULT_EVENT_RATE_LIMIT, now?: () => number): MiddlewareHandler<AppEnv> {
  const buckets = tokenBuckets(perSecond, Math.max(2 * perSecond, MIN_EVENT_BURST), now);
  return async (c, next) => {
    const body = c.get('body');
    const events = body.ok ? ((body.json ?? {}) as { events?: unknown }).events : undefined;
    const cost = Array.isArray(events) ? events.length : 0;
    const wait = cost > 0 ? buckets.take(c.get('userId'), cost) : 0;
    if (wait > 0) return rateLimited(c, wait, `At most ${perSecond} pushed events per second per user; try again shortly.`);
    await next();
  };
}

async function readAtMost(request: Request, maxBytes: number): Promise<Uint8Array | 'too large' | 'aborted'> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return 'too large';
      }
      chunks.push(value);
    }
  } catch {
    return 'aborted';
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
