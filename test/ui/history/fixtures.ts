// Carts on a database of their own per test, closed and deleted after it.
import { afterEach } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { openCarts, type Carts } from '../../../src/cart/index.ts';
import { deleteEventStore } from '../../../src/es/index.ts';
import { uniqueName } from '../../es/fixtures.ts';

/** Call at the top of a test file; `open()` then gives fresh carts, and `keep()` hands over others to clean up. */
export function useCarts(prefix: string): { open: () => Promise<Carts>; keep: (carts: Carts) => void } {
  const opened: Carts[] = [];
  afterEach(async () => {
    for (const carts of opened.splice(0)) {
      carts.close();
      await deleteEventStore(carts.store.name);
    }
  });
  return {
    async open() {
      const carts = await openCarts({ name: uniqueName(prefix), deviceId: uuidv7() });
      opened.push(carts);
      return carts;
    },
    keep: (carts) => void opened.push(carts),
  };
}
