/**
 * GF(2^255 - 19) arithmetic for the embedded runtime (no BigInt).
 * An element is a Float64Array(16) of signed 16-bit limbs: value = sum a[i] * 2^(16 i).
 * Products are accumulated exactly in doubles (< 2^46) and carried with the "add 1.5 * 2^52" rounding
 * trick (no Math.floor call per limb), which leaves limbs balanced in about [-2^15, 2^15].
 * Outputs of feMul/feSqr/feMulU16 have every limb within 2^15 + 2^5; add/sub of up to four such values
 * are valid inputs (column sums stay below 2^47). Only fePack (rare) produces canonical bytes.
 * feMul/feSqr are the schoolbook product written out column by column (column k: sum of a_i b_j with
 * i + j = k, plus 38 times the column k + 16, since 2^256 = 38 mod p), with the carry folded in: on every
 * target engine that is 3-8x faster than loops (Espruino interprets source text; measured in
 * docs/ED25519.md). feSqr shares the cross products (136 products instead of 256).
 * Runtime subset: ES5 + typed arrays, var only, functions defined before use, no recursion.
 */

/** 3 * 2^51: adding then subtracting it rounds a double (|x| < 2^51) to the nearest integer. */
var RND = 65536 * 65536 * 65536 * 8 * 3;
var INV16 = 1 / 65536;
/** Copy of a table entry coordinate for feMulU16. */
var U = new Float64Array(16);
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

export function feAdd(o: Float64Array, a: Float64Array, b: Float64Array): void {
  o[0] = a[0] + b[0];
  o[1] = a[1] + b[1];
  o[2] = a[2] + b[2];
  o[3] = a[3] + b[3];
  o[4] = a[4] + b[4];
  o[5] = a[5] + b[5];
  o[6] = a[6] + b[6];
  o[7] = a[7] + b[7];
  o[8] = a[8] + b[8];
  o[9] = a[9] + b[9];
  o[10] = a[10] + b[10];
  o[11] = a[11] + b[11];
  o[12] = a[12] + b[12];
  o[13] = a[13] + b[13];
  o[14] = a[14] + b[14];
  o[15] = a[15] + b[15];
}

export function feSub(o: Float64Array, a: Float64Array, b: Float64Array): void {
  o[0] = a[0] - b[0];
  o[1] = a[1] - b[1];
  o[2] = a[2] - b[2];
  o[3] = a[3] - b[3];
  o[4] = a[4] - b[4];
  o[5] = a[5] - b[5];
  o[6] = a[6] - b[6];
  o[7] = a[7] - b[7];
  o[8] = a[8] - b[8];
  o[9] = a[9] - b[9];
  o[10] = a[10] - b[10];
  o[11] = a[11] - b[11];
  o[12] = a[12] - b[12];
  o[13] = a[13] - b[13];
  o[14] = a[14] - b[14];
  o[15] = a[15] - b[15];
}

/** o = a * b (o may alias a or b). */
export function feMul(o: Float64Array, a: Float64Array, b: Float64Array): void {
  var R = RND, I = INV16, v, c;
  var a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4], a5 = a[5], a6 = a[6], a7 = a[7], a8 = a[8], a9 = a[9], a10 = a[10], a11 = a[11], a12 = a[12], a13 = a[13], a14 = a[14], a15 = a[15];
  var b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4], b5 = b[5], b6 = b[6], b7 = b[7], b8 = b[8], b9 = b[9], b10 = b[10], b11 = b[11], b12 = b[12], b13 = b[13], b14 = b[14], b15 = b[15];
  v = a0 * b0 + 38 * (a1 * b15 + a2 * b14 + a3 * b13 + a4 * b12 + a5 * b11 + a6 * b10 + a7 * b9 + a8 * b8 + a9 * b7 + a10 * b6 + a11 * b5 + a12 * b4 + a13 * b3 + a14 * b2 + a15 * b1) + 0;
  c = (v * I + R) - R;
  o[0] = v - c * 65536;
  v = a0 * b1 + a1 * b0 + 38 * (a2 * b15 + a3 * b14 + a4 * b13 + a5 * b12 + a6 * b11 + a7 * b10 + a8 * b9 + a9 * b8 + a10 * b7 + a11 * b6 + a12 * b5 + a13 * b4 + a14 * b3 + a15 * b2) + c;
  c = (v * I + R) - R;
  o[1] = v - c * 65536;
  v = a0 * b2 + a1 * b1 + a2 * b0 + 38 * (a3 * b15 + a4 * b14 + a5 * b13 + a6 * b12 + a7 * b11 + a8 * b10 + a9 * b9 + a10 * b8 + a11 * b7 + a12 * b6 + a13 * b5 + a14 * b4 + a15 * b3) + c;
  c = (v * I + R) - R;
  o[2] = v - c * 65536;
  v = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0 + 38 * (a4 * b15 + a5 * b14 + a6 * b13 + a7 * b12 + a8 * b11 + a9 * b10 + a10 * b9 + a11 * b8 + a12 * b7 + a13 * b6 + a14 * b5 + a15 * b4) + c;
  c = (v * I + R) - R;
  o[3] = v - c * 65536;
  v = a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0 + 38 * (a5 * b15 + a6 * b14 + a7 * b13 + a8 * b12 + a9 * b11 + a10 * b10 + a11 * b9 + a12 * b8 + a13 * b7 + a14 * b6 + a15 * b5) + c;
  c = (v * I + R) - R;
  o[4] = v - c * 65536;
  v = a0 * b5 + a1 * b4 + a2 * b3 + a3 * b2 + a4 * b1 + a5 * b0 + 38 * (a6 * b15 + a7 * b14 + a8 * b13 + a9 * b12 + a10 * b11 + a11 * b10 + a12 * b9 + a13 * b8 + a14 * b7 + a15 * b6) + c;
  c = (v * I + R) - R;
  o[5] = v - c * 65536;
  v = a0 * b6 + a1 * b5 + a2 * b4 + a3 * b3 + a4 * b2 + a5 * b1 + a6 * b0 + 38 * (a7 * b15 + a8 * b14 + a9 * b13 + a10 * b12 + a11 * b11 + a12 * b10 + a13 * b9 + a14 * b8 + a15 * b7) + c;
  c = (v * I + R) - R;
  o[6] = v - c * 65536;
  v = a0 * b7 + a1 * b6 + a2 * b5 + a3 * b4 + a4 * b3 + a5 * b2 + a6 * b1 + a7 * b0 + 38 * (a8 * b15 + a9 * b14 + a10 * b13 + a11 * b12 + a12 * b11 + a13 * b10 + a14 * b9 + a15 * b8) + c;
  c = (v * I + R) - R;
  o[7] = v - c * 65536;
  v = a0 * b8 + a1 * b7 + a2 * b6 + a3 * b5 + a4 * b4 + a5 * b3 + a6 * b2 + a7 * b1 + a8 * b0 + 38 * (a9 * b15 + a10 * b14 + a11 * b13 + a12 * b12 + a13 * b11 + a14 * b10 + a15 * b9) + c;
  c = (v * I + R) - R;
  o[8] = v - c * 65536;
  v = a0 * b9 + a1 * b8 + a2 * b7 + a3 * b6 + a4 * b5 + a5 * b4 + a6 * b3 + a7 * b2 + a8 * b1 + a9 * b0 + 38 * (a10 * b15 + a11 * b14 + a12 * b13 + a13 * b12 + a14 * b11 + a15 * b10) + c;
  c = (v * I + R) - R;
  o[9] = v - c * 65536;
  v = a0 * b10 + a1 * b9 + a2 * b8 + a3 * b7 + a4 * b6 + a5 * b5 + a6 * b4 + a7 * b3 + a8 * b2 + a9 * b1 + a10 * b0 + 38 * (a11 * b15 + a12 * b14 + a13 * b13 + a14 * b12 + a15 * b11) + c;
  c = (v * I + R) - R;
  o[10] = v - c * 65536;
  v = a0 * b11 + a1 * b10 + a2 * b9 + a3 * b8 + a4 * b7 + a5 * b6 + a6 * b5 + a7 * b4 + a8 * b3 + a9 * b2 + a10 * b1 + a11 * b0 + 38 * (a12 * b15 + a13 * b14 + a14 * b13 + a15 * b12) + c;
  c = (v * I + R) - R;
  o[11] = v - c * 65536;
  v = a0 * b12 + a1 * b11 + a2 * b10 + a3 * b9 + a4 * b8 + a5 * b7 + a6 * b6 + a7 * b5 + a8 * b4 + a9 * b3 + a10 * b2 + a11 * b1 + a12 * b0 + 38 * (a13 * b15 + a14 * b14 + a15 * b13) + c;
  c = (v * I + R) - R;
  o[12] = v - c * 65536;
  v = a0 * b13 + a1 * b12 + a2 * b11 + a3 * b10 + a4 * b9 + a5 * b8 + a6 * b7 + a7 * b6 + a8 * b5 + a9 * b4 + a10 * b3 + a11 * b2 + a12 * b1 + a13 * b0 + 38 * (a14 * b15 + a15 * b14) + c;
  c = (v * I + R) - R;
  o[13] = v - c * 65536;
  v = a0 * b14 + a1 * b13 + a2 * b12 + a3 * b11 + a4 * b10 + a5 * b9 + a6 * b8 + a7 * b7 + a8 * b6 + a9 * b5 + a10 * b4 + a11 * b3 + a12 * b2 + a13 * b1 + a14 * b0 + 38 * (a15 * b15) + c;
  c = (v * I + R) - R;
  o[14] = v - c * 65536;
  v = a0 * b15 + a1 * b14 + a2 * b13 + a3 * b12 + a4 * b11 + a5 * b10 + a6 * b9 + a7 * b8 + a8 * b7 + a9 * b6 + a10 * b5 + a11 * b4 + a12 * b3 + a13 * b2 + a14 * b1 + a15 * b0 + c;
  c = (v * I + R) - R;
  o[15] = v - c * 65536;
  v = o[0] + 38 * c;
  c = (v * I + R) - R;
  o[0] = v - c * 65536;
  v = o[1] + c;
  c = (v * I + R) - R;
  o[1] = v - c * 65536;
  o[2] += c;
}

/** o = a * b where b is 16 canonical limbs at b[off..off+15] of a Uint16Array (precomputed tables). */
export function feMulU16(o: Float64Array, a: Float64Array, b: Uint16Array, off: number): void {
  U.set(b.subarray(off, off + 16));
  feMul(o, a, U);
}

/** o = a^2 (136 limb products). */
export function feSqr(o: Float64Array, a: Float64Array): void {
  var R = RND, I = INV16, v, c;
  var a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4], a5 = a[5], a6 = a[6], a7 = a[7], a8 = a[8], a9 = a[9], a10 = a[10], a11 = a[11], a12 = a[12], a13 = a[13], a14 = a[14], a15 = a[15];
  v = a0 * a0 + 38 * (2 * (a1 * a15 + a2 * a14 + a3 * a13 + a4 * a12 + a5 * a11 + a6 * a10 + a7 * a9) + a8 * a8) + 0;
  c = (v * I + R) - R;
  o[0] = v - c * 65536;
  v = 2 * (a0 * a1) + 38 * (2 * (a2 * a15 + a3 * a14 + a4 * a13 + a5 * a12 + a6 * a11 + a7 * a10 + a8 * a9)) + c;
  c = (v * I + R) - R;
  o[1] = v - c * 65536;
  v = 2 * (a0 * a2) + a1 * a1 + 38 * (2 * (a3 * a15 + a4 * a14 + a5 * a13 + a6 * a12 + a7 * a11 + a8 * a10) + a9 * a9) + c;
  c = (v * I + R) - R;
  o[2] = v - c * 65536;
  v = 2 * (a0 * a3 + a1 * a2) + 38 * (2 * (a4 * a15 + a5 * a14 + a6 * a13 + a7 * a12 + a8 * a11 + a9 * a10)) + c;
  c = (v * I + R) - R;
  o[3] = v - c * 65536;
  v = 2 * (a0 * a4 + a1 * a3) + a2 * a2 + 38 * (2 * (a5 * a15 + a6 * a14 + a7 * a13 + a8 * a12 + a9 * a11) + a10 * a10) + c;
  c = (v * I + R) - R;
  o[4] = v - c * 65536;
  v = 2 * (a0 * a5 + a1 * a4 + a2 * a3) + 38 * (2 * (a6 * a15 + a7 * a14 + a8 * a13 + a9 * a12 + a10 * a11)) + c;
  c = (v * I + R) - R;
  o[5] = v - c * 65536;
  v = 2 * (a0 * a6 + a1 * a5 + a2 * a4) + a3 * a3 + 38 * (2 * (a7 * a15 + a8 * a14 + a9 * a13 + a10 * a12) + a11 * a11) + c;
  c = (v * I + R) - R;
  o[6] = v - c * 65536;
  v = 2 * (a0 * a7 + a1 * a6 + a2 * a5 + a3 * a4) + 38 * (2 * (a8 * a15 + a9 * a14 + a10 * a13 + a11 * a12)) + c;
  c = (v * I + R) - R;
  o[7] = v - c * 65536;
  v = 2 * (a0 * a8 + a1 * a7 + a2 * a6 + a3 * a5) + a4 * a4 + 38 * (2 * (a9 * a15 + a10 * a14 + a11 * a13) + a12 * a12) + c;
  c = (v * I + R) - R;
  o[8] = v - c * 65536;
  v = 2 * (a0 * a9 + a1 * a8 + a2 * a7 + a3 * a6 + a4 * a5) + 38 * (2 * (a10 * a15 + a11 * a14 + a12 * a13)) + c;
  c = (v * I + R) - R;
  o[9] = v - c * 65536;
  v = 2 * (a0 * a10 + a1 * a9 + a2 * a8 + a3 * a7 + a4 * a6) + a5 * a5 + 38 * (2 * (a11 * a15 + a12 * a14) + a13 * a13) + c;
  c = (v * I + R) - R;
  o[10] = v - c * 65536;
  v = 2 * (a0 * a11 + a1 * a10 + a2 * a9 + a3 * a8 + a4 * a7 + a5 * a6) + 38 * (2 * (a12 * a15 + a13 * a14)) + c;
  c = (v * I + R) - R;
  o[11] = v - c * 65536;
  v = 2 * (a0 * a12 + a1 * a11 + a2 * a10 + a3 * a9 + a4 * a8 + a5 * a7) + a6 * a6 + 38 * (2 * (a13 * a15) + a14 * a14) + c;
  c = (v * I + R) - R;
  o[12] = v - c * 65536;
  v = 2 * (a0 * a13 + a1 * a12 + a2 * a11 + a3 * a10 + a4 * a9 + a5 * a8 + a6 * a7) + 38 * (2 * (a14 * a15)) + c;
  c = (v * I + R) - R;
  o[13] = v - c * 65536;
  v = 2 * (a0 * a14 + a1 * a13 + a2 * a12 + a3 * a11 + a4 * a10 + a5 * a9 + a6 * a8) + a7 * a7 + 38 * (a15 * a15) + c;
  c = (v * I + R) - R;
  o[14] = v - c * 65536;
  v = 2 * (a0 * a15 + a1 * a14 + a2 * a13 + a3 * a12 + a4 * a11 + a5 * a10 + a6 * a9 + a7 * a8) + c;
  c = (v * I + R) - R;
  o[15] = v - c * 65536;
  v = o[0] + 38 * c;
  c = (v * I + R) - R;
  o[0] = v - c * 65536;
  v = o[1] + c;
  c = (v * I + R) - R;
  o[1] = v - c * 65536;
  o[2] += c;
}

/**
 * Canonical little-endian encoding (value mod p) of a into out[off..off+31]. Every caller passes limbs
 * below 2^20 in magnitude (products, or sums/differences of a few), so all carries fit int32 bit operations.
 */
export function fePack(out: Uint8Array, off: number, a: Float64Array): void {
  var t = PK;
  var i, k, c, v;
  for (i = 0; i < 16; i++) t[i] = a[i];
  // Floor carries; the carry out of limb 15 (weight 2^256 = 38) goes round again (at most 3 passes).
  c = 0;
  for (k = 0; k < 3; k++) {
    for (i = 0; i < 16; i++) {
      v = t[i] + c;
      c = v >> 16;
      t[i] = v & 65535;
    }
    if (c === 0) break;
    c = 38 * c;
  }
  // Fold bit 255 (2^255 = 19): now value < 2^255 + 19 < 2p.
  c = 19 * (t[15] >> 15);
  t[15] = t[15] & 32767;
  for (i = 0; i < 16 && c !== 0; i++) {
    v = t[i] + c;
    c = v >> 16;
    t[i] = v & 65535;
  }
  // value >= p  <=>  value + 19 >= 2^255: then the result is value + 19 - 2^255.
  c = 19;
  for (i = 0; i < 15; i++) c = (t[i] + c) >> 16;
  if ((t[15] + c) >> 15) {
    c = 19;
    for (i = 0; i < 16; i++) {
      v = t[i] + c;
      c = v >> 16;
      t[i] = v & 65535;
    }
    t[15] = t[15] & 32767;
  }
  for (i = 0; i < 16; i++) {
    v = t[i];
    out[off + 2 * i] = v & 255;
    out[off + 2 * i + 1] = v >> 8;
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
