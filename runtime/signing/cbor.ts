/**
 * A minimal strict CBOR (RFC 8949) reader and writer for exactly the items edgerule emits: unsigned and
 * negative integers below 2^53, byte and text strings, arrays, maps, tag 18 and float64. Everything else is
 * refused with a fault code from signed-faults.ts, the byte offset of the offending item's head and a field id:
 * indefinite lengths, non-shortest heads, reserved values, simple values, half and single floats.
 * The host verifier (signing/) reads events with this same code, as the compiler runs the device's verifier.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import { SF_TRUNCATED, SF_TYPE, SF_NONCANONICAL, SF_OVERSIZED } from './signed-faults.ts';

export var CBOR_UINT = 0;
export var CBOR_NEG = 1;
export var CBOR_BYTES = 2;
export var CBOR_TEXT = 3;
export var CBOR_ARRAY = 4;
export var CBOR_MAP = 5;
export var CBOR_TAG = 6;
export var CBOR_F64 = 0xfb;

var TWO32 = 4294967296;

/** Reader state. `val` is the argument of the last head read (integer value or length). */
export interface CborIn {
  b: Uint8Array;
  dv: DataView;
  pos: number;
  end: number;
  fault: number;
  at: number;
  field: number;
  val: number;
}

export function cborIn(b: Uint8Array, pos: number, end: number): CborIn {
  return { b: b, dv: new DataView(b.buffer, b.byteOffset, b.byteLength), pos: pos, end: end, fault: 0, at: 0, field: 0, val: 0 };
}

/** Records the first fault; returns false so callers read `if (...) return cborBad(...)`. */
export function cborBad(r: CborIn, code: number, at: number, field: number): boolean {
  if (!r.fault) {
    r.fault = code;
    r.at = at;
    r.field = field;
  }
  return false;
}

/** Reads the head at r.pos, which must be of `major` type; r.val = its argument (shortest form only, < 2^53). */
export function rdHead(r: CborIn, major: number, field: number): boolean {
  var at = r.pos;
  var b = r.b;
  var ib, ai, n, v, i;
  if (r.fault) return false;
  if (at >= r.end) return cborBad(r, SF_TRUNCATED, at, field);
  ib = b[at];
  if (ib >> 5 !== major) return cborBad(r, SF_TYPE, at, field);
  ai = ib & 31;
  if (ai < 24) {
    r.val = ai;
    r.pos = at + 1;
    return true;
  }
  if (ai > 27) return cborBad(r, SF_NONCANONICAL, at, field);
  n = ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : 8;
  if (at + 1 + n > r.end) return cborBad(r, SF_TRUNCATED, at, field);
  if (n === 8 && (b[at + 1] !== 0 || b[at + 2] > 31)) return cborBad(r, SF_OVERSIZED, at, field);
  v = 0;
  for (i = 1; i <= n; i++) v = v * 256 + b[at + i];
  if (v < (n === 1 ? 24 : n === 2 ? 256 : n === 4 ? 65536 : TWO32)) return cborBad(r, SF_NONCANONICAL, at, field);
  r.val = v;
  r.pos = at + 1 + n;
  return true;
}

/** An unsigned integer ≤ max (-1 on fault). */
export function rdUint(r: CborIn, field: number, max: number): number {
  var at = r.pos;
  if (!rdHead(r, CBOR_UINT, field)) return -1;
  if (r.val > max) {
    cborBad(r, SF_OVERSIZED, at, field);
    return -1;
  }
  return r.val;
}

/**
 * A byte (major 2) or text (major 3) string of min…max bytes: returns the offset of its content and moves
 * past it (r.val = length), or -1 on fault. Longer than max: SF_OVERSIZED; shorter than min: SF_TYPE.
 */
export function rdString(r: CborIn, major: number, field: number, min: number, max: number): number {
  var at = r.pos;
  var start;
  if (!rdHead(r, major, field)) return -1;
  if (r.val > max) {
    cborBad(r, SF_OVERSIZED, at, field);
    return -1;
  }
  if (r.val < min) {
    cborBad(r, SF_TYPE, at, field);
    return -1;
  }
  if (r.pos + r.val > r.end) {
    cborBad(r, SF_TRUNCATED, at, field);
    return -1;
  }
  start = r.pos;
  r.pos += r.val;
  return start;
}

/** A float64 item (0xfb + 8 bytes); NaN with r.fault set on fault. */
export function rdF64(r: CborIn, field: number): number {
  var at = r.pos;
  if (r.fault) return NaN;
  if (at >= r.end) {
    cborBad(r, SF_TRUNCATED, at, field);
    return NaN;
  }
  if (r.b[at] !== CBOR_F64) {
    cborBad(r, r.b[at] >> 5 === 7 ? SF_NONCANONICAL : SF_TYPE, at, field);
    return NaN;
  }
  if (at + 9 > r.end) {
    cborBad(r, SF_TRUNCATED, at, field);
    return NaN;
  }
  r.pos = at + 9;
  return r.dv.getFloat64(at + 1, false);
}

/**
 * A number written by wrNumber: a uint when it is an integer in [0, 2^53), else float64. A float64 that
 * holds such an integer (or −0, which the writer never emits) is not the shortest form: SF_NONCANONICAL.
 */
export function rdNumber(r: CborIn, field: number): number {
  var at = r.pos;
  var v;
  if (r.fault) return NaN;
  if (at < r.end && r.b[at] >> 5 === CBOR_UINT) return rdUint(r, field, 9007199254740991);
  v = rdF64(r, field);
  if (!r.fault && v >= 0 && v <= 9007199254740991 && Math.floor(v) === v) {
    cborBad(r, SF_NONCANONICAL, at, field);
    return NaN;
  }
  return v;
}

/** Expects exactly the bytes `want` at r.pos (a fixed label or header); on mismatch reports `code`. */
export function rdConst(r: CborIn, want: Uint8Array, code: number, field: number): boolean {
  var at = r.pos;
  var i;
  if (r.fault) return false;
  for (i = 0; i < want.length; i++) {
    if (at + i >= r.end) return cborBad(r, SF_TRUNCATED, at, field);
    if (r.b[at + i] !== want[i]) return cborBad(r, code, at, field);
  }
  r.pos = at + want.length;
  return true;
}

/** Writes a head (major type, argument < 2^53) at pos; returns the position after it. */
export function wrHead(b: Uint8Array, pos: number, major: number, v: number): number {
  var m = major << 5;
  var hi, lo;
  if (v < 24) {
    b[pos] = m | v;
    return pos + 1;
  }
  if (v < 256) {
    b[pos] = m | 24;
    b[pos + 1] = v;
    return pos + 2;
  }
  if (v < 65536) {
    b[pos] = m | 25;
    b[pos + 1] = v >>> 8;
    b[pos + 2] = v & 255;
    return pos + 3;
  }
  if (v < TWO32) {
    b[pos] = m | 26;
    b[pos + 1] = v >>> 24;
    b[pos + 2] = (v >>> 16) & 255;
    b[pos + 3] = (v >>> 8) & 255;
    b[pos + 4] = v & 255;
    return pos + 5;
  }
  hi = Math.floor(v / TWO32);
  lo = v - hi * TWO32;
  b[pos] = m | 27;
  b[pos + 1] = hi >>> 24;
  b[pos + 2] = (hi >>> 16) & 255;
  b[pos + 3] = (hi >>> 8) & 255;
  b[pos + 4] = hi & 255;
  b[pos + 5] = lo >>> 24;
  b[pos + 6] = (lo >>> 16) & 255;
  b[pos + 7] = (lo >>> 8) & 255;
  b[pos + 8] = lo & 255;
  return pos + 9;
}

/** Writes an integer item (unsigned, or negative with major type 1), |v| < 2^53; returns the position after it. */
export function wrInt(b: Uint8Array, pos: number, v: number): number {
  return v < 0 ? wrHead(b, pos, CBOR_NEG, -1 - v) : wrHead(b, pos, CBOR_UINT, v);
}

/** Writes a float64 item; NaN is written as 0x7ff8000000000000 and −0 as +0, so every engine writes the same bytes. */
export function wrF64(b: Uint8Array, dv: DataView, pos: number, v: number): number {
  var i;
  b[pos] = CBOR_F64;
  if (v !== v) {
    b[pos + 1] = 0x7f;
    b[pos + 2] = 0xf8;
    for (i = 3; i < 9; i++) b[pos + i] = 0;
  } else {
    dv.setFloat64(pos + 1, v === 0 ? 0 : v, false);
  }
  return pos + 9;
}

/** Writes a number: a uint when it is an integer in [0, 2^53), else a float64 (see rdNumber). */
export function wrNumber(b: Uint8Array, dv: DataView, pos: number, v: number): number {
  if (v >= 0 && v <= 9007199254740991 && Math.floor(v) === v) return wrHead(b, pos, CBOR_UINT, v);
  return wrF64(b, dv, pos, v);
}
