// The page's session: session.ts with its state made reactive, on this profile's localStorage —
// on the live database, or on a sandbox (workspace.ts) in this tab.
import type { CartCommand } from '../cart/commands.ts';
import { deviceIdFrom, type KeyValueStorage } from './device.ts';
import { openSession, type Session, type SessionState } from './session.ts';
import { workspaces, type Workspaces } from './workspace.ts';

export async function openPageSession(storage: KeyValueStorage, deviceId: string, dbName?: string): Promise<Session> {
  const state = $state<SessionState>({ cartId: '', error: '', upgraded: '' });
  const session = await openSession({ storage, deviceId, state, ...(dbName ? { dbName } : {}) });
  // A command built from reactive state would be a proxy, which IndexedDB cannot clone.
  return { ...session, run: (command: CartCommand, options) => session.run($state.snapshot(command) as CartCommand, options) };
}

/** The live carts or this tab's sandbox; the device id is the profile's either way. */
export function pageWorkspaces(): Workspaces {
  const profile = pageStorage(() => localStorage);
  const deviceId = deviceIdFrom(profile);
  return workspaces({
    tabStorage: pageStorage(() => sessionStorage),
    openSession: ({ storage = profile, dbName }) => openPageSession(storage, deviceId, dbName),
  });
}

/** The browser's storage, or a map for this page's life where it refuses it (some private modes). */
export function pageStorage(storage: () => Storage): KeyValueStorage {
  try {
    const store = storage();
    store.getItem('cartlog:probe');
    return store;
  } catch {
    const memory = new Map<string, string>();
    return { getItem: (key) => memory.get(key) ?? null, setItem: (key, value) => void memory.set(key, value) };
  }
}
