/**
 * COBS (Consistent Overhead Byte Stuffing, Cheshire & Baker 1999): a frame's bytes are re-coded so 0x00 never
 * appears inside it, and 0x00 separates frames. A receiver that starts mid-frame, or after line noise, drops the
 * bytes up to the next 0x00 and is in step again with the next frame. Overhead: one byte per 254 bytes.
 *
 * The decoder is a byte-at-a-time state machine writing into a buffer the caller owns; the encoder writes into
 * a buffer the caller owns. Neither allocates.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */

/** Largest encoded size of n raw bytes, delimiters on both sides included. */
export function cobsMax(n: number): number {
  return n + Math.floor(n / 254) + 3;
}

/** Encodes raw[0…n) into out at `at` as 0x00, COBS bytes, 0x00; returns the end offset in out. */
export function cobsEncode(raw: Uint8Array, n: number, out: Uint8Array, at: number): number {
  var codeAt, code, i, b;
  out[at++] = 0;
  codeAt = at++;
  code = 1;
  for (i = 0; i < n; i++) {
    b = raw[i];
    if (b === 0) {
      out[codeAt] = code;
      codeAt = at++;
      code = 1;
      continue;
    }
    out[at++] = b;
    code++;
    if (code === 255) {
      out[codeAt] = code;
      codeAt = at++;
      code = 1;
    }
  }
  out[codeAt] = code;
  out[at++] = 0;
  return at;
}

/** Decoder state: buf receives the decoded frame; len is its length so far. */
export interface Cobs {
  buf: Uint8Array;
  len: number;
  /** Bytes left in the current block (0: the next byte is a code byte). */
  left: number;
  /** The current block's code byte (0 before the first). */
  code: number;
  /** The frame ran past buf (dropped at its delimiter). */
  over: boolean;
}

export function newCobs(size: number): Cobs {
  return { buf: new Uint8Array(size), len: 0, left: 0, code: 0, over: false };
}

export function cobsReset(d: Cobs): void {
  d.len = 0;
  d.left = 0;
  d.code = 0;
  d.over = false;
}

/** COBS_* results of cobsByte. */
export var COBS_MORE = 0;
export var COBS_FRAME = 1;      // a frame ended: buf[0…len) holds it
export var COBS_EMPTY = 2;      // a delimiter with nothing before it
export var COBS_BAD = 3;        // a frame ended inside a block, or ran past buf

/** Feeds one byte. After COBS_FRAME/COBS_BAD the caller reads the frame (or not) and calls cobsReset. */
export function cobsByte(d: Cobs, b: number): number {
  if (b === 0) {
    if (d.over || d.left !== 0) return COBS_BAD;
    return d.code === 0 ? COBS_EMPTY : COBS_FRAME;
  }
  if (d.over) return COBS_MORE;
  if (d.left === 0) {
    if (d.code !== 0 && d.code !== 255) {
      if (d.len >= d.buf.length) {
        d.over = true;
        return COBS_MORE;
      }
      d.buf[d.len++] = 0;
    }
    d.code = b;
    d.left = b - 1;
    return COBS_MORE;
  }
  if (d.len >= d.buf.length) {
    d.over = true;
    return COBS_MORE;
  }
  d.buf[d.len++] = b;
  d.left--;
  return COBS_MORE;
}
