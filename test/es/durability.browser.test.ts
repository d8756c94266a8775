import { durabilitySuite } from './durability.ts';

durabilitySuite('Chromium, real IndexedDB');
