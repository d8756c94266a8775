import { earlyOpenSuite } from './early-open.ts';

earlyOpenSuite('real IndexedDB');
