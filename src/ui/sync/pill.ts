// The header's sync pill: one short word that fits a fixed width at every size, so the header
// does not shift as the state changes. The whole sentence (describe.ts) is the pill's accessible
// text and its tooltip, and the sync dialog shows it.
import type { SyncStatus } from '../../sync/client/index.ts';
import { statusText } from './describe.ts';

const WORDS: Record<SyncStatus['state'], string> = {
  'local-only': 'Local',
  offline: 'Offline',
  syncing: 'Syncing',
  synced: 'Synced',
  error: 'Sync error',
};

export const SANDBOX_SYNC_TEXT = 'Sandbox: local only, it never syncs';

export function pillWord(status: SyncStatus, sandbox = false): string {
  if (sandbox) return 'Sandbox';
  const word = WORDS[status.state];
  return status.pending && status.state !== 'synced' && status.state !== 'local-only' ? `${word} · ${status.pending}` : word;
}

/** The sentence: what describe.ts says, with the reason when it names what is wrong (an unreachable server). */
export function pillSentence(status: SyncStatus, sandbox = false): string {
  if (sandbox) return SANDBOX_SYNC_TEXT;
  const text = statusText(status);
  return status.state === 'offline' && status.reason && !text.includes(status.reason) ? `${text}. ${status.reason}` : text;
}
