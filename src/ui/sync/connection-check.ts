// "Test connection" in the sync settings: asks the server, with the address and token as typed,
// before they are saved, and says in words what failed. An empty push (CONTRACT §5: `events: []`
// is a valid push, answered 200) is the cheapest authenticated request that changes nothing.
import { checkSettings, type SyncSettings } from './settings.ts';

export type ConnectionCheck =
  | { ok: true; settings: SyncSettings; message: string }
  | { ok: false; field: 'url' | 'token'; message: string };

export interface CheckOptions {
  fetch?: typeof fetch;
  /** How long to wait for an answer before calling the server unreachable. */
  timeoutMs?: number;
}

export async function checkConnection(input: SyncSettings, options: CheckOptions = {}): Promise<ConnectionCheck> {
  const checked = checkSettings(input);
  if (!checked.ok) return checked;
  const { url, token } = checked.settings;
  if (!token) return { ok: true, settings: checked.settings, message: 'Without a token sync is off: your carts stay on this device.' };

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs ?? 8000);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(`${url}/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ deviceId: 'connection-check', events: [] }),
      signal: timeout.signal,
    });
  } catch {
    const why = timeout.signal.aborted ? 'it did not answer in time' : 'it could not be reached (is it running, and is the address right?)';
    return { ok: false, field: 'url', message: `No connection to the server at ${url}: ${why}.` };
  } finally {
    clearTimeout(timer);
  }
  if (response.ok) return { ok: true, settings: checked.settings, message: `Connected to ${url}: the token was accepted.` };
  const said = await serverMessage(response);
  if (response.status === 401) return { ok: false, field: 'token', message: `The server at ${url} refused the token${said}. Paste it exactly as printed.` };
  if (response.status === 404) return { ok: false, field: 'url', message: `${url} answered, but it is not a cartlog sync server (no /v1/push).` };
  return { ok: false, field: 'url', message: `The server at ${url} answered ${response.status}${said}.` };
}

async function serverMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { message?: unknown };
    return typeof body.message === 'string' && body.message ? `: “${body.message}”` : '';
  } catch {
    return '';
  }
}
