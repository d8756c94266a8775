// The core journeys (journeys.ts) and the page's (page-journeys.ts) in firefox; `npm test -- --engine=firefox` runs this engine alone.
import { journeys } from './journeys.ts';
import { pageJourneys } from './page-journeys.ts';

journeys('firefox');
pageJourneys('firefox');
