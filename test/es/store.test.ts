import { eventStoreConformance } from './conformance.ts';

eventStoreConformance('Node, fake-indexeddb');
