// What each failure leads to (CONTRACT §5: offline while the network fails, error on 401 or
// repeated 5xx), and the backoff between tries.
import { describe, expect, it } from 'vitest';
import { ConnectionLostError, DatabaseUpgradedError, InvalidEventError } from '../../src/es/errors.ts';
import { backoffMs, judge, SERVER_FAILURES_BEFORE_ERROR } from '../../src/sync/client/failure.ts';
import { SyncRequestError } from '../../src/sync/client/server.ts';

const failure = (kind: SyncRequestError['kind'], details = {}) => new SyncRequestError(kind, 'Because.', details);

describe('judge', () => {
  it('is offline with backoff while the network fails', () => {
    expect(judge(failure('network'), 1)).toEqual({ state: 'offline', reason: 'Because.', retry: 'backoff', counts: true });
  });

  it('keeps syncing through a few 5xx, then says error', () => {
    expect(judge(failure('server'), SERVER_FAILURES_BEFORE_ERROR - 1)).toMatchObject({ state: 'syncing', retry: 'backoff' });
    expect(judge(failure('server'), SERVER_FAILURES_BEFORE_ERROR)).toMatchObject({ state: 'error', retry: 'backoff' });
  });

  it('waits as long as a 429 says, without counting it as a failure', () => {
    expect(judge(failure('rate_limited', { retryAfterMs: 2500 }), 1)).toMatchObject({ state: 'syncing', retry: 2500, counts: false });
  });

  it('halts on 401 and on a database closed by another tab', () => {
    expect(judge(failure('unauthorized'), 1)).toMatchObject({ state: 'error', retry: 'halt', reason: expect.stringMatching(/token/) });
    expect(judge(new DatabaseUpgradedError(), 1)).toMatchObject({ state: 'error', retry: 'halt' });
  });

  it('keeps trying, with the reason, when the browser keeps dropping the database connection', () => {
    expect(judge(new ConnectionLostError(), 1)).toMatchObject({ state: 'error', retry: 'backoff', reason: expect.stringMatching(/Reload/) });
  });

  it('waits long on what resending cannot fix', () => {
    expect(judge(failure('refused'), 1)).toMatchObject({ state: 'error', retry: 'long' });
    expect(judge(new InvalidEventError('type', 'is unknown'), 1)).toMatchObject({ state: 'error', retry: 'long', reason: expect.stringMatching(/newer cartlog/) });
  });
});

describe('backoffMs', () => {
  const limits = { minMs: 500, maxMs: 30_000 };
  it('doubles from the minimum up to the maximum, with jitter in the upper half', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, limits, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffMs(20, limits, () => 1)).toBe(30_000);
    expect(backoffMs(1, limits, () => 0)).toBe(250);
  });
});
