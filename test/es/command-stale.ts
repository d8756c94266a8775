// A command on a stream that something else wrote since this tab last did — another tab, sync
// confirming, a row put elsewhere — comes out as the stored state says: its rules, nothing lost,
// nothing twice. A guard for any shortcut on the command path that remembers a stream between
// commands (one was tried in issue 12: deciding from this tab's last commit and issuing the writes
// before the reads answer; these tests caught every way it can go wrong, and it did not pay, see
// the commit that adds them). Run in Node (fake-indexeddb) and in Chromium (real IndexedDB).
import { afterEach, describe, expect, it } from 'vitest';
import { cartDecider, catalog, openCarts, type Carts, type CartView } from '../../src/cart/index.ts';
import { DomainError, deleteEventStore, fold } from '../../src/es/index.ts';
import { uniqueName } from './fixtures.ts';

const DEVICE = '0192f3c4-0000-7000-8000-00000000d0a1';
const [A, B] = catalog.slice(0, 2).map((p) => p.sku) as [string, string];

export function staleStreamSuite(label: string): void {
  describe(`a command on a stream written elsewhere since (${label})`, () => {
    const opened: Carts[] = [];
    const names: string[] = [];
    afterEach(async () => {
      for (const carts of opened.splice(0)) carts.close();
      for (const name of names.splice(0)) await deleteEventStore(name);
    });
    /** Two tabs on one database: each its own connection and command handler. */
    async function twoTabs() {
      const name = uniqueName('stale');
      names.push(name);
      const one = await openCarts({ name, deviceId: DEVICE });
      const two = await openCarts({ name, deviceId: DEVICE });
      opened.push(one, two);
      const cartId = await one.openCart('Stale');
      return { one, two, cartId };
    }
    const quantity = (view: CartView | undefined, sku: string) => view?.lines.find((l) => l.sku === sku)?.quantity;

    /** The stored log folds to the stored rows, versions contiguous, each command once. */
    async function consistent(carts: Carts, cartId: string) {
      const events = await carts.store.readStream(cartId);
      expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
      const state = fold(cartDecider, events as never);
      const view = await carts.view(cartId);
      expect(view?.version).toBe(events.length);
      expect(view?.lines.map((l) => [l.sku, l.quantity])).toEqual(state.lines.map((l) => [l.sku, l.quantity]));
      const list = (await carts.listed([cartId]))[0];
      expect(list?.itemCount).toBe(state.lines.reduce((n, l) => n + l.quantity, 0));
      return events;
    }

    it('another tab wrote the stream since: the command lands on top of it, nothing lost', async () => {
      const { one, two, cartId } = await twoTabs();
      await one.execute(cartId, { type: 'AddItem', data: { sku: A, quantity: 1 } });
      await two.execute(cartId, { type: 'AddItem', data: { sku: A, quantity: 2 } });
      const result = await one.execute(cartId, { type: 'AddItem', data: { sku: A, quantity: 3 } });
      expect(result.version).toBe(4);
      expect(quantity(await one.view(cartId), A)).toBe(6);
      expect((result.written('cartView') as CartView).lines[0]!.quantity).toBe(6);
      await consistent(one, cartId);
    });

    it('sync confirmed events since: the head keeps its confirmation mark', async () => {
      const { one, cartId } = await twoTabs();
      await one.execute(cartId, { type: 'AddItem', data: { sku: A, quantity: 1 } });
      await one.store.confirm([
        { streamId: cartId, version: 1, position: 1 },
        { streamId: cartId, version: 2, position: 2 },
      ]);
      await one.execute(cartId, { type: 'AddItem', data: { sku: B, quantity: 1 } });
      const head = await one.store.db.streams.get(cartId);
      expect(head?.version).toBe(3);
      expect(head?.confirmedThrough).toBe(2);
      await consistent(one, cartId);
    });

    it('the rule is the stored state’s: refused when another tab filled the line, allowed when it emptied it', async () => {
      const { one, two, cartId } = await twoTabs();
      await one.execute(cartId, { type: 'AddItem', data: { sku: A, quantity: 1 } });
      await two.execute(cartId, { type: 'ChangeQuantity', data: { sku: A, quantity: 99 } });
      await expect(one.execute(cartId, { type: 'AddItem', data: { sku: A, quantity: 1 } })).rejects.toBeInstanceOf(DomainError);
      expect(quantity(await one.view(cartId), A)).toBe(99);

      await one.execute(cartId, { type: 'AddItem', data: { sku: B, quantity: 99 } });
      await two.execute(cartId, { type: 'ChangeQuantity', data: { sku: B, quantity: 5 } });
      // Tab one last wrote B at 99, so its guess would refuse one more.
      await one.execute(cartId, { type: 'AddItem', data: { sku: B, quantity: 1 } });
      expect(quantity(await one.view(cartId), B)).toBe(6);
      await consistent(one, cartId);
    });

    it('a command id already handled appends nothing, also right after its own commit', async () => {
      const { one, two, cartId } = await twoTabs();
      const id = '0192f3c4-0000-7000-8000-00000000e001';
      await one.execute(cartId, { type: 'AddItem', data: { sku: A, quantity: 1 } }, id);
      const again = await one.execute(cartId, { type: 'AddItem', data: { sku: A, quantity: 1 } }, id);
      expect(again.duplicate).toBe(true);
      // And when the other tab is the one that handled it.
      const other = '0192f3c4-0000-7000-8000-00000000e002';
      await two.execute(cartId, { type: 'AddItem', data: { sku: B, quantity: 1 } }, other);
      await one.execute(cartId, { type: 'AddItem', data: { sku: A, quantity: 1 } });
      expect((await one.execute(cartId, { type: 'AddItem', data: { sku: B, quantity: 1 } }, other)).duplicate).toBe(true);
      const events = await consistent(one, cartId);
      expect(events).toHaveLength(4);
      expect(quantity(await one.view(cartId), A)).toBe(2);
      expect(quantity(await one.view(cartId), B)).toBe(1);
    });

    it('a row that is not what the last commit left (written elsewhere) is folded from what is stored', async () => {
      const { one, cartId } = await twoTabs();
      await one.execute(cartId, { type: 'AddItem', data: { sku: A, quantity: 1 } });
      // The cart's view rides in its stream head (src/es/head-rows.ts).
      const head = (await one.store.db.streams.get(cartId))!;
      await one.store.db.streams.put({ ...head, rows: { ...head.rows, cartView: { ...(head.rows!.cartView as object), name: 'Renamed elsewhere' } } });
      await one.execute(cartId, { type: 'AddItem', data: { sku: A, quantity: 1 } });
      expect((await one.view(cartId))?.name).toBe('Renamed elsewhere');
      // The list entry is made from the view the command folded, in its transaction.
      const list = (await one.listed([cartId]))[0];
      expect(list?.name).toBe('Renamed elsewhere');
      expect(list?.itemCount).toBe(2);
    });

    it('many commands on one cart in a row, and on two carts interleaved, stay a fold of the log', async () => {
      const { one, two, cartId } = await twoTabs();
      const other = await one.openCart('Other');
      for (let i = 0; i < 20; i++) {
        const tab = i % 7 === 3 ? two : one;
        await Promise.all([
          tab.execute(cartId, { type: 'AddItem', data: { sku: i % 2 ? A : B, quantity: 1 } }),
          one.execute(other, { type: 'AddItem', data: { sku: A, quantity: 1 } }),
        ]);
      }
      expect(await consistent(one, cartId)).toHaveLength(21);
      expect(await consistent(one, other)).toHaveLength(21);
    });
  });
}
