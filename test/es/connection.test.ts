import { forceCloseDatabase } from 'fake-indexeddb';
import { connectionSuite } from './connection.ts';

connectionSuite('Node, fake-indexeddb', { forceClose: (db) => forceCloseDatabase(db as never) });
