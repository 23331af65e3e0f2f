/**
 * Points of edwards25519 (-x^2 + y^2 = 1 + d x^2 y^2) in extended coordinates [X, Y, Z, T], x = X/Z,
 * y = Y/Z, x y = T/Z. Each coordinate is a field element (field25519.ts).
 * "Cached" form of a point (for repeated additions): [Y+X, Y-X, 2Z, 2dT].
 * "Niels" form (affine, precomputed tables in a Uint16Array): y+x, y-x, 2dxy at 16 limbs each.
 * Runtime subset: ES5 + typed arrays, var only, functions defined before use, no recursion.
 */
import { fe, feFrom, feSetInt, feAdd, feSub, feMul, feMulU16, feSqr, fePack, feUnpack, newChain, chainBegin, CHAIN_POW22523, type Chain } from './field25519.ts';

export var D = feFrom([30883, 4953, 19914, 30187, 55467, 16705, 2637, 112, 59544, 30585, 16505, 36039, 65139, 11119, 27886, 20995]);
export var D2 = feFrom([61785, 9906, 39828, 60374, 45398, 33411, 5274, 224, 53552, 61171, 33010, 6542, 64743, 22239, 55772, 9222]);
export var SQRTM1 = feFrom([41136, 18958, 6951, 50414, 58488, 44335, 6150, 12099, 55207, 15867, 153, 11085, 57099, 20417, 9344, 11139]);
export var BX = feFrom([54554, 36645, 11616, 51542, 42930, 38181, 51040, 26924, 56412, 64982, 57905, 49316, 21502, 52590, 14035, 8553]);
export var BY = feFrom([26200, 26214, 26214, 26214, 26214, 26214, 26214, 26214, 26214, 26214, 26214, 26214, 26214, 26214, 26214, 26214]);

/** Limbs of one Niels entry in a table (3 coordinates of 16). */
export var NIELS = 48;

var a = fe();
var b = fe();
var c = fe();
var d = fe();
var e = fe();
var f = fe();
var g = fe();
var h = fe();
var PB = new Uint8Array(32);
var PB2 = new Uint8Array(32);

export function newPoint(): Float64Array[] {
  return [fe(), fe(), fe(), fe()];
}

export function ptIdentity(p: Float64Array[]): void {
  feSetInt(p[0], 0);
  feSetInt(p[1], 1);
  feSetInt(p[2], 1);
  feSetInt(p[3], 0);
}

export function ptCopy(o: Float64Array[], p: Float64Array[]): void {
  o[0].set(p[0]);
  o[1].set(p[1]);
  o[2].set(p[2]);
  o[3].set(p[3]);
}

/**
 * o = 2p (o may be p). T is computed only when withT (a following doubling does not need it).
 * dbl-2008-hwcd with a = -1, every output coordinate scaled by -1 (same projective point) so that
 * no negation is needed: E = (X+Y)^2 - A - B, G = B - A, F = C - G, H = A + B.
 */
export function ptDouble(o: Float64Array[], p: Float64Array[], withT: boolean): void {
  feSqr(a, p[0]); // A = X^2
  feSqr(b, p[1]); // B = Y^2
  feSqr(c, p[2]);
  feAdd(c, c, c); // C = 2 Z^2
  feAdd(e, p[0], p[1]);
  feSqr(e, e);
  feSub(e, e, a);
  feSub(e, e, b); // E
  feSub(g, b, a); // G
  feSub(f, c, g); // F
  feAdd(h, a, b); // H
  feMul(o[0], e, f);
  feMul(o[1], g, h);
  if (withT) feMul(o[3], e, h);
  feMul(o[2], f, g);
}

/** o = p + q where q is cached [Y+X, Y-X, 2Z, 2dT], negated when neg. o may be p. */
export function ptAddCached(o: Float64Array[], p: Float64Array[], q: Float64Array[], neg: boolean): void {
  feSub(e, p[1], p[0]);
  feAdd(f, p[1], p[0]);
  if (neg) {
    feMul(a, e, q[0]); // A = (Y1-X1)(Y2-X2) with -q swapping Y+X and Y-X
    feMul(b, f, q[1]);
  } else {
    feMul(a, e, q[1]);
    feMul(b, f, q[0]);
  }
  feMul(c, p[3], q[3]); // C = T1 2d T2 (negated for -q)
  feMul(d, p[2], q[2]); // D = 2 Z1 Z2
  feSub(e, b, a); // E
  feAdd(h, b, a); // H
  if (neg) {
    feAdd(f, d, c); // F = D - C
    feSub(g, d, c); // G = D + C
  } else {
    feSub(f, d, c);
    feAdd(g, d, c);
  }
  feMul(o[0], e, f);
  feMul(o[1], g, h);
  feMul(o[2], f, g);
  feMul(o[3], e, h);
}

/** o = p + t where t is the Niels entry at tab[off..off+47], negated when neg. o may be p. 7 multiplies. */
export function ptAddNiels(o: Float64Array[], p: Float64Array[], tab: Uint16Array, off: number, neg: boolean): void {
  feSub(e, p[1], p[0]);
  feAdd(f, p[1], p[0]);
  if (neg) {
    feMulU16(a, e, tab, off);
    feMulU16(b, f, tab, off + 16);
  } else {
    feMulU16(a, e, tab, off + 16);
    feMulU16(b, f, tab, off);
  }
  feMulU16(c, p[3], tab, off + 32);
  feAdd(d, p[2], p[2]);
  feSub(e, b, a);
  feAdd(h, b, a);
  if (neg) {
    feAdd(f, d, c);
    feSub(g, d, c);
  } else {
    feSub(f, d, c);
    feAdd(g, d, c);
  }
  feMul(o[0], e, f);
  feMul(o[1], g, h);
  feMul(o[2], f, g);
  feMul(o[3], e, h);
}

/** Cached form of p into q. */
export function ptToCached(q: Float64Array[], p: Float64Array[]): void {
  feAdd(q[0], p[1], p[0]);
  feSub(q[1], p[1], p[0]);
  feAdd(q[2], p[2], p[2]);
  feMul(q[3], p[3], D2);
}

/** 32-byte encoding of p into out[off..]; zinv must already hold 1/Z. */
export function ptEncode(out: Uint8Array, off: number, p: Float64Array[], zinv: Float64Array): void {
  feMul(a, p[0], zinv);
  feMul(b, p[1], zinv);
  fePack(out, off, b);
  fePack(PB, 0, a);
  out[off + 31] |= (PB[0] & 1) << 7;
}

/** True when p is the neutral element (X = 0 and Y = Z, mod p). */
export function ptIsIdentity(p: Float64Array[]): boolean {
  var i;
  fePack(PB, 0, p[0]);
  feSub(a, p[1], p[2]);
  fePack(PB2, 0, a);
  for (i = 0; i < 32; i++) {
    if (PB[i] !== 0 || PB2[i] !== 0) return false;
  }
  return true;
}

/** Equality of two field elements mod p (x, y: products or sums of two). */
function feEq(x: Float64Array, y: Float64Array): boolean {
  var i;
  feSub(g, x, y);
  fePack(PB, 0, g);
  for (i = 0; i < 32; i++) if (PB[i] !== 0) return false;
  return true;
}

/**
 * Sliced point decoding (ZIP-215 rules: any y < 2^255 is taken mod p, x = 0 with the sign bit set is
 * accepted). decodeBegin sets up the square-root chain, run chainRun(dec.chain, n) until it returns
 * true, then decodeFinish fills the point and returns false if y has no x on the curve.
 */
export interface Decoder {
  chain: Chain;
  u: Float64Array;
  v: Float64Array;
  v3: Float64Array;
  y: Float64Array;
  sign: number;
}

export function newDecoder(): Decoder {
  return { chain: newChain(), u: fe(), v: fe(), v3: fe(), y: fe(), sign: 0 };
}

export function decodeBegin(dec: Decoder, bytes: Uint8Array, off: number): void {
  var y = dec.y;
  feUnpack(y, bytes, off);
  dec.sign = bytes[off + 31] >> 7;
  feSqr(a, y);
  feMul(dec.v, a, D);
  dec.v[0] += 1; // v = d y^2 + 1
  a[0] -= 1;
  dec.u.set(a); // u = y^2 - 1
  feSqr(b, dec.v);
  feMul(dec.v3, b, dec.v); // v^3
  feSqr(b, dec.v3);
  feMul(b, b, dec.v); // v^7
  feMul(b, b, dec.u); // u v^7
  chainBegin(dec.chain, CHAIN_POW22523, b);
}

export function decodeFinish(dec: Decoder, p: Float64Array[]): boolean {
  var x = p[0];
  feMul(x, dec.chain.reg[5], dec.v3);
  feMul(x, x, dec.u); // x = u v^3 (u v^7)^((p-5)/8)
  feSqr(a, x);
  feMul(a, a, dec.v); // v x^2
  if (!feEq(a, dec.u)) {
    feSetInt(b, 0);
    feSub(b, b, dec.u);
    if (!feEq(a, b)) return false;
    feMul(x, x, SQRTM1);
  }
  fePack(PB, 0, x);
  if ((PB[0] & 1) !== dec.sign) {
    feSetInt(b, 0);
    feSub(x, b, x);
  }
  p[1].set(dec.y);
  feSetInt(p[2], 1);
  feMul(p[3], x, dec.y);
  return true;
}

/** Extended base point. */
export function ptBase(p: Float64Array[]): void {
  p[0].set(BX);
  p[1].set(BY);
  feSetInt(p[2], 1);
  feMul(p[3], BX, BY);
}
