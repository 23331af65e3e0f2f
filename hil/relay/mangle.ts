/**
 * What the relay does to one direction of a serial line, byte by byte, from a seeded generator so a run can be
 * repeated exactly: flip one bit (probability `flip` per byte), drop the byte (`drop`), send it twice (`dup`).
 */

/** mulberry32: a small, fast, seedable 32-bit generator (not for cryptography). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Faults {
  /** Probability per byte that one of its bits (chosen at random) flips. */
  flip: number;
  /** Probability per byte that it is lost. */
  drop: number;
  /** Probability per byte that it arrives twice. */
  dup: number;
}

export const NO_FAULTS: Faults = { flip: 0, drop: 0, dup: 0 };

export interface MangleCounts { bytes: number; flipped: number; dropped: number; duplicated: number }

/** A mangler for one direction: returns the bytes that go on for the bytes that came in. */
export function mangler(seed: number, faults: () => Faults, counts: MangleCounts): (input: Uint8Array) => Uint8Array {
  const random = rng(seed);
  return (input) => {
    const f = faults();
    if (!f.flip && !f.drop && !f.dup) {
      counts.bytes += input.length;
      return input;
    }
    const out: number[] = [];
    for (const b0 of input) {
      counts.bytes++;
      let b = b0;
      if (f.flip && random() < f.flip) {
        b ^= 1 << Math.floor(random() * 8);
        counts.flipped++;
      }
      if (f.drop && random() < f.drop) {
        counts.dropped++;
        continue;
      }
      out.push(b);
      if (f.dup && random() < f.dup) {
        out.push(b);
        counts.duplicated++;
      }
    }
    return Uint8Array.from(out);
  };
}
