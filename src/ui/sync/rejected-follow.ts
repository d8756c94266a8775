// The rejected changes as the page lists them, kept equal to the database. They are written by
// whichever tab syncs (a rebase that could not re-decide a change) and dismissed in any tab; each
// such write names the REJECTED rows in the store's change feed, here and across tabs. A row also
// shows its cart's name, so a change to one of those carts reads the list again too.
import type { EventStore } from '../../es/store.ts';
import { REJECTED } from '../../sync/client/index.ts';

export interface RejectedFollow<Item> {
  /** Called with the whole list after every read, and with the error when a read fails. */
  onChange: (items: Item[]) => void;
  onError: (error: unknown) => void;
}

export function followRejected<Item extends { cartId: string }>(
  store: Pick<EventStore, 'subscribe'>,
  read: () => Promise<Item[]>,
  { onChange, onError }: RejectedFollow<Item>,
): () => void {
  let shown: Item[] = [];
  let closed = false;
  // One read at a time, in the order asked: an older read never lands after a newer one.
  let queue: Promise<void> = Promise.resolve();
  const reread = () => {
    queue = queue.then(async () => {
      if (closed) return;
      try {
        const items = await read();
        if (closed) return;
        shown = items;
        onChange(items);
      } catch (error) {
        if (!closed) onError(error);
      }
    });
  };
  // Subscribed before the first read: a write during it reads again after it.
  const stop = store.subscribe((change) => {
    if (change.rows.includes(REJECTED) || change.streamIds.some((id) => shown.some((item) => item.cartId === id))) reread();
  });
  reread();
  return () => {
    closed = true;
    stop();
  };
}
