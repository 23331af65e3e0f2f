/**
 * Values the host derives from raw sensor readings, computed the same to the last bit on every engine:
 * the acceleration's magnitude and its tilt from a mounting reference (catalogue accel.mag, accel.tilt).
 *
 * Espruino's Math.sqrt is exp(log(x) / 2) and can be an ulp off (shared/ENGINES.md), and no engine promises the
 * same Math.atan/acos, so nothing here calls Math: only + − × ÷ and comparisons, which are exact IEEE operations
 * everywhere. sqrtRn() is the correctly rounded square root (the value IEEE sqrt and Node's Math.sqrt give), so
 * a magnitude the device derives equals the one the simulator derives with Math.sqrt (test/host-derive.test.ts).
 * Constants are built from integers (Espruino parses decimal literals inexactly).
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */

var B = 16777216; // limb base 2^24: products of two limbs (< 2^48) and sums of three stay exact
var P26 = 67108864;
var P32 = 65536 * 65536;
var P52 = P26 * P26;
var P64 = P32 * P32;
/** π as its nearest double: 884279719003555 · 2^-48. */
var PI = (13176794 * P26 + 42501539) / (P32 * 65536);
var LIMBS = new Float64Array(8);

/** Limbs of the non-negative integer n (< 2^72, exact in a double) at LIMBS[at…at+2]. */
function split3(n: number, at: number): void {
  var hi = Math.floor(n / B);
  LIMBS[at] = n - hi * B;
  LIMBS[at + 2] = Math.floor(hi / B);
  LIMBS[at + 1] = hi - LIMBS[at + 2] * B;
}

/**
 * Sign of (2R + d)² − K·2^48, exactly (R = r·2^52 an integer ≤ 2^53, d = ±1, K = m·2^58 an integer < 2^60):
 * is the midpoint r ± ulp/2 above or below √m? The square is done in base-2^24 limbs.
 */
function midpointSign(R: number, d: number, K: number): number {
  var a0, a1, a2, c0, c1, c2, c3, c4, carry;
  split3(R, 0);
  a0 = 2 * LIMBS[0] + d;
  a1 = 2 * LIMBS[1];
  a2 = 2 * LIMBS[2];
  // normalise the limbs of 2R + d into [0, B)
  if (a0 < 0) { a0 += B; a1 -= 1; }
  carry = Math.floor(a0 / B); a0 -= carry * B; a1 += carry;
  if (a1 < 0) { a1 += B; a2 -= 1; }
  carry = Math.floor(a1 / B); a1 -= carry * B; a2 += carry;
  c0 = a0 * a0;
  c1 = 2 * a0 * a1;
  c2 = 2 * a0 * a2 + a1 * a1;
  c3 = 2 * a1 * a2;
  c4 = a2 * a2;
  carry = Math.floor(c0 / B); c0 -= carry * B; c1 += carry;
  carry = Math.floor(c1 / B); c1 -= carry * B; c2 += carry;
  carry = Math.floor(c2 / B); c2 -= carry * B; c3 += carry;
  carry = Math.floor(c3 / B); c3 -= carry * B; c4 += carry;
  // K·2^48 = K · B²: K's limbs shifted up by two
  split3(K, 3);
  if (c4 !== LIMBS[5]) return c4 < LIMBS[5] ? -1 : 1;
  if (c3 !== LIMBS[4]) return c3 < LIMBS[4] ? -1 : 1;
  if (c2 !== LIMBS[3]) return c2 < LIMBS[3] ? -1 : 1;
  return c1 > 0 || c0 > 0 ? 1 : 0;
}

/** The correctly rounded square root of x (IEEE sqrt), from + − × ÷ only. */
export function sqrtRn(x: number): number {
  var m = x;
  var f = 1;
  var r, i, R, K;
  if (!(x > 0) || x === Infinity) return x === 0 || x === Infinity ? x : NaN;
  // scale into [1, 4) by powers of 4 (exact): √x = √m · f
  while (m >= P64) { m = m / P64; f = f * P32; }
  while (m >= 4) { m = m / 4; f = f * 2; }
  while (m * P64 < 1) { m = m * P64; f = f / P32; }
  while (m < 1) { m = m * 4; f = f / 2; }
  r = (1 + m) / 2;
  for (i = 0; i < 6; i++) r = (r + m / r) / 2;
  // r is within an ulp: move it until √m lies between the midpoints to its neighbours
  R = r * P52;
  K = m * P52 * 64;
  for (i = 0; i < 4; i++) {
    if (midpointSign(R, 1, K) <= 0) R = R + 1;
    else if (R > P52 && midpointSign(R, -1, K) >= 0) R = R - 1;
    else break;
  }
  return (R / P52) * f;
}

/** |a| of an acceleration vector, as the catalogue's accel.mag (g). */
export function accelMag(x: number, y: number, z: number): number {
  return sqrtRn(x * x + y * y + z * z);
}

/** atan(t) for t ≥ 0: two half-angle steps, then the series to t^23. */
function atanPos(t: number): number {
  var inv = t > 1;
  var s, t2, term, k;
  if (inv) t = 1 / t;
  t = t / (1 + sqrtRn(1 + t * t));
  t = t / (1 + sqrtRn(1 + t * t));
  t2 = t * t;
  s = t;
  term = t;
  for (k = 1; k <= 11; k++) {
    term = -term * t2;
    s = s + term / (2 * k + 1);
  }
  s = 4 * s;
  return inv ? PI / 2 - s : s;
}

/** The angle of (x, y) from the positive x axis for y ≥ 0, in [0, π]. */
function atan2Pos(y: number, x: number): number {
  if (x > 0) return atanPos(y / x);
  if (x < 0) return PI - atanPos(y / -x);
  return y > 0 ? PI / 2 : 0;
}

/**
 * The catalogue's accel.tilt: the angle in degrees (0…180) between the acceleration (x, y, z) and the mounting
 * reference (rx, ry, rz) — the direction gravity had when the tracker was installed; (0, 0, 1) for a device
 * mounted flat. NaN for a zero vector.
 */
export function tiltDeg(x: number, y: number, z: number, rx: number, ry: number, rz: number): number {
  var cx = y * rz - z * ry;
  var cy = z * rx - x * rz;
  var cz = x * ry - y * rx;
  var dot = x * rx + y * ry + z * rz;
  if ((x === 0 && y === 0 && z === 0) || (rx === 0 && ry === 0 && rz === 0)) return NaN;
  return (atan2Pos(sqrtRn(cx * cx + cy * cy + cz * cz), dot) * 180) / PI;
}
