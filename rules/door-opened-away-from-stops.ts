/**
 * Threat: the cargo door is opened somewhere it should never be opened — robbery at a red light or in a lay-by,
 * or a remote-unlock command abused by an insider.
 * Thresholds: the door contact goes from closed to open while a valid fix lies outside every approved zone and
 * more than 300 m from the delivery point's centre (the consignee may open the doors at the kerb before backing
 * in). Immediate: a door opening is already the event (a door already open at power-up counts as opened).
 * Critical; disables remote unlock (output 0) so nobody can open the other doors remotely until the control room
 * re-enables it; attaches speed (a door opened while moving is a hijack).
 */
import { rule, sig, place, places, insideAny, distanceTo, level, meters, minutes } from '../compiler/dsl/index.ts';

const approved = [...places('geo/stop-zones.geojson'), place('geo/depot.geojson', 'origin-depot')];
const deliveryPoint = place('geo/stop-zones.geojson', 'delivery-point');
const fixOk = sig('gnss.fix').atLeast(level(1));
const door = sig('door');
const awayFromStops = insideAny(approved).not().and(distanceTo(deliveryPoint).above(meters(300)));

export default rule({
  name: 'door-opened-away-from-stops',
  description: 'Cargo door opened outside every approved zone',
  when: door.rising().and(fixOk, awayFromStops),
  severity: 'critical',
  attach: { lat: sig('gnss.lat'), lon: sig('gnss.lon'), speed: sig('gnss.speed'), cellId: sig('cell.id') },
  cooldown: minutes(5),
  setOutputs: { 'remote-unlock': 0 },
});
