import { staleStreamSuite } from './command-stale.ts';

staleStreamSuite('Chromium, real IndexedDB');
