/**
 * Threat: a pharmaceutical (2–8 °C) load spoiled on purpose or by neglect — a reefer unit switched off to save
 * fuel, its set-point tampered with, or doors left open during an unauthorised stop. A 15-minute excursion is the
 * usual point at which a GDP shipment must be quarantined and investigated.
 * Thresholds: cargo temperature above 8 °C (clears below 7.5 °C) or below 2 °C (clears above 2.5 °C) for
 * 15 minutes. The 0.5 °C hysteresis keeps a probe sitting on a limit from restarting the 15-minute timer; an
 * excursion that crosses from warm to cold without entering the band keeps counting. Critical.
 */
import { rule, sig, celsius, level, minutes } from '../compiler/dsl/index.ts';

const fixOk = sig('gnss.fix').atLeast(level(1));
const temperature = sig('temperature');
const tooWarm = temperature.hysteresis(celsius(7.5), celsius(8));
// hysteresis() only trips upwards; on the negated temperature it trips below 2 °C and clears above 2.5 °C.
const tooCold = temperature.negate().hysteresis(celsius(-2.5), celsius(-2));

export default rule({
  name: 'temperature-excursion',
  description: 'Cargo temperature outside 2–8 °C for 15 minutes',
  when: tooWarm.or(tooCold).heldFor(minutes(15)),
  severity: 'critical',
  attach: { temperature, lat: sig('gnss.lat').heldWhen(fixOk), lon: sig('gnss.lon').heldWhen(fixOk), cellId: sig('cell.id') },
  cooldown: minutes(60),
});
