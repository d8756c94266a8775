// Bearer tokens (CONTRACT §5): an HS256 JWT signed with the server secret; `sub` is the user.
import { verify } from 'hono/jwt';
import type { MiddlewareHandler } from 'hono';
import { fail, type AppEnv } from './context.ts';

/** Longer user ids are refused: they travel in NOTIFY payloads and log lines. */
export const USER_ID_MAX_LENGTH = 200;
const BEARER = /^Bearer +(\S+) *$/i;

export function bearerAuth(secret: () => string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const unauthorized = (message: string) => {
      c.header('WWW-Authenticate', 'Bearer realm="cartlog"');
      return fail(c, 401, 'unauthorized', message);
    };
    const token = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
    if (!token) return unauthorized('Send a sync token: Authorization: Bearer <token>.');
    let sub: unknown;
    try {
      // Pinning the algorithm refuses `none` and every other one. `iat` is not checked: a token
      // minted on a machine whose clock runs a little ahead would otherwise be refused for a while.
      ({ sub } = await verify(token, secret(), { alg: 'HS256', iat: false }));
    } catch (error) {
      const expired = error instanceof Error && error.name === 'JwtTokenExpired';
      return unauthorized(expired ? 'The sync token has expired: get a new one.' : 'The sync token is not valid for this server.');
    }
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > USER_ID_MAX_LENGTH)
      return unauthorized(`The sync token must name a user (sub) of 1 to ${USER_ID_MAX_LENGTH} characters.`);
    c.set('userId', sub);
    await next();
  };
}
