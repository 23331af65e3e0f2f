/**
 * Host side of the link's frames (docs/PROTOCOL.md): encodes requests with the device's own frame, CRC, COBS
 * and CBOR writer code (runtime/link/, runtime/signing/cbor.ts), and decodes what the device sends with the
 * device's COBS decoder and CRC check plus a small CBOR reader for reply bodies.
 */
import { cobsEncode, cobsMax, newCobs, cobsByte, cobsReset, COBS_FRAME, COBS_BAD, type Cobs } from '../../runtime/link/cobs.ts';
import { frameHead, frameSeal, frameCheck, frameType, frameSeq, BODY_AT } from '../../runtime/link/frame.ts';
import { FRAME_CRC, MAX_MAX_FRAME } from '../../runtime/link/constants.ts';
import { wrHead, wrF64, CBOR_UINT, CBOR_NEG, CBOR_BYTES, CBOR_TEXT, CBOR_ARRAY, CBOR_MAP } from '../../runtime/signing/cbor.ts';

/** A body value: numbers are integers below 2^53 unless they are float64 in the body. */
export type Value = number | Uint8Array | string | Value[] | Map<number, Value>;
export type Body = Map<number, Value>;

/** Largest encoding of a value we write (bodies are small; chunk data dominates). */
function valueSize(v: Value): number {
  if (typeof v === 'number') return 9;
  if (typeof v === 'string') return 5 + Buffer.byteLength(v);
  if (v instanceof Uint8Array) return 5 + v.length;
  if (Array.isArray(v)) return 5 + v.reduce<number>((n, x) => n + valueSize(x), 0);
  let n = 5;
  for (const [, x] of v) n += 9 + valueSize(x);
  return n;
}

function writeValue(b: Uint8Array, dv: DataView, p: number, v: Value): number {
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER) return v < 0 ? wrHead(b, p, CBOR_NEG, -1 - v) : wrHead(b, p, CBOR_UINT, v);
    return wrF64(b, dv, p, v);
  }
  if (typeof v === 'string') {
    const t = Buffer.from(v, 'utf8');
    p = wrHead(b, p, CBOR_TEXT, t.length);
    b.set(t, p);
    return p + t.length;
  }
  if (v instanceof Uint8Array) {
    p = wrHead(b, p, CBOR_BYTES, v.length);
    b.set(v, p);
    return p + v.length;
  }
  if (Array.isArray(v)) {
    p = wrHead(b, p, CBOR_ARRAY, v.length);
    for (const x of v) p = writeValue(b, dv, p, x);
    return p;
  }
  const keys = [...v.keys()].sort((x, y) => x - y);
  p = wrHead(b, p, CBOR_MAP, keys.length);
  for (const k of keys) p = writeValue(b, dv, wrHead(b, p, CBOR_UINT, k), v.get(k) as Value);
  return p;
}

/** The raw frame (before COBS) of a message. */
export function rawFrame(type: number, seq: number, body: Body): Uint8Array {
  const raw = new Uint8Array(BODY_AT + valueSize(body) + FRAME_CRC);
  frameHead(raw, type, seq);
  const end = writeValue(raw, new DataView(raw.buffer), BODY_AT, body);
  return raw.subarray(0, frameSeal(raw, end));
}

/** A message as it goes on the wire: 0x00, COBS(raw frame), 0x00. */
export function encodeFrame(type: number, seq: number, body: Body): Uint8Array {
  const raw = rawFrame(type, seq, body);
  const out = new Uint8Array(cobsMax(raw.length));
  return out.subarray(0, cobsEncode(raw, raw.length, out, 0));
}

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  head(): { major: number; val: number; at: number } {
    const at = this.pos;
    if (at >= this.b.length) throw new Error(`byte ${at}: the body ends inside an item`);
    const ib = this.b[at];
    const ai = ib & 31;
    const n = ai < 24 ? 0 : ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : ai === 27 ? 8 : -1;
    if (n < 0) throw new Error(`byte ${at}: indefinite length or reserved value 0x${ib.toString(16)}`);
    if (at + 1 + n > this.b.length) throw new Error(`byte ${at}: the body ends inside an item`);
    let val = ai < 24 ? ai : 0;
    for (let i = 1; i <= n; i++) val = val * 256 + this.b[at + i];
    this.pos = at + 1 + n;
    return { major: ib >> 5, val, at };
  }
  value(depth = 0): Value {
    if (depth > 8) throw new Error(`byte ${this.pos}: nested too deep`);
    if (this.b[this.pos] === 0xfb) {
      if (this.pos + 9 > this.b.length) throw new Error(`byte ${this.pos}: the body ends inside a float`);
      const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos + 1, 8).getFloat64(0, false);
      this.pos += 9;
      return v;
    }
    const h = this.head();
    switch (h.major) {
      case CBOR_UINT: return h.val;
      case CBOR_NEG: return -1 - h.val;
      case CBOR_BYTES:
      case CBOR_TEXT: {
        if (this.pos + h.val > this.b.length) throw new Error(`byte ${h.at}: a string runs past the body`);
        const s = this.b.slice(this.pos, this.pos + h.val);
        this.pos += h.val;
        return h.major === CBOR_BYTES ? s : Buffer.from(s).toString('utf8');
      }
      case CBOR_ARRAY: return Array.from({ length: h.val }, () => this.value(depth + 1));
      case CBOR_MAP: {
        const m = new Map<number, Value>();
        for (let i = 0; i < h.val; i++) {
          const k = this.value(depth + 1);
          if (typeof k !== 'number') throw new Error(`byte ${h.at}: a map key that is not an integer`);
          m.set(k, this.value(depth + 1));
        }
        return m;
      }
      default: throw new Error(`byte ${h.at}: unexpected CBOR major type ${h.major}`);
    }
  }
}

/** Decodes a frame body (bytes between the header and the CRC); the empty body is the empty map. */
export function decodeBody(b: Uint8Array): Body {
  if (b.length === 0) return new Map();
  const r = new Reader(b);
  const v = r.value();
  if (!(v instanceof Map)) throw new Error('byte 0: the body is not a map');
  if (r.pos !== b.length) throw new Error(`byte ${r.pos}: bytes after the body's map`);
  return v;
}

export interface Frame { type: number; seq: number; body: Body; raw: Uint8Array }

export interface FrameErrors { crc: number; framing: number; malformed: number }

/** Turns the incoming byte stream into checked frames; garbage and damaged frames are counted and dropped. */
export class FrameReader {
  private readonly dec: Cobs;
  readonly errors: FrameErrors = { crc: 0, framing: 0, malformed: 0 };

  constructor(private readonly onFrame: (f: Frame) => void, maxFrame = MAX_MAX_FRAME) {
    this.dec = newCobs(maxFrame);
  }

  push(bytes: Uint8Array): void {
    const d = this.dec;
    for (let i = 0; i < bytes.length; i++) {
      const r = cobsByte(d, bytes[i]);
      if (r === COBS_FRAME) this.frame(d.buf, d.len);
      else if (r === COBS_BAD) this.errors.framing++;
      if (r !== 0) cobsReset(d);
    }
  }

  private frame(buf: Uint8Array, n: number): void {
    if (!frameCheck(buf, n)) {
      this.errors.crc++;
      return;
    }
    let body: Body;
    try {
      body = decodeBody(buf.subarray(BODY_AT, n - FRAME_CRC));
    } catch {
      this.errors.malformed++;
      return;
    }
    this.onFrame({ type: frameType(buf), seq: frameSeq(buf), body, raw: buf.slice(0, n) });
  }
}
