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

export function createChangeFeed(storeName: string): ChangeFeed {
  const listeners = new Set<ChangeListener>();
  const open = (name: string) => (typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(name));
  // Streams go as a bare array of ids on the channel every version of the app has used, so a tab
  // still running the previous version (before it reloads for an update) keeps understanding its
  // messages; read models written beside the log go on a channel of their own.
  const streams = open(`cartlog:${storeName}`);
  const rowsChannel = open(`cartlog:${storeName}:rows`);
  const emit = (change: Change) => listeners.forEach((listener) => listener(change));
  if (streams) streams.onmessage = (message: MessageEvent<string[]>) => emit({ streamIds: message.data, rows: [], origin: 'remote' });
  if (rowsChannel) rowsChannel.onmessage = (message: MessageEvent<string[]>) => emit({ streamIds: [], rows: message.data, origin: 'remote' });

  return {
    publish(streamIds, rows = []) {
      if (streamIds.length === 0 && rows.length === 0) return;
      emit({ streamIds, rows, origin: 'local' });
      if (streamIds.length) streams?.postMessage(streamIds);
      if (rows.length) rowsChannel?.postMessage(rows);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
      streams?.close();
      rowsChannel?.close();
    },
  };
}
