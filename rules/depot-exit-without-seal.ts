/**
 * Threat: a loaded trailer or container leaves the origin depot without its BLE bolt seal — a hijack in the
 * yard, or an unscheduled dispatch by a colluding driver before the seal is fitted (or after it was cut).
 * There is no wall-clock signal, so "outside schedule" cannot be checked on the device; the seal is the
 * dispatch authorisation we can see.
 * Thresholds: position of the last valid fix (fix ≥ 1) must be inside the depot polygon for 5 s and then outside
 * it for 5 s (the debounce rides out GNSS jitter at the fence line without delaying the alert much: at 30 km/h a
 * truck is 40 m past the gate). The seal must be absent at that moment (an unknown seal counts as absent: fail
 * safe). Critical; reporting switches to every 10 s so the control room can follow the vehicle. One alert per 30 min.
 */
import { rule, sig, place, inside, level, seconds, minutes } from '../compiler/dsl/index.ts';

const depot = place('geo/depot.geojson', 'origin-depot');
const fixOk = sig('gnss.fix').atLeast(level(1));
// Position of the last valid fix: a jammed or lost receiver does not make the truck "leave" or "enter" the depot.
const lat = sig('gnss.lat').heldWhen(fixOk);
const lon = sig('gnss.lon').heldWhen(fixOk);
const seal = sig('ble.seal');
const inDepot = inside(depot, lat, lon).debounce(seconds(5));

export default rule({
  name: 'depot-exit-without-seal',
  description: 'Left the origin depot without the BLE seal present',
  when: inDepot.falling().and(seal.isFalse()),
  severity: 'critical',
  attach: { lat, lon, speed: sig('gnss.speed'), cellId: sig('cell.id') },
  cooldown: minutes(30),
  reportEvery: seconds(10),
});
