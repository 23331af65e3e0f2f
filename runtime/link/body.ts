/**
 * Message bodies of the device link: one CBOR map with small unsigned keys (docs/PROTOCOL.md). The device reads
 * a request into fixed typed arrays indexed by key (no allocation per frame) with the strict reader of
 * runtime/signing/cbor.ts, and writes replies with its writer.
 *
 * Values a body may hold: unsigned and negative integers, float64, byte and text strings, and arrays of those
 * (one level). Keys above BODY_KEYS − 1 are skipped, so a newer host may add keys an older device ignores;
 * a key given twice, or keys out of ascending order, make the body malformed.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import {
  rdHead, rdString, rdF64, cborBad, wrHead, CBOR_UINT, CBOR_NEG, CBOR_BYTES, CBOR_TEXT, CBOR_ARRAY, CBOR_MAP,
  type CborIn,
} from '../signing/cbor.ts';
import { SF_TYPE, FLD_NONE } from '../signing/signed-faults.ts';

export var BODY_KEYS = 16;
export var V_NONE = 0;
export var V_UINT = 1;
export var V_NEG = 2;
export var V_BYTES = 3;
export var V_TEXT = 4;
export var V_F64 = 5;
export var V_ARRAY = 6;

/** A parsed body: for key k, kind[k] (V_*), num[k] (the number, or a string's/array's length), at[k] (content offset). */
export interface Body {
  kind: Uint8Array;
  num: Float64Array;
  at: Uint32Array;
}

export function newBody(): Body {
  return { kind: new Uint8Array(BODY_KEYS), num: new Float64Array(BODY_KEYS), at: new Uint32Array(BODY_KEYS) };
}

/** Reads one scalar at r.pos into kind/num/at slot k (k < 0: skip it). Returns false on a fault (in r). */
function scalar(r: CborIn, body: Body, k: number): boolean {
  var at = r.pos;
  var major, s, kind, num;
  if (at >= r.end) return cborBad(r, SF_TYPE, at, FLD_NONE);
  major = r.b[at] >> 5;
  if (r.b[at] === 0xfb) {
    num = rdF64(r, FLD_NONE);
    kind = V_F64;
    s = at;
  } else if (major === CBOR_UINT || major === CBOR_NEG) {
    if (!rdHead(r, major, FLD_NONE)) return false;
    kind = major === CBOR_UINT ? V_UINT : V_NEG;
    num = major === CBOR_UINT ? r.val : -1 - r.val;
    s = at;
  } else if (major === CBOR_BYTES || major === CBOR_TEXT) {
    s = rdString(r, major, FLD_NONE, 0, 65535);
    kind = major === CBOR_BYTES ? V_BYTES : V_TEXT;
    num = r.val;
  } else {
    return cborBad(r, SF_TYPE, at, FLD_NONE);
  }
  if (r.fault) return false;
  if (k >= 0) {
    body.kind[k] = kind;
    body.num[k] = num;
    body.at[k] = s;
  }
  return true;
}

/**
 * Parses the map at r.pos…r.end into body. An empty body (r.pos === r.end) is the empty map. Returns false with
 * r.fault/r.at set when the body is not a well-formed map as described above.
 */
export function readBody(r: CborIn, body: Body): boolean {
  var i, n, key, last, keyAt, m, j, first;
  for (i = 0; i < BODY_KEYS; i++) body.kind[i] = V_NONE;
  if (r.pos === r.end) return true;
  if (!rdHead(r, CBOR_MAP, FLD_NONE)) return false;
  n = r.val;
  last = -1;
  for (i = 0; i < n; i++) {
    keyAt = r.pos;
    if (!rdHead(r, CBOR_UINT, FLD_NONE)) return false;
    key = r.val;
    if (key <= last) return cborBad(r, SF_TYPE, keyAt, FLD_NONE);
    last = key;
    if (r.pos < r.end && r.b[r.pos] >> 5 === CBOR_ARRAY) {
      if (!rdHead(r, CBOR_ARRAY, FLD_NONE)) return false;
      m = r.val;
      first = r.pos;
      for (j = 0; j < m; j++) if (!scalar(r, body, -1)) return false;
      if (key < BODY_KEYS) {
        body.kind[key] = V_ARRAY;
        body.num[key] = m;
        body.at[key] = first;
      }
    } else if (!scalar(r, body, key < BODY_KEYS ? key : -1)) {
      return false;
    }
  }
  if (r.pos !== r.end) return cborBad(r, SF_TYPE, r.pos, FLD_NONE);
  return true;
}

/** Writes key k and an unsigned value; returns the new position. */
export function putUint(b: Uint8Array, p: number, k: number, v: number): number {
  p = wrHead(b, p, CBOR_UINT, k);
  return wrHead(b, p, CBOR_UINT, v);
}

/** Writes key k and an integer (negative allowed, |v| < 2^53). */
export function putInt(b: Uint8Array, p: number, k: number, v: number): number {
  p = wrHead(b, p, CBOR_UINT, k);
  return v < 0 ? wrHead(b, p, CBOR_NEG, -1 - v) : wrHead(b, p, CBOR_UINT, v);
}

/** Writes key k and a byte string copied from src[start…start+len). */
export function putBytes(b: Uint8Array, p: number, k: number, src: Uint8Array, start: number, len: number): number {
  var i;
  p = wrHead(b, p, CBOR_UINT, k);
  p = wrHead(b, p, CBOR_BYTES, len);
  for (i = 0; i < len; i++) b[p + i] = src[start + i];
  return p + len;
}

/** Writes key k and an ASCII text. */
export function putText(b: Uint8Array, p: number, k: number, s: string): number {
  var i;
  p = wrHead(b, p, CBOR_UINT, k);
  p = wrHead(b, p, CBOR_TEXT, s.length);
  for (i = 0; i < s.length; i++) b[p + i] = s.charCodeAt(i) & 127;
  return p + s.length;
}

/** Writes a map head of n entries. */
export function putMap(b: Uint8Array, p: number, n: number): number {
  return wrHead(b, p, CBOR_MAP, n);
}
