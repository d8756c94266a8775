// Tells listeners which streams changed: at once in this tab, through a BroadcastChannel in the
// others (IndexedDB itself has no change events), so every tab can follow the same log.

export interface Change {
  streamIds: string[];
  origin: 'local' | 'remote';
}

export type ChangeListener = (change: Change) => void;

export interface ChangeFeed {
  publish: (streamIds: string[]) => void;
  subscribe: (listener: ChangeListener) => () => void;
  close: () => void;
}

export function createChangeFeed(storeName: string): ChangeFeed {
  const listeners = new Set<ChangeListener>();
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(`cartlog:${storeName}`);
  const emit = (change: Change) => listeners.forEach((listener) => listener(change));
  if (channel) channel.onmessage = (message: MessageEvent<string[]>) => emit({ streamIds: message.data, origin: 'remote' });

  return {
    publish(streamIds) {
      if (streamIds.length === 0) return;
      emit({ streamIds, origin: 'local' });
      channel?.postMessage(streamIds);
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
