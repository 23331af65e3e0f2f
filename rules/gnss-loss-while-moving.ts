/**
 * Threat: a GNSS jammer (cheap 12 V "privacy" jammers) or a disconnected antenna hides the vehicle while it is
 * driven away — the standard prelude to a truck hijack.
 * Thresholds: no valid fix for more than 60 s (the driver's fixAge, or no GNSS report at all for 60 s) or the
 * receiver's jamming indicator above 80 of 255 (u-blox jamInd; clears below 40) for 10 s, while the vehicle is
 * recently moving: above 10 km/h or shaking by more than 0.15 g from 1 g, latched until it has been still for
 * 5 minutes. 60 s covers tunnels and urban canyons; a warm receiver re-acquires in seconds. Motion is taken
 * from speed *or* vibration because speed disappears with the fix, and no ignition signal is needed, so the
 * rule also runs on container trackers. Critical; attaches the serving cell (position evidence a jammer does
 * not hide), the last valid fix and the jamming level.
 */
import { rule, sig, kmh, gees, level, seconds, minutes, param } from '../compiler/dsl/index.ts';

const fixOk = sig('gnss.fix').atLeast(level(1));
const lossTime = param('gnss.loss', seconds(60), { min: seconds(10), max: minutes(10), description: 'time without a valid fix counted as a loss' });
const noFix = sig('gnss.fixAge').above(lossTime).or(sig('gnss.fix').stale(lossTime));
const jamming = sig('gnss.jamming');
const jammed = jamming.hysteresis(level(40), level(80)).heldFor(seconds(10));
const moving = sig('gnss.speed').above(kmh(10)).or(sig('accel.mag').outsideRange(gees(0.85), gees(1.15)));
const recentlyMoving = moving.latchUntil(moving.notTrueFor(minutes(5)));

export default rule({
  name: 'gnss-loss-while-moving',
  description: 'GNSS lost for 60 s or jammed while the vehicle is moving',
  when: noFix.or(jammed).and(recentlyMoving),
  severity: 'critical',
  attach: {
    cellId: sig('cell.id'), cellRssi: sig('cell.rssi'),
    lastLat: sig('gnss.lat').heldWhen(fixOk), lastLon: sig('gnss.lon').heldWhen(fixOk),
    jamming, fixAge: sig('gnss.fixAge'),
  },
  cooldown: minutes(10),
});
