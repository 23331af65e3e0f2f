/**
 * Threat: the vehicle is diverted off its planned route — a hijacked truck driven to a drop yard, or a driver
 * detouring to offload part of the cargo.
 * Thresholds: a valid fix more than 500 m from the planned route (geo/planned-route.geojson) for 2 minutes.
 * 500 m absorbs GNSS error, the route's simplification (≤ 10 m) and service-road or car-park detours; 2 minutes
 * at urban speed is about 1–2 km of deviation, enough to ignore a wrong turn corrected at the next junction.
 * Warning (road closures force real detours); reporting switches to every 30 s. One alert per 15 minutes.
 */
import { rule, sig, place, offRoute, level, meters, seconds, minutes, param } from '../compiler/dsl/index.ts';

const route = place('geo/planned-route.geojson', 'planned-route');
const fixOk = sig('gnss.fix').atLeast(level(1));
const corridor = param('route.corridor', meters(500), { min: meters(50), max: meters(5000), description: 'distance from the planned route counted as off route' });
const hold = param('route.hold', minutes(2), { min: seconds(10), max: minutes(30), description: 'time off route before the alert' });

export default rule({
  name: 'route-deviation',
  description: 'More than 500 m off the planned route for 2 minutes',
  when: offRoute(route, corridor).and(fixOk).heldFor(hold),
  severity: 'warning',
  attach: {
    lat: sig('gnss.lat'), lon: sig('gnss.lon'), speed: sig('gnss.speed'), course: sig('gnss.course'), cellId: sig('cell.id'),
  },
  cooldown: minutes(15),
  reportEvery: seconds(30),
});
