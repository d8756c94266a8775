// The history panel's chunk: loaded on the first open, so its code (the panel, the timeline, the
// export and import) costs the first page load nothing.
import './history.css';

export { default as HistoryPanel } from './HistoryPanel.svelte';
export { followTimeline, type FollowedTimeline } from './followed-timeline.svelte.ts';
