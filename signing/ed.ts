/**
 * Host-side ed25519: @noble/ed25519 with SHA-512 from node:crypto installed for its synchronous API.
 * Verification is ZIP-215 (noble's default), the same rule the device's runtime/signing/crypto/ed25519.ts follows.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as ed from '@noble/ed25519';

ed.hashes.sha512 = (m: Uint8Array) => new Uint8Array(createHash('sha512').update(m).digest());

export function publicKeyOf(seed: Uint8Array): Uint8Array {
  return ed.getPublicKey(seed);
}

export function signBytes(msg: Uint8Array, seed: Uint8Array): Uint8Array {
  return ed.sign(msg, seed);
}

/** False (never throws) for any malformed signature or key. */
export function verifyBytes(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  try {
    return ed.verify(sig, msg, pub);
  } catch {
    return false;
  }
}

export function newSeed(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

/** First 32 bytes of SHA-512: the event hash chain's hash (docs/EVENTS.md). */
export function chainHash(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha512').update(bytes).digest().subarray(0, 32));
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
