/**
 * Threat: the truck or trailer is towed or lifted onto a low-loader — theft without the keys, where the
 * ignition stays off the whole time.
 * Thresholds: ignition reported off (unknown does not count) while the vehicle moves — a valid fix faster than
 * 5 km/h, or the acceleration magnitude leaving 0.75–1.25 g at least once every 5 s (road vibration of a towed
 * vehicle; this keeps working under a GNSS jammer) — continuously for 30 s. 5 km/h is above the speed noise
 * of a parked receiver; 30 s rules out a trailer nudged during coupling or a forklift bumping the body.
 * Critical; reporting switches to every 10 s.
 */
import { rule, sig, kmh, gees, level, seconds, minutes, param } from '../compiler/dsl/index.ts';

const fixOk = sig('gnss.fix').atLeast(level(1));
const ignition = sig('ignition');
const engineOff = ignition.known().and(ignition.not());
const speed = sig('gnss.speed');
const accel = sig('accel.mag');
const vibrating = accel.outsideRange(gees(0.75), gees(1.25)).notTrueFor(seconds(5)).not();
const moving = speed.above(kmh(5)).and(fixOk).or(vibrating);
const hold = param('tow.hold', seconds(30), { min: seconds(5), max: minutes(5), description: 'time moving with the ignition off before the alert' });

export default rule({
  name: 'towing',
  description: 'Moving with the ignition off for 30 s (towed or lifted)',
  when: engineOff.and(moving).heldFor(hold),
  severity: 'critical',
  attach: {
    speed, accelMag: accel, tilt: sig('accel.tilt'),
    lat: sig('gnss.lat').heldWhen(fixOk), lon: sig('gnss.lon').heldWhen(fixOk), cellId: sig('cell.id'),
  },
  cooldown: minutes(30),
  reportEvery: seconds(10),
});
