// Opening the SQLite file while another process opens it too: SQLite refuses one of two
// connections switching a new file to WAL at once (SQLITE_BUSY without waiting, to avoid a
// deadlock), and a server started beside another exited with "database is locked" (seen in CI).
import { describe, expect, it } from 'vitest';
import { retryWhileBusy } from '../../src/server/storage/sqlite.ts';

const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

describe('retryWhileBusy', () => {
  it('tries again while SQLite is busy, and returns what the work gave', () => {
    let calls = 0;
    const mode = retryWhileBusy(() => {
      if (++calls < 3) throw busy();
      return 'wal';
    }, 1000, 1);
    expect([mode, calls]).toEqual(['wal', 3]);
  });

  it('passes any other failure on at once, and a busy one once its time is up', () => {
    let calls = 0;
    expect(() =>
      retryWhileBusy(() => {
        calls++;
        throw new Error('disk I/O error');
      }),
    ).toThrow('disk I/O error');
    expect(calls).toBe(1);
    calls = 0;
    expect(() =>
      retryWhileBusy(() => {
        calls++;
        throw busy();
      }, 50, 5),
    ).toThrow('database is locked');
    expect(calls).toBeGreaterThan(1);
  });
});
