/**
 * A scenario written in TypeScript: the same schema as the JSON files, with completion and type checks.
 * Replay it with:
 *   node bin/edgerule.mjs simulate --bundle rules --start 2020-10-15T21:00:00+13:00 \
 *     --trace examples/quat-orient/gps.2020-10-15-21.csv --trace examples/quat-orient/accel.2020-10-15-21.csv \
 *     --scenario examples/scenarios/jam-and-tow.ts
 */
import { defineScenario } from '../../simulator/scenario.ts';

export default defineScenario({
  name: 'jam-and-tow',
  description: 'GNSS jammed for 90 s mid-trip, then the truck is towed away with the ignition off.',
  events: [
    { type: 'gnss-jam', from: '1m30s', to: '3m00s', level: 180, reportNoFix: true, note: 'cigarette-lighter jammer' },
    { type: 'tow', from: '4m00s', note: 'hooked up and towed' },
  ],
});
