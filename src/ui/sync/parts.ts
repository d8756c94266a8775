// Everything the page needs for sync, in one lazily loaded chunk: the engine and its parts stay
// out of the first load (the cart must be interactive before any of it runs).
export { startSync, type SyncController } from './index.ts';
export { default as SyncStatus } from './SyncStatus.svelte';
export { default as SyncSettings } from './SyncSettings.svelte';
export { default as RejectedChanges } from './RejectedChanges.svelte';
