// Persistent storage (src/pwa/persist.ts): asked for once per profile, and only when the shopper
// has carts and no sync keeps a copy; the answer is said either way; WebKit's 7-day eviction is told.
import { describe, expect, it, vi } from 'vitest';
import { evictsAfterDays, keepStorage } from '../../src/pwa/persist.ts';

const SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const IOS_CHROME = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0 Mobile/15E148 Safari/604.1';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

function profile() {
  const map = new Map<string, string>();
  return { map, getItem: (key: string) => map.get(key) ?? null, setItem: (key: string, value: string) => void map.set(key, value) };
}

function engine(grants: boolean) {
  let persisted = false;
  return {
    persisted: vi.fn(async () => persisted),
    persist: vi.fn(async () => (persisted = grants)),
  };
}

describe('persistent storage', () => {
  it('is asked for once the shopper has carts and sync is off, once per profile, and the answer is said', async () => {
    const storage = engine(true);
    const stored = profile();
    expect(await keepStorage({ ask: false, profile: stored, storage })).toEqual({ persisted: false, evicts: false });
    expect(storage.persist).not.toHaveBeenCalled();
    expect(await keepStorage({ ask: true, profile: stored, storage })).toEqual({ persisted: true, evicts: false });
    expect(storage.persist).toHaveBeenCalledTimes(1);
  });

  it('is not asked again when the browser said no, and says it is not kept', async () => {
    const storage = engine(false);
    const stored = profile();
    expect(await keepStorage({ ask: true, profile: stored, storage })).toMatchObject({ persisted: false });
    expect(await keepStorage({ ask: true, profile: stored, storage })).toMatchObject({ persisted: false });
    expect(storage.persist).toHaveBeenCalledTimes(1);
  });

  it('says nothing where the engine cannot tell, or refuses to', async () => {
    expect(await keepStorage({ ask: true, profile: profile(), storage: undefined })).toEqual({ persisted: undefined, evicts: false });
    const refusing = { persisted: () => Promise.reject(new Error('SecurityError')) };
    expect(await keepStorage({ ask: true, profile: profile(), storage: refusing })).toMatchObject({ persisted: undefined });
  });

  it('tells WebKit’s eviction after 7 days without a visit, unless the storage is kept', async () => {
    expect([SAFARI, IOS_CHROME, CHROME, FIREFOX].map(evictsAfterDays)).toEqual([true, true, false, false]);
    expect(await keepStorage({ ask: true, profile: profile(), storage: engine(false), userAgent: SAFARI })).toEqual({ persisted: false, evicts: true });
    expect(await keepStorage({ ask: true, profile: profile(), storage: engine(true), userAgent: SAFARI })).toEqual({ persisted: true, evicts: false });
  });
});
