// The page's cart list and cart view, followed without live queries (src/ui/cart-follow.ts), in
// Node on the real store: a command's own rows are shown without a read-back; a change from
// elsewhere (another tab, a sync page, a rebase, healing) re-reads only the streams it names, and
// what is shown always ends equal to what is stored.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { catalog, openCarts, type CartListEntry, type Carts, type CartView } from '../../src/cart/index.ts';
import { deleteEventStore, type EventEnvelope } from '../../src/es/index.ts';
import { followCartList, followCartView } from '../../src/ui/cart-follow.ts';
import { cartChoices } from '../../src/ui/cart-choices.ts';
import type { RowFollow } from '../../src/ui/row-follow.ts';
import { uniqueName } from '../es/fixtures.ts';

const DEVICE = '0192f3c4-0000-7000-8000-00000000f001';
const OTHER_DEVICE = '0192f3c4-0000-7000-8000-00000000f002';
const [apple, pear] = catalog as [(typeof catalog)[0], (typeof catalog)[0]];

const opened: Carts[] = [];
const follows: RowFollow[] = [];
const names = new Set<string>();

afterEach(async () => {
  follows.splice(0).forEach((follow) => follow.close());
  opened.splice(0).forEach((carts) => carts.close());
  for (const name of names) await deleteEventStore(name);
  names.clear();
});

/** A tab of one profile: its own connection and change channel on the shared database. */
async function tab(name: string, deviceId = DEVICE): Promise<Carts> {
  names.add(name);
  const carts = await openCarts({ name, deviceId });
  opened.push(carts);
  return carts;
}

/** What a follower last handed on, and a way to wait until it shows what we expect. */
function shown<T>() {
  let latest: T | undefined;
  let count = 0;
  const waiters: (() => void)[] = [];
  return {
    to: {
      onChange: (value: T) => {
        latest = value;
        count++;
        waiters.splice(0).forEach((wake) => wake());
      },
      onError: (error: unknown) => {
        throw error;
      },
    },
    get latest() {
      return latest;
    },
    get count() {
      return count;
    },
    async until(holds: (value: T | undefined) => boolean, what: string): Promise<T> {
      const deadline = Date.now() + 3000;
      while (!holds(latest)) {
        if (Date.now() > deadline) throw new Error(`never shown: ${what} (shows ${JSON.stringify(latest)})`);
        await Promise.race([new Promise<void>((wake) => waiters.push(wake)), new Promise((wake) => setTimeout(wake, 50))]);
      }
      return latest as T;
    },
  };
}

const byId = (list: readonly CartListEntry[] | undefined, cartId: string) => list?.find((entry) => entry.cartId === cartId);
const add = (carts: Carts, cartId: string, sku = apple.sku) => carts.execute(cartId, { type: 'AddItem', data: { sku, quantity: 1 } });

function followList(carts: Carts) {
  const list = shown<CartListEntry[]>();
  follows.push(followCartList(carts, list.to));
  return list;
}

/** The followed list ends equal to the stored one. */
async function showsTheStore(list: ReturnType<typeof shown<CartListEntry[]>>, carts: Carts, what: string) {
  const stored = await carts.list();
  await list.until((value) => JSON.stringify(value) === JSON.stringify(stored), what);
}

describe('the followed cart list', () => {
  it('shows the rows a command of this tab wrote without reading them back', async () => {
    const carts = await tab(uniqueName('follow'));
    const first = await carts.openCart('First');
    const second = await carts.openCart('Second');
    const list = followList(carts);
    await list.until((value) => value?.length === 2, 'both carts');
    const untouched = byId(list.latest, second);
    const reads = vi.spyOn(carts, 'listed');
    const all = vi.spyOn(carts, 'list');

    const choices = cartChoices(list.latest!);
    await add(carts, first);
    // Handed on as the command settled: no read at all, and the other cart is the same object —
    // so is its switcher choice, which the switcher's keyed options then leave alone.
    expect(byId(list.latest, first)?.itemCount).toBe(1);
    expect(byId(list.latest, second)).toBe(untouched);
    const next = cartChoices(list.latest!);
    expect(next.find((c) => c.cartId === second)).toBe(choices.find((c) => c.cartId === second));
    expect(next.find((c) => c.cartId === first)?.label).toBe('First — 1 item');
    await add(carts, first, pear.sku);
    await new Promise((wake) => setTimeout(wake, 20));
    expect(byId(list.latest, first)?.itemCount).toBe(2);
    expect(reads).not.toHaveBeenCalled();
    expect(all).not.toHaveBeenCalled();
    await showsTheStore(list, carts, 'the stored list');
  });

  it('re-reads only the streams another tab changed', async () => {
    const name = uniqueName('follow');
    const here = await tab(name);
    const there = await tab(name);
    const carts = [await here.openCart('A'), await here.openCart('B'), await here.openCart('C')];
    const list = followList(here);
    await list.until((value) => value?.length === 3, 'three carts');
    const [a, b, c] = carts.map((id) => byId(list.latest, id));
    const reads = vi.spyOn(here, 'listed');

    await add(there, carts[1]!);
    const after = await list.until((value) => byId(value, carts[1]!)?.itemCount === 1, 'B with one item');
    expect(reads.mock.calls).toEqual([[[carts[1]]]]);
    expect(byId(after, carts[0]!)).toBe(a);
    expect(byId(after, carts[2]!)).toBe(c);
    expect(byId(after, carts[1]!)).not.toBe(b);

    // A cart opened in the other tab joins the list.
    const fourth = await there.openCart('D');
    await list.until((value) => byId(value, fourth)?.name === 'D', 'D listed');
    await showsTheStore(list, here, 'the stored list');
  });

  it('ends with the stored rows when two tabs add to one cart at the same moment', async () => {
    const name = uniqueName('follow');
    const here = await tab(name);
    const there = await tab(name);
    const cartId = await here.openCart('Shared');
    const list = followList(here);
    await list.until((value) => value?.length === 1, 'the cart');
    for (let round = 0; round < 5; round++) await Promise.all([add(here, cartId), add(there, cartId, pear.sku), add(here, cartId, pear.sku)]);
    await showsTheStore(list, here, 'fifteen items');
    expect(byId(list.latest, cartId)?.itemCount).toBe(15);
  });

  it('reads what a sync page wrote in this tab, in one read for all its carts', async () => {
    const name = uniqueName('follow');
    const here = await tab(name);
    // The other device's carts, as a pull brings them: full envelopes written by appendBulk.
    const elsewhere = await tab(uniqueName('follow-other'), OTHER_DEVICE);
    const pulled = [await elsewhere.openCart('Pulled 1'), await elsewhere.openCart('Pulled 2')];
    for (const id of pulled) await add(elsewhere, id);
    const events: EventEnvelope[] = (await Promise.all(pulled.map((id) => elsewhere.store.readStream(id)))).flat();

    const mine = await here.openCart('Mine');
    const list = followList(here);
    await list.until((value) => value?.length === 1, 'my cart');
    const reads = vi.spyOn(here, 'listed');
    await here.store.appendBulk(events);
    await list.until((value) => value?.length === 3, 'the pulled carts');
    expect(reads).toHaveBeenCalledTimes(1);
    expect([...reads.mock.calls[0]![0]].sort()).toEqual([...pulled].sort());
    expect(byId(list.latest, pulled[0]!)?.itemCount).toBe(1);
    expect(byId(list.latest, mine)?.name).toBe('Mine');
    await showsTheStore(list, here, 'the stored list');
  });

  it('shows an archived cart as archived, and drops a cart whose row a rebase removed', async () => {
    const carts = await tab(uniqueName('follow'));
    const kept = await carts.openCart('Kept');
    const archived = await carts.openCart('Archived');
    const dropped = await carts.openCart('Dropped');
    const list = followList(carts);
    await list.until((value) => value?.length === 3, 'three carts');

    await carts.execute(archived, { type: 'ArchiveCart', data: {} });
    expect(byId(list.latest, archived)?.status).toBe('archived');
    // The server never had the dropped cart's opening: a rebase onto nothing takes its events back.
    await carts.store.rebase(dropped, []);
    await list.until((value) => byId(value, dropped) === undefined, 'the dropped cart gone');
    expect(byId(list.latest, kept)?.name).toBe('Kept');
    await showsTheStore(list, carts, 'the stored list');
  });

  it('re-reads every stream healing names, once', async () => {
    const carts = await tab(uniqueName('follow'));
    const ids = [await carts.openCart('One'), await carts.openCart('Two'), await carts.openCart('Three')];
    const list = followList(carts);
    await list.until((value) => value?.length === 3, 'three carts');
    await carts.store.confirm(ids.map((streamId, i) => ({ streamId, version: 1, position: i + 1 })));
    await new Promise((wake) => setTimeout(wake, 20));
    const reads = vi.spyOn(carts, 'listed');
    const before = list.count;
    await carts.store.unconfirm(() => true);
    await new Promise((wake) => setTimeout(wake, 20));
    expect(reads).toHaveBeenCalledTimes(1);
    expect([...reads.mock.calls[0]![0]].sort()).toEqual([...ids].sort());
    // Nothing a shopper sees changed: nothing is handed on.
    expect(list.count).toBe(before);
  });

  it('reads a cart again when the command that was to bring its row is refused', async () => {
    const carts = await tab(uniqueName('follow'));
    const cartId = await carts.openCart('Cart');
    const list = followList(carts);
    await list.until((value) => value?.length === 1, 'the cart');
    const reads = vi.spyOn(carts, 'listed');
    // Archived by a write of this tab that commits just before this tab's add, which is refused:
    // the archive's notification came while the add ran, so the add was to bring the row.
    const archived = carts.store.appendToStream(cartId, [
      { id: uuidv7(), type: 'CartArchived', schemaVersion: 1, data: {}, meta: { at: new Date().toISOString(), deviceId: DEVICE, commandId: uuidv7() } },
    ]);
    const refused = add(carts, cartId);
    await archived;
    await expect(refused).rejects.toThrow();
    await list.until((value) => byId(value, cartId)?.status === 'archived', 'the archived cart');
    expect(reads.mock.calls).toEqual([[[cartId]]]);
  });
});

describe('the followed cart view', () => {
  it('follows its own cart only, from the rows its commands wrote and the changes of others', async () => {
    const name = uniqueName('follow');
    const here = await tab(name);
    const there = await tab(name);
    const cartId = await here.openCart('Shown');
    const other = await here.openCart('Other');
    const view = shown<CartView | undefined>();
    const reads = vi.spyOn(here, 'view');
    follows.push(followCartView(here, cartId, view.to));
    await view.until((value) => value?.cartId === cartId, 'the cart');
    expect(reads).toHaveBeenCalledTimes(1);

    await add(here, cartId);
    expect(view.latest?.itemCount).toBe(1);
    await add(here, other);
    await add(there, other);
    await add(there, cartId, pear.sku);
    await view.until((value) => value?.itemCount === 2, 'the other tab’s add');
    // The first read, and one for the other tab's change of this cart: none for its own command or the other cart.
    expect(reads.mock.calls).toEqual([[cartId], [cartId]]);
  });

  it('says there is no view for a cart with no row, until its first command opens it', async () => {
    const carts = await tab(uniqueName('follow'));
    const cartId = `cart-${uuidv7()}`;
    const view = shown<CartView | undefined>();
    follows.push(followCartView(carts, cartId, view.to));
    await view.until(() => view.count === 1, 'the first read');
    expect(view.latest).toBeUndefined();
    await carts.execute(cartId, [
      { type: 'OpenCart', data: { cartId, name: 'Opened' } },
      { type: 'AddItem', data: { sku: apple.sku, quantity: 1 } },
    ]);
    expect(view.latest?.itemCount).toBe(1);
  });
});
