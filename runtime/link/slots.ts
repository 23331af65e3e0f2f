/**
 * The two bundle slots and the slot pointer (docs/PROTOCOL.md, "Slots"). A slot file is
 *   header (SLOT_HEADER bytes, its own CRC) | bundle bytes | one progress mark per granule (0x00 once written)
 * and the pointer is two alternating records whose valid one with the higher generation says which slot is
 * active, whether it is on trial, and the lowest bundle version the device still accepts.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import {
  SLOT_HEADER, SH_ID, SH_SIZE, SH_CRC, SH_GRANULE, SH_CHECK, SLOT_MAGIC, BUNDLE_ID_BYTES, SLOT_EMPTY, SLOT_PARTIAL,
  SLOT_COMPLETE, NO_SLOT, POINTER_BYTES, POINTER_VERSION, PTR_ACTIVE, PTR_TRIAL, PTR_GEN, PTR_FLOOR, PTR_BOOTS,
  PTR_MARK, PTR_CHECK, POINTER_KEYS, MARK_BYTES, POINTER_V1_BYTES, PTR_V1_CHECK,
} from './constants.ts';
import { crc32, rdU32, wrU32 } from './crc32.ts';
import type { LinkStore } from './store.ts';

/** What the agent knows of one slot (refreshed from storage by slotScan). */
export interface SlotInfo {
  state: number;
  id: Uint8Array;
  size: number;
  crc: number;
  granule: number;
  /** Bytes of the bundle known to be written (progress marks × granule). */
  next: number;
  /** Version of the bundle once a check has read it, else −1. */
  version: number;
}

export function newSlotInfo(): SlotInfo {
  return { state: SLOT_EMPTY, id: new Uint8Array(BUNDLE_ID_BYTES), size: 0, crc: 0, granule: 1, next: 0, version: -1 };
}

function empty(s: SlotInfo): void {
  s.state = SLOT_EMPTY;
  s.size = 0;
  s.next = 0;
  s.version = -1;
}

/** Number of progress marks of a bundle of `size` bytes. */
export function markCount(size: number, granule: number): number {
  return Math.floor((size + granule - 1) / granule);
}

/** Reads slot `slot` from storage into s (EMPTY when absent, torn or not ours). */
export function slotScan(store: LinkStore, slot: number, s: SlotInfo, slotMax: number): void {
  var f = store.read(slot);
  var size, granule, marks, i, done;
  empty(s);
  if (!f || f.length < SLOT_HEADER) return;
  if (rdU32(f, 0) !== SLOT_MAGIC || crc32(0, f, 0, SH_CHECK) !== rdU32(f, SH_CHECK)) return;
  size = rdU32(f, SH_SIZE);
  granule = f[SH_GRANULE] | (f[SH_GRANULE + 1] << 8);
  if (size < 1 || size > slotMax || granule < 1) return;
  marks = markCount(size, granule);
  if (f.length < SLOT_HEADER + size + marks) return;
  for (i = 0; i < BUNDLE_ID_BYTES; i++) s.id[i] = f[SH_ID + i];
  s.size = size;
  s.crc = rdU32(f, SH_CRC);
  s.granule = granule;
  done = 0;
  while (done < marks && f[SLOT_HEADER + size + done] === 0) done++;
  s.next = done * granule < size ? done * granule : size;
  s.state = s.next === size ? SLOT_COMPLETE : SLOT_PARTIAL;
}

/** Starts a new upload in slot `slot`: a fresh file whose header names the bundle. */
export function slotCreate(store: LinkStore, slot: number, s: SlotInfo, id: Uint8Array, idAt: number, size: number, crc: number, granule: number, head: Uint8Array): boolean {
  var i;
  wrU32(head, 0, SLOT_MAGIC);
  for (i = 0; i < BUNDLE_ID_BYTES; i++) head[SH_ID + i] = id[idAt + i];
  wrU32(head, SH_SIZE, size);
  wrU32(head, SH_CRC, crc);
  head[SH_GRANULE] = granule & 255;
  head[SH_GRANULE + 1] = (granule >>> 8) & 255;
  head[SH_GRANULE + 2] = 255;
  head[SH_GRANULE + 3] = 255;
  wrU32(head, SH_CHECK, crc32(0, head, 0, SH_CHECK));
  empty(s);
  if (!store.create(slot, SLOT_HEADER + size + markCount(size, granule), head)) return false;
  for (i = 0; i < BUNDLE_ID_BYTES; i++) s.id[i] = id[idAt + i];
  s.size = size;
  s.crc = crc;
  s.granule = granule;
  s.state = SLOT_PARTIAL;
  return true;
}

var ZEROS = new Uint8Array(32);

/**
 * The bundle bytes up to `to` are written: writes the progress marks of every granule they complete (the data
 * is always written before its marks, so a mark means its bytes are there) and moves s.next.
 */
export function slotAdvance(store: LinkStore, slot: number, s: SlotInfo, to: number): boolean {
  var from = Math.floor(s.next / s.granule);
  var upTo = to === s.size ? markCount(s.size, s.granule) : Math.floor(to / s.granule);
  var n;
  while (from < upTo) {
    n = upTo - from < ZEROS.length ? upTo - from : ZEROS.length;
    if (!store.write(slot, SLOT_HEADER + s.size + from, ZEROS, 0, n)) return false;
    from += n;
  }
  s.next = to;
  if (to === s.size) s.state = SLOT_COMPLETE;
  return true;
}

/** Writes bundle bytes buf[start…start+len) at offset `at` of the slot (no marks: see slotAdvance). */
export function slotWrite(store: LinkStore, slot: number, at: number, buf: Uint8Array, start: number, len: number): boolean {
  return store.write(slot, SLOT_HEADER + at, buf, start, len);
}

/** True when the slot's id equals id[idAt…]. */
export function slotIs(s: SlotInfo, id: Uint8Array, idAt: number): boolean {
  var i;
  if (s.state === SLOT_EMPTY) return false;
  for (i = 0; i < BUNDLE_ID_BYTES; i++) if (s.id[i] !== id[idAt + i]) return false;
  return true;
}

/** The slot pointer as the agent holds it. */
export interface Pointer {
  active: number;
  trial: number;
  gen: number;
  floor: number;
  boots: number;
  /** The check mark of the active bundle (activate.ts; zeros: none). */
  mark: Uint8Array;
  buf: Uint8Array;
}

export function newPointer(): Pointer {
  return { active: NO_SLOT, trial: 0, gen: 0, floor: 0, boots: 0, mark: new Uint8Array(MARK_BYTES), buf: new Uint8Array(POINTER_BYTES) };
}

/** Where a pointer record's CRC-32 is: its layout's, or −1 when `b` is no pointer record of a known layout. */
function pointerCheckAt(b: Uint8Array | null): number {
  if (!b) return -1;
  if (b.length === POINTER_BYTES && b[0] === POINTER_VERSION) return PTR_CHECK;
  if (b.length === POINTER_V1_BYTES && b[0] === 1) return PTR_V1_CHECK;
  return -1;
}

/** Reads both pointer records and keeps the valid one with the higher generation (none valid: nothing active). */
export function pointerLoad(store: LinkStore, p: Pointer): void {
  var best = -1;
  var i, j, b, gen, at;
  p.active = NO_SLOT;
  p.trial = 0;
  p.gen = 0;
  p.floor = 0;
  p.boots = 0;
  for (j = 0; j < MARK_BYTES; j++) p.mark[j] = 0;
  for (i = 0; i < 2; i++) {
    b = store.get(POINTER_KEYS[i]);
    at = pointerCheckAt(b);
    if (!b || at < 0 || crc32(0, b, 0, at) !== rdU32(b, at)) continue;
    if (b[PTR_ACTIVE] !== 0 && b[PTR_ACTIVE] !== 1 && b[PTR_ACTIVE] !== NO_SLOT) continue;
    gen = rdU32(b, PTR_GEN);
    if (best >= 0 && gen <= p.gen) continue;
    best = i;
    p.active = b[PTR_ACTIVE];
    p.trial = b[PTR_TRIAL] ? 1 : 0;
    p.gen = gen;
    p.floor = rdU32(b, PTR_FLOOR);
    p.boots = rdU32(b, PTR_BOOTS);
    for (j = 0; j < MARK_BYTES; j++) p.mark[j] = at === PTR_CHECK ? b[PTR_MARK + j] : 0;
  }
}

/**
 * Commits a new pointer: generation + 1, written to the record that does not hold the current one. Until this
 * write completes, the old pointer stays the valid one with the higher generation; after it, the new one does.
 * `mark`: the check mark of the bundle in `active` (null: none).
 */
export function pointerCommit(store: LinkStore, p: Pointer, active: number, trial: number, floor: number, boots: number, mark: Uint8Array | null): boolean {
  var b = p.buf;
  var gen = p.gen + 1;
  var i;
  b[0] = POINTER_VERSION;
  b[PTR_ACTIVE] = active;
  b[PTR_TRIAL] = trial;
  b[3] = 0;
  wrU32(b, PTR_GEN, gen);
  wrU32(b, PTR_FLOOR, floor);
  wrU32(b, PTR_BOOTS, boots);
  for (i = 0; i < MARK_BYTES; i++) b[PTR_MARK + i] = mark ? mark[i] : 0;
  wrU32(b, PTR_CHECK, crc32(0, b, 0, PTR_CHECK));
  if (!store.put(POINTER_KEYS[gen & 1], b)) return false;
  p.active = active;
  p.trial = trial;
  p.gen = gen;
  p.floor = floor;
  p.boots = boots;
  for (i = 0; i < MARK_BYTES; i++) p.mark[i] = b[PTR_MARK + i];
  return true;
}
