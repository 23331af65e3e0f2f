/**
 * Adapter from Espruino's native SHA-512 to the ed25519 hash interface:
 *   setSha512(nativeSha512(require("crypto")));
 * Espruino's require("crypto").SHA512(data) accepts a string, an ArrayBuffer or any typed-array view
 * (honouring its offset and length) and returns a 64-byte ArrayBuffer; it costs ~0.015 ms per KB on the
 * Linux build, against ~14 ms per 128-byte block for sha512.ts there. The module object is passed in so
 * the runtime bundle itself never calls require (other engines have no "crypto" module).
 * Returns null when the module has no SHA512 (boards built without it), so the host keeps the default.
 * Runtime subset: ES5 + typed arrays, var only, functions defined before use, no recursion.
 */
export interface EspruinoCrypto {
  SHA512?: (data: Uint8Array) => ArrayBuffer;
}

export function nativeSha512(crypto: EspruinoCrypto | null | undefined): ((msg: Uint8Array) => Uint8Array) | null {
  var f = crypto ? crypto.SHA512 : undefined;
  if (typeof f !== 'function') return null;
  return function (msg: Uint8Array): Uint8Array {
    return new Uint8Array((f as (data: Uint8Array) => ArrayBuffer)(msg));
  };
}
