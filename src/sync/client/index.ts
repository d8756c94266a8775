// The browser side of sync: one engine per live database (a sandbox never gets one).
export { createSyncEngine, type SyncEngine, type SyncEngineOptions, type SyncState, type SyncStatus, type ReadableStatus } from './engine.ts';
export type { Connectivity } from './connectivity.ts';
export type { SyncTarget } from './rebase.ts';
export type { RejectedChange } from './rows.ts';
export { REJECTED } from './rows.ts';
export type { LockManagerLike, ChannelLike } from './leader.ts';
export { SyncRequestError, type FetchLike } from './server.ts';
export { readTarget, saveTarget, SETTINGS_ROWS, type SyncSettings, type StoredSettings } from './target.ts';
export { listPending, type PendingChange } from './pending.ts';
