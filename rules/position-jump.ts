/**
 * Threat: GNSS spoofing — a spoofer captures the receiver and drags the reported position away so the truck
 * appears on route while it is driven elsewhere. Capture shows as a jump between consecutive fixes.
 * Thresholds: speed implied by the two latest fixes above 250 km/h (no truck does that; a 1 Hz fix moving
 * 70 m is already flagged) with a valid fix and HDOP below 5. Multipath outliers in city canyons come with poor
 * HDOP, while a spoofer produces a clean, confident solution, so the HDOP gate drops most honest glitches.
 * Critical; attaches the new position, the speed the receiver claims, its HDOP and satellites, and the serving
 * cell (which the spoofer cannot move). Reporting switches to every 10 s.
 */
import { rule, sig, impliedSpeed, kmh, level, ratio, seconds, minutes } from '../compiler/dsl/index.ts';

const fixOk = sig('gnss.fix').atLeast(level(1));

export default rule({
  name: 'position-jump',
  description: 'Position jumped faster than 250 km/h between fixes (spoofing)',
  when: impliedSpeed().above(kmh(250)).and(fixOk, sig('gnss.hdop').below(ratio(5))),
  severity: 'critical',
  attach: {
    lat: sig('gnss.lat'), lon: sig('gnss.lon'), reportedSpeed: sig('gnss.speed'),
    hdop: sig('gnss.hdop'), sats: sig('gnss.sats'), cellId: sig('cell.id'), cellRssi: sig('cell.rssi'),
  },
  cooldown: minutes(10),
  reportEvery: seconds(10),
});
