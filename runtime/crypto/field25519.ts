/**
 * GF(2^255 - 19) arithmetic for the embedded runtime (no BigInt).
 * An element is a Float64Array(16) of signed 16-bit limbs: value = sum a[i] * 2^(16 i).
 * Products are accumulated exactly in doubles (< 2^46) and carried with the "add 1.5 * 2^52" rounding
 * trick (no Math.floor call per limb), which leaves limbs balanced in about [-2^15, 2^15].
 * Outputs of feMul/feSqr/feMulU16 have every limb within 2^15 + 2^5; add/sub of up to four such values
 * are valid inputs. Only fePack (rare) produces canonical bytes.
 * Runtime subset: ES5 + typed arrays, var only, functions defined before use, no recursion.
 */

/** 3 * 2^51: adding then subtracting it rounds a double (|x| < 2^51) to the nearest integer. */
var RND = 65536 * 65536 * 65536 * 8 * 3;
var INV16 = 1 / 65536;
/** Product accumulator shared by all multiplications (they never nest). */
var T = new Float64Array(31);
/** Scratch for fePack. */
var PK = new Float64Array(16);

export function fe(): Float64Array {
  return new Float64Array(16);
}

export function feFrom(limbs: number[]): Float64Array {
  var r = new Float64Array(16);
  var i;
  for (i = 0; i < 16; i++) r[i] = limbs[i];
  return r;
}

export function feSetInt(o: Float64Array, v: number): void {
  var i;
  o[0] = v;
  for (i = 1; i < 16; i++) o[i] = 0;
}

export function feCopy(o: Float64Array, a: Float64Array): void {
  o.set(a);
}

export function feAdd(o: Float64Array, a: Float64Array, b: Float64Array): void {
  var i;
  for (i = 0; i < 16; i++) o[i] = a[i] + b[i];
}

export function feSub(o: Float64Array, a: Float64Array, b: Float64Array): void {
  var i;
  for (i = 0; i < 16; i++) o[i] = a[i] - b[i];
}

/** Carries T[0..30] (already accumulated) into o, reducing 2^256 = 38. */
function carryT(o: Float64Array): void {
  var t = T;
  var i, v, c;
  for (i = 0; i < 15; i++) t[i] += 38 * t[i + 16];
  c = 0;
  for (i = 0; i < 16; i++) {
    v = t[i] + c;
    c = (v * INV16 + RND) - RND;
    o[i] = v - c * 65536;
  }
  v = o[0] + 38 * c;
  c = (v * INV16 + RND) - RND;
  o[0] = v - c * 65536;
  v = o[1] + c;
  c = (v * INV16 + RND) - RND;
  o[1] = v - c * 65536;
  o[2] += c;
}

/** o = a * b (o may alias a or b). */
export function feMul(o: Float64Array, a: Float64Array, b: Float64Array): void {
  var t = T;
  var i, j, ai;
  for (i = 0; i < 31; i++) t[i] = 0;
  for (i = 0; i < 16; i++) {
    ai = a[i];
    for (j = 0; j < 16; j++) t[i + j] += ai * b[j];
  }
  carryT(o);
}

/** o = a * b where b is 16 canonical limbs at b[off..off+15] of a Uint16Array (precomputed tables). */
export function feMulU16(o: Float64Array, a: Float64Array, b: Uint16Array, off: number): void {
  var t = T;
  var i, j, ai;
  for (i = 0; i < 31; i++) t[i] = 0;
  for (i = 0; i < 16; i++) {
    ai = a[i];
    for (j = 0; j < 16; j++) t[i + j] += ai * b[off + j];
  }
  carryT(o);
}

/** o = a^2, 136 limb products instead of 256. */
export function feSqr(o: Float64Array, a: Float64Array): void {
  var t = T;
  var i, j, ai, a2;
  for (i = 0; i < 31; i++) t[i] = 0;
  for (i = 0; i < 16; i++) {
    ai = a[i];
    t[i + i] += ai * ai;
    a2 = ai + ai;
    for (j = i + 1; j < 16; j++) t[i + j] += a2 * a[j];
  }
  carryT(o);
}

/** Canonical little-endian encoding (value mod p) of a into out[off..off+31]. */
export function fePack(out: Uint8Array, off: number, a: Float64Array): void {
  var t = PK;
  var i, k, c, v, b;
  for (i = 0; i < 16; i++) t[i] = a[i];
  // Floor carries with the top carry folded back (2^256 = 38) until every limb is in [0, 2^16).
  for (k = 0; k < 3; k++) {
    c = 0;
    for (i = 0; i < 16; i++) {
      v = t[i] + c;
      c = Math.floor(v * INV16);
      t[i] = v - c * 65536;
    }
    t[0] += 38 * c;
  }
  // Now 0 <= value < 2^256 < 3p: subtract p at most twice (p = 2^255 - 19).
  for (k = 0; k < 2; k++) {
    // b = borrow of (t - p)
    v = t[0] - 65517;
    b = v < 0 ? 1 : 0;
    for (i = 1; i < 15; i++) {
      v = t[i] - 65535 - b;
      b = v < 0 ? 1 : 0;
    }
    v = t[15] - 32767 - b;
    if (v >= 0) {
      // t >= p: subtract for real
      v = t[0] - 65517;
      b = v < 0 ? 1 : 0;
      t[0] = v + b * 65536;
      for (i = 1; i < 15; i++) {
        v = t[i] - 65535 - b;
        b = v < 0 ? 1 : 0;
        t[i] = v + b * 65536;
      }
      t[15] = t[15] - 32767 - b;
    }
  }
  for (i = 0; i < 16; i++) {
    v = t[i];
    out[off + 2 * i] = v & 255;
    out[off + 2 * i + 1] = v >>> 8;
  }
}

/** o = the 255 low bits of in[off..off+31] (the sign bit 255 is ignored; the value may be >= p). */
export function feUnpack(o: Float64Array, inp: Uint8Array, off: number): void {
  var i;
  for (i = 0; i < 16; i++) o[i] = inp[off + 2 * i] + 256 * inp[off + 2 * i + 1];
  o[15] = o[15] & 32767;
}

/** Canonical limbs (16-bit, for tables) of a into u[off..off+15]. */
export function feToU16(u: Uint16Array, off: number, a: Float64Array, scratch: Uint8Array): void {
  var i;
  fePack(scratch, 0, a);
  for (i = 0; i < 16; i++) u[off + i] = scratch[2 * i] + 256 * scratch[2 * i + 1];
}

/*
 * Exponentiation chains as data, so they can run in bounded slices.
 * Registers: 0 = input z, 1..4 scratch, 5 = result. An instruction (src, nsq, mul, dst) computes
 * reg[dst] = reg[src]^(2^nsq) * reg[mul]  (mul = 255: no multiply).
 */
export var CHAIN_NONE = 255;
/** Shared prefix: reg4 = z^(2^250 - 1), reg3 = z^11. */
var CHAIN_HEAD = [
  0, 1, 255, 1, // r1 = z^2
  1, 2, 0, 2, // r2 = z^9
  2, 0, 1, 3, // r3 = z^11
  3, 1, 2, 2, // r2 = z^31 = z^(2^5-1)
  2, 5, 2, 1, // r1 = z^(2^10-1)
  1, 10, 1, 4, // r4 = z^(2^20-1)
  4, 20, 4, 4, // r4 = z^(2^40-1)
  4, 10, 1, 2, // r2 = z^(2^50-1)
  2, 50, 2, 4, // r4 = z^(2^100-1)
  4, 100, 4, 4, // r4 = z^(2^200-1)
  4, 50, 2, 4, // r4 = z^(2^250-1)
];
function chainProgram(tail: number[]): Uint8Array {
  var n = CHAIN_HEAD.length;
  var p = new Uint8Array(n + tail.length);
  var i;
  for (i = 0; i < n; i++) p[i] = CHAIN_HEAD[i];
  for (i = 0; i < tail.length; i++) p[n + i] = tail[i];
  return p;
}
/** z^(p-2) = z^(2^255 - 21): inversion. */
export var CHAIN_INV = chainProgram([4, 5, 3, 5]);
/** z^((p-5)/8) = z^(2^252 - 3): the square-root exponent. */
export var CHAIN_POW22523 = chainProgram([4, 2, 0, 5]);

/** State of one running chain: 6 registers, an accumulator, a program counter and squarings left. */
export interface Chain {
  reg: Float64Array[];
  acc: Float64Array;
  prog: Uint8Array;
  pc: number;
  left: number;
}

export function newChain(): Chain {
  var reg: Float64Array[] = [];
  var i;
  for (i = 0; i < 6; i++) reg.push(new Float64Array(16));
  return { reg: reg, acc: new Float64Array(16), prog: CHAIN_INV, pc: 0, left: -1 };
}

/** Starts prog on input z (copied into register 0). */
export function chainBegin(ch: Chain, prog: Uint8Array, z: Float64Array): void {
  ch.reg[0].set(z);
  ch.prog = prog;
  ch.pc = 0;
  ch.left = -1;
}

/**
 * Runs at most `budget` squarings (a multiply counts as 2) of the chain; returns true once the result
 * is in reg[5].
 */
export function chainRun(ch: Chain, budget: number): boolean {
  var prog = ch.prog;
  var acc = ch.acc;
  var pc = ch.pc;
  var left = ch.left;
  var n = prog.length;
  var m;
  while (pc < n && budget > 0) {
    if (left < 0) {
      acc.set(ch.reg[prog[pc]]);
      left = prog[pc + 1];
    }
    while (left > 0 && budget > 0) {
      feSqr(acc, acc);
      left--;
      budget--;
    }
    if (left === 0 && budget > 0) {
      m = prog[pc + 2];
      if (m !== 255) {
        feMul(acc, acc, ch.reg[m]);
        budget -= 2;
      }
      ch.reg[prog[pc + 3]].set(acc);
      pc += 4;
      left = -1;
    }
  }
  ch.pc = pc;
  ch.left = left;
  return pc >= n;
}
