/**
 * BEGIN, CHUNK and VERIFY: a bundle goes into the inactive slot in chunks, each at an explicit offset; the
 * device answers every chunk with the next offset it expects, so a resent chunk is never written twice and a
 * lost one is resent from where the device stands. The bundle id is the session id: after a reconnect or a
 * restart, BEGIN with the same id resumes at the last completed progress mark.
 *
 * Chunks that arrive beyond a hole (the chunk before them was lost on the line) are written in place at once —
 * flash lets each byte be written once, in any order — and remembered as one range held ahead in RAM; the
 * reply names that range, the host resends only the hole, and when the hole is filled the progress marks move
 * over the range. Marks only ever cover the contiguous start, so after a restart bytes written ahead are simply
 * written again, with the same values.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import {
  BQ_ID, BQ_SIZE, BQ_CRC, BR_NEXT, BR_SLOT, BR_CHUNK, CQ_OFFSET, CQ_DATA, CR_NEXT, CR_AHEAD, CR_AHEAD_END, VQ_ID, VR_NEXT, BUNDLE_ID_BYTES,
  NO_SLOT, SLOT_HEADER, SLOT_PARTIAL, SLOT_EMPTY, ST_OK, ST_MALFORMED, ST_NO_SESSION, ST_TOO_BIG, ST_STORAGE,
  ST_INCOMPLETE, ST_CRC, ST_HASH, ST_TRIAL, ST_NOT_FOUND, ST_BUSY, SR_DUP_CHUNKS, SR_GAP_CHUNKS, FRAME_MIN,
} from './constants.ts';
import { V_UINT, V_BYTES } from './body.ts';
import { crc32 } from './crc32.ts';
import { slotCreate, slotAdvance, slotWrite, slotIs, slotScan } from './slots.ts';
import { reply, kUint, sendReply, replyStatus } from './reply.ts';
import { JOB_NONE, type LinkState } from './state.ts';
import type { SlotInfo } from './slots.ts';

/** Envelope of a CHUNK frame around its data: header, map, offset (≤ 9 bytes), data head, CRC. */
var CHUNK_ENVELOPE = FRAME_MIN + 1 + 1 + 9 + 1 + 3;

export function hasUint(a: LinkState, k: number): boolean {
  return a.body.kind[k] === V_UINT;
}

export function hasId(a: LinkState, k: number): boolean {
  return a.body.kind[k] === V_BYTES && a.body.num[k] === BUNDLE_ID_BYTES;
}

/** The slot an upload goes to: the inactive one (with none active, the one already holding this id, else 0). */
function target(a: LinkState, idAt: number): number {
  if (a.ptr.active === 0) return 1;
  if (a.ptr.active === 1) return 0;
  return slotIs(a.slots[1], a.r.b, idAt) ? 1 : 0;
}

export function onBegin(a: LinkState, type: number, seq: number): void {
  var b = a.body;
  var idAt, size, crc, t, s;
  if (!hasId(a, BQ_ID) || !hasUint(a, BQ_SIZE) || !hasUint(a, BQ_CRC) || b.num[BQ_SIZE] < 1 || b.num[BQ_CRC] > 4294967295) {
    replyStatus(a, type, seq, ST_MALFORMED);
    return;
  }
  if (a.ptr.trial) {
    replyStatus(a, type, seq, ST_TRIAL);
    return;
  }
  if (a.job !== JOB_NONE) {
    replyStatus(a, type, seq, ST_BUSY);
    return;
  }
  idAt = b.at[BQ_ID];
  size = b.num[BQ_SIZE];
  crc = b.num[BQ_CRC];
  if (size > a.slotMax) {
    replyStatus(a, type, seq, ST_TOO_BIG);
    return;
  }
  t = target(a, idAt);
  s = a.slots[t];
  a.aheadAt = 0;
  a.aheadEnd = 0;
  if (!(slotIs(s, a.r.b, idAt) && s.size === size && s.crc === crc)) {
    a.session = NO_SLOT;
    if (!slotCreate(a.store, t, s, a.r.b, idAt, size, crc, a.granule, a.head)) {
      slotScan(a.store, t, s, a.slotMax);
      replyStatus(a, type, seq, ST_STORAGE);
      return;
    }
  }
  a.session = t;
  reply(a, type, seq, ST_OK);
  kUint(a, BR_NEXT, s.next);
  kUint(a, BR_SLOT, t);
  kUint(a, BR_CHUNK, a.maxFrame - CHUNK_ENVELOPE);
  sendReply(a, type, seq);
}

/** Writes what is new in the chunk [off, off+len) (data at rx buffer offset `at`); false when storage refused. */
function takeChunk(a: LinkState, s: SlotInfo, off: number, len: number, at: number): boolean {
  var slot = a.session;
  var skip, end;
  if (off > s.next) {
    a.stats[SR_GAP_CHUNKS]++;
    if (a.aheadEnd <= a.aheadAt || off === a.aheadEnd) {
      // beyond the hole: straight into flash, remembered as held ahead
      if (a.aheadEnd <= a.aheadAt) a.aheadAt = off;
      if (!slotWrite(a.store, slot, off, a.r.b, at, len)) return false;
      a.aheadEnd = off + len;
    } else if (off >= a.aheadAt && off + len <= a.aheadEnd) {
      a.stats[SR_DUP_CHUNKS]++;
    }
    return true;
  }
  if (off + len <= s.next) {
    a.stats[SR_DUP_CHUNKS]++;
    return true;
  }
  skip = s.next - off;
  end = off + len;
  if (!slotWrite(a.store, slot, s.next, a.r.b, at + skip, len - skip)) return false;
  if (a.aheadEnd > a.aheadAt && end >= a.aheadAt) {
    // the hole is filled: the bytes held ahead are already in flash
    if (a.aheadEnd > end) end = a.aheadEnd;
    a.aheadAt = 0;
    a.aheadEnd = 0;
  }
  return slotAdvance(a.store, slot, s, end);
}

export function onChunk(a: LinkState, type: number, seq: number): void {
  var b = a.body;
  var s, off, len, at;
  if (!hasUint(a, CQ_OFFSET) || b.kind[CQ_DATA] !== V_BYTES) {
    replyStatus(a, type, seq, ST_MALFORMED);
    return;
  }
  if (a.session === NO_SLOT) {
    replyStatus(a, type, seq, ST_NO_SESSION);
    return;
  }
  s = a.slots[a.session];
  off = b.num[CQ_OFFSET];
  len = b.num[CQ_DATA];
  at = b.at[CQ_DATA];
  if (off + len > s.size) {
    replyStatus(a, type, seq, ST_MALFORMED);
    return;
  }
  if (!takeChunk(a, s, off, len, at)) {
    slotScan(a.store, a.session, s, a.slotMax);
    a.aheadEnd = 0;
    replyStatus(a, type, seq, ST_STORAGE);
    return;
  }
  reply(a, type, seq, ST_OK);
  kUint(a, CR_NEXT, s.next);
  if (a.aheadEnd > a.aheadAt) {
    kUint(a, CR_AHEAD, a.aheadAt);
    kUint(a, CR_AHEAD_END, a.aheadEnd);
  }
  sendReply(a, type, seq);
}

/** The slot holding bundle id[idAt…], or NO_SLOT. */
export function findSlot(a: LinkState, id: Uint8Array, idAt: number): number {
  if (slotIs(a.slots[0], id, idAt)) return 0;
  if (slotIs(a.slots[1], id, idAt)) return 1;
  return NO_SLOT;
}

/**
 * Checks a complete slot's bytes against its header's CRC-32 and its id (SHA-512 prefix); returns ST_OK,
 * ST_CRC or ST_HASH. `file` is the slot file (store.read).
 */
export function slotIntegrity(a: LinkState, slot: number, file: Uint8Array): number {
  var s = a.slots[slot];
  var h, i;
  if (crc32(0, file, SLOT_HEADER, SLOT_HEADER + s.size) !== s.crc) return ST_CRC;
  h = a.sha(file.subarray(SLOT_HEADER, SLOT_HEADER + s.size));
  for (i = 0; i < BUNDLE_ID_BYTES; i++) if (h[i] !== s.id[i]) return ST_HASH;
  return ST_OK;
}

/** Reads a slot file and checks its integrity; the status, with `out[0]` the file when ST_OK. */
export function readChecked(a: LinkState, slot: number, out: Array<Uint8Array | null>): number {
  var s = a.slots[slot];
  var f;
  out[0] = null;
  if (s.state === SLOT_EMPTY) return ST_NOT_FOUND;
  if (s.state === SLOT_PARTIAL) return ST_INCOMPLETE;
  f = a.store.read(slot);
  if (!f || f.length < SLOT_HEADER + s.size) return ST_CRC;
  out[0] = f;
  return slotIntegrity(a, slot, f);
}

var FILE: Array<Uint8Array | null> = [null];

export function onVerify(a: LinkState, type: number, seq: number): void {
  var slot, st;
  if (!hasId(a, VQ_ID)) {
    replyStatus(a, type, seq, ST_MALFORMED);
    return;
  }
  slot = findSlot(a, a.r.b, a.body.at[VQ_ID]);
  if (slot === NO_SLOT) {
    replyStatus(a, type, seq, ST_NOT_FOUND);
    return;
  }
  st = readChecked(a, slot, FILE);
  FILE[0] = null;
  reply(a, type, seq, st);
  if (st === ST_INCOMPLETE) kUint(a, VR_NEXT, a.slots[slot].next);
  sendReply(a, type, seq);
}
