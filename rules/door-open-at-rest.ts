/**
 * Threat: cargo theft during an unscheduled stop — the door is opened while the truck stands still
 * (driver coerced, or crew colluding at a rest area).
 * Thresholds: door open, speed below 1 km/h, both for more than 10 minutes. Critical; attaches the serving
 * cell id (position evidence that survives GNSS jamming) and the last position. One alert per 30 minutes.
 */
import { rule, sig, kmh, minutes, param } from '../compiler/dsl/index.ts';

const door = sig('door');
const speed = sig('gnss.speed');
const rest = param('door.rest', minutes(10), { min: minutes(1), max: minutes(60), description: 'door open at rest before the alert' });

export default rule({
  name: 'door-open-at-rest',
  description: 'Door open while stationary for more than 10 minutes',
  when: door.isTrue().and(speed.below(kmh(1))).heldFor(rest),
  severity: 'critical',
  attach: { cellId: sig('cell.id'), lat: sig('gnss.lat'), lon: sig('gnss.lon') },
  cooldown: minutes(30),
});
