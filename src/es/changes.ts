// Tells listeners which streams changed: at once in this tab, through a BroadcastChannel in the
// others (IndexedDB itself has no change events), so every tab can follow the same log. A change
// may also name read models whose rows were written beside the log (sync's rejected changes):
// nothing else tells a page that follows them.

export interface Change {
  streamIds: string[];
  /** Read models written directly (not by a stream's events), by name. */
  rows: string[];
  origin: 'local' | 'remote';
}

export type ChangeListener = (change: Change) => void;

export interface ChangeFeed {
  publish: (streamIds: string[], rows?: string[]) => void;
  subscribe: (listener: ChangeListener) => () => void;
  close: () => void;
}

/** What goes to the other tabs. */
type Sent = Pick<Change, 'streamIds' | 'rows'>;

export function createChangeFeed(storeName: string): ChangeFeed {
  const listeners = new Set<ChangeListener>();
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(`cartlog:${storeName}`);
  const emit = (change: Change) => listeners.forEach((listener) => listener(change));
  if (channel) channel.onmessage = (message: MessageEvent<Sent>) => emit({ streamIds: message.data.streamIds, rows: message.data.rows, origin: 'remote' });

  return {
    publish(streamIds, rows = []) {
      if (streamIds.length === 0 && rows.length === 0) return;
      emit({ streamIds, rows, origin: 'local' });
      channel?.postMessage({ streamIds, rows } satisfies Sent);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
      channel?.close();
    },
  };
}
