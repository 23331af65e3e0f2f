/**
 * Event records and their COSE framing (docs/EVENTS.md): the CBOR map of one event or checkpoint, and the
 * COSE_Sign1 around it when it is signed. The event writer (events.ts) decides what to write and when; this
 * module only knows the bytes. The host's reader (signing/event-record.ts) and docs generator use the same keys.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import { wrHead, wrF64, wrNumber, CBOR_UINT, CBOR_BYTES, CBOR_ARRAY, CBOR_MAP, CBOR_TAG } from './cbor.ts';
import { EVENT_PROTECTED, COSE_SIGN1_TAG, wrTbs, tbsLength } from './cose.ts';
import type { DropRanges } from './drop-ranges.ts';

export var REC_EVENT = 0;
export var REC_CHECKPOINT = 1;
/** The last record under an event key: announces the next one (key 10), signed by the key it retires. */
export var REC_ROTATE = 2;

/** Record map keys, written in this order; 4…6 in events only, 8 and 9 only when there is something to say. */
export var KEY_TYPE = 0;
export var KEY_DEVICE = 1;
export var KEY_SEQ = 2;
export var KEY_TIME = 3;
export var KEY_RULE = 4;
export var KEY_SEVERITY = 5;
export var KEY_VALUES = 6;
export var KEY_PREV = 7;
export var KEY_DROPPED = 8;
export var KEY_DROPPED_TOTAL = 9;
/** Rotation records only: the next event public key (32 bytes). */
export var KEY_NEXT_KEY = 10;

/**
 * Largest record: every optional field, LIMIT_MAX_ATTACH values, MAX_RANGES ranges, all integers at 9 bytes (a
 * rotation record has no rule, severity or values, so its 35-byte next key fits in the same room).
 */
export var RECORD_MAX = 420;

function coseHead(): Uint8Array {
  var b = new Uint8Array(16);
  var p = wrHead(b, wrHead(b, 0, CBOR_TAG, COSE_SIGN1_TAG), CBOR_ARRAY, 4);
  b.set(EVENT_PROTECTED, p);
  return b.subarray(0, wrHead(b, p + EVENT_PROTECTED.length, CBOR_MAP, 0));
}
/** What precedes a signed record's payload: tag 18, array(4), the protected header, {} (d2 84 43 a1 01 27 a0). */
var COSE_HEAD = coseHead();
/** The signature item after the payload: bstr(64) head and 64 bytes. */
var SIG_ITEM = 66;
/** Head of a byte string whose length fits one byte (24…255): 0x58. */
var BSTR_LEN8 = (CBOR_BYTES << 5) | 24;
/** COSE_Sign1 bytes around a record: the head, the payload's bstr head (≤ 3 bytes) and the signature. */
export var COSE_OVERHEAD = COSE_HEAD.length + 3 + SIG_ITEM;
/** Size of the Sig_structure of the largest record. */
export var EVENT_TBS_MAX = tbsLength(EVENT_PROTECTED.length - 1, RECORD_MAX);

/** A record being built: its bytes, their length and where its 32-byte prev hash sits. */
export interface RecordBuf {
  b: Uint8Array;
  dv: DataView;
  len: number;
  prevAt: number;
}

export function newRecordBuf(): RecordBuf {
  var b = new Uint8Array(RECORD_MAX);
  return { b: b, dv: new DataView(b.buffer), len: 0, prevAt: 0 };
}

function wrDrops(b: Uint8Array, p: number, drops: DropRanges): number {
  var j;
  b[p++] = KEY_DROPPED;
  p = wrHead(b, p, CBOR_ARRAY, drops.n);
  for (j = 0; j < drops.n; j++) {
    p = wrHead(b, p, CBOR_ARRAY, 4);
    p = wrHead(b, p, CBOR_UINT, drops.first[j]);
    p = wrHead(b, p, CBOR_UINT, drops.last[j]);
    p = wrHead(b, p, CBOR_UINT, drops.count[j]);
    p = wrHead(b, p, CBOR_BYTES, 32);
    b.set(drops.prev.subarray(j * 32, j * 32 + 32), p);
    p += 32;
  }
  return p;
}

/**
 * Encodes a record into r (r.len, r.prevAt). Events carry rule, severity and values; every record carries the
 * chain's prev hash, the drop ranges not yet acknowledged and, once anything was dropped, the total; a rotation
 * record (REC_ROTATE) ends with the next event public key `next` (null for the other types).
 */
export function encodeRecord(r: RecordBuf, type: number, device: number, seq: number, rule: number, sev: number, t: number,
  vals: Float64Array | null, n: number, prev: Uint8Array, drops: DropRanges, total: number, next: Uint8Array | null): void {
  var b = r.b;
  var p, i;
  p = wrHead(b, 0, CBOR_MAP, 5 + (type === REC_EVENT ? 3 : 0) + (drops.n > 0 ? 1 : 0) + (total > 0 ? 1 : 0) + (type === REC_ROTATE ? 1 : 0));
  b[p++] = KEY_TYPE;
  p = wrHead(b, p, CBOR_UINT, type);
  b[p++] = KEY_DEVICE;
  p = wrHead(b, p, CBOR_UINT, device);
  b[p++] = KEY_SEQ;
  p = wrHead(b, p, CBOR_UINT, seq);
  b[p++] = KEY_TIME;
  p = wrNumber(b, r.dv, p, t);
  if (type === REC_EVENT) {
    b[p++] = KEY_RULE;
    p = wrHead(b, p, CBOR_UINT, rule);
    b[p++] = KEY_SEVERITY;
    p = wrHead(b, p, CBOR_UINT, sev);
    b[p++] = KEY_VALUES;
    p = wrHead(b, p, CBOR_ARRAY, n);
    for (i = 0; i < n; i++) p = wrF64(b, r.dv, p, (vals as Float64Array)[i]);
  }
  b[p++] = KEY_PREV;
  p = wrHead(b, p, CBOR_BYTES, 32);
  r.prevAt = p;
  b.set(prev, p);
  p += 32;
  if (drops.n > 0) p = wrDrops(b, p, drops);
  if (total > 0) {
    b[p++] = KEY_DROPPED_TOTAL;
    p = wrHead(b, p, CBOR_UINT, total);
  }
  if (type === REC_ROTATE && next) {
    b[p++] = KEY_NEXT_KEY;
    p = wrHead(b, p, CBOR_BYTES, 32);
    b.set(next.subarray(0, 32), p);
    p += 32;
  }
  r.len = p;
}

/** Writes the COSE_Sign1 head and the payload head for a len-byte record at o[at]; returns the payload offset. */
export function wrCoseHead(o: Uint8Array, at: number, len: number): number {
  o.set(COSE_HEAD, at);
  return wrHead(o, at + COSE_HEAD.length, CBOR_BYTES, len);
}

/** Appends the signature item at o[at] (after the payload); returns the position after it. */
export function wrSignature(o: Uint8Array, at: number, sig: Uint8Array): number {
  o.set(sig, wrHead(o, at, CBOR_BYTES, 64));
  return at + SIG_ITEM;
}

/** Writes into tbs the Sig_structure of the record b[start…start+len−1] (signed events' protected header). */
export function eventTbs(tbs: Uint8Array, b: Uint8Array, start: number, len: number): number {
  return wrTbs(tbs, EVENT_PROTECTED, 1, EVENT_PROTECTED.length - 1, b, start, len);
}

/**
 * Where the record inside an item written by this module starts and how long it is (span[0], span[1]): the item
 * itself when it is a bare record, else the COSE payload (its bstr head has one or two length bytes).
 */
export function recordSpan(b: Uint8Array, at: number, itemLen: number, span: Float64Array): void {
  var h = at + COSE_HEAD.length;
  if (b[at] !== COSE_HEAD[0]) {
    span[0] = at;
    span[1] = itemLen;
  } else if (b[h] === BSTR_LEN8) {
    span[0] = h + 2;
    span[1] = b[h + 1];
  } else {
    span[0] = h + 3;
    span[1] = b[h + 1] * 256 + b[h + 2];
  }
}
