/**
 * The check mark: what lets a boot skip the ed25519 verification of a bundle the device already verified.
 *
 *   mark = first 16 bytes of SHA-512(domain ‖ device secret (32) ‖ trust anchor (32) ‖ bundle id (16))
 *
 * The agent writes it into the slot pointer (slots.ts) when a bundle has passed the whole check, signature included,
 * under that anchor: with the activation's pointer write, or after a boot that had to check the signature. At the
 * next boot the slot's bytes are checked against the slot header's CRC-32 and against the id (SHA-512 prefix:
 * collision-resistant, so equal ids mean equal bytes), then the signed bundle's header (key id, profile, catalogue)
 * and the bytecode; when the pointer's mark equals the mark of (this anchor, this id), the signature is not
 * verified again — those bytes passed it under this anchor before. A new anchor or other bytes give another mark,
 * and the signature is verified as at activation.
 *
 * Keyed by the device secret the event writer's seals use (runtime/signing/seal.ts): a store that someone can write
 * without being able to read the device's secret or replace its code gets no mark through (docs/PROTOCOL.md,
 * "Boot"). A device without an event key has no secret: it marks nothing and verifies at every boot.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import { BUNDLE_ID_BYTES, MARK_BYTES } from './constants.ts';
import { eventSeed } from './event-key.ts';
import type { LinkState } from './state.ts';

var DOMAIN = 'edgerule slot check mark 1';
var IN: Uint8Array[] = [];

/** The secret marks are keyed with: the seal secret of a provisioned device, else the factory seed; null: none. */
function markSecret(a: LinkState): Uint8Array | null {
  if (!eventSeed(a)) return null;
  return a.id.valid ? a.seal : a.cfg.seed;
}

/** Writes into `out` the mark of slot `slot`'s bundle under `key`; false (out zeroed) when the device has no secret. */
export function checkMark(a: LinkState, key: Uint8Array, slot: number, out: Uint8Array): boolean {
  var secret = markSecret(a);
  var n = DOMAIN.length;
  var b, h, i;
  for (i = 0; i < MARK_BYTES; i++) out[i] = 0;
  if (!secret) return false;
  if (!IN[0]) IN[0] = new Uint8Array(n + 64 + BUNDLE_ID_BYTES);
  b = IN[0];
  for (i = 0; i < n; i++) b[i] = DOMAIN.charCodeAt(i);
  b.set(secret.subarray(0, 32), n);
  b.set(key.subarray(0, 32), n + 32);
  b.set(a.slots[slot].id.subarray(0, BUNDLE_ID_BYTES), n + 64);
  h = a.sha(b);
  for (i = 0; i < MARK_BYTES; i++) out[i] = h[i];
  return true;
}

/** True when m is a mark (not the empty one: zeros). */
export function isMark(m: Uint8Array): boolean {
  var any = 0;
  var i;
  for (i = 0; i < MARK_BYTES; i++) any |= m[i];
  return any !== 0;
}

/** True when two marks are equal and not the empty one. */
export function sameMark(x: Uint8Array, y: Uint8Array): boolean {
  var diff = 0;
  var i;
  for (i = 0; i < MARK_BYTES; i++) diff |= x[i] ^ y[i];
  return diff === 0 && isMark(x);
}
