/**
 * Scalars modulo L = 2^252 + DELTA (the ed25519 group order), in byte limbs held in a Float64Array(64).
 * Runtime subset: ES5 + typed arrays, var only, functions defined before use, no recursion.
 */

/** DELTA = L - 2^252 in 16-bit limbs (8 of them). */
var LD = [54253, 23797, 25370, 22546, 40150, 41719, 63966, 5342];
/** L in 16-bit limbs. */
var L16 = [54253, 23797, 25370, 22546, 40150, 41719, 63966, 5342, 0, 0, 0, 0, 0, 0, 0, 4096];
/** L, little-endian bytes. */
export var L_BYTES = new Uint8Array([
  237, 211, 245, 92, 26, 99, 18, 88, 214, 156, 247, 162, 222, 249, 222, 20,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16,
]);
/** 3 * 2^51, for rounding doubles to integers (see field25519.ts). */
var RND = 65536 * 65536 * 65536 * 8 * 3;
var INV16 = 1 / 65536;
/** A 512-bit value in 32 limbs of 16 bits. */
var X = new Float64Array(32);
var A16 = new Float64Array(16);
var B16 = new Float64Array(16);

/** Floor-carries x[0..15] into [0, 2^16); returns the carry out (may be negative). */
function carry16(x: Float64Array): number {
  var i, v;
  var c = 0;
  for (i = 0; i < 16; i++) {
    v = x[i] + c;
    c = Math.floor(v * INV16);
    x[i] = v - c * 65536;
  }
  return c;
}

/**
 * out[0..31] = (sum x[i] 2^(16 i)) mod L, little-endian bytes. x: 32 integer limbs, each below 2^40 in
 * magnitude (destroyed).
 */
export function scReduce(out: Uint8Array, x: Float64Array): void {
  var R = RND;
  var I = INV16;
  var i, j, c, v, top, q, b;
  for (i = 0; i < 31; i++) {
    c = (x[i] * I + R) - R;
    x[i] -= c * 65536;
    x[i + 1] += c;
  }
  // 2^256 = 16 * 2^252 = -16 * DELTA (mod L): fold limbs 31..16 down, balanced carries keep limbs small.
  for (i = 31; i >= 16; i--) {
    top = x[i];
    if (top !== 0) {
      c = 0;
      for (j = 0; j < 8; j++) {
        v = x[i - 16 + j] - 16 * top * LD[j] + c;
        c = (v * I + R) - R;
        x[i - 16 + j] = v - c * 65536;
      }
      x[i - 8] += c;
      x[i] = 0;
    }
  }
  // Value = limbs 0..15 + carry * 2^256; split at 2^252 (bit 12 of limb 15), fold again: q 2^252 = -q DELTA.
  c = carry16(x);
  top = Math.floor(x[15] / 4096);
  x[15] -= top * 4096;
  q = c * 16 + top;
  for (j = 0; j < 8; j++) x[j] -= q * LD[j];
  c = carry16(x);
  if (c < 0) {
    // Negative (|value| < L): add L once.
    for (j = 0; j < 16; j++) x[j] += L16[j];
    carry16(x);
  }
  // 0 <= value < 2L: subtract L if no borrow.
  b = 0;
  for (j = 0; j < 16; j++) {
    v = x[j] - L16[j] - b;
    b = v < 0 ? 1 : 0;
  }
  if (b === 0) {
    for (j = 0; j < 16; j++) {
      v = x[j] - L16[j] - b;
      b = v < 0 ? 1 : 0;
      x[j] = v + b * 65536;
    }
  }
  for (j = 0; j < 16; j++) {
    v = x[j];
    out[2 * j] = v & 255;
    out[2 * j + 1] = v >>> 8;
  }
}

/** out = h mod L where h is 64 little-endian bytes (a SHA-512 digest). */
export function scFromHash(out: Uint8Array, h: Uint8Array): void {
  var x = X;
  var i;
  for (i = 0; i < 32; i++) x[i] = h[2 * i] + 256 * h[2 * i + 1];
  scReduce(out, x);
}

/** out = clamp(h[0..31]) mod L: the RFC 8032 secret scalar (bits 0-2 and 255 cleared, bit 254 set). */
export function scClamp(out: Uint8Array, h: Uint8Array): void {
  var x = X;
  var i;
  for (i = 0; i < 16; i++) {
    x[i] = h[2 * i] + 256 * h[2 * i + 1];
    x[i + 16] = 0;
  }
  x[0] = x[0] & 65528;
  x[15] = (x[15] & 32767) | 16384;
  scReduce(out, x);
}

/** out = (a * b + c) mod L; all 32-byte little-endian. out may alias any input. */
export function scMulAdd(out: Uint8Array, a: Uint8Array, b: Uint8Array, c: Uint8Array): void {
  var x = X;
  var a16 = A16;
  var b16 = B16;
  var i, j, ai;
  for (i = 0; i < 16; i++) {
    a16[i] = a[2 * i] + 256 * a[2 * i + 1];
    b16[i] = b[2 * i] + 256 * b[2 * i + 1];
    x[i] = c[2 * i] + 256 * c[2 * i + 1];
    x[i + 16] = 0;
  }
  for (i = 0; i < 16; i++) {
    ai = a16[i];
    for (j = 0; j < 16; j++) x[i + j] += ai * b16[j];
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
