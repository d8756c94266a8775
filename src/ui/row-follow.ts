// Follows read-model rows without a live query: the stored rows are read once, then only the
// rows of streams the store says changed are read again (one read for all that changed while the
// previous read ran), and a command of this tab brings the row its own transaction wrote, so a
// click costs no read-back at all. The stored rows are the truth: a change told by another tab is
// always read, and a command's row is used only for this tab's own commit of that stream.
//
// Why a command's row can stand in for the read: within one tab, the store tells its commits in
// commit order, and a command settles in the same task as its commit's notification (CommandWatch),
// so no later commit of the stream can have been told in between.
import type { CommandWatch } from '../es/command.ts';
import type { ChangeListener } from '../es/changes.ts';
import { jsonEqual } from '../es/equal.ts';

export interface RowSource<Row> {
  /** The rows of these streams, in one read; undefined where a stream has none. */
  read: (streamIds: readonly string[]) => Promise<readonly (Row | undefined)[]>;
  /** The stream a row belongs to. */
  streamOf: (row: Row) => string;
  /** The read model's name, to take a command's own row from its result. */
  projection: string;
  /** The store's change notifications (store.subscribe). */
  subscribe: (listener: ChangeListener) => () => void;
  commands: CommandWatch;
}

export interface RowFollowOptions<Row> {
  /** Only these streams' rows, or every row of the read model (`all` reads them first). */
  streams: readonly string[] | { all: () => Promise<readonly Row[]> };
  /**
   * The rows after every change, by stream. A row that did not change is the same object as
   * before, so a keyed list re-renders only what changed.
   */
  onRows: (rows: ReadonlyMap<string, Row>) => void;
  /** A read failed (e.g. the database was closed); the next change reads again. */
  onError?: (error: unknown) => void;
  /**
   * The rows the caller shows already, read before following began (a stream missing here has
   * none). The first read still reads every followed row; only what differs from these is handed on.
   */
  known?: ReadonlyMap<string, Row>;
}

export interface RowFollow {
  /**
   * Reads every followed row again. Change messages between tabs can be lost (a page kept in the
   * back-forward cache, a closed channel): the page calls this when it is shown again.
   */
  refresh: () => void;
  close: () => void;
}

export function followRows<Row>(source: RowSource<Row>, options: RowFollowOptions<Row>): RowFollow {
  const { streams, onRows, onError, known } = options;
  const follows = 'all' in streams ? () => true : (streamId: string) => streams.includes(streamId);
  const rows = new Map<string, Row>(known);
  /** To read: changed streams whose new row is not in hand. */
  const stale = new Set<string>();
  /** Changed by a commit of this tab while a command of it runs there: its result brings the row. */
  const awaited = new Set<string>();
  let reading = false;
  let closed = false;
  /** The first read is in: from now on every change is handed on. */
  let ready = false;
  const changed = () => ready && onRows(rows);

  /** Keeps the old object when the row is equal, so nothing downstream re-renders for it. */
  const put = (streamId: string, row: Row | undefined): boolean => {
    const old = rows.get(streamId);
    if (row === undefined) return rows.delete(streamId);
    if (old !== undefined && jsonEqual(old, row)) return false;
    rows.set(streamId, row);
    return true;
  };

  /** The whole read model is to be read (a list's first read, or a refresh). */
  let whole = 'all' in streams;

  /** Reads what is stale, one read at a time: what changes meanwhile is read by the next one. */
  async function read(): Promise<void> {
    if (reading || closed || (!whole && stale.size === 0)) return;
    reading = true;
    const all = whole && 'all' in streams ? streams.all : undefined;
    const streamIds = all ? [] : [...stale];
    whole = false;
    stale.clear();
    try {
      // The first read is always handed on, unless the caller already shows what it found.
      let moved = !ready && !known;
      if (all) {
        const found = await all();
        if (closed) return;
        const seen = new Set(found.map(source.streamOf));
        for (const id of [...rows.keys()]) if (!seen.has(id)) moved = rows.delete(id) || moved;
        for (const row of found) moved = put(source.streamOf(row), row) || moved;
      } else {
        const found = await source.read(streamIds);
        if (closed) return;
        streamIds.forEach((id, i) => (moved = put(id, found[i]) || moved));
      }
      ready = true;
      if (moved) changed();
    } catch (error) {
      // Read again with the next change rather than spin on a closed database.
      if (all) whole = true;
      streamIds.forEach((id) => stale.add(id));
      if (!closed) onError?.(error);
      return;
    } finally {
      reading = false;
    }
    await read();
  }

  const stopChanges = source.subscribe((change) => {
    for (const streamId of change.streamIds) {
      if (!follows(streamId)) continue;
      if (change.origin === 'local' && source.commands.running(streamId)) awaited.add(streamId);
      else stale.add(streamId);
    }
    void read();
  });

  const stopCommands = source.commands.onSettled((streamId, written) => {
    if (!follows(streamId)) return;
    const row = written?.(source.projection) as Row | undefined;
    // No row in hand (refused, nothing written, another read model): what changed is read.
    if (row === undefined) {
      if (awaited.delete(streamId)) stale.add(streamId);
      void read();
      return;
    }
    awaited.delete(streamId);
    if (put(streamId, row)) changed();
  });

  // Subscribed first, so nothing committed after the first read is missed; what changes while it
  // runs is read again after it.
  if (!('all' in streams)) streams.forEach((id) => stale.add(id));
  void read();

  return {
    refresh() {
      if ('all' in streams) whole = true;
      else streams.forEach((id) => stale.add(id));
      void read();
    },
    close() {
      closed = true;
      stopChanges();
      stopCommands();
    },
  };
}
