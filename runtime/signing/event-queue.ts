/**
 * The event writer's bounded store-and-forward queue: a fixed number of equal slots in one preallocated
 * buffer, each mirrored to the host's persistence under its own key ('eq0', 'eq1', …) so unacknowledged
 * records survive a restart. Slot layout (also what is persisted):
 *
 *   0 state u8 (1 waiting for its signature, 2 finished)   1 class u8 (the record's severity; CLASS_KEEP = never evicted)
 *   2 prevAt u16 LE (offset of the record's 32-byte prev hash in the data)   4 seq f64 LE   12… data
 *   and, persisted only, the slot's seal (seal.ts: SEAL_BYTES) after the data.
 *
 * A persisted slot is used only when its seal proves the writer wrote exactly these bytes; any other is freed and
 * its seq (when the header still gives one) kept in `lost`, for the writer to report the loss (events.ts).
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import { SEV_CRITICAL } from '../engine/severity.ts';
import { SEAL_BYTES, sealWrite, sealOk, type Seal } from './seal.ts';
import { QUEUE_KEY } from './store-keys.ts';

/** The device's persistence: small named byte blobs. Writing an empty array deletes the key. */
export interface Persist {
  read(key: string): Uint8Array | null;
  write(key: string, bytes: Uint8Array): void;
}

export var SLOT_HEADER = 12;
export var Q_FREE = 0;
export var Q_UNSIGNED = 1;
export var Q_READY = 2;
/** Records of this class (critical events, and checkpoints covering one) are never evicted. */
export var CLASS_KEEP = SEV_CRITICAL;

export interface EventQueue {
  cap: number;
  size: number;
  buf: Uint8Array;
  dv: DataView;
  state: Uint8Array;
  cls: Uint8Array;
  len: Uint16Array;
  prevAt: Uint16Array;
  seq: Float64Array;
  keys: string[];
  /** After qRestore: how many persisted slots were refused, and the seq each header gave (NaN if none). */
  nLost: number;
  lost: Float64Array;
}

var EMPTY = new Uint8Array(0);

export function newQueue(cap: number, slotBytes: number): EventQueue {
  var buf = new Uint8Array(cap * slotBytes);
  var keys: string[] = [];
  var i;
  for (i = 0; i < cap; i++) keys.push(QUEUE_KEY + i);
  return {
    cap: cap, size: slotBytes, buf: buf, dv: new DataView(buf.buffer), state: new Uint8Array(cap), cls: new Uint8Array(cap),
    len: new Uint16Array(cap), prevAt: new Uint16Array(cap), seq: new Float64Array(cap), keys: keys, nLost: 0, lost: new Float64Array(cap),
  };
}

/** Offset of slot i's data (after its header) in q.buf. */
export function qData(q: EventQueue, i: number): number {
  return i * q.size + SLOT_HEADER;
}

/** Writes slot i's header into its bytes, seals it and persists it. */
export function qSave(q: EventQueue, i: number, persist: Persist, seal: Seal): void {
  var off = i * q.size;
  q.buf[off] = q.state[i];
  q.buf[off + 1] = q.cls[i];
  q.dv.setUint16(off + 2, q.prevAt[i], true);
  q.dv.setFloat64(off + 4, q.seq[i], true);
  sealWrite(seal, 1 + i, q.buf, off, SLOT_HEADER + q.len[i]);
  persist.write(q.keys[i], q.buf.subarray(off, off + SLOT_HEADER + q.len[i] + SEAL_BYTES));
}

export function qFree(q: EventQueue, i: number, persist: Persist): void {
  q.state[i] = Q_FREE;
  q.len[i] = 0;
  persist.write(q.keys[i], EMPTY);
}

function isSeq(v: number): boolean {
  return v >= 1 && v <= 9007199254740991 && Math.floor(v) === v;
}

/** Slot i's persisted bytes were refused: freed, and its seq noted when its header gives one. */
function qRefuse(q: EventQueue, i: number, b: Uint8Array | null, persist: Persist): void {
  q.lost[q.nLost++] = b && b.length >= SLOT_HEADER ? new DataView(b.buffer, b.byteOffset, b.byteLength).getFloat64(4, true) : NaN;
  persist.write(q.keys[i], EMPTY);
}

/**
 * Reloads every slot from persistence. A slot is taken only when it is a Uint8Array that fits a slot and carries
 * its seal, and its header is one the writer writes (state, class, prev offset inside the record, seq); any other
 * is freed and counted in q.nLost. Returns q.nLost.
 */
export function qRestore(q: EventQueue, persist: Persist, seal: Seal): number {
  var i, b, off, st, len, pa, seq;
  q.nLost = 0;
  for (i = 0; i < q.cap; i++) {
    q.state[i] = Q_FREE;
    q.len[i] = 0;
    b = persist.read(q.keys[i]);
    if (b === null || b === undefined || (b instanceof Uint8Array && b.length === 0)) continue;
    if (!(b instanceof Uint8Array)) {
      qRefuse(q, i, null, persist);
      continue;
    }
    len = b.length - SLOT_HEADER - SEAL_BYTES;
    if (len < 0 || b.length > q.size || !sealOk(seal, 1 + i, b, 0, SLOT_HEADER + len)) {
      qRefuse(q, i, b, persist);
      continue;
    }
    off = i * q.size;
    q.buf.set(b, off);
    st = b[0];
    pa = b[2] + b[3] * 256;
    seq = q.dv.getFloat64(off + 4, true);
    if ((st !== Q_UNSIGNED && st !== Q_READY) || pa + 32 > len || b[1] > SEV_CRITICAL || !isSeq(seq)) {
      qRefuse(q, i, b, persist);
      continue;
    }
    q.state[i] = st;
    q.cls[i] = b[1];
    q.prevAt[i] = pa;
    q.seq[i] = seq;
    q.len[i] = len;
  }
  return q.nLost;
}

export function qFindFree(q: EventQueue): number {
  for (var i = 0; i < q.cap; i++) if (q.state[i] === Q_FREE) return i;
  return -1;
}

/** The slot with the lowest seq among those in `state` (any used state when state < 0), -1 if none. */
export function qOldest(q: EventQueue, state: number): number {
  var best = -1;
  for (var i = 0; i < q.cap; i++) {
    if (q.state[i] === Q_FREE || (state >= 0 && q.state[i] !== state)) continue;
    if (best < 0 || q.seq[i] < q.seq[best]) best = i;
  }
  return best;
}

/** The oldest slot that may be evicted (class below CLASS_KEEP), -1 if none. */
export function qEvictable(q: EventQueue): number {
  var best = -1;
  for (var i = 0; i < q.cap; i++) {
    if (q.state[i] === Q_FREE || q.cls[i] >= CLASS_KEEP) continue;
    if (best < 0 || q.seq[i] < q.seq[best]) best = i;
  }
  return best;
}

/** The used slot with the lowest seq greater than `after`, -1 if none. */
export function qNextAfter(q: EventQueue, after: number): number {
  var best = -1;
  for (var i = 0; i < q.cap; i++) {
    if (q.state[i] === Q_FREE || q.seq[i] <= after) continue;
    if (best < 0 || q.seq[i] < q.seq[best]) best = i;
  }
  return best;
}

export function qCount(q: EventQueue): number {
  var n = 0;
  for (var i = 0; i < q.cap; i++) if (q.state[i] !== Q_FREE) n++;
  return n;
}
