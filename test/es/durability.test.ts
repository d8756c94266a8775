import { durabilitySuite } from './durability.ts';

durabilitySuite('Node, fake-indexeddb');
