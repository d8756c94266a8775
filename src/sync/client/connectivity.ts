// Online/offline as the browser reports it. `offline` is reliable enough to show at once;
// `online` only means "worth trying now", which is all the engine takes it for.

export interface Connectivity {
  subscribe: (listener: (online: boolean) => void) => () => void;
}

export const browserConnectivity: Connectivity = {
  subscribe(listener) {
    if (typeof window === 'undefined' || typeof window.addEventListener !== 'function') return () => {};
    const online = () => listener(true);
    const offline = () => listener(false);
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
    };
  },
};
