import { eventStoreConformance } from './conformance.ts';

eventStoreConformance('Chromium, real IndexedDB');
