import { eventChecksSuite } from './event-checks.ts';

eventChecksSuite('this browser');
