/**
 * Threat: a breach that bypasses the door — thieves cut through the roof or side wall, or lift the doors off
 * their hinges, leaving door contact and seal intact. The light sensor inside the container is dark whenever the
 * doors are really closed, so light with the door contact "closed" means a hole. (The opposite idea, "door
 * opened in the dark", only describes every door opening: the interior is always dark behind closed doors.)
 * Thresholds: light above 20 lux (clears below 5 lux: a torch beam or daylight through a cut is well above
 * 20 lux, sensor dark noise is well below 5) with the door reported closed, for 5 s — which also hides the
 * moment when the door opens and the contact and the light sensor report a second apart. Critical; sounds the
 * siren to scare off the crew at work.
 */
import { rule, sig, lux, level, seconds, minutes } from '../compiler/dsl/index.ts';

const fixOk = sig('gnss.fix').atLeast(level(1));
const light = sig('light');
const door = sig('door');
const lit = light.hysteresis(lux(5), lux(20));

export default rule({
  name: 'light-in-closed-container',
  description: 'Light inside the container while the door is closed (roof or wall breach)',
  when: lit.and(door.isFalse()).heldFor(seconds(5)),
  severity: 'critical',
  attach: { light, lat: sig('gnss.lat').heldWhen(fixOk), lon: sig('gnss.lon').heldWhen(fixOk), cellId: sig('cell.id') },
  cooldown: minutes(15),
  setOutputs: { siren: 1 },
});
