// The core journeys in webkit (journeys.ts); `npm test -- --engine=webkit` runs this engine alone.
import { journeys } from './journeys.ts';

journeys('webkit');
