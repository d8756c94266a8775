// Bearer tokens (CONTRACT §5): an HS256 JWT signed with the server secret; `sub` is the user.
import { verify } from 'hono/jwt';
import type { MiddlewareHandler } from 'hono';
import { fail, type AppEnv } from './context.ts';

/** Longer user ids are refused: they travel in NOTIFY payloads and log lines. */
export const USER_ID_MAX_LENGTH = 200;
const BEARER = /^Bearer +(\S+) *$/i;
// C0, DEL and C1: a user id is written into log lines and database text (PostgreSQL has no U+0000).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a `sub` cannot name a user, or undefined when it can. */
export function subProblem(sub: unknown): string | undefined {
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > USER_ID_MAX_LENGTH)
    return `The sync token must name a user (sub) of 1 to ${USER_ID_MAX_LENGTH} characters.`;
  // A lone surrogate has no UTF-8 form: PostgreSQL would store "x\ud800" and "x\ufffd" as one user.
  if (CONTROL.test(sub) || LONE_SURROGATE.test(sub)) return 'The sync token’s user (sub) must hold no control characters and no lone surrogates.';
  return undefined;
}

/**
 * Verifies the token and that its user was not deleted after it was issued (`revoked`, asked of
 * the storage, so every process sharing it agrees).
 */
export function bearerAuth(secret: () => string, revoked: (caller: { userId: string; issuedAt?: number }) => Promise<boolean>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const unauthorized = (message: string) => {
      c.header('WWW-Authenticate', 'Bearer realm="cartlog"');
      return fail(c, 401, 'unauthorized', message);
    };
    const token = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
    if (!token) return unauthorized('Send a sync token: Authorization: Bearer <token>.');
    let sub: unknown;
    let iat: unknown;
    try {
      // Pinning the algorithm refuses `none` and every other one. `iat` is not checked: a token
      // minted on a machine whose clock runs a little ahead would otherwise be refused for a while.
      ({ sub, iat } = await verify(token, secret(), { alg: 'HS256', iat: false }));
    } catch (error) {
      const expired = error instanceof Error && error.name === 'JwtTokenExpired';
      return unauthorized(expired ? 'The sync token has expired: get a new one.' : 'The sync token is not valid for this server.');
    }
    const problem = subProblem(sub);
    if (problem) return unauthorized(problem);
    const caller = { userId: sub as string, issuedAt: typeof iat === 'number' && Number.isFinite(iat) ? iat : undefined };
    if (await revoked(caller)) return unauthorized('This user’s server copy was deleted after the token was issued: get a new token.');
    c.set('userId', caller.userId);
    c.set('issuedAt', caller.issuedAt);
    await next();
  };
}
