// The client sync engine: pushes the outbox, pulls with a persisted cursor (long-polling while
// idle), rebases what other devices changed first, and reports one status (CONTRACT §5, §6).
//
// States: local-only (no url or token: nothing leaves the device) · syncing (connecting,
// pushing, or retrying a 5xx/429) · synced (nothing pending; long-polling for news) · offline
// (the network fails; backoff, at once again on `online`) · error (401 — halted until the
// settings change or syncNow; 5xx three times in a row; a refusal resending cannot fix).
// `synced` with pending events shows as `syncing`: the push is about to happen.
import type { EventEnvelope } from '../../es/envelope.ts';
import { DatabaseUpgradedError } from '../../es/errors.ts';
import { MAX_PUSH_EVENTS } from '../protocol.ts';
import { nextPush } from './batch.ts';
import { browserConnectivity, type Connectivity } from './connectivity.ts';
import { backoffMs, judge } from './failure.ts';
import { defaultChannel, defaultLocks, seekLeadership, type ChannelLike, type Leadership, type LockManagerLike, type Role } from './leader.ts';
import { countPending, type PendingCount } from './pending.ts';
import { LogParted, pullPass, type PullContext } from './pull.ts';
import { finishRebases, type SyncTarget } from './rebase.ts';
import { readHealing, startHealing } from './healing.ts';
import { dismissRejected, listRejected, readCursor, writeCursor, type RejectedChange } from './rows.ts';
import { claimStreams, enterTarget, forgetOwner, upstreamOf } from './target.ts';
import { SyncRequestError, syncServer, type FetchLike } from './server.ts';

export type SyncState = 'local-only' | 'offline' | 'syncing' | 'synced' | 'error';

export interface SyncStatus {
  state: SyncState;
  /** Events not yet confirmed by the server (streams of another account left out). */
  pending: number;
  /** Why it is offline or in error, or a note beside `synced` (carts of another account). */
  reason?: string;
}

/** Svelte's store contract: `subscribe` calls back at once, then on every change. */
export interface ReadableStatus {
  get: () => SyncStatus;
  subscribe: (listener: (status: SyncStatus) => void) => () => void;
}

export interface SyncEngineOptions {
  /** The device's log and how to decide its commands again (Carts fits). */
  carts: SyncTarget & { deviceId?: string };
  /** The server's base URL (the API is `<url>/v1`); with `token`, sync is on. */
  url?: string;
  token?: string;
  /** Sent with every push; default carts.deviceId. */
  deviceId?: string;
  fetch?: FetchLike;
  /** Default navigator.locks; null = lead without a lock (tests, engines without Web Locks). */
  locks?: LockManagerLike | null;
  /** Default BroadcastChannel; null = no tab-to-tab status. */
  channel?: ((name: string) => ChannelLike | undefined) | null;
  connectivity?: Connectivity;
  /** How long a pull waits for news while idle; default 25 s. */
  longPollSeconds?: number;
  /** Events per pull request (tests: many pages from few events); default PULL_LIMIT (1000). */
  pullLimit?: number;
  backoff?: { minMs: number; maxMs: number };
  random?: () => number;
  now?: () => Date;
}

export interface SyncEngine {
  readonly status: ReadableStatus;
  /** Seeks leadership and, once leading, syncs until stop(). */
  start: () => void;
  stop: () => Promise<void>;
  /**
   * Pushes and pulls until caught up, now, and resolves with the status (failures are in it,
   * not thrown). In a follower tab it asks the leader instead.
   */
  syncNow: () => Promise<SyncStatus>;
  rejected: () => Promise<RejectedChange[]>;
  dismiss: (commandId: string) => Promise<void>;
}

type Base = { state: Exclude<SyncState, 'local-only'>; reason?: string };
type Message =
  | { type: 'status'; base: Base }
  | { type: 'hello' }
  | { type: 'sync-now' }
  /** Stream heads changed without a commit the change feed tells of (foreign marks): count again. */
  | { type: 'recount'; streamIds?: string[] };

/** Version conflicts in a row on one push before pulling everything again, and before giving up. */
const CONFLICTS_BEFORE_RESYNC = 3;
const CONFLICTS_BEFORE_ERROR = 6;
/** A long poll that came back empty sooner than this (a proxy that does not hold) is not repeated at once. */
const MIN_POLL_MS = 1000;
/**
 * While a long poll waits, the leader reads the stored outbox this often: a change another tab
 * made wakes it even when that tab's message never came (it closed right after its commit).
 */
const OUTBOX_CHECK_MS = 2000;
/** After a 507 (the account's server storage is full), pushing waits this long, or for sync-now or new settings. */
const QUOTA_RETRY_MS = 5 * 60_000;

export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const { carts } = options;
  const { store } = carts;
  const configured = Boolean(options.url && options.token);
  const deviceId = options.deviceId ?? carts.deviceId ?? '';
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const { minMs, maxMs } = options.backoff ?? { minMs: 500, maxMs: 30_000 };
  const longPollSeconds = options.longPollSeconds ?? 25;
  const locks = options.locks === null ? undefined : (options.locks ?? defaultLocks());
  const openChannel = options.channel === null ? () => undefined : (options.channel ?? defaultChannel);
  const connectivity = options.connectivity ?? browserConnectivity;
  const server = syncServer({ url: options.url ?? '', token: options.token ?? '', fetch: options.fetch ?? ((input, init) => fetch(input, init)) });
  const upstream = upstreamOf(options.url ?? '', options.token ?? '');
  const pull: PullContext = { target: carts, server, upstream, now, ...(options.pullLimit ? { limit: options.pullLimit } : {}) };

  // ---- status ----
  let base: Base = { state: 'syncing' };
  /** Another tab upgraded the database: this one stopped for good (until reloaded). */
  let upgraded = false;
  let counter: PendingCount | undefined;
  let shown: SyncStatus | undefined;
  const listeners = new Set<(status: SyncStatus) => void>();
  function current(): SyncStatus {
    const pending = counter?.pending ?? 0;
    const foreign = counter?.foreign ?? 0;
    const note = foreign ? `${foreign === 1 ? 'One cart belongs' : `${foreign} carts belong`} to another account: kept on this device, never synced.` : undefined;
    if (!configured) return withReason({ state: 'local-only', pending }, note);
    const state = base.state === 'synced' && pending > 0 ? 'syncing' : base.state;
    // CONTRACT §5: a 403 shows as `error` until the other carts have synced; then `synced`,
    // noting the carts of another account (kept here, never pushed again).
    if (state === 'synced' && note) return withReason({ state, pending }, note);
    return withReason({ state, pending }, base.reason ?? undefined);
  }
  function publish() {
    const next = current();
    if (shown && shown.state === next.state && shown.pending === next.pending && shown.reason === next.reason) return;
    shown = next;
    listeners.forEach((listener) => listener(next));
  }
  function setBase(next: Base) {
    if (upgraded) return; // nothing this tab does changes that until it is reloaded
    base = next;
    if (role === 'leader') channel?.postMessage({ type: 'status', base } satisfies Message);
    publish();
  }
  const pendingCount = () => (counter ??= countPending(store, onPendingChange));

  // ---- waking up ----
  let dirty = false;
  let halted = false;
  let poll: AbortController | undefined;
  let endSleep: (() => void) | undefined;
  function onPendingChange() {
    publish();
    // A change waits to be pushed: don't let it sit out a long poll.
    if ((counter?.pending ?? 0) > 0) {
      dirty = true;
      poll?.abort();
    }
  }
  function wakeUp() {
    poll?.abort();
    endSleep?.();
  }
  function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (endSleep === done) endSleep = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      endSleep = done;
    });
  }

  // One sync step at a time, whoever asks (the loop, syncNow, a follower's request).
  let turn: Promise<unknown> = Promise.resolve();
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = turn.then(work, work);
    turn = result.catch(() => {});
    return result;
  }

  // ---- one sync ----
  let entered = false;
  async function cycle(signal: AbortSignal): Promise<void> {
    if (!entered) {
      await enterTarget(store, upstream);
      await pendingCount().refresh();
      channel?.postMessage({ type: 'recount' } satisfies Message);
      entered = true;
    }
    await finishRebases(carts, now);
    await pushOrHeal(signal);
    await pullPass(pull, 0, signal); // heals, when healing is under way
    await pushOrHeal(signal); // what the pull's rebases decided again, or what the log lacked
  }

  /** A push that finds the server lacks what this device holds starts healing (the pull does it). */
  async function pushOrHeal(signal: AbortSignal): Promise<void> {
    try {
      await pushAll(signal);
    } catch (error) {
      if (!(error instanceof LogParted)) throw error;
      if (await startHealing(store, upstream, { ...(error.log ? { log: error.log } : {}), why: error.message })) await pendingCount().refresh();
    }
  }

  /** Carts whose owner row this engine wrote or found to be this account's (one claim each). */
  const claimed = new Set<string>();

  // ---- 507: the account's storage on the server is full ----
  let quotaUntil = 0;
  let quotaReason = '';

  async function pushAll(signal: AbortSignal): Promise<void> {
    // Pushes wait while healing (CONTRACT §5), and after a 507; pulls go on.
    if (quotaUntil > Date.now() || (await readHealing(store, upstream))) return;
    const count = pendingCount();
    const conflicts = new Map<string, number>();
    /** Carts the server refused, with why: the others are pushed without them (one never holds back another). */
    const stuck = new Map<string, string>();
    /** After a refusal that names no event (413, a 400 about the body): the first cart goes alone. */
    let alone = false;
    for (;;) {
      // The stored outbox, not the count kept from messages: a tab's message can be lost.
      const outbox = await store.outbox(MAX_PUSH_EVENTS, new Set(stuck.keys()));
      const body = nextPush(alone ? outbox.filter((e) => e.streamId === outbox[0]!.streamId) : outbox, deviceId);
      if (body.events.length === 0) {
        await count.refresh();
        if (stuck.size) throw new SyncRequestError('refused', [...stuck.values()][0]!);
        return;
      }
      const streamIds = [...new Set(body.events.map((e) => e.streamId))];
      // Whose these carts are is recorded before they leave: an answer lost, then an account
      // switch, still finds them this account's.
      const unclaimed = streamIds.filter((id) => !claimed.has(id));
      const theirs = unclaimed.length ? await claimStreams(store, upstream, unclaimed) : [];
      if (theirs.length) {
        await count.refresh(theirs);
        continue;
      }
      unclaimed.forEach((id) => claimed.add(id));
      // Read again before every push: a pull in this loop moves it.
      const cursor = await readCursor(store, upstream);
      try {
        const answer = await server.push(body, signal);
        if (!Array.isArray(answer.events) || answer.events.length !== body.events.length || answer.events.some((a, i) => a.id !== body.events[i]!.id))
          throw new SyncRequestError('server', 'The sync server answered a push for other events than were sent.');
        // Positions of another log than the one held here, or a log that ends below them: heal.
        if (cursor.log !== undefined && answer.log !== cursor.log) throw new LogParted(answer.log, 'it is another log than this device synced with');
        if (answer.head < cursor.after) throw new LogParted(answer.log, 'its log ends before what this device holds');
        // Every position up to the cursor holds an event this device has confirmed (the cursor
        // never passes an unsettled one), and what is pushed is pending: a position at or below
        // the cursor is one this device holds under another id. Checked before anything is confirmed.
        const taken = answer.events.find((a) => a.position <= cursor.after);
        if (taken) throw new LogParted(answer.log, `it put a pushed change at position ${taken.position}, where this device holds another`);
        await store.confirm(body.events.map((e, i) => ({ streamId: e.streamId, version: e.version, position: answer.events[i]!.position })));
        alone = false;
        if (cursor.log === undefined && cursor.after === 0 && typeof answer.log === 'string') {
          // Nothing was held from any log: this one is adopted.
          await writeCursor(store, upstream, { ...cursor, log: answer.log });
        }
      } catch (error) {
        if (!(error instanceof SyncRequestError)) throw error;
        const { streamId } = error.details;
        if (error.kind === 'forbidden' && streamId) {
          // The account changed since this cart first synced: it stays here, and is never pushed again.
          setBase({ state: 'error', reason: `${error.message} It stays on this device; the other carts sync on.` });
          await forgetOwner(store, streamId);
          await store.markForeign(streamId, error.message);
          await count.refresh([streamId]);
          channel?.postMessage({ type: 'recount', streamIds: [streamId] } satisfies Message);
        } else if (error.kind === 'version_conflict' && streamId) {
          // The server's stream is shorter than what it confirmed here: it lost events.
          const head = await store.use((db) => db.streams.get(streamId));
          const expected = error.details.expectedVersion;
          if (head && expected !== undefined && expected <= head.confirmedThrough) throw new LogParted(error.details.log, `it has fewer events of a cart than it confirmed`);
          const tries = (conflicts.get(streamId) ?? 0) + 1;
          conflicts.set(streamId, tries);
          if (tries > CONFLICTS_BEFORE_ERROR) {
            stuck.set(streamId, `${error.message} Pulling and rebasing did not resolve it.`);
            continue;
          }
          if (tries === CONFLICTS_BEFORE_RESYNC) await writeCursor(store, upstream, { after: 0, ...(cursor.log ? { log: cursor.log } : {}) });
          await pullPass(pull, 0, signal);
        } else if (error.kind === 'quota_exceeded') {
          quotaUntil = Date.now() + QUOTA_RETRY_MS;
          quotaReason = error.message;
          return;
        } else if (error.kind === 'refused') {
          // 400, 413, id_conflict: sending this cart again will not help, but the others may go.
          const refused = refusedStream(body.events, error);
          if (refused === undefined && !alone && streamIds.length > 1) alone = true;
          else stuck.set(refused ?? streamIds[0]!, `${error.message} (a change to one cart the sync server refuses; the other carts sync on)`);
        } else throw error;
      }
    }
  }

  // ---- failures ----
  let failures = 0;
  /** Shows what a failure leads to; returns how long to wait before trying again (Infinity = until woken). */
  function fail(error: unknown): number {
    const verdict = judge(error, failures + 1);
    if (verdict.counts) failures++;
    if (verdict.retry === 'halt') halted = true;
    setBase({ state: verdict.state, reason: verdict.reason });
    if (verdict.retry === 'halt') return Infinity;
    if (verdict.retry === 'long') return maxMs;
    if (verdict.retry === 'backoff') return backoffMs(failures, { minMs, maxMs }, random);
    return verdict.retry;
  }
  function succeeded() {
    failures = 0;
    halted = false;
    // Pulls went through, but the server refuses to store more: say so until it takes them.
    if (quotaUntil > Date.now()) return setBase({ state: 'error', reason: quotaReason });
    setBase({ state: 'synced' });
  }

  // ---- the leader's loop ----
  async function lead(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      dirty = false;
      try {
        await exclusive(() => cycle(signal));
        succeeded();
        if (dirty || signal.aborted) continue;
        const began = Date.now();
        const received = await exclusive(() => longPoll(signal));
        if (received === 0 && !dirty && Date.now() - began < MIN_POLL_MS) await sleep(MIN_POLL_MS, signal);
      } catch (error) {
        if (signal.aborted) break;
        const wait = fail(error);
        // Another tab upgraded the database: this one can do nothing until reloaded, so it stops
        // leading at once and a tab that can sync takes the lock.
        if (error instanceof DatabaseUpgradedError) break;
        await sleep(wait === Infinity ? 2 ** 31 - 1 : wait, signal);
      }
    }
  }

  async function longPoll(signal: AbortSignal): Promise<number | undefined> {
    if (dirty) return undefined;
    const controller = new AbortController();
    const stop = () => controller.abort();
    signal.addEventListener('abort', stop, { once: true });
    poll = controller;
    const outboxCheck = setInterval(() => void checkOutbox(), OUTBOX_CHECK_MS);
    try {
      return await pullPass(pull, longPollSeconds, controller.signal);
    } catch (error) {
      if (controller.signal.aborted) return undefined; // woken: a change to push, syncNow, stop
      throw error;
    } finally {
      clearInterval(outboxCheck);
      poll = undefined;
      signal.removeEventListener('abort', stop);
    }
  }

  /** Counts what is stored as pending; anything (the last cycle pushed all) ends the long poll. */
  async function checkOutbox(): Promise<void> {
    const count = pendingCount();
    await count.refresh();
    if (count.pending > 0) {
      dirty = true;
      poll?.abort();
    }
  }

  // ---- running ----
  let role: Role | undefined;
  let channel: ChannelLike | undefined;
  let running: { leadership: Leadership; stopConnectivity: () => void; stopUpgraded: () => void } | undefined;

  function onUpgraded(error: DatabaseUpgradedError) {
    setBase({ state: 'error', reason: error.message });
    upgraded = true;
    halted = true;
    role = undefined;
    // Resigning releases the lock (or stops waiting for it) now, not after the next failure.
    void running?.leadership.resign();
  }

  function onMessage({ data }: MessageEvent) {
    const message = data as Message | null;
    if (message?.type === 'status' && role === 'follower') {
      base = message.base;
      publish();
    } else if (message?.type === 'recount') void counter?.refresh(message.streamIds);
    else if (message?.type === 'hello' && role === 'leader') channel?.postMessage({ type: 'status', base } satisfies Message);
    else if (message?.type === 'sync-now' && role === 'leader') void engine.syncNow();
  }

  function onConnectivity(online: boolean) {
    if (role !== 'leader') return;
    if (online) {
      failures = 0;
      if (!halted) wakeUp();
    } else if (base.state !== 'error') {
      setBase({ state: 'offline', reason: `This device is offline: the sync server (${upstream.server}) cannot be reached.` });
      poll?.abort();
    }
  }

  const engine: SyncEngine = {
    status: {
      get: () => (shown ??= current()),
      subscribe(listener) {
        listeners.add(listener);
        listener((shown ??= current()));
        return () => listeners.delete(listener);
      },
    },
    start() {
      pendingCount();
      if (!configured || running) return;
      channel = openChannel(`cartlog-sync:${store.name}`);
      if (channel) channel.onmessage = onMessage;
      const leadership = seekLeadership(locks, `cartlog-sync:${store.name}`, lead, (next) => {
        role = next;
        if (next === 'follower') channel?.postMessage({ type: 'hello' } satisfies Message);
        else setBase(base);
      });
      running = { leadership, stopConnectivity: connectivity.subscribe(onConnectivity), stopUpgraded: store.onUpgraded(onUpgraded) };
    },
    async stop() {
      const was = running;
      running = undefined;
      if (was) {
        was.stopConnectivity();
        was.stopUpgraded();
        wakeUp();
        await was.leadership.resign();
      }
      await turn;
      role = undefined;
      channel?.close();
      channel = undefined;
      counter?.close();
      counter = undefined;
    },
    async syncNow() {
      const count = pendingCount();
      if (!configured) {
        await count.settled();
        return current();
      }
      if (role === 'follower' || upgraded) {
        if (!upgraded) channel?.postMessage({ type: 'sync-now' } satisfies Message);
        return current();
      }
      halted = false;
      quotaUntil = 0; // "sync now" tries a refused push again
      wakeUp();
      const signal = new AbortController().signal;
      try {
        await exclusive(() => cycle(signal));
        succeeded();
      } catch (error) {
        fail(error);
      }
      await count.settled();
      publish();
      return current();
    },
    rejected: () => listRejected(store),
    dismiss: (commandId) => dismissRejected(store, commandId),
  };
  return engine;
}

/** The cart a refusal names: by the event's place in the batch (400), its id (id_conflict), or the cart itself. */
function refusedStream(events: readonly EventEnvelope[], error: SyncRequestError): string | undefined {
  const { index, id, streamId } = error.details;
  if (streamId) return streamId;
  if (index !== undefined) return events[index]?.streamId;
  if (id !== undefined) return events.find((e) => e.id === id)?.streamId;
  return undefined;
}

function withReason(status: SyncStatus, reason: string | undefined): SyncStatus {
  return reason ? { ...status, reason } : status;
}
