// The storage-usage line: formatting, the 80 % warning, and how often the browser is asked.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeUsage, formatBytes, watchStorageUsage, type StorageUsage } from '../../src/ui/storage.ts';

describe('formatBytes', () => {
  it('counts in decimal units with at most one decimal', () => {
    expect(formatBytes(0, 'en')).toBe('0 B');
    expect(formatBytes(999, 'en')).toBe('999 B');
    expect(formatBytes(1000, 'en')).toBe('1 kB');
    expect(formatBytes(1_234_567, 'en')).toBe('1.2 MB');
    expect(formatBytes(2_100_000_000, 'en')).toBe('2.1 GB');
    expect(formatBytes(5e15, 'en')).toBe('5,000 TB');
    expect(formatBytes(1_250_000, 'de')).toBe('1,3 MB');
  });
});

describe('describeUsage', () => {
  it('says used of available, and warns only above 80 %', () => {
    expect(describeUsage({ usage: 1_234_567, quota: 2_100_000_000 }, 'en')).toEqual({
      text: '1.2 MB of 2.1 GB used',
      ratio: 1_234_567 / 2_100_000_000,
      warning: undefined,
    });
    expect(describeUsage({ usage: 800, quota: 1000 }, 'en').warning).toBeUndefined();
    expect(describeUsage({ usage: 801, quota: 1000 }, 'en').warning).toMatch(/^Storage is 80% full/);
    expect(describeUsage({ usage: 950, quota: 1000 }, 'en').warning).toMatch(/95% full.*settings/);
  });

  it('copes with a browser that gives no figures', () => {
    expect(describeUsage(undefined).text).toMatch(/does not say/);
    expect(describeUsage({ usage: 5000 }, 'en')).toEqual({ text: '5 kB used', ratio: undefined, warning: undefined });
    expect(describeUsage({ usage: 5000, quota: 0 }, 'en').warning).toBeUndefined();
  });
});

describe('watchStorageUsage', () => {
  // Only timers and Date are faked: nothing here touches IndexedDB.
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => void vi.useRealTimers());

  function setup(estimate = vi.fn(async () => ({ usage: 1000, quota: 10_000 }))) {
    let write = () => {};
    const unsubscribe = vi.fn();
    const seen: StorageUsage[] = [];
    const stop = watchStorageUsage({
      estimate,
      onWrite: (listener) => ((write = listener), unsubscribe),
      onUsage: (usage) => seen.push(usage),
      intervalMs: 2000,
      locale: 'en',
    });
    return { estimate, write: () => write(), seen, stop, unsubscribe };
  }

  it('measures at once, then at most once per interval, always counting the last write', async () => {
    const { estimate, write, seen } = setup();
    await vi.advanceTimersByTimeAsync(0);
    expect(estimate).toHaveBeenCalledTimes(1);
    expect(seen.at(-1)?.text).toBe('1 kB of 10 kB used');

    for (let i = 0; i < 5; i++) write();
    await vi.advanceTimersByTimeAsync(1999);
    expect(estimate).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(estimate).toHaveBeenCalledTimes(2);

    // After a quiet spell a write is measured at once.
    await vi.advanceTimersByTimeAsync(5000);
    write();
    await vi.advanceTimersByTimeAsync(0);
    expect(estimate).toHaveBeenCalledTimes(3);
  });

  it('reports "unknown" when the browser has no estimate or refuses it, and stops cleanly', async () => {
    const refused = setup(vi.fn(() => Promise.reject(new Error('no'))));
    await vi.advanceTimersByTimeAsync(0);
    expect(refused.seen.at(-1)?.text).toMatch(/does not say/);

    const { estimate, write, seen, stop, unsubscribe } = setup();
    await vi.advanceTimersByTimeAsync(0);
    write();
    stop();
    expect(unsubscribe).toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(estimate).toHaveBeenCalledTimes(1);
    expect(seen).toHaveLength(1);
  });
});
