/**
 * Scalars modulo L = 2^252 + DELTA (the ed25519 group order), in byte limbs held in a Float64Array(64).
 * Runtime subset: ES5 + typed arrays, var only, functions defined before use, no recursion.
 */

/** DELTA = L - 2^252, little-endian bytes (16 of them). */
var LD = [237, 211, 245, 92, 26, 99, 18, 88, 214, 156, 247, 162, 222, 249, 222, 20];
/** L, little-endian bytes. */
export var L_BYTES = new Uint8Array([
  237, 211, 245, 92, 26, 99, 18, 88, 214, 156, 247, 162, 222, 249, 222, 20,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16,
]);
var X = new Float64Array(64);

/** Floor-carries x[0..n-1] into bytes [0, 256); returns the carry out (may be negative). */
function carryBytes(x: Float64Array, n: number): number {
  var i, v;
  var c = 0;
  for (i = 0; i < n; i++) {
    v = x[i] + c;
    c = Math.floor(v / 256);
    x[i] = v - c * 256;
  }
  return c;
}

/** out[0..31] = (sum x[i] 256^i) mod L. x (64 signed integer limbs) is destroyed. */
export function scReduce(out: Uint8Array, x: Float64Array): void {
  var i, j, c, v, top, q, b;
  // 2^256 = 16 * 2^252 = -16 * DELTA (mod L): fold bytes 63..32 down, balanced carries keep limbs small.
  for (i = 63; i >= 32; i--) {
    top = x[i];
    if (top !== 0) {
      c = 0;
      for (j = 0; j < 16; j++) {
        v = x[i - 32 + j] - 16 * top * LD[j] + c;
        c = Math.floor((v + 128) / 256);
        x[i - 32 + j] = v - c * 256;
      }
      x[i - 16] += c;
      x[i] = 0;
    }
  }
  // Value = bytes 0..31 + carry * 2^256; split at 2^252 and fold the top again: q * 2^252 = -q * DELTA.
  c = carryBytes(x, 32);
  q = c * 16 + (x[31] >> 4);
  x[31] = x[31] & 15;
  for (j = 0; j < 16; j++) x[j] -= q * LD[j];
  c = carryBytes(x, 32);
  if (c < 0) {
    // Negative (|value| < L): add L once.
    for (j = 0; j < 32; j++) x[j] += L_BYTES[j];
    carryBytes(x, 32);
  }
  // 0 <= value < 2L: subtract L if no borrow.
  b = 0;
  for (j = 0; j < 32; j++) {
    v = x[j] - L_BYTES[j] - b;
    b = v < 0 ? 1 : 0;
  }
  if (b === 0) {
    for (j = 0; j < 32; j++) {
      v = x[j] - L_BYTES[j] - b;
      b = v < 0 ? 1 : 0;
      x[j] = v + b * 256;
    }
  }
  for (j = 0; j < 32; j++) out[j] = x[j];
}

/** out = h mod L where h is 64 little-endian bytes (a SHA-512 digest). */
export function scFromHash(out: Uint8Array, h: Uint8Array): void {
  var x = X;
  var i;
  for (i = 0; i < 64; i++) x[i] = h[i];
  scReduce(out, x);
}

/** out = (a * b + c) mod L; all 32-byte little-endian. out may alias any input. */
export function scMulAdd(out: Uint8Array, a: Uint8Array, b: Uint8Array, c: Uint8Array): void {
  var x = X;
  var i, j, ai;
  for (i = 0; i < 64; i++) x[i] = 0;
  for (i = 0; i < 32; i++) x[i] = c[i];
  for (i = 0; i < 32; i++) {
    ai = a[i];
    for (j = 0; j < 32; j++) x[i + j] += ai * b[j];
  }
  scReduce(out, x);
}

/** True when the 32-byte little-endian s[off..off+31] is < L (canonical). */
export function scIsCanonical(s: Uint8Array, off: number): boolean {
  var i, a, b;
  for (i = 31; i >= 0; i--) {
    a = s[off + i];
    b = L_BYTES[i];
    if (a < b) return true;
    if (a > b) return false;
  }
  return false;
}

/**
 * Signed radix-16 digits e[0..63] in [-8, 8] with s = sum e[i] 16^i, for s < 2^255
 * (the top digit absorbs the last carry).
 */
export function scRecode(e: Int8Array, s: Uint8Array): void {
  var i, v, c;
  for (i = 0; i < 32; i++) {
    e[2 * i] = s[i] & 15;
    e[2 * i + 1] = s[i] >> 4;
  }
  c = 0;
  for (i = 0; i < 63; i++) {
    v = e[i] + c;
    c = (v + 8) >> 4;
    e[i] = v - (c << 4);
  }
  e[63] += c;
}
