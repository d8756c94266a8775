// Offline support, started once the page is idle: the service worker, its update banner, and the
// request for persistent storage. Nothing here is needed to shop, so none of it is in the first
// load's critical path (src/main.ts imports this module lazily).
import { mount } from 'svelte';
import { requestPersistentStorage } from './persist.ts';
import { registerServiceWorker } from './register.ts';
import UpdateBanner from './UpdateBanner.svelte';

export function startOffline(bannerTarget: HTMLElement): void {
  void requestPersistentStorage();
  registerServiceWorker({
    onUpdateReady: (reload) => mount(UpdateBanner, { target: bannerTarget, props: { reload } }),
  });
}
