/**
 * Translation kept in flash. Verifying and translating the library costs a desktop Espruino hundreds of
 * milliseconds (seconds on a 64 MHz board); a device that boots the same bundle again need not do it again.
 * A host with keepCode() receives, instead of the bare translated source, a record
 *
 *   /*ER<tag> <base64 of the bundle> <wake budget> <geometry sets>*\/<translated source>
 *
 * (a comment, then the code: it is what new Function runs either way) and stores it in flash. At the next boot it
 * gives that string back as Host.keptCode, and load() uses it instead of verifying the code and translating it when,
 * and only when, the record names this very runtime build (<tag>, stamped by tools/build-runtime.ts from a hash of
 * runtime/engine's sources: a new runtime never runs an old translation) and this very bundle, byte for byte. The
 * header, geometry and unit table are still checked (verify.ts parse()); the code walk is what the record stands for.
 * The check is against staleness (a new bundle, a new runtime), not against someone who can write the device's flash,
 * who could replace the runtime itself.
 *
 * Runtime subset: ES5 + typed arrays; Espruino's native btoa/E.toString when present, a plain loop elsewhere.
 */
declare var RUNTIME_TAG: string; // esbuild define in tools/build-runtime.ts; absent when runtime/ runs from its sources
declare var E: { toString(a: Uint8Array): string } | undefined;
declare function btoa(s: string): string;

var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The runtime build's tag, '' when running from sources (then nothing is ever taken from a record). */
function tag(): string {
  return typeof RUNTIME_TAG === 'string' ? RUNTIME_TAG : '';
}

function base64(bytes: Uint8Array): string {
  if (typeof E !== 'undefined' && E && typeof btoa === 'function') return btoa(E.toString(bytes));
  var parts: string[] = [];
  for (var i = 0; i < bytes.length; i += 3) {
    var n = (bytes[i] << 16) | ((i + 1 < bytes.length ? bytes[i + 1] : 0) << 8) | (i + 2 < bytes.length ? bytes[i + 2] : 0);
    parts.push(B64.charAt(n >> 18) + B64.charAt((n >> 12) & 63) +
      (i + 1 < bytes.length ? B64.charAt((n >> 6) & 63) : '=') + (i + 2 < bytes.length ? B64.charAt(n & 63) : '='));
  }
  return parts.join('');
}

function prefix(bytes: Uint8Array): string {
  return '/*ER' + tag() + ' ' + base64(bytes) + ' ';
}

/** The record keepCode() is given: see above. `sets` as translate.ts fills it. */
export function keptRecord(bytes: Uint8Array, wakeBudget: number, sets: number[], source: string): string {
  return prefix(bytes) + wakeBudget + ' ' + sets.join(',') + '*/' + source;
}

/** What a matching record gives load(): the code walk's wake budget and the translation's geometry sets. */
export interface Kept { wakeBudget: number; sets: number[] }

/** The record's data when `kept` is a record of this runtime build for exactly `bytes`, else null. */
export function readKept(kept: unknown, bytes: Uint8Array): Kept | null {
  if (typeof kept !== 'string' || tag() === '') return null;
  var pre = prefix(bytes);
  if (kept.length < pre.length || kept.substr(0, pre.length) !== pre) return null;
  var out: Kept = { wakeBudget: 0, sets: [] };
  var n = 0;
  var digits = 0;
  for (var i = pre.length; i < kept.length; i++) {
    var c = kept.charCodeAt(i);
    if (c >= 48 && c <= 57) { n = n * 10 + c - 48; digits++; continue; }
    if (digits > 0) { if (i === pre.length + digits) out.wakeBudget = n; else out.sets.push(n); }
    if (c === 42) return kept.charCodeAt(i + 1) === 47 ? out : null; // '*/': the end of the record's head
    if (c !== 32 && c !== 44) return null;
    n = 0;
    digits = 0;
  }
  return null;
}
