/**
 * Threat: physical attack on the cargo unit or the tracker — a container dropped or rammed, a door forced with
 * a pry bar, or the tracker's enclosure opened to disconnect it.
 * Thresholds: acceleration magnitude above 4 g (potholes and hard braking stay below ~2–3 g at a chassis or
 * container mount; drops and impacts exceed it), or the enclosure tamper switch open for 500 ms (debounced:
 * a single bounce from a slammed door is not an opening). Critical; attaches the triggering magnitude, the
 * tamper state (1 open), tilt, the last valid fix and the serving cell. One alert per minute.
 */
import { rule, sig, gees, ms, count, level, minutes, param } from '../compiler/dsl/index.ts';

const fixOk = sig('gnss.fix').atLeast(level(1));
const accel = sig('accel.mag');
const tamperOpen = sig('tamper').isTrue().debounce(ms(500));
const impact = param('shock.g', gees(4), { min: gees(1.5), max: gees(16), description: 'acceleration magnitude counted as an impact' });

export default rule({
  name: 'shock-or-tamper',
  description: 'Impact above 4 g or tracker enclosure opened',
  when: accel.above(impact).or(tamperOpen),
  severity: 'critical',
  attach: {
    accelMag: accel, tamper: tamperOpen.choose(count(1), count(0)), tilt: sig('accel.tilt'),
    lat: sig('gnss.lat').heldWhen(fixOk), lon: sig('gnss.lon').heldWhen(fixOk), cellId: sig('cell.id'),
  },
  cooldown: minutes(1),
});
