/**
 * A 32-bit fingerprint of the signal catalogue (FNV-1a over "name:id:unit;" in id order).
 * It goes into every bundle header and into the runtime build, so a device refuses a bundle whose
 * signal ids mean something else. Any change to a name, id or unit changes it.
 */
import { SIGNAL_BY_ID, signalMeta } from './dsl/catalogue.ts';

export function catalogueHash(): number {
  let text = '';
  for (const name of SIGNAL_BY_ID) text += `${name}:${signalMeta(name).id}:${signalMeta(name).unit};`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
