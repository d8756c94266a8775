// Until sync exists the log in IndexedDB is the shopper's only copy, so ask the browser not to
// evict it under storage pressure. Asked once per profile: Chromium decides silently, Firefox asks
// the user, and asking on every load would nag.
const ASKED_KEY = 'cartlog:persist-asked';

export async function requestPersistentStorage(): Promise<void> {
  const storage = navigator.storage;
  if (!storage?.persist || !storage.persisted) return;
  try {
    if ((await storage.persisted()) || localStorage.getItem(ASKED_KEY)) return;
    localStorage.setItem(ASKED_KEY, new Date().toISOString());
    await storage.persist();
  } catch {
    // Storage access refused (private mode, policy): the app works as before.
  }
}
