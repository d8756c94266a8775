import { fullDiskSuite, onCommit } from './full-disk.ts';

// Chromium cannot be made to fail a commit with UnknownError from a page: an abort is what it can fake.
fullDiskSuite('Chromium, real IndexedDB', { reports: 'aborts the commit', failCommits: (db) => onCommit(db, (tx) => tx.abort()) });
