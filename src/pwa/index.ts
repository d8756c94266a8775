// Offline support, started once the page is idle: the service worker and its update banner.
// Nothing here is needed to shop, so none of it is in the first load's critical path (src/main.ts
// imports this module lazily). Persistent storage is asked for by the page once it has carts
// and no sync (persist.ts, StoragePersistence.svelte).
import { mount } from 'svelte';
import { registerServiceWorker } from './register.ts';
import UpdateBanner from './UpdateBanner.svelte';

export function startOffline(bannerTarget: HTMLElement): void {
  registerServiceWorker({
    onUpdateReady: (reload) => mount(UpdateBanner, { target: bannerTarget, props: { reload } }),
  });
}
