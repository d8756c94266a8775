// Rows read as the store opens (EventStoreOptions.readAtOpen): in the open's own transaction, as
// stored — and, when the open rebuilt a read model whose code version moved, as rebuilt.
import { describe, expect, it } from 'vitest';
import { openEventStore, type EventStore, type FoldedProjection, type Projection } from '../../src/es/index.ts';
import { closedAfterEach, note, noteCount, typeCount, uniqueName, upcasters, type NoteCount } from './fixtures.ts';

const { stores, names } = closedAfterEach();

async function open(name: string, projections: readonly Projection<any>[], readAtOpen?: [string, string][]): Promise<EventStore> {
  names.add(name);
  const store = await openEventStore({ name, projections, upcasters, ...(readAtOpen ? { readAtOpen } : {}) });
  stores.push(store);
  return store;
}

describe('rows read at open', () => {
  it('are the stored rows, in the order asked, undefined where there is none', async () => {
    const name = uniqueName('read-at-open');
    const first = await open(name, [noteCount, typeCount]);
    await first.appendToStream('a', [note('one'), note('two')]);
    await first.appendToStream('b', [note('three')]);
    first.close();

    const store = await open(name, [noteCount, typeCount], [
      ['noteCount', 'b'],
      ['noteCount', 'missing'],
      ['typeCount', 'NoteAdded'],
      ['noteCount', 'a'],
    ]);
    expect(store.rowsAtOpen).toEqual([await store.getRow('noteCount', 'b'), undefined, 3, await store.getRow('noteCount', 'a')]);
    expect((store.rowsAtOpen[3] as NoteCount).texts).toEqual(['one', 'two']);
  });

  it('are none when none are asked for', async () => {
    const store = await open(uniqueName('read-at-open'), [noteCount]);
    expect(store.rowsAtOpen).toEqual([]);
  });

  it('are read after the rebuild when the read model’s version moved, never the rows it replaced', async () => {
    const name = uniqueName('read-at-open');
    const first = await open(name, [noteCount]);
    await first.appendToStream('a', [note('one'), note('two')]);
    first.close();

    // Version 2 folds texts in capitals: the stored row (version 1's) must not come back.
    const shouting: FoldedProjection<NoteCount> = {
      ...noteCount,
      version: 2,
      evolve: (row, event, key) => {
        const next = noteCount.evolve(row, event, key)!;
        return { ...next, texts: next.texts.map((text) => text.toUpperCase()) };
      },
    };
    const store = await open(name, [shouting], [['noteCount', 'a']]);
    expect((store.rowsAtOpen[0] as NoteCount).texts).toEqual(['ONE', 'TWO']);
    expect(store.rowsAtOpen[0]).toEqual(await store.getRow('noteCount', 'a'));
  });
});
