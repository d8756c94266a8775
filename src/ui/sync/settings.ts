// Where this profile syncs to: the server's address and the token, kept in localStorage so every
// tab of the profile uses the same. Without a token sync is off and everything stays local.
import type { KeyValueStorage } from '../device.ts';

export const SYNC_SETTINGS_KEY = 'cartlog:sync';

export interface SyncSettings {
  /** The server's base address; the API lives at `<url>/v1`. '' = sync off. */
  url: string;
  /** '' = sync off. */
  token: string;
}

/**
 * `npm start` serves the app and the API on one origin, so the page's own origin is the likely
 * server; on a static host or `npm run dev` it is only a prefill, and no token means no request.
 */
export function defaultUrl(location: { origin: string; protocol: string } | undefined): string {
  return location && /^https?:$/.test(location.protocol) ? location.origin : '';
}

export function readSettings(storage: KeyValueStorage, fallbackUrl: string): SyncSettings {
  try {
    const stored = JSON.parse(storage.getItem(SYNC_SETTINGS_KEY) ?? 'null') as Partial<SyncSettings> | null;
    if (stored && typeof stored.url === 'string' && typeof stored.token === 'string') return { url: stored.url, token: stored.token };
  } catch {
    // unreadable: as if never set
  }
  return { url: fallbackUrl, token: '' };
}

export type Checked = { ok: true; settings: SyncSettings } | { ok: false; field: 'url' | 'token'; message: string };

/** What the form holds, checked and tidied: a trailing `/v1` or slash is dropped from the address. */
export function checkSettings(input: SyncSettings): Checked {
  const token = input.token.trim();
  const text = input.url.trim();
  if (/\s/.test(token)) return { ok: false, field: 'token', message: 'A token has no spaces: paste it exactly as `npm start` or `npm run token` printed it.' };
  if (!text) return token ? { ok: false, field: 'url', message: 'Enter the sync server’s address, e.g. http://127.0.0.1:8787.' } : { ok: true, settings: { url: '', token } };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, field: 'url', message: `“${text}” is not an address; enter one like http://127.0.0.1:8787.` };
  }
  if (!/^https?:$/.test(url.protocol)) return { ok: false, field: 'url', message: 'The address must start with http:// or https://.' };
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  return { ok: true, settings: { url: url.origin + path, token } };
}

export function saveSettings(storage: KeyValueStorage, settings: SyncSettings): void {
  storage.setItem(SYNC_SETTINGS_KEY, JSON.stringify(settings));
}
