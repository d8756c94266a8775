// The sync server as the engine sees it: push and pull over fetch (CONTRACT §5), every failure
// turned into a SyncRequestError whose kind says what the engine does next.
import { pullQueryString, type ErrorBody, type PullQuery, type PullResponse, type PushRequest, type PushResponse } from '../protocol.ts';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export type FailureKind =
  /** No answer: no network, the server is down, the connection dropped or timed out. */
  | 'network'
  /** 401: the token is bad or expired; nothing works until the settings change. */
  | 'unauthorized'
  /** 403: the stream belongs to another account (streamId says which). */
  | 'forbidden'
  /** 409 version_conflict: the server's stream moved on; pull, rebase, push again. */
  | 'version_conflict'
  /** 409 cursor_mismatch: the event held at `after` is not in this log: heal (CONTRACT §5). */
  | 'cursor_mismatch'
  /** 507: the account's storage on the server is full: stop pushing, keep pulling. */
  | 'quota_exceeded'
  /** 429: come back after retryAfterMs. */
  | 'rate_limited'
  /** 5xx, or an answer that is not the protocol's. */
  | 'server'
  /** Any other refusal (400, 413, 409 id_conflict): sending the same again will not help. */
  | 'refused';

export class SyncRequestError extends Error {
  override name = 'SyncRequestError';
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly details: {
      status?: number;
      streamId?: string;
      retryAfterMs?: number;
      expectedVersion?: number;
      log?: string;
      head?: number;
      /** 400 invalid_request: the first failing event's place in the batch. */
      index?: number;
      /** 409 id_conflict: the event id the log holds with other content. */
      id?: string;
    } = {},
  ) {
    super(message);
  }
}

export interface SyncServer {
  push: (body: PushRequest, signal?: AbortSignal) => Promise<PushResponse>;
  pull: (query: PullQuery, signal?: AbortSignal) => Promise<PullResponse>;
}

/** How long a request may go unanswered (beyond a pull's own wait) before it counts as lost. */
const ANSWER_TIMEOUT_MS = 30_000;

export function syncServer(options: { url: string; token: string; fetch: FetchLike }): SyncServer {
  const base = options.url.replace(/\/+$/, '');
  const named = `The sync server (${base || 'this site'})`;
  const authorization = `Bearer ${options.token}`;

  async function call<T>(path: string, init: RequestInit, waitSeconds: number, signal: AbortSignal | undefined): Promise<T> {
    // The timeout covers the body too: a connection can drop between the headers and the rest.
    const timeout = linkedTimeout(signal, ANSWER_TIMEOUT_MS + waitSeconds * 1000);
    const lost = (error: unknown) => {
      if (signal?.aborted) return error;
      const why = timeout.expired() ? 'did not answer in time' : 'cannot be reached';
      return new SyncRequestError('network', `${named} ${why}${error instanceof Error && error.message ? ` (${error.message})` : ''}.`);
    };
    try {
      let response: Response;
      try {
        response = await options.fetch(`${base}/v1${path}`, { ...init, headers: { authorization, ...init.headers }, signal: timeout.signal });
      } catch (error) {
        throw lost(error);
      }
      if (!response.ok) throw await failure(response);
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        throw lost(error);
      }
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new SyncRequestError('server', `The sync server's answer is not JSON (HTTP ${response.status}).`, { status: response.status });
      }
    } finally {
      timeout.clear();
    }
  }

  return {
    push: (body, signal) => call<PushResponse>('/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, 0, signal),
    pull: (query, signal) => call<PullResponse>(`/pull?${pullQueryString(query)}`, { method: 'GET' }, query.wait, signal),
  };
}

async function failure(response: Response): Promise<SyncRequestError> {
  const { status } = response;
  let body: Partial<ErrorBody> = {};
  try {
    body = (await response.json()) as Partial<ErrorBody>;
  } catch {
    // A proxy's error page, or nothing: the status says enough.
  }
  const message = typeof body.message === 'string' ? body.message : `The sync server answered HTTP ${status}.`;
  const streamId = typeof body.streamId === 'string' ? body.streamId : undefined;
  const log = typeof body.log === 'string' ? { log: body.log } : {};
  if (status === 401) return new SyncRequestError('unauthorized', message, { status });
  if (status === 403) return new SyncRequestError('forbidden', message, { status, ...(streamId ? { streamId } : {}) });
  if (status === 409 && body.error === 'version_conflict') {
    const expected = typeof body.expectedVersion === 'number' ? { expectedVersion: body.expectedVersion } : {};
    return new SyncRequestError('version_conflict', message, { status, ...(streamId ? { streamId } : {}), ...expected, ...log });
  }
  if (status === 409 && body.error === 'cursor_mismatch')
    return new SyncRequestError('cursor_mismatch', message, { status, ...log, ...(typeof body.head === 'number' ? { head: body.head } : {}) });
  if (status === 507) return new SyncRequestError('quota_exceeded', `The sync server has no room left for this account’s changes: ${message} They stay on this device.`, { status });
  if (status === 429) return new SyncRequestError('rate_limited', message, { status, retryAfterMs: retryAfter(response.headers.get('retry-after')) });
  if (status >= 500) return new SyncRequestError('server', message, { status });
  // Which event of the batch was refused, so the engine holds back its cart alone.
  const index = typeof body.index === 'number' ? { index: body.index } : {};
  const id = typeof body.id === 'string' ? { id: body.id } : {};
  return new SyncRequestError('refused', message, { status, ...(streamId ? { streamId } : {}), ...index, ...id });
}

/** Retry-After in seconds or as an HTTP date; one second when absent or unreadable. */
export function retryAfter(header: string | null, now = Date.now()): number {
  if (!header) return 1000;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - now);
}

/**
 * A signal that aborts with `parent` or after `ms`. Hand-made because AbortSignal.any is newer
 * than Safari 15.4.
 */
function linkedTimeout(parent: AbortSignal | undefined, ms: number) {
  const controller = new AbortController();
  let expired = false;
  const onAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onAbort();
  parent?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException('The sync server did not answer in time.', 'TimeoutError'));
  }, ms);
  return {
    signal: controller.signal,
    expired: () => expired,
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}
