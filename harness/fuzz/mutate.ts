/**
 * Seeded bundle mutation for fuzzing the loader: flips, overwrites, truncations, insertions and header-field
 * rewrites. Deterministic for a seed, so any failure is reproducible with `npm run fuzz -- --seed N`.
 */
import * as F from '../../runtime/engine/format.ts';
import { OP } from '../../compiler/isa.ts';

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function mutate(base: Uint8Array, rand: () => number): Uint8Array {
  const int = (n: number) => Math.floor(rand() * n);
  let b = base.slice();
  const rounds = 1 + int(3);
  for (let r = 0; r < rounds; r++) {
    const kind = int(6);
    if (kind === 0 && b.length) b[int(b.length)] ^= 1 << int(8);
    else if (kind === 1 && b.length) b[int(b.length)] = int(256);
    else if (kind === 2) b = b.slice(0, int(b.length + 1));
    else if (kind === 3) {
      const at = int(b.length + 1);
      const extra = Uint8Array.from({ length: 1 + int(8) }, () => int(256));
      const next = new Uint8Array(b.length + extra.length);
      next.set(b.subarray(0, at));
      next.set(extra, at);
      next.set(b.subarray(at), at + extra.length);
      b = next;
    } else if (kind === 4 && b.length >= F.HEADER_SIZE) {
      // Rewrite a 16-bit slice of the header's counts and sizes: the verifier's bounds checks live there.
      const field = F.HDR_SIGNALS + 2 * int((F.HEADER_SIZE - F.HDR_SIGNALS) / 2);
      b[field] = int(256);
      b[field + 1] = rand() < 0.7 ? 0 : int(256);
    } else if (kind === 5 && b.length > F.HEADER_SIZE + 1) {
      // Change a byte near the end (the code) to a long-form opcode or an unassigned one (below the short forms).
      const at = b.length - 1 - int(Math.min(64, b.length - F.HEADER_SIZE - 1));
      b[at] = int(OP.LOADS.code);
    }
  }
  return b;
}

/** What both fuzzers do with a bundle that still verifies: 40 random samples (some NaN, some bad ids), then every timer. */
export function driveRandomly(rt: { advanceTo(t: number): void; set(s: number, v: number, t: number): boolean; step(t: number): void }, rand: () => number): void {
  for (let k = 0; k < 40; k++) {
    const t = k * 1000;
    rt.advanceTo(t);
    rt.set(Math.floor(rand() * 26) - 1, rand() < 0.1 ? NaN : (rand() - 0.5) * 200, t);
    rt.step(t);
  }
  rt.advanceTo(1e9);
}
