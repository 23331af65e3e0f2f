/**
 * Threat: piecemeal offloading or a driver probing the response — several short stops in quick succession
 * outside approved places, each too short for the unauthorised-stop rule.
 * Thresholds: 4 or more stops within 30 minutes, a stop being speed below 3 km/h with a valid fix outside every
 * approved zone for at least 60 s (the debounce keeps traffic lights — mostly 35–60 s in urban recordings — and
 * GNSS speed noise from counting as stops, and closes a stop only after 60 s of movement). Warning; attaches the
 * stop count in the window and the position of the latest stop.
 */
import { rule, sig, place, places, insideAny, kmh, count, level, seconds, minutes } from '../compiler/dsl/index.ts';

const approved = [...places('geo/stop-zones.geojson'), place('geo/depot.geojson', 'origin-depot')];
const fixOk = sig('gnss.fix').atLeast(level(1));
const stopped = sig('gnss.speed').below(kmh(3)).and(fixOk, insideAny(approved).not()).debounce(seconds(60));
const stops = stopped.risingCount(minutes(30), 8);

export default rule({
  name: 'repeated-stop-start',
  description: 'Four or more stops within 30 minutes outside approved zones',
  when: stops.atLeast(count(4)),
  severity: 'warning',
  attach: { stops, lat: sig('gnss.lat'), lon: sig('gnss.lon'), cellId: sig('cell.id') },
  cooldown: minutes(30),
});
