// The page's session: session.ts with its state made reactive, on the live database and this
// profile's localStorage.
import type { CartCommand } from '../cart/commands.ts';
import { deviceIdFrom, type KeyValueStorage } from './device.ts';
import { openSession, type Session, type SessionState } from './session.ts';

export async function openPageSession(storage: KeyValueStorage = pageStorage()): Promise<Session> {
  const state = $state<SessionState>({ cartId: '', error: '', upgraded: '' });
  const session = await openSession({ storage, deviceId: deviceIdFrom(storage), state });
  // A command built from reactive state would be a proxy, which IndexedDB cannot clone.
  return { ...session, run: (command: CartCommand) => session.run($state.snapshot(command) as CartCommand) };
}

/** localStorage, or a map for this page's life where the browser refuses it (some private modes). */
function pageStorage(): KeyValueStorage {
  try {
    localStorage.getItem('cartlog:probe');
    return localStorage;
  } catch {
    const memory = new Map<string, string>();
    return { getItem: (key) => memory.get(key) ?? null, setItem: (key, value) => void memory.set(key, value) };
  }
}
