// Sync tokens: HS256 JWTs whose `sub` is the user id (CONTRACT §5).
import { sign } from 'hono/jwt';

const DAY_SECONDS = 24 * 60 * 60;

export function mintToken(userId: string, secret: string, days = 90, now = Date.now()): Promise<string> {
  if (!userId) throw new Error('A token needs a user id.');
  const iat = Math.floor(now / 1000);
  return sign({ sub: userId, iat, exp: iat + days * DAY_SECONDS }, secret, 'HS256');
}
