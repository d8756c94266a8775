// The sync parts of the page in Chromium, on a real IndexedDB: the status line's hooks, the
// settings form, and rejected changes listed live and dismissed (CONTRACT §6).
import { flushSync, mount, unmount, type Component } from 'svelte';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openCarts, type Carts } from '../../src/cart/carts.ts';
import { deleteEventStore } from '../../src/es/store.ts';
import { createSyncEngine, readTarget } from '../../src/sync/client/index.ts';
import { reject } from '../../src/sync/client/rows.ts';
import type { KeyValueStorage } from '../../src/ui/device.ts';
import { startSync, type SyncController } from '../../src/ui/sync/index.ts';
import RejectedChanges from '../../src/ui/sync/RejectedChanges.svelte';
import { SYNC_SETTINGS_KEY } from '../../src/ui/sync/settings.ts';
import SyncSettings from '../../src/ui/sync/SyncSettings.svelte';
import SyncStatus from '../../src/ui/sync/SyncStatus.svelte';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function page(): Promise<{ carts: Carts; sync: SyncController; storage: KeyValueStorage & { map: Map<string, string> }; target: HTMLElement }> {
  const carts = await openCarts({ name: `sync-ui-${uuidv7()}`, deviceId: uuidv7() });
  const map = new Map<string, string>();
  const storage = { map, getItem: (key: string) => map.get(key) ?? null, setItem: (key: string, value: string) => void map.set(key, value) };
  // Nothing answers: saving a token makes the engine try, fail and say offline.
  const sync = startSync(carts, { storage, location: { origin: 'http://127.0.0.1:9', protocol: 'http:' }, engine: { locks: null, channel: null, fetch: () => Promise.reject(new TypeError('Failed to fetch')), backoff: { minMs: 60_000, maxMs: 60_000 } } });
  const target = document.body.appendChild(document.createElement('div'));
  cleanup.push(async () => {
    target.remove();
    await sync.stop();
    carts.close();
    await deleteEventStore(carts.store.name);
  });
  return { carts, sync, storage, target };
}

function show(component: Component<{ sync: SyncController }>, target: HTMLElement, sync: SyncController) {
  const instance = mount(component, { target, props: { sync } });
  cleanup.push(() => void unmount(instance));
  flushSync();
}

const byTestId = (root: HTMLElement, id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`);

function type(input: HTMLElement | null, value: string) {
  (input as HTMLInputElement).value = value;
  input!.dispatchEvent(new Event('input', { bubbles: true }));
}

describe('sync components', () => {
  it('shows the state and the pending count as attributes and words', async () => {
    const { carts, sync, target } = await page();
    show(SyncStatus, target, sync);
    const status = byTestId(target, 'sync-status')!;
    expect(status.dataset.state).toBe('local-only');
    await carts.openCart('Picnic');
    await vi.waitFor(() => expect(status.dataset.pending).toBe('1'));
    expect(status.textContent).toMatch(/Sync off/);
  });

  it('opens the settings, refuses a bad address, checks a good one and saves it on the second Save', async () => {
    const { carts, sync, storage, target } = await page();
    show(SyncSettings, target, sync);
    show(SyncStatus, target, sync);
    const dialog = target.querySelector('dialog')!;
    expect(dialog.open).toBe(false);
    byTestId(target, 'sync-settings')!.click();
    flushSync();
    expect(dialog.open).toBe(true);
    expect((byTestId(target, 'sync-url') as HTMLInputElement).value).toBe('http://127.0.0.1:9');

    type(byTestId(target, 'sync-url'), 'ftp://nowhere');
    type(byTestId(target, 'sync-token'), 'header.payload.signature');
    byTestId(target, 'sync-save')!.click();
    await vi.waitFor(() => expect(dialog.querySelector('#sync-result')?.textContent).toMatch(/http/));
    expect(dialog.open).toBe(true);

    // Nothing listens on port 9: the check says so in the dialog and saves nothing yet; the
    // second Save keeps the settings anyway (the server may only be down for now).
    type(byTestId(target, 'sync-url'), 'http://127.0.0.1:9/v1');
    byTestId(target, 'sync-save')!.click();
    await vi.waitFor(() => expect(byTestId(target, 'sync-save')!.textContent).toMatch(/Save anyway/));
    expect(storage.map.get(SYNC_SETTINGS_KEY)).toBeUndefined();
    await vi.waitFor(() => expect((byTestId(target, 'sync-save') as HTMLButtonElement).disabled).toBe(false));
    byTestId(target, 'sync-save')!.click();
    await vi.waitFor(() => expect(dialog.open).toBe(false));
    expect(JSON.parse(storage.map.get(SYNC_SETTINGS_KEY)!)).toMatchObject({ url: 'http://127.0.0.1:9', token: 'header.payload.signature' });
    // Stored in the database, with the sync state: a crash after the dialog closed keeps them.
    expect(await readTarget(carts.store)).toMatchObject({ url: 'http://127.0.0.1:9', token: 'header.payload.signature' });
    await vi.waitFor(() => expect(byTestId(target, 'sync-status')!.dataset.state).toBe('offline'));
  });

  it('lists rejected changes with their reason, live, and dismisses them', async () => {
    const { carts, sync, target } = await page();
    show(RejectedChanges, target, sync);
    const cartId = await carts.openCart('Party');
    const commandId = uuidv7();
    const command = { type: 'AddItem', data: { sku: 'nope', quantity: 2 } };
    await reject(carts.store, undefined, { commandId, cartId, command, reason: 'The cart was checked out.', code: 'cart_checked_out', at: new Date().toISOString() });
    await vi.waitFor(() => expect(target.querySelectorAll('[data-testid="rejected-item"]')).toHaveLength(1));
    expect(byTestId(target, 'rejected-item')!.textContent).toMatch(/Add 2 × nope in “Party”: The cart was checked out\./);
    byTestId(target, 'rejected-dismiss')!.click();
    await vi.waitFor(() => expect(byTestId(target, 'rejected-item')).toBeNull());
  });
});

describe('sync engine in the browser', () => {
  it('elects one leader per database with navigator.locks; the other tab follows over BroadcastChannel', async () => {
    const name = `sync-tabs-${uuidv7()}`;
    const deviceId = uuidv7();
    const tabs = await Promise.all(
      [0, 1].map(async () => {
        const carts = await openCarts({ name, deviceId });
        const calls: string[] = [];
        const engine = createSyncEngine({
          carts,
          url: 'http://127.0.0.1:9',
          token: 'header.payload.signature',
          fetch: async (url) => {
            calls.push(url);
            throw new TypeError('Failed to fetch');
          },
          backoff: { minMs: 60_000, maxMs: 60_000 },
        });
        return { carts, calls, engine };
      }),
    );
    cleanup.push(async () => {
      for (const tab of tabs) {
        await tab.engine.stop();
        tab.carts.close();
      }
      await deleteEventStore(name);
    });
    tabs.forEach((tab) => tab.engine.start());
    await tabs[1]!.carts.openCart('Two tabs');
    await vi.waitFor(() => expect(tabs.map((tab) => tab.engine.status.get().state)).toEqual(['offline', 'offline']));
    expect(tabs[0]!.calls.length).toBeGreaterThan(0);
    expect(tabs[1]!.calls).toEqual([]);
    expect(tabs[1]!.engine.status.get().pending).toBe(1);
  });
});
