/**
 * Seals on the event writer's persisted blobs (the state 'es' and every queue slot): a 16-byte tag, the first bytes
 * of SHA-512(sealKey || place || blob), where sealKey is derived from the device's event key seed and `place` (two
 * bytes) names where the blob belongs (0 the state, 1 + i queue slot i), so a blob copied to another key is refused.
 * Persisted bytes are untrusted input — flash wears, writes tear, and whoever can write the store could otherwise
 * have the device sign whatever it likes — so a blob is used only when its seal proves the writer itself wrote
 * exactly these bytes there. (A seal cannot tell an older blob the writer wrote there from the newest one.)
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import type { Sha512 } from './crypto/ed25519.ts';

export var SEAL_BYTES = 16;
/** Domain separation: the seal key is not the signing key's hash (ed25519 hashes the bare seed). */
var SEAL_DOMAIN = 'edgerule persisted-state seal 1';

export interface Seal {
  hash: Sha512;
  /** sealKey, the place, then room for the largest blob. */
  buf: Uint8Array;
}

/** Bytes of Seal.buf before the blob: the key and the place (u16). */
var PRE = 34;

/** A sealer for blobs of up to maxBytes bytes, keyed by the 32-byte event key seed. */
export function newSeal(seed: Uint8Array, maxBytes: number, hash: Sha512): Seal {
  var n = SEAL_DOMAIN.length;
  var buf = new Uint8Array(PRE + maxBytes);
  var i;
  for (i = 0; i < n; i++) buf[i] = SEAL_DOMAIN.charCodeAt(i);
  buf.set(seed.subarray(0, 32), n);
  buf.set(hash(buf.subarray(0, n + 32)).subarray(0, 32), 0);
  return { hash: hash, buf: buf };
}

/** The tag of b[start … start+len−1] (len ≤ maxBytes) at `place`, as a fresh 64-byte hash; the tag is its first SEAL_BYTES. */
function tagOf(s: Seal, place: number, b: Uint8Array, start: number, len: number): Uint8Array {
  s.buf[32] = place & 255;
  s.buf[33] = (place >> 8) & 255;
  s.buf.set(b.subarray(start, start + len), PRE);
  return s.hash(s.buf.subarray(0, PRE + len));
}

/** Writes the seal of b[start … start+len−1], persisted at `place` (0…65535), just after it (b needs SEAL_BYTES more room). */
export function sealWrite(s: Seal, place: number, b: Uint8Array, start: number, len: number): void {
  b.set(tagOf(s, place, b, start, len).subarray(0, SEAL_BYTES), start + len);
}

/** True when b[start … start+len−1] is followed by its seal for `place`. */
export function sealOk(s: Seal, place: number, b: Uint8Array, start: number, len: number): boolean {
  var tag, i, diff;
  if (len < 0 || len + PRE > s.buf.length || start + len + SEAL_BYTES > b.length) return false;
  tag = tagOf(s, place, b, start, len);
  diff = 0;
  for (i = 0; i < SEAL_BYTES; i++) diff |= tag[i] ^ b[start + len + i];
  return diff === 0;
}
