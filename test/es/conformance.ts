// One conformance suite for the event store, run in Node (fake-indexeddb) and in real Chromium.
import { Dexie } from 'dexie';
import { LAYOUT } from '../../src/es/db.ts';
import { paginate } from '../../src/es/pages.ts';
import { SCHEMA_VERSION } from '../../src/es/schema.ts';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConcurrencyError,
  DatabaseUpgradedError,
  IdConflictError,
  InvalidEventError,
  StorageFullError,
  createCommandHandler,
  deleteEventStore,
  derivedFrom,
  openEventStore,
  type EventStore,
  type EventStoreOptions,
} from '../../src/es/index.ts';
import { DEVICE, envelopes, note, noteCount, noteDecider, picky, storedRows, typeCount, uniqueName, upcasters, type NoteCount } from './fixtures.ts';

export function eventStoreConformance(environment: string): void {
  describe(`event store conformance (${environment})`, () => {
    const opened: EventStore[] = [];
    const names: string[] = [];

    async function open(options: Partial<EventStoreOptions> = {}): Promise<EventStore> {
      const name = options.name ?? uniqueName();
      if (!names.includes(name)) names.push(name);
      const store = await openEventStore({ projections: [noteCount, typeCount], upcasters, ...options, name });
      opened.push(store);
      return store;
    }

    afterEach(async () => {
      opened.splice(0).forEach((s) => s.close());
      await Promise.all(names.splice(0).map(deleteEventStore));
    });

    it('appends with versions and reads the stream back, whole or by range', async () => {
      const store = await open();
      const first = await store.appendToStream('s-1', [note('a'), note('b')], { expectedVersion: 'no_stream' });
      expect(first.version).toBe(2);
      await store.appendToStream('s-1', [note('c')], { expectedVersion: 2 });
      const all = await store.readStream('s-1');
      expect(all.map((e) => [e.version, (e.data as { text: string }).text])).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
      expect((await store.readStream('s-1', { from: 2, to: 2 })).map((e) => e.version)).toEqual([2]);
      expect(await store.streamVersion('s-1')).toBe(3);
      expect(await store.readStream('nothing-here')).toEqual([]);
    });

    it('refuses a stale expected version with a typed error naming the stream and both versions', async () => {
      const store = await open();
      await store.appendToStream('s-1', [note('a')]);
      const error = await store.appendToStream('s-1', [note('b')], { expectedVersion: 0 }).catch((e) => e);
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamId: 's-1', expected: 0, actual: 1 });
      await expect(store.appendToStream('s-1', [note('b')], { expectedVersion: 'no_stream' })).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(store.appendToStream('s-1', [note('b')], { expectedVersion: 5 })).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await store.streamVersion('s-1')).toBe(1);
    });

    it('lets exactly one of two connections win when both append at the same expected version', async () => {
      const name = uniqueName();
      const [tabA, tabB] = [await open({ name }), await open({ name })];
      const results = await Promise.allSettled([
        tabA.appendToStream('s-1', [note('from A')], { expectedVersion: 0 }),
        tabB.appendToStream('s-1', [note('from B')], { expectedVersion: 0 }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(failure.reason).toBeInstanceOf(ConcurrencyError);
      expect(await tabA.readStream('s-1')).toHaveLength(1);
      expect((await tabA.getRow<NoteCount>('noteCount', 's-1'))?.count).toBe(1);
    });

    it('treats the same events again as a no-op and the same id with other content as an error', async () => {
      const store = await open();
      const events = [note('a'), note('b')];
      await store.appendToStream('s-1', events, { expectedVersion: 0 });
      const retry = await store.appendToStream('s-1', events, { expectedVersion: 0 });
      expect(retry).toMatchObject({ duplicate: true, version: 2 });
      const retryAny = await store.appendToStream('s-1', events);
      expect(retryAny.duplicate).toBe(true);
      expect(await store.readStream('s-1')).toHaveLength(2);
      const tampered = [{ ...events[0]!, data: { text: 'changed', tags: [] } }, events[1]!];
      await expect(store.appendToStream('s-1', tampered, { expectedVersion: 0 })).rejects.toBeInstanceOf(IdConflictError);
      expect((await store.getRow<NoteCount>('noteCount', 's-1'))?.count).toBe(2);
    });

    it('aborts the whole append when a projection fails: no event, no head, no read model', async () => {
      const store = await open({ projections: [noteCount, picky] });
      await store.appendToStream('s-1', [note('fine')]);
      await expect(store.appendToStream('s-1', [note('ok'), note('boom')])).rejects.toThrow('projection failed');
      expect(await store.streamVersion('s-1')).toBe(1);
      expect(await store.readStream('s-1')).toHaveLength(1);
      expect((await store.getRow<NoteCount>('noteCount', 's-1'))?.count).toBe(1);
    });

    it('refuses invalid events with the failing field, writing nothing', async () => {
      const store = await open();
      const bad = { ...note('x'), id: 'not-a-uuid' };
      const error = await store.appendToStream('s-1', [note('ok'), bad]).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidEventError);
      expect(error).toMatchObject({ field: 'id', index: 1 });
      await expect(store.appendToStream('bad stream id!', [note('x')])).rejects.toMatchObject({ field: 'streamId' });
      await expect(
        store.appendToStream('s-1', [{ ...note('x'), meta: { at: 'yesterday', deviceId: 'x', commandId: 'y' } }]),
      ).rejects.toMatchObject({ field: 'meta.at' });
      await expect(store.appendBulk([{ ...envelopes('s-2', 1)[0]!, version: 0 }])).rejects.toMatchObject({ field: 'version' });
      // Bulk checks every event while its transaction reads: one bad event anywhere writes nothing.
      const good = [...envelopes('s-3', 150), ...envelopes('s-4', 3)];
      const badAt = [...good.slice(0, 151), { ...good[151]!, meta: { ...good[151]!.meta, at: 'noon' } }, good[152]!];
      await expect(store.appendBulk(badAt)).rejects.toMatchObject({ field: 'meta.at', index: 151 });
      await expect(store.appendBulk([...good.slice(0, 2), null as never])).rejects.toMatchObject({ field: 'event', index: 2 });
      // A batch as large as a pull's, of new streams (no reads to wait on), bad in its last event:
      // the check runs before any page is issued, and nothing of the batch is stored.
      const large = Array.from({ length: 100 }, (_, k) => envelopes(`big-${k}`, 50)).flat();
      large[large.length - 1] = { ...large[large.length - 1]!, id: 'not-a-uuid' };
      await expect(store.appendBulk(large)).rejects.toMatchObject({ field: 'id', index: large.length - 1 });
      expect(await store.streamVersion('big-0')).toBe(0);
      expect(await store.db.pages.count()).toBe(0);
      expect(await store.streamVersion('s-3')).toBe(0);
      expect(await store.db.readModels.count()).toBe(0);
      expect(await store.streamVersion('s-1')).toBe(0);
      expect((await store.readLog()).events).toHaveLength(0);
    });

    it('reads the whole log in local commit order, a page at a time, and by type', async () => {
      const store = await open();
      await store.appendToStream('a', [note('a1')]);
      await store.appendToStream('b', [note('b1'), note('b2', 'NoteStarred')]);
      await store.appendToStream('a', [note('a2', 'NoteStarred')]);
      const first = await store.readLog({ limit: 2 });
      expect(first.events.map((e) => (e.data as { text: string }).text)).toEqual(['a1', 'b1', 'b2']);
      expect(first.done).toBe(false);
      const rest = await store.readLog({ after: first.cursor, limit: 2 });
      expect(rest.events.map((e) => (e.data as { text: string }).text)).toEqual(['a2']);
      expect(rest.done).toBe(true);
      const starred = await store.readByType('NoteStarred');
      expect(starred.events.map((e) => `${e.streamId}@${e.version}`)).toEqual(['b@2', 'a@2']);
    });

    it('upcasts old schema versions on read and never rewrites the stored event', async () => {
      const store = await open();
      const old = { ...envelopes('legacy', 1)[0]!, schemaVersion: 1, data: { text: 'from 2024' } };
      await store.appendBulk([old]);
      const [read] = await store.readStream('legacy');
      expect(read).toMatchObject({ schemaVersion: 2, data: { text: 'from 2024', tags: ['legacy'] } });
      const [page] = await store.db.pages.toArray();
      expect(page!.events[0]).toMatchObject({ schemaVersion: 1, data: { text: 'from 2024' } });
      expect((await store.readLog()).events[0]!.schemaVersion).toBe(2);
    });

    it('appends in bulk, packed in pages, skipping exact retries and refusing gaps', async () => {
      const store = await open();
      const events = [...envelopes('x', 250), ...envelopes('y', 30)];
      expect(await store.appendBulk(events)).toEqual({ appended: 280, skipped: 0 });
      expect(await store.db.pages.count()).toBe(4); // 100 + 100 + 50 for x, 30 for y
      expect(await store.appendBulk(events.slice(200, 260))).toEqual({ appended: 0, skipped: 60 });
      await expect(store.appendBulk(envelopes('x', 1, 252))).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await store.appendBulk(envelopes('x', 2, 251))).toEqual({ appended: 2, skipped: 0 });
      expect((await store.readStream('x', { from: 95, to: 105 })).map((e) => e.version)).toEqual([95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105]);
      expect((await store.getRow<NoteCount>('noteCount', 'x'))?.count).toBe(252);
      expect(await store.getRow<number>('typeCount', 'NoteAdded')).toBe(282);
    });

    it('keeps stream-keyed read models in bulk equal to a rebuild, with streams interleaved and rows already there', async () => {
      // A sync pull hands events in position order: streams interleave within one call.
      const byStream = { ...noteCount, byStream: true };
      const store = await open({ projections: [byStream, typeCount] });
      await store.appendToStream('a', [note('a1')]);
      const [a, b] = [envelopes('a', 4, 2), envelopes('b', 4)];
      const interleaved = a.flatMap((e, i) => [e, b[i]!]);
      await store.appendBulk(interleaved.slice(0, 3));
      await store.appendBulk([...interleaved.slice(3), ...envelopes('c', 2, 1, 'NoteStarred')]);
      expect(await store.getRow<NoteCount>('noteCount', 'a')).toEqual({ count: 5, lastVersion: 5, texts: ['a1', 'n2', 'n3', 'n4', 'n5'] });
      expect((await store.getRow<NoteCount>('noteCount', 'b'))?.texts).toEqual(['n1', 'n2', 'n3', 'n4']);
      expect(await store.getRow<number>('typeCount', 'NoteAdded')).toBe(9);
      const incremental = await storedRows(store);
      await store.rebuildProjections();
      expect(await storedRows(store)).toEqual(incremental);
    });

    it('rebuilds read models equal to the incrementally maintained ones', async () => {
      const store = await open();
      await store.appendBulk(envelopes('bulk', 150));
      for (let i = 0; i < 20; i++) await store.appendToStream(`s-${i % 3}`, [note(`t${i}`), note(`u${i}`, 'NoteStarred')]);
      const incremental = await storedRows(store);
      expect(await store.rebuildProjections()).toBe(190);
      expect(await storedRows(store)).toEqual(incremental);
    });

    it('rebuilds a projection whose code version changed before the store is used', async () => {
      const name = uniqueName();
      const v1 = await open({ name });
      await v1.appendToStream('s', [note('a'), note('b')]);
      v1.close();
      const doubled = { ...noteCount, version: 2, evolve: (row: NoteCount | undefined, e: Parameters<typeof noteCount.evolve>[1], k: string) => {
        const next = noteCount.evolve(row, e, k)!;
        return { ...next, count: (row?.count ?? 0) + 2 };
      } };
      const v2 = await open({ name, projections: [doubled] });
      expect((await v2.getRow<NoteCount>('noteCount', 's'))?.count).toBe(4);
    });

    it('runs an async projection from a persisted checkpoint, with observable lag', async () => {
      const name = uniqueName();
      const asyncCount = { ...typeCount, name: 'asyncTypeCount', mode: 'async' as const };
      const store = await open({ name, projections: [noteCount, asyncCount] });
      await store.catchUp();
      await store.db.projections.update('asyncTypeCount', { checkpoint: Number.MAX_SAFE_INTEGER }); // freeze it
      await store.appendToStream('s', [note('a'), note('b')]);
      await store.db.projections.update('asyncTypeCount', { checkpoint: 0 });
      expect(await store.lag('asyncTypeCount')).toBe(2);
      await store.catchUp();
      expect(await store.lag('asyncTypeCount')).toBe(0);
      expect(await store.getRow<number>('asyncTypeCount', 'NoteAdded')).toBe(2);
      store.close();
      const reopened = await open({ name, projections: [noteCount, asyncCount] });
      await reopened.appendToStream('s', [note('c')]);
      await reopened.catchUp();
      expect(await reopened.getRow<number>('asyncTypeCount', 'NoteAdded')).toBe(3); // resumed, not refolded
    });

    it('tells subscribers of new events, in this connection and from another one', async () => {
      const name = uniqueName();
      const [tabA, tabB] = [await open({ name }), await open({ name })];
      const seenA: string[] = [];
      const seenB = new Promise<string[]>((resolve) => tabB.subscribe((c) => c.origin === 'remote' && resolve(c.streamIds)));
      tabA.subscribe((c) => seenA.push(`${c.origin}:${c.streamIds.join()}`));
      await tabA.appendToStream('s-9', [note('hello')]);
      expect(seenA).toEqual(['local:s-9']);
      expect(await seenB).toEqual(['s-9']);
    });

    it('decides on a snapshot plus the tail instead of refolding the stream', async () => {
      const store = await open();
      const handle = createCommandHandler({ store, decider: noteDecider, deviceId: '0192f3c4-0000-7000-8000-0000000000aa', schemaVersionOf: () => 2 });
      await store.appendBulk(envelopes('long', 1000));
      const id = (n: number) => `0192f3c4-0000-7000-8000-${String(n).padStart(12, '0')}`;
      const before = store.metrics.eventsRead;
      expect((await handle('long', { text: 'first' }, { commandId: id(1) })).state).toBe(1001);
      expect(store.metrics.eventsRead - before).toBe(1000); // no snapshot yet: the tail is everything
      const mid = store.metrics.eventsRead;
      expect((await handle('long', { text: 'second' }, { commandId: id(2) })).state).toBe(1002);
      expect(store.metrics.eventsRead - mid).toBe(0); // the snapshot is current
      await store.appendBulk(envelopes('long', 5, 1003));
      const late = store.metrics.eventsRead;
      expect((await handle('long', { text: 'third' }, { commandId: id(3) })).state).toBe(1008);
      expect(store.metrics.eventsRead - late).toBe(5); // snapshot + tail
      const again = await handle('long', { text: 'third' }, { commandId: id(3) });
      expect(again).toMatchObject({ duplicate: true, events: [] });
      expect(await store.streamVersion('long')).toBe(1008);
    });

    it('decides on a read-model row that holds the state when it is current, else on snapshot plus tail', async () => {
      const store = await open({ projections: [{ ...noteCount, byStream: true }, typeCount] });
      const options = { store, decider: noteDecider, deviceId: '0192f3c4-0000-7000-8000-0000000000aa', schemaVersionOf: () => 2 };
      const fromRow = { projection: 'noteCount', version: (row: unknown) => (row as NoteCount).lastVersion, state: (row: unknown) => (row as NoteCount).count };
      const handle = createCommandHandler({ ...options, stateFrom: fromRow });
      await store.appendBulk(envelopes('long', 1000));
      const id = (n: number) => `0192f3c4-0000-7000-8000-${String(n).padStart(12, '0')}`;
      const before = store.metrics.eventsRead;
      expect((await handle('long', { text: 'first' }, { commandId: id(1) })).state).toBe(1001);
      expect(store.metrics.eventsRead - before).toBe(0);
      expect((await store.db.streams.get('long'))?.snapshot).toBeUndefined();
      // A row behind the stream (here: one that never says it is current) is not trusted.
      const lagging = createCommandHandler({ ...options, stateFrom: { ...fromRow, version: () => -1 } });
      expect((await lagging('long', { text: 'second' }, { commandId: id(2) })).state).toBe(1002);
      expect(store.metrics.eventsRead - before).toBe(1001);
    });

    it('gives sync its outbox, attaches positions, and skips streams of another account', async () => {
      const store = await open();
      await store.appendToStream('s-1', [note('a'), note('b')]);
      await store.appendToStream('s-1', [note('c')]);
      await store.appendToStream('s-2', [note('x')]);
      expect((await store.outbox()).map((e) => `${e.streamId}@${e.version}`)).toEqual(['s-1@1', 's-1@2', 's-1@3', 's-2@1']);
      // One command is never cut in two: every note here carries one command id.
      expect((await store.outbox(2)).map((e) => e.version)).toEqual([1, 2, 3]);
      await store.confirm([
        { streamId: 's-1', version: 1, position: 10 },
        { streamId: 's-1', version: 2, position: 11 },
      ]);
      expect((await store.readStream('s-1')).map((e) => e.position)).toEqual([10, 11, undefined]);
      expect((await store.db.streams.get('s-1'))?.confirmedThrough).toBe(2);
      await store.markForeign('s-2', 'belongs to another account');
      expect((await store.outbox()).map((e) => `${e.streamId}@${e.version}`)).toEqual(['s-1@3']);
    });

    it('confirms, pushes and rebases inside a stored page of many commands', async () => {
      // A pulled page holds many commands; healing turns it pending, and the server's log may
      // hold only part of it: the page then keeps a confirmed prefix and a pending rest.
      const store = await open();
      const page = envelopes('s', 5).map((e, i) => ({ ...e, meta: { ...e.meta, commandId: `0192f3c4-0000-7000-8000-00000000010${i}` } }));
      await store.appendBulk(page);
      expect(await store.db.pages.count()).toBe(1);
      expect((await store.outbox(2)).map((e) => e.version)).toEqual([1, 2]); // cut between commands
      await store.confirm([
        { streamId: 's', version: 1, position: 10 },
        { streamId: 's', version: 2, position: 11 },
        { streamId: 's', version: 4, position: 13 }, // after a gap: not confirmed
      ]);
      expect((await store.readStream('s')).map((e) => e.position)).toEqual([10, 11, undefined, undefined, undefined]);
      expect((await store.db.streams.get('s'))?.confirmedThrough).toBe(2);
      expect((await store.outbox()).map((e) => e.version)).toEqual([3, 4, 5]);

      // Upstream went on differently from version 3: the pending rest is dropped, the prefix kept.
      const theirs = envelopes('s', 1, 3).map((e) => ({ ...e, position: 12 }));
      const dropped = await store.rebase('s', theirs);
      expect(dropped.map((e) => e.id)).toEqual(page.slice(2).map((e) => e.id));
      expect((await store.readStream('s')).map((e) => [e.id, e.position])).toEqual([
        [page[0]!.id, 10],
        [page[1]!.id, 11],
        [theirs[0]!.id, 12],
      ]);
      expect(await store.outbox()).toEqual([]);

      // Healing: back to pending, every event of it.
      await store.unconfirm(() => true);
      expect((await store.readStream('s')).map((e) => e.position)).toEqual([undefined, undefined, undefined]);
      expect((await store.outbox()).map((e) => e.version)).toEqual([1, 2, 3]);
    });

    it('finds the streams with events to push through an index kept right by every path that writes a head', async () => {
      const store = await open();
      // What the sparse indexes hold (head-index.ts), and what a scan of every head says they should.
      const indexed = async () => ({ outbox: await store.db.streams.where('outbox').equals(1).primaryKeys(), foreign: await store.db.streams.orderBy('foreign').primaryKeys() });
      const scanned = async () => {
        const heads = await store.db.streams.toArray();
        return { outbox: heads.filter((h) => h.version > h.confirmedThrough).map((h) => h.streamId), foreign: heads.filter((h) => h.foreign !== undefined).map((h) => h.streamId) };
      };
      const holds = async (outbox: string[], foreign: string[] = []) => {
        expect(await indexed()).toEqual({ outbox, foreign });
        expect(await scanned()).toEqual({ outbox, foreign });
      };
      const pulled = (streamId: string, count: number, from = 1) => envelopes(streamId, count, from).map((e) => ({ ...e, position: 100 + e.version }));

      await store.appendToStream('s-1', [note('a'), note('b')]);
      await holds(['s-1']);
      await store.appendBulk(pulled('s-2', 3)); // a pull: confirmed as written
      await holds(['s-1']);
      await store.appendToStream('s-1', [note('c')]);
      await store.confirm([
        { streamId: 's-1', version: 1, position: 10 },
        { streamId: 's-1', version: 2, position: 11 },
      ]);
      await holds(['s-1']); // version 3 waits
      await store.confirm([{ streamId: 's-1', version: 3, position: 12 }]);
      await holds([]);
      await store.appendToStream('s-2', [note('c')]);
      await holds(['s-2']);
      await store.markForeign('s-2', 'belongs to another account');
      await holds(['s-2'], ['s-2']);
      expect(await store.outbox()).toEqual([]);
      await store.rebase('s-2', pulled('s-2', 1, 4)); // upstream had a version 4 of its own
      await holds([], ['s-2']);
      await store.unconfirm((head) => head.streamId === 's-1'); // healing: back to pending
      await holds(['s-1'], ['s-2']);
      expect((await store.outbox()).map((e) => `${e.streamId}@${e.version}`)).toEqual(['s-1@1', 's-1@2', 's-1@3']);
      await store.rebuildProjections();
      await holds(['s-1'], ['s-2']);
    });

    it('finds the events to push in a database written before the outbox index (version 3)', async () => {
      const name = uniqueName();
      names.push(name);
      const older = new Dexie(name);
      older.version(3).stores({ ...LAYOUT, streams: 'streamId' });
      await older.open();
      const confirmed = envelopes('s-done', 2).map((e) => ({ ...e, position: e.version }));
      await older.table('pages').bulkAdd([...paginate(envelopes('s-todo', 2)), ...paginate(confirmed)]);
      await older.table('streams').bulkPut([
        { streamId: 's-done', version: 2, confirmedThrough: 2 },
        { streamId: 's-todo', version: 2, confirmedThrough: 0 },
      ]);
      // The projections are current, so nothing is rebuilt: the upgrade alone must mark the heads.
      await older.table('projections').bulkPut([noteCount, typeCount].map((p) => ({ name: p.name, version: p.version, checkpoint: 0 })));
      older.close();
      const store = await open({ name });
      expect((await store.outbox()).map((e) => `${e.streamId}@${e.version}`)).toEqual(['s-todo@1', 's-todo@2']);
    });

    describe("a derived projection (a summary of another one's row)", () => {
      const source = { ...noteCount, byStream: true };
      const summaryOf = (version: number, tag = '') =>
        derivedFrom(source, { name: 'noteSummary', version, derive: (row: NoteCount | undefined) => row && { count: row.count, last: `${tag}${row.texts.at(-1)}` } });
      const summaryIsItsSource = async (store: EventStore, streamId: string, tag = '') => {
        const row = await store.getRow<NoteCount>('noteCount', streamId);
        expect(await store.getRow('noteSummary', streamId)).toEqual(row && { count: row.count, last: `${tag}${row.texts.at(-1)}` });
      };

      it('follows its source on every path that writes: command, bulk, rebase, rebuild', async () => {
        const store = await open({ projections: [source, summaryOf(1)] });
        const handle = createCommandHandler({ store, decider: noteDecider, deviceId: DEVICE, schemaVersionOf: () => 2 });
        await handle('s', { text: 'one' }, { commandId: '0192f3c4-0000-7000-8000-00000000d001' });
        await summaryIsItsSource(store, 's');
        await store.appendBulk([...envelopes('b', 3), ...envelopes('s', 2, 2)]);
        await summaryIsItsSource(store, 's');
        await summaryIsItsSource(store, 'b');
        await store.confirm([{ streamId: 's', version: 1, position: 1 }]);
        await store.rebase('s', envelopes('s', 1, 2).map((e) => ({ ...e, id: `up-${e.id}`, data: { text: 'theirs' }, position: 7 })));
        expect(await store.getRow('noteSummary', 's')).toEqual({ count: 2, last: 'theirs' });
        // Made from the source each time, never from its own stored value: a row put there by
        // anything else is replaced by the next write.
        const head = (await store.db.streams.get('s'))!;
        await store.db.streams.put({ ...head, rows: { ...head.rows, noteSummary: { count: -1, last: 'elsewhere' } } });
        await store.appendToStream('s', [note('after')]);
        await summaryIsItsSource(store, 's');
        const incremental = await storedRows(store);
        await store.rebuildProjections();
        expect(await storedRows(store)).toEqual(incremental);
      });

      it("is rebuilt with its source when its version or its source's version changes", async () => {
        const name = uniqueName();
        const v1 = await open({ name, projections: [source, summaryOf(1)] });
        await v1.appendToStream('s', [note('a'), note('b')]);
        v1.close();
        const v2 = await open({ name, projections: [source, summaryOf(2, 'v2:')] });
        await summaryIsItsSource(v2, 's', 'v2:');
        v2.close();
        // The source's meaning changes: the rows made from it are made again.
        const shouting = { ...source, version: 2, evolve: (row: NoteCount | undefined, e: Parameters<typeof noteCount.evolve>[1], k: string) => {
          const next = noteCount.evolve(row, e, k)!;
          return { ...next, texts: next.texts.map((t) => t.toUpperCase()) };
        } };
        const v3 = await open({ name, projections: [shouting, derivedFrom(shouting, { name: 'noteSummary', version: 2, derive: (row: NoteCount | undefined) => row && { count: row.count, last: `v2:${row.texts.at(-1)}` } })] });
        expect(await v3.getRow('noteSummary', 's')).toEqual({ count: 2, last: 'v2:B' });
      });

      it('is refused when listed before its source, without it, or asynchronous', async () => {
        await expect(open({ projections: [summaryOf(1), source] })).rejects.toThrow(/noteSummary is derived from noteCount/);
        await expect(open({ projections: [summaryOf(1)] })).rejects.toThrow(/noteSummary is derived from noteCount/);
        await expect(open({ projections: [source, { ...summaryOf(1), mode: 'async' }] })).rejects.toThrow(/noteSummary is derived from noteCount/);
      });
    });

    it('rebases a pending tail onto upstream events and rolls back its read-model effects', async () => {
      const store = await open();
      const [a, b] = [note('mine-1'), note('mine-2')];
      await store.appendToStream('s', [note('shared')]);
      await store.confirm([{ streamId: 's', version: 1, position: 1 }]);
      await store.appendToStream('s', [a]);
      await store.appendToStream('s', [b]);
      const upstream = envelopes('s', 2, 2).map((e, i) => ({ ...e, position: 5 + i }));
      const dropped = await store.rebase('s', upstream);
      expect(dropped.map((e) => e.id)).toEqual([a.id, b.id]);
      const stream = await store.readStream('s');
      expect(stream.map((e) => [e.version, e.position])).toEqual([[1, 1], [2, 5], [3, 6]]);
      expect(await store.getRow<NoteCount>('noteCount', 's')).toMatchObject({ count: 3, texts: ['shared', 'n2', 'n3'] });
      expect(await store.outbox()).toEqual([]);
      await store.appendToStream('s', [a], { expectedVersion: 3 }); // the dropped change, decided again on top
      expect((await store.outbox()).map((e) => e.version)).toEqual([4]);
      const incremental = await storedRows(store);
      await store.rebuildProjections();
      expect(await storedRows(store)).toEqual(incremental);
    });

    it('closes cleanly and says so when another tab upgrades the database', async () => {
      const name = uniqueName();
      const store = await open({ name });
      await store.appendToStream('s', [note('a')]);
      const told = new Promise<unknown>((resolve) => store.onUpgraded(resolve));
      const newer = new Dexie(name);
      newer.version(SCHEMA_VERSION + 1).stores({ extra: 'id' });
      await newer.open();
      expect(await told).toBeInstanceOf(DatabaseUpgradedError);
      await expect(store.appendToStream('s', [note('b')])).rejects.toBeInstanceOf(DatabaseUpgradedError);
      newer.close();
    });

    it('reports a full disk as a typed error and keeps nothing of the failed append', async () => {
      const quota = {
        ...noteCount,
        name: 'quota',
        evolve: (row: NoteCount | undefined, e: Parameters<typeof noteCount.evolve>[1], k: string) => {
          if ((e.data as { text: string }).text === 'full') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          return noteCount.evolve(row, e, k);
        },
      };
      const store = await open({ projections: [quota] });
      await store.appendToStream('s', [note('a')]);
      await expect(store.appendToStream('s', [note('b'), note('full')])).rejects.toBeInstanceOf(StorageFullError);
      expect(await store.readStream('s')).toHaveLength(1);
    });
  });
}
