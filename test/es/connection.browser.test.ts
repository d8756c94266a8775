import { connectionSuite } from './connection.ts';

connectionSuite('Chromium, real IndexedDB');
