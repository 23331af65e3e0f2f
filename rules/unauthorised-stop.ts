/**
 * Threat: the vehicle stops where it has no business stopping — meeting accomplices, a staged "breakdown",
 * or a hijack in progress. Approved places are the stop zones in geo/stop-zones.geojson and the origin depot.
 * Thresholds: stopped for more than 5 minutes with a valid fix outside every approved zone. "Stopped" means the
 * speed fell below 3 km/h and has not since exceeded 5 km/h (hysteresis), so GNSS speed noise at standstill
 * does not restart the 5-minute timer; 5 minutes is longer than any traffic light or level crossing
 * but short enough to act before a trailer can be emptied. Warning; reporting switches to every minute.
 */
import { rule, sig, place, places, insideAny, kmh, level, minutes, param } from '../compiler/dsl/index.ts';

const approved = [...places('geo/stop-zones.geojson'), place('geo/depot.geojson', 'origin-depot')];
const fixOk = sig('gnss.fix').atLeast(level(1));
const speed = sig('gnss.speed');
const stopped = speed.hysteresis(kmh(3), kmh(5)).not();
const dwell = param('stop.dwell', minutes(5), { min: minutes(1), max: minutes(30), description: 'stop time outside approved zones before the alert' });

export default rule({
  name: 'unauthorised-stop',
  description: 'Stopped for more than 5 minutes outside every approved stop zone',
  when: stopped.and(fixOk, insideAny(approved).not()).heldFor(dwell),
  severity: 'warning',
  attach: { lat: sig('gnss.lat'), lon: sig('gnss.lon'), speed, cellId: sig('cell.id') },
  cooldown: minutes(30),
  reportEvery: minutes(1),
});
