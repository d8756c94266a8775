// GET /v1/pull (CONTRACT §5): the caller's events after a position, held up to `wait` seconds
// while there is nothing new. A `check` that does not match is answered at once, wait or not.
import type { Context, Handler } from 'hono';
import { parsePullQuery, type CursorMismatchBody } from '../sync/protocol.ts';
import { callerOf, fail, type AppEnv } from './context.ts';
import type { PullOutcome, Storage } from './storage/types.ts';
import type { Waiters } from './waiters.ts';

export function pullHandler(storage: Storage, waiters: Waiters): Handler<AppEnv> {
  return async (c) => {
    const query = parsePullQuery(new URL(c.req.url).searchParams);
    if (!query.ok) return c.json(query.error, 400);
    const { after, limit, wait, check } = query.value;
    const caller = callerOf(c);
    const deadline = Date.now() + wait * 1000;
    for (;;) {
      const remaining = deadline - Date.now();
      // Wait first, look second: a commit between the two still ends the wait.
      const held = remaining > 0 ? waiters.wait(caller.userId, remaining, c.req.raw.signal) : undefined;
      const outcome = await storage.pull(caller, { after, limit, check });
      if (!held || !outcome.ok || outcome.page.events.length > 0) {
        held?.cancel();
        return answer(c, outcome);
      }
      // Woken by a commit: look again (it may have been a retry that stored nothing). Otherwise
      // nothing came in time, or the server is closing: answer with what there is.
      if ((await held.done) !== 'commit') return answer(c, outcome);
    }
  };
}

function answer(c: Context<AppEnv>, outcome: PullOutcome): Response {
  if (outcome.ok) return c.json(outcome.page);
  const { rejection } = outcome;
  if (rejection.kind === 'revoked') return fail(c, 401, 'unauthorized', 'This user’s server copy was deleted after the token was issued: get a new token.');
  const body: CursorMismatchBody = {
    error: 'cursor_mismatch',
    message: 'The event you hold at position after is not there in this log: your copy and this log have parted. Pull from 0 and heal.',
    log: rejection.log,
    head: rejection.head,
  };
  return c.json(body, 409);
}
