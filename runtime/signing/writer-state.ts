/**
 * The event writer's persisted state (host key 'es'): what it must remember across a restart besides the queued
 * records — the next sequence number, the drop count, the checkpoint counters, the chain head and the drop
 * ranges. One offset table, used by both saveState and loadState:
 *
 *   0 version u8   1 ranges u8   2 highest severity since the last checkpoint u8   3 (0)   4 records since u32
 *   8 next seq f64   16 dropped total f64   24 time of the first uncovered record f64   32 chain head (32 bytes)
 *   64 + 64·j  range j: first f64, last f64, count f64, reported-in seq f64, prev hash (32 bytes)
 *   then the seal (seal.ts, SEAL_BYTES): a state is read only when its seal proves the writer wrote these bytes.
 *
 * All little-endian. Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import { MAX_RANGES, newDropRanges, type DropRanges } from './drop-ranges.ts';
import { SEV_CRITICAL } from '../engine/severity.ts';
import { SEAL_BYTES, sealWrite, sealOk, type Seal } from './seal.ts';

var AT_VERSION = 0;
var AT_RANGES = 1;
var AT_MAX_CLASS = 2;
var AT_RESERVED = 3;
var AT_SINCE = 4;
var AT_SEQ_NEXT = 8;
var AT_TOTAL = 16;
var AT_FIRST_T = 24;
var AT_PREV = 32;
var AT_RANGE = 64;
var RANGE_BYTES = 64;
var R_FIRST = 0;
var R_LAST = 8;
var R_COUNT = 16;
var R_REP = 24;
var R_PREV = 32;

var STATE_VERSION = 2;
/** The state's bytes before its seal (also the largest blob the writer seals besides a queue slot). */
export var STATE_BYTES = AT_RANGE + MAX_RANGES * RANGE_BYTES;
var MAX_SEQ = 9007199254740991;

/** What the writer keeps between calls and across restarts. */
export interface WriterState {
  /** Sequence number of the next record. */
  seqNext: number;
  /** Records dropped since the device was provisioned. */
  total: number;
  /** Checkpoint mode: records since the last checkpoint… */
  since: number;
  /** …the highest severity among them (the checkpoint's queue class)… */
  maxCls: number;
  /** …and the time of the first of them (NaN: none). */
  firstT: number;
  /** Chain head: the first 32 bytes of SHA-512 of the last record. */
  prev: Uint8Array;
  drops: DropRanges;
  /** Encoding buffer of the persisted form. */
  buf: Uint8Array;
  dv: DataView;
}

export function newWriterState(): WriterState {
  var buf = new Uint8Array(STATE_BYTES + SEAL_BYTES);
  return {
    seqNext: 1, total: 0, since: 0, maxCls: 0, firstT: NaN, prev: new Uint8Array(32), drops: newDropRanges(),
    buf: buf, dv: new DataView(buf.buffer),
  };
}

/** A fresh device: nothing written, nothing dropped. */
export function resetState(s: WriterState): void {
  var z;
  s.seqNext = 1;
  s.total = 0;
  s.since = 0;
  s.firstT = NaN;
  s.maxCls = 0;
  s.drops.n = 0;
  for (z = 0; z < 32; z++) s.prev[z] = 0;
}

/** The persisted form of s, sealed (valid until the next call). */
export function saveState(s: WriterState, seal: Seal): Uint8Array {
  var st = s.buf;
  var dv = s.dv;
  var d = s.drops;
  var j, at;
  st[AT_VERSION] = STATE_VERSION;
  st[AT_RANGES] = d.n;
  st[AT_MAX_CLASS] = s.maxCls;
  st[AT_RESERVED] = 0;
  dv.setUint32(AT_SINCE, s.since, true);
  dv.setFloat64(AT_SEQ_NEXT, s.seqNext, true);
  dv.setFloat64(AT_TOTAL, s.total, true);
  dv.setFloat64(AT_FIRST_T, s.firstT, true);
  st.set(s.prev, AT_PREV);
  for (j = 0; j < MAX_RANGES; j++) {
    at = AT_RANGE + j * RANGE_BYTES;
    dv.setFloat64(at + R_FIRST, d.first[j], true);
    dv.setFloat64(at + R_LAST, d.last[j], true);
    dv.setFloat64(at + R_COUNT, d.count[j], true);
    dv.setFloat64(at + R_REP, d.rep[j], true);
    st.set(d.prev.subarray(j * 32, j * 32 + 32), at + R_PREV);
  }
  sealWrite(seal, 0, st, 0, STATE_BYTES);
  return st;
}

function isSeq(v: number): boolean {
  return v >= 1 && v <= MAX_SEQ && Math.floor(v) === v;
}

/** Ranges that could have come from the writer: ordered, inside the sequence so far, counts that fit. */
function rangesPlausible(d: DropRanges, seqNext: number): boolean {
  var j;
  for (j = 0; j < d.n; j++) {
    if (!(d.first[j] >= 1 && d.first[j] <= d.last[j] && d.last[j] < seqNext && d.count[j] >= 1 &&
      d.count[j] <= d.last[j] - d.first[j] + 1 && d.rep[j] >= 0)) return false;
  }
  return true;
}

/**
 * Reads a persisted state into s. Nothing persisted (a new device) leaves s as it is; false when the bytes are
 * not a state this writer saved — not a Uint8Array, not sealed, or not plausible (then s holds garbage: the caller
 * resets it).
 */
export function loadState(s: WriterState, b: Uint8Array | null, seal: Seal): boolean {
  var st = s.buf;
  var dv = s.dv;
  var d = s.drops;
  var j, at;
  if (b === null || b === undefined || (b instanceof Uint8Array && b.length === 0)) return true;
  if (!(b instanceof Uint8Array) || b.length !== STATE_BYTES + SEAL_BYTES || !sealOk(seal, 0, b, 0, STATE_BYTES)) return false;
  if (b[AT_VERSION] !== STATE_VERSION || b[AT_RANGES] > MAX_RANGES || b[AT_MAX_CLASS] > SEV_CRITICAL) return false;
  st.set(b);
  d.n = st[AT_RANGES];
  s.maxCls = st[AT_MAX_CLASS];
  s.since = dv.getUint32(AT_SINCE, true);
  s.seqNext = dv.getFloat64(AT_SEQ_NEXT, true);
  s.total = dv.getFloat64(AT_TOTAL, true);
  s.firstT = dv.getFloat64(AT_FIRST_T, true);
  s.prev.set(st.subarray(AT_PREV, AT_PREV + 32));
  for (j = 0; j < MAX_RANGES; j++) {
    at = AT_RANGE + j * RANGE_BYTES;
    d.first[j] = dv.getFloat64(at + R_FIRST, true);
    d.last[j] = dv.getFloat64(at + R_LAST, true);
    d.count[j] = dv.getFloat64(at + R_COUNT, true);
    d.rep[j] = dv.getFloat64(at + R_REP, true);
    d.prev.set(st.subarray(at + R_PREV, at + R_PREV + 32), j * 32);
  }
  return rangesPlausible(d, s.seqNext) && isSeq(s.seqNext) && isSeq(s.total + 1) && s.since >= 0;
}
