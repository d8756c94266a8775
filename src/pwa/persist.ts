// Whether the browser keeps this site's storage, and asking it to. Without sync the log in
// IndexedDB is the shopper's only copy, so once there are carts to lose, the page asks the browser
// not to evict it under storage pressure (Chromium decides silently, Firefox asks the user: asked
// once per profile, asking on every load would nag) and says what the answer was. WebKit also
// deletes a site's unpersisted storage after 7 days without a visit: there, the page says so
// before it happens and offers the export.
import type { KeyValueStorage } from '../ui/device.ts';

const ASKED_KEY = 'cartlog:persist-asked';

/** navigator.storage, as far as it is used here (any part may be missing). */
export interface StorageManagerLike {
  persisted?: () => Promise<boolean>;
  persist?: () => Promise<boolean>;
}

export interface Persistence {
  /** The browser keeps the storage until the shopper deletes it; undefined where it cannot say. */
  persisted: boolean | undefined;
  /** The engine deletes unpersisted storage after days without a visit (WebKit). */
  evicts: boolean;
}

export interface PersistenceOptions {
  /** Ask for persistence now (the shopper has carts and no sync keeps a copy). */
  ask: boolean;
  /** The profile's storage: where the ask is remembered. */
  profile: KeyValueStorage;
  storage?: StorageManagerLike | undefined;
  userAgent?: string;
}

/** WebKit (Safari, every iOS browser, WebKitGTK), not Chromium, which also says AppleWebKit. */
export function evictsAfterDays(userAgent: string): boolean {
  return /AppleWebKit\//.test(userAgent) && !/(Chrome|Chromium)\//.test(userAgent);
}

export async function keepStorage(options: PersistenceOptions): Promise<Persistence> {
  const { storage, profile } = options;
  const evicts = evictsAfterDays(options.userAgent ?? '');
  if (!storage?.persisted) return { persisted: undefined, evicts };
  try {
    let persisted = await storage.persisted();
    if (!persisted && options.ask && storage.persist && !profile.getItem(ASKED_KEY)) {
      profile.setItem(ASKED_KEY, new Date().toISOString());
      persisted = await storage.persist();
    }
    return { persisted, evicts: evicts && !persisted };
  } catch {
    // Storage access refused (private mode, policy): the browser cannot say.
    return { persisted: undefined, evicts };
  }
}
