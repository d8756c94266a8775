// GET /v1/pull (CONTRACT §5): the caller's events after a position, held up to `wait` seconds
// while there is nothing new.
import type { Handler } from 'hono';
import { parsePullQuery } from '../sync/protocol.ts';
import type { AppEnv } from './context.ts';
import type { Storage } from './storage/types.ts';
import type { Waiters } from './waiters.ts';

export function pullHandler(storage: Storage, waiters: Waiters): Handler<AppEnv> {
  return async (c) => {
    const query = parsePullQuery(new URL(c.req.url).searchParams);
    if (!query.ok) return c.json(query.error, 400);
    const { after, limit, wait } = query.value;
    const userId = c.get('userId');
    const deadline = Date.now() + wait * 1000;
    for (;;) {
      const remaining = deadline - Date.now();
      // Wait first, look second: a commit between the two still ends the wait.
      const held = remaining > 0 ? waiters.wait(userId, remaining, c.req.raw.signal) : undefined;
      const page = await storage.pull(userId, after, limit);
      if (!held || page.events.length > 0) {
        held?.cancel();
        return c.json(page);
      }
      // Woken by a commit: look again (it may have been a retry that stored nothing). Otherwise
      // nothing came in time, or the server is closing: answer with what there is.
      if ((await held.done) !== 'commit') return c.json(page);
    }
  };
}
