/**
 * Threat: the tracker's supply is cut — the first thing a professional crew does before moving a truck, so
 * the tracker runs down its backup battery and goes silent. On a reefer it also means the unit was unplugged.
 * Thresholds: external power present for 10 s and then absent for 10 s (debounce: cranking dips and loose
 * connectors under vibration last well under a second; 10 s still reports long before the battery is
 * drained). Any state of the ignition: with a permanent supply a cut is never normal (and without reading the
 * ignition the rule also runs on reefer units). Critical; attaches the backup battery voltage and the last valid
 * fix; reporting switches to every 30 s (often enough to follow the truck, rare enough to keep the battery alive
 * for hours).
 */
import { rule, sig, level, seconds, minutes } from '../compiler/dsl/index.ts';

const fixOk = sig('gnss.fix').atLeast(level(1));
const powered = sig('power.external').isTrue().debounce(seconds(10));

export default rule({
  name: 'external-power-cut',
  description: 'External power to the tracker cut for more than 10 s',
  when: powered.falling(),
  severity: 'critical',
  attach: {
    battery: sig('battery'),
    lat: sig('gnss.lat').heldWhen(fixOk), lon: sig('gnss.lon').heldWhen(fixOk), cellId: sig('cell.id'),
  },
  cooldown: minutes(10),
  reportEvery: seconds(30),
});
