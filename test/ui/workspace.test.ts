// Live carts or this tab's sandbox, in Node: entering keeps the cart in view, a reload stays in
// the sandbox, leaving deletes it, and a mark that names anything but a sandbox is ignored.
import { afterEach, describe, expect, it } from 'vitest';
import { Dexie } from 'dexie';
import { catalog, importIntoSandbox } from '../../src/cart/index.ts';
import { deleteEventStore, logFileLines } from '../../src/es/index.ts';
import type { KeyValueStorage } from '../../src/ui/device.ts';
import { openSession, type Session } from '../../src/ui/session.ts';
import { CURRENT_CART_KEY, SANDBOX_KEY } from '../../src/ui/stored-keys.ts';
import { workspaces, type Workspace } from '../../src/ui/workspace.ts';
import { uniqueName } from '../es/fixtures.ts';

const DEVICE = '0192f3c4-0000-7000-8000-00000000e002';

function memoryStorage(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (key) => map.get(key) ?? null, setItem: (key, value) => void map.set(key, value) };
}

const sessions: Session[] = [];
const databases = new Set<string>();
afterEach(async () => {
  sessions.splice(0).forEach((session) => session.close());
  for (const name of databases) await deleteEventStore(name);
  databases.clear();
});

/** One profile (its localStorage and live database) and one tab (its sessionStorage). */
function tab(profile = memoryStorage(), live = uniqueName('ws-live')) {
  databases.add(live);
  const tabStorage = memoryStorage();
  const pages = workspaces({
    tabStorage,
    openSession: async ({ storage = profile, dbName = live }) => {
      const session = await openSession({ storage, deviceId: DEVICE, dbName });
      sessions.push(session);
      return session;
    },
  });
  return { pages, profile, tabStorage, live };
}

/** The live cart's log, imported the way the panel does. */
async function importCurrent(workspace: Workspace) {
  const { carts, state } = workspace.session;
  const events = await carts.store.readStream(state.cartId);
  const result = await importIntoSandbox(new Blob([...logFileLines(events)]), { deviceId: DEVICE });
  if (!result.ok) throw new Error(result.reason);
  databases.add(result.carts.store.name);
  return result;
}

describe('workspaces', () => {
  it('enters a sandbox on the cart in view; its commands stay there; a reload stays; leaving deletes it', async () => {
    const { pages, profile, tabStorage } = tab();
    const live = await pages.open();
    expect(live.sandbox).toBeUndefined();
    await live.session.run({ type: 'AddItem', data: { sku: catalog[0]!.sku, quantity: 2 } });
    const liveCart = live.session.state.cartId;

    const imported = await importCurrent(live);
    const sandboxed = await pages.enter(live, imported, 'weekly.cartlog.ndjson');
    expect(sandboxed.sandbox).toEqual({ name: imported.carts.store.name, fileName: 'weekly.cartlog.ndjson', eventCount: 2 });
    expect(sandboxed.session.carts.store.name).toBe(imported.carts.store.name);
    expect(sandboxed.session.state.cartId).toBe(liveCart);
    // The live cart stays the live session's current one.
    expect(profile.getItem(CURRENT_CART_KEY)).toBe(liveCart);

    await sandboxed.session.run({ type: 'AddItem', data: { sku: catalog[1]!.sku, quantity: 1 } });
    await sandboxed.session.newCart('Only in the sandbox');
    expect(profile.getItem(CURRENT_CART_KEY)).toBe(liveCart);

    // A reload of this tab opens the sandbox again, on the cart it showed last.
    sandboxed.session.close();
    const reloaded = await pages.open();
    expect(reloaded.sandbox?.name).toBe(imported.carts.store.name);
    expect((await reloaded.session.carts.view(reloaded.session.state.cartId))?.name).toBe('Only in the sandbox');

    const back = await pages.leave(reloaded);
    expect(back.sandbox).toBeUndefined();
    expect(back.session.state.cartId).toBe(liveCart);
    expect((await back.session.carts.view(liveCart))?.lines.map((l) => l.sku)).toEqual([catalog[0]!.sku]);
    expect(await back.session.carts.list()).toHaveLength(1);
    expect(await Dexie.exists(imported.carts.store.name)).toBe(false);
    expect(tabStorage.getItem(SANDBOX_KEY)).toBe('');
    expect((await pages.open()).sandbox).toBeUndefined();
  });

  it('importing again from a sandbox replaces it (the first one is deleted)', async () => {
    const { pages } = tab();
    const live = await pages.open();
    const first = await pages.enter(live, await importCurrent(live), 'a.cartlog.ndjson');
    const second = await pages.enter(first, await importCurrent(first), 'b.cartlog.ndjson');
    expect(await Dexie.exists(first.sandbox!.name)).toBe(false);
    expect(second.sandbox?.fileName).toBe('b.cartlog.ndjson');
  });

  it('ignores a mark that is not a sandbox, or whose database is gone: the live carts open, nothing is deleted', async () => {
    const { pages, tabStorage, live } = tab();
    const first = await pages.open();
    const cartId = first.session.state.cartId;
    first.session.close();

    tabStorage.setItem(SANDBOX_KEY, JSON.stringify({ name: live, fileName: 'x', eventCount: 1 }));
    const notSandbox = await pages.open();
    expect(notSandbox.sandbox).toBeUndefined();
    await pages.leave(notSandbox);
    expect(await Dexie.exists(live)).toBe(true);

    tabStorage.setItem(SANDBOX_KEY, JSON.stringify({ name: 'cartlog-sandbox-404', fileName: 'x', eventCount: 1 }));
    const gone = await pages.open();
    expect(gone.sandbox).toBeUndefined();
    expect(gone.session.state.cartId).toBe(cartId);
    expect(tabStorage.getItem(SANDBOX_KEY)).toBe('');

    tabStorage.setItem(SANDBOX_KEY, '{not json');
    expect((await pages.open()).sandbox).toBeUndefined();
  });
});
