/**
 * Threat: the vehicle is diverted off its planned route — a hijacked truck driven to a drop yard, or a driver
 * detouring to offload part of the cargo.
 * Thresholds: a valid fix more than 500 m from the planned route (geo/planned-route.geojson) for 2 minutes.
 * 500 m absorbs GNSS error, the route's simplification (≤ 10 m) and service-road or car-park detours; 2 minutes
 * at urban speed is about 1–2 km of deviation, enough to ignore a wrong turn corrected at the next junction.
 * Warning (road closures force real detours); reporting switches to every 30 s. One alert per 15 minutes.
 */
import { rule, sig, place, offRoute, level, meters, seconds, minutes } from '../compiler/dsl/index.ts';

const route = place('geo/planned-route.geojson', 'planned-route');
const fixOk = sig('gnss.fix').atLeast(level(1));

export default rule({
  name: 'route-deviation',
  description: 'More than 500 m off the planned route for 2 minutes',
  when: offRoute(route, meters(500)).and(fixOk).heldFor(minutes(2)),
  severity: 'warning',
  attach: {
    lat: sig('gnss.lat'), lon: sig('gnss.lon'), speed: sig('gnss.speed'), course: sig('gnss.course'), cellId: sig('cell.id'),
  },
  cooldown: minutes(15),
  reportEvery: seconds(30),
});
