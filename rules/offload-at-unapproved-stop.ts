/**
 * Threat: cargo offloaded at an unapproved stop — the vehicle stops outside approved zones, the door opens, and
 * the vehicle drives off again: the full pattern of a robbery or of a driver selling part of the load.
 * Thresholds: the three steps in order within 30 minutes of the stop: (1) speed below 3 km/h with a valid fix
 * outside every approved zone for 1 minute (longer than a traffic light), (2) door open, (3) speed above
 * 15 km/h (really driving off, not manoeuvring). 30 minutes is enough to empty a trailer by hand. Steps are
 * levels (the runtime advances a step when it is true at an evaluation after the previous one), so a door opened
 * during the first minute of the stop and still open counts. Critical; disables remote unlock and reports every 15 s.
 */
import { rule, sig, place, places, insideAny, sequence, kmh, level, seconds, minutes } from '../compiler/dsl/index.ts';

const approved = [...places('geo/stop-zones.geojson'), place('geo/depot.geojson', 'origin-depot')];
const fixOk = sig('gnss.fix').atLeast(level(1));
const speed = sig('gnss.speed');
const door = sig('door');
const stoppedOutside = speed.below(kmh(3)).and(fixOk, insideAny(approved).not()).heldFor(minutes(1));

export default rule({
  name: 'offload-at-unapproved-stop',
  description: 'Stopped outside approved zones, door opened, then drove off within 30 minutes',
  when: sequence([stoppedOutside, door.isTrue(), speed.above(kmh(15))], minutes(30)),
  severity: 'critical',
  attach: { lat: sig('gnss.lat'), lon: sig('gnss.lon'), speed, cellId: sig('cell.id') },
  cooldown: minutes(30),
  setOutputs: { 'remote-unlock': 0 },
  reportEvery: seconds(15),
});
