// The core journeys (journeys.ts) and the page's (page-journeys.ts) in chromium; `npm test -- --engine=chromium` runs this engine alone.
import { journeys } from './journeys.ts';
import { pageJourneys } from './page-journeys.ts';

journeys('chromium');
pageJourneys('chromium');
