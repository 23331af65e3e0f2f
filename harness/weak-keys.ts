/**
 * Public keys that prove nothing, for tests: every 32-byte encoding ZIP-215 decodes to a point of small order
 * (the 8 torsion points, with the sign bit both ways where x = 0 allows it, and y + p where that still fits), and
 * a signed bundle "signed" for such a key without any secret: R the identity and S = 0 satisfy the cofactored
 * check [8]([S]B) = [8]R + [8]([k]A) for every message, because [8]A is the identity.
 */
import { Tag } from 'cbor-x';
import * as ed from '@noble/ed25519';
import { cbor, protectedHeader } from '../signing/bundle.ts';
import { CATALOGUE_HASH } from '../runtime/engine/catalogue.generated.ts';

const P = 2n ** 255n - 19n;
/** A point of order 8 (canonical encoding). */
const ORDER_8 = 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a';

function le(n: bigint): Uint8Array {
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++) b[i] = Number((n >> BigInt(8 * i)) & 255n);
  return b;
}

function smallOrderKeys(): Uint8Array[] {
  const t8 = ed.Point.fromHex(ORDER_8);
  const candidates: Uint8Array[] = [];
  let q = ed.Point.ZERO;
  for (let i = 0; i < 8; i++, q = q.add(t8)) {
    const enc = q.toBytes();
    const flipped = new Uint8Array(enc);
    flipped[31] ^= 0x80;
    candidates.push(enc, flipped);
  }
  for (const y of [0n, 1n]) {
    for (const sign of [0, 0x80]) {
      const enc = le(y + P);
      enc[31] |= sign;
      candidates.push(enc);
    }
  }
  const seen = new Set<string>();
  return candidates.filter((c) => {
    const h = Buffer.from(c).toString('hex');
    if (seen.has(h)) return false;
    seen.add(h);
    try {
      return ed.Point.fromBytes(c, true).isSmallOrder();
    } catch {
      return false;
    }
  });
}

/** Every small-order encoding; the first is the identity (y = 1). */
export const SMALL_ORDER_KEYS: Uint8Array[] = smallOrderKeys();

/** `bundle` as a signed bundle (version 3, profile full) whose signature verifies under `key` with no secret. */
export function signedWithoutSecret(bundle: Uint8Array, key: Uint8Array): Uint8Array {
  const prot = protectedHeader(key.subarray(0, 8), CATALOGUE_HASH, { version: 3, profile: 'full', signing: 'per-event' });
  const signature = new Uint8Array(64);
  signature[0] = 1; // R = the identity (y = 1), S = 0
  return new Uint8Array(cbor.encode(new Tag([prot, new Map(), bundle, signature], 18)));
}
