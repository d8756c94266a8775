// The core journeys (journeys.ts) and the page's (page-journeys.ts) in webkit; `npm test -- --engine=webkit` runs this engine alone.
import { journeys } from './journeys.ts';
import { pageJourneys } from './page-journeys.ts';

journeys('webkit');
pageJourneys('webkit');
