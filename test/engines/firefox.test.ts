// The core journeys in firefox (journeys.ts); `npm test -- --engine=firefox` runs this engine alone.
import { journeys } from './journeys.ts';

journeys('firefox');
