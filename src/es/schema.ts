// The database's version, apart from Dexie: the page opens the database with it before the rest of
// its script has loaded (early-open.ts).

/**
 * The database's version. It moves when the tables change, and when what their rows mean changes
 * in a way the previous version's code cannot read: a tab still running that code is then told
 * to reload (versionchange → DatabaseUpgradedError) instead of failing on the rows.
 * 2: the cart list entry is made from the view, without the lines, and stream heads keep no
 * snapshot (issue 12) — version 1's code would refold a list entry from lines it no longer has.
 * 3: the rows of inline projections keyed by stream live in the stream heads (head-rows.ts), no
 * longer in readModels. The upgrade forgets every projection's recorded version, so the store
 * rebuilds them all from the log as it opens: the rows move into the heads, the old ones go.
 * 4: stream heads are indexed by whether they have events to push and whether they are another
 * account's (head-index.ts) — version 3's code would write heads the index no longer knows.
 * 5: the store keeps how far into the log the heads' marks are known right (head-check.ts), and
 * refuses a database newer than its code (open-report.ts). The bump itself matters: a tab of the
 * previous release still open is told to reload as this one opens, instead of writing on beside it.
 */
export const SCHEMA_VERSION = 5;

/** What Dexie asks IndexedDB for: its version n is IndexedDB's n × 10. */
export const NATIVE_VERSION = SCHEMA_VERSION * 10;
