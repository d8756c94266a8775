import { earlyOpenSuite } from './early-open.ts';

earlyOpenSuite('Node, fake-indexeddb');
