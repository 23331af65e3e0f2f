/**
 * Threat: the crew has cut the tracker's supply and drives the truck away on the assumption that the tracker
 * is dead (it still runs on its backup battery).
 * Thresholds: external power went from present to absent (10 s debounce, as in external-power-cut) and has not
 * come back (latched until it is present again for 10 s); meanwhile a valid fix faster than 10 km/h for 30 s
 * (a truck moved across a yard for service with the supply disconnected stays below that). Critical; arms the
 * immobiliser — assumed to be the usual starter-interrupt relay, which blocks the next engine start and never
 * stops a running engine — and reports every 15 s.
 */
import { rule, sig, kmh, level, seconds, minutes } from '../compiler/dsl/index.ts';

const fixOk = sig('gnss.fix').atLeast(level(1));
const powered = sig('power.external').isTrue().debounce(seconds(10));
const cut = powered.falling().latchUntil(powered.rising());
const speed = sig('gnss.speed');

export default rule({
  name: 'moving-after-power-cut',
  description: 'Driven for 30 s after the external power was cut',
  when: cut.and(fixOk, speed.above(kmh(10))).heldFor(seconds(30)),
  severity: 'critical',
  attach: { speed, battery: sig('battery'), lat: sig('gnss.lat'), lon: sig('gnss.lon'), cellId: sig('cell.id') },
  cooldown: minutes(30),
  setOutputs: { immobiliser: 1 },
  reportEvery: seconds(15),
});
