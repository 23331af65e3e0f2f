/**
 * Threat: a container that travels on unsealed after a door opening — the legitimate opening (customs, a
 * delivery) is followed by a pilferage window, or the seal was cut and never replaced.
 * Thresholds: after the door closes, the BLE bolt seal must be present (again) within 10 minutes — ample time
 * to fit and pair a new seal at a dock. Warning (often a process slip, not theft); one alert per door closing.
 */
import { rule, sig, absence, level, minutes } from '../compiler/dsl/index.ts';

const fixOk = sig('gnss.fix').atLeast(level(1));
const door = sig('door');
const seal = sig('ble.seal');

export default rule({
  name: 'reseal-missing-after-door',
  description: 'No BLE seal within 10 minutes of the door closing',
  when: absence(door.falling(), seal.isTrue(), minutes(10)),
  severity: 'warning',
  attach: { lat: sig('gnss.lat').heldWhen(fixOk), lon: sig('gnss.lon').heldWhen(fixOk), cellId: sig('cell.id') },
});
