// The core journeys in chromium (journeys.ts); `npm test -- --engine=chromium` runs this engine alone.
import { journeys } from './journeys.ts';

journeys('chromium');
