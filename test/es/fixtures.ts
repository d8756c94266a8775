// A test-only domain for the generic store: notes in streams, with an event type that exists at
// two schema versions so upcasting can be proven without touching the cart (all at version 1).
import { v7 as uuidv7 } from 'uuid';
import { afterEach } from 'vitest';
import { deleteEventStore, type Decider, type EventEnvelope, type EventStore, type FoldedProjection, type NewEvent, type Upcaster } from '../../src/es/index.ts';

export const DEVICE = '0192f3c4-0000-7000-8000-000000000001';
export const COMMAND = '0192f3c4-0000-7000-8000-000000000002';

export function note(text: string, type = 'NoteAdded'): NewEvent {
  return {
    id: uuidv7(),
    type,
    schemaVersion: type === 'NoteAdded' ? 2 : 1,
    data: type === 'NoteAdded' ? { text, tags: [] } : { text },
    meta: { at: new Date().toISOString(), deviceId: DEVICE, commandId: COMMAND },
  };
}

export function envelopes(streamId: string, count: number, from = 1, type = 'NoteAdded'): EventEnvelope[] {
  return Array.from({ length: count }, (_, i) => ({ ...note(`n${from + i}`, type), streamId, version: from + i }));
}

/** NoteAdded v1 {text} became v2 {text, tags}. */
export const upcasters: Upcaster[] = [{ type: 'NoteAdded', fromVersion: 1, upcast: (data: { text: string }) => ({ ...data, tags: ['legacy'] }) }];

export interface NoteCount {
  count: number;
  lastVersion: number;
  texts: string[];
}

export const noteCount: FoldedProjection<NoteCount> = {
  name: 'noteCount',
  version: 1,
  keysOf: (event) => [event.streamId],
  evolve: (row, event) => ({
    count: (row?.count ?? 0) + 1,
    lastVersion: event.version,
    texts: [...(row?.texts ?? []), (event.data as { text: string }).text],
  }),
};

export const typeCount: FoldedProjection<number> = {
  name: 'typeCount',
  version: 1,
  keysOf: (event) => [event.type],
  evolve: (row, _event) => (row ?? 0) + 1,
};

/** A projection that refuses one text: proves a failing projection aborts the whole append. */
export const picky: FoldedProjection<true> = {
  name: 'picky',
  version: 1,
  keysOf: (event) => [event.id],
  evolve: (_row, event) => {
    if ((event.data as { text: string }).text === 'boom') throw new Error('projection failed');
    return true;
  },
};

let counter = 0;
export function uniqueName(prefix = 'es-test'): string {
  return `${prefix}-${Date.now()}-${counter++}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A decider for the notes: each command adds one note; the state counts them. */
export const noteDecider: Decider<number, { text: string }, { type: string; data: { text: string; tags: string[] } }> = {
  stateVersion: 1,
  initialState: () => 0,
  decide: (command) => [{ type: 'NoteAdded', data: { text: command.text, tags: [] } }],
  evolve: (count) => count + 1,
};

/** Every read-model row a store keeps: readModels' and those its stream heads carry (src/es/head-rows.ts). */
export async function storedRows(store: Pick<EventStore, 'db'>) {
  const [readModels, heads] = await Promise.all([store.db.readModels.toArray(), store.db.streams.toArray()]);
  return { readModels, heads: heads.map((head) => [head.streamId, head.rows] as const) };
}

/**
 * The stores a test opens and the databases it names, closed and deleted after each test: call
 * at the top of a file or a describe, then push what each test opens.
 */
export function closedAfterEach(): { stores: EventStore[]; names: Set<string> } {
  const stores: EventStore[] = [];
  const names = new Set<string>();
  afterEach(async () => {
    stores.splice(0).forEach((store) => store.close());
    for (const name of names) await deleteEventStore(name);
    names.clear();
  });
  return { stores, names };
}
