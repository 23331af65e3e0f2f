/**
 * The byte strings that provisioning signs (docs/PROVISIONING.md): the device's proof of possession of a new event
 * key, and the trust anchor's commands. Each starts with its own context text, so a signature made for one can
 * never be taken for another (nor for a bundle or an event, whose COSE Sig_structures start otherwise). The device
 * builds them into one buffer it allocated at start; the host imports these same functions.
 *
 *   provision proof    "edgerule provision 1"           nonce length u8, nonce, device u32, anchor version u32,
 *                                                        anchor (32), event public key (32)   — signed by the new event key
 *   rotate-key command "edgerule rotate-event-key 1"    device u32, epoch to retire u32          — signed by the trust anchor
 *   rotate-key proof   "edgerule rotate-event-key proof 1"  nonce length u8, nonce, device u32, new epoch u32,
 *                                                        new public key (32), rotation record seq u32 lo, hi — signed by the new key
 *   trust command      "edgerule rotate-trust 1"        anchor version u32, new anchor (32)      — signed by the current anchor
 *   reset command      "edgerule factory-reset 1"       device u32, event public key in force (32), flags u8,
 *                                                        nonce length u8, nonce                   — signed by the current anchor
 *
 * All integers little-endian. Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import { wrU32 } from './crc32.ts';

export var CTX_PROVISION = 'edgerule provision 1';
export var CTX_ROTATE_KEY = 'edgerule rotate-event-key 1';
export var CTX_ROTATE_PROOF = 'edgerule rotate-event-key proof 1';
export var CTX_TRUST = 'edgerule rotate-trust 1';
export var CTX_RESET = 'edgerule factory-reset 1';
/** Longest statement: the rotation proof with a 32-byte nonce. */
export var STATEMENT_MAX = 34 + 1 + 32 + 4 + 4 + 32 + 8;

function text(b: Uint8Array, s: string): number {
  var i;
  for (i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return s.length;
}

function bytes(b: Uint8Array, p: number, src: Uint8Array, start: number, n: number): number {
  var i;
  for (i = 0; i < n; i++) b[p + i] = src[start + i];
  return p + n;
}

function u32(b: Uint8Array, p: number, v: number): number {
  wrU32(b, p, v);
  return p + 4;
}

/** The provisioning statement into b; returns its length. The nonce is src[nAt…nAt+nLen). */
export function provisionStatement(b: Uint8Array, src: Uint8Array, nAt: number, nLen: number, device: number, version: number, anchor: Uint8Array, pub: Uint8Array): number {
  var p = text(b, CTX_PROVISION);
  b[p++] = nLen;
  p = bytes(b, p, src, nAt, nLen);
  p = u32(b, p, device);
  p = u32(b, p, version);
  p = bytes(b, p, anchor, 0, 32);
  return bytes(b, p, pub, 0, 32);
}

/** The trust anchor's command to retire event key `epoch` of `device`. */
export function rotateKeyStatement(b: Uint8Array, device: number, epoch: number): number {
  return u32(b, u32(b, text(b, CTX_ROTATE_KEY), device), epoch);
}

/** The new event key's proof: it exists, for this device and epoch, announced in record `seq`. */
export function rotateProofStatement(b: Uint8Array, src: Uint8Array, nAt: number, nLen: number, device: number, epoch: number, pub: Uint8Array, seq: number): number {
  var p = text(b, CTX_ROTATE_PROOF);
  b[p++] = nLen;
  p = bytes(b, p, src, nAt, nLen);
  p = u32(b, p, device);
  p = u32(b, p, epoch);
  p = bytes(b, p, pub, 0, 32);
  p = u32(b, p, seq % 4294967296);
  return u32(b, p, Math.floor(seq / 4294967296));
}

/** The current anchor's command: trust `anchor` (src[at…at+32)) as anchor version `version`. */
export function trustStatement(b: Uint8Array, version: number, src: Uint8Array, at: number): number {
  return bytes(b, u32(b, text(b, CTX_TRUST), version), src, at, 32);
}

/**
 * The current anchor's command: erase device `device`'s identity (docs/PROVISIONING.md, factory reset). It names the
 * event key in force (pub[pAt…pAt+32)), which no later provisioning or rotation has again, so a recorded command
 * is good for one key's life; the nonce is src[nAt…nAt+nLen).
 */
export function resetStatement(b: Uint8Array, device: number, pub: Uint8Array, pAt: number, flags: number, src: Uint8Array, nAt: number, nLen: number): number {
  var p = bytes(b, u32(b, text(b, CTX_RESET), device), pub, pAt, 32);
  b[p++] = flags;
  b[p++] = nLen;
  return bytes(b, p, src, nAt, nLen);
}
