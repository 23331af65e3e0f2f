/**
 * Seeded bundle mutation for fuzzing the loader: flips, overwrites, truncations, insertions, header-field
 * rewrites and state slots pointed at other instructions' state. Deterministic for a seed, so any failure is reproducible with `npm run fuzz -- --seed N`.
 */
import * as F from '../../runtime/engine/format.ts';
import { OP } from '../../compiler/isa.ts';
import { verify } from '../../runtime/engine/verify.ts';
import { decodeInstruction, newInstruction } from '../../runtime/engine/instruction.ts';
import { OPTAB, Col, Fmt } from '../../runtime/engine/isa.generated.ts';

const slotOperandCache = new WeakMap<Uint8Array, number[]>();

/** Offsets of every state-slot operand (u16) in a valid bundle. */
function slotOperands(base: Uint8Array): number[] {
  let found = slotOperandCache.get(base);
  if (found) return found;
  found = [];
  const p = verify(base);
  const ins = newInstruction();
  for (let u = 0; u < p.nUnits && !p.fault; u++) {
    for (let pc = p.unitStart[u]; pc < p.unitEnd[u]; pc += ins.size) {
      decodeInstruction(p.bytes, p.codeOff + pc, p.codeOff + p.unitEnd[u], ins);
      if (OPTAB[ins.row + Col.F1] === Fmt.S) found.push(ins.aAt);
    }
  }
  slotOperandCache.set(base, found);
  return found;
}

/** The seeded generator the relay's faults use too (mulberry32), so a fuzz seed and a relay seed mean the same thing. */
export { rng as prng } from '../../hil/relay/mangle.ts';

export function mutate(base: Uint8Array, rand: () => number): Uint8Array {
  const int = (n: number) => Math.floor(rand() * n);
  const slots = slotOperands(base);
  let b = base.slice();
  const rounds = 1 + int(3);
  for (let r = 0; r < rounds; r++) {
    const kind = int(7);
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
    } else if (kind === 6 && slots.length > 1 && b.length === base.length) {
      // Point one instruction's state at (or next to) another's: the verifier must keep regions apart.
      const to = slots[int(slots.length)];
      const from = slots[int(slots.length)];
      const v = b[from] + 256 * b[from + 1] + int(3);
      b[to] = v & 255;
      b[to + 1] = v >> 8;
    }
  }
  return b;
}

/** Times no caller should give, given in this order after the ordinary ones: huge, not a number, negative, backwards. */
export const HOSTILE_TIMES = [1e9, Infinity, NaN, 1e300, -1e300, -5, 2e9, 1e9, -Infinity, Infinity];

/**
 * What both fuzzers do with a bundle that still verifies: 40 random samples (some NaN, some bad ids) a second
 * apart, then each hostile time as advanceTo(t), a sample at t and step(t).
 */
export function driveRandomly(rt: { advanceTo(t: number): boolean; set(s: number, v: number, t: number): boolean; step(t: number): void }, rand: () => number): void {
  const sample = (t: number) => {
    rt.advanceTo(t);
    rt.set(Math.floor(rand() * 26) - 1, rand() < 0.1 ? NaN : (rand() - 0.5) * 200, t);
    rt.step(t);
  };
  for (let k = 0; k < 40; k++) sample(k * 1000);
  for (const t of HOSTILE_TIMES) sample(t);
}
