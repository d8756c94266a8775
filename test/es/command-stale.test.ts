import { staleStreamSuite } from './command-stale.ts';

staleStreamSuite('Node, fake-indexeddb');
