/**
 * Threat: an unattended truck parked overnight outside secure parking — the most common setting for cargo
 * theft (curtain-slashing, trailer theft while the driver sleeps in a lay-by).
 * This stands in for a "dwell in a night-time window" rule: the catalogue has no clock signal and the ISA has no
 * modulo, so the device cannot tell night from day. The best available approximation is a long dwell with the
 * engine off outside every approved place; the control room judges the hour from the event time.
 * Thresholds: ignition reported off (an unknown ignition does not count), and the last valid fix outside every
 * approved zone (stop zones and the depot), both for 45 minutes — longer than a legal driver break (30–45 min),
 * so a compliant break at an unapproved spot does not alert. The last valid fix is used because a truck parked
 * in a building or under a jammer loses GNSS and must still count as dwelling there. Critical.
 */
import { rule, sig, place, places, inside, any, level, degrees, minutes, hours, param } from '../compiler/dsl/index.ts';

const fixOk = sig('gnss.fix').atLeast(level(1));
const lat = sig('gnss.lat').heldWhen(fixOk);
const lon = sig('gnss.lon').heldWhen(fixOk);
// insideAny() tests the live position only; the last valid fix needs inside() per zone.
const [first, ...rest] = [...places('geo/stop-zones.geojson'), place('geo/depot.geojson', 'origin-depot')].map((z) => inside(z, lat, lon));
const inApproved = any(first, ...rest);
// known() exists only on raw signals; a held value is NaN until the first valid fix, and NaN fails every comparison.
const hadFix = lat.atLeast(degrees(-90));
const ignition = sig('ignition');
const engineOff = ignition.known().and(ignition.not());
const dwell = param('dwell', minutes(45), { min: minutes(10), max: hours(3), description: 'parked time outside approved zones before the alert' });

export default rule({
  name: 'prolonged-dwell',
  description: 'Parked with the engine off outside approved zones for 45 minutes (night-dwell stand-in: no clock on the device)',
  when: engineOff.and(hadFix, inApproved.not()).heldFor(dwell),
  severity: 'critical',
  attach: { lat, lon, cellId: sig('cell.id'), battery: sig('battery') },
  cooldown: minutes(120),
});
