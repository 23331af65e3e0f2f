/**
 * Small named records (the link's slot pointer, the event writer's state and its queue slots) kept in flash as
 * a log in two regions, so that a power cut at any write leaves every record either as it was or as it was
 * written, never torn — on storage that can only program erased bytes and erase whole regions.
 *
 *   region:  0…3 never written (Espruino cannot rewrite offset 0 of a file in place) | 4…15 commit header |
 *            entries from 16
 *   header:  'ERL1' | generation u32 LE | CRC-32 of those 8 bytes
 *   entry:   len u16 LE | key length u8 | check u8 (len ^ len>>8 ^ key length ^ 0xA5) | key | payload |
 *            zero padding to a multiple of 4 | CRC-32 of all before it (4)
 *
 * A put appends one entry, written in one call; an entry whose CRC fails (the cut came in the middle) is ignored
 * and the record keeps its previous value. The first word (length and check) lies in one 4-byte flash word, so a
 * cut leaves it whole or unwritten on word-programmed flash; if it is damaged anyway, the check byte fails and
 * the region is sealed: the next put moves on. An empty payload deletes the record.
 *
 * When the active region is full (or sealed), the live records are copied into the other region, erased first,
 * and its header with the next generation is written last: a cut before that leaves the old region in force.
 * At start the valid header with the higher generation names the active region.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import { crc32, rdU32, wrU32 } from '../link/crc32.ts';

/** A flash region: `size` bytes that are programmed once after an erase. */
export interface Region {
  size: number;
  /** All bytes to 0xFF; false on failure. */
  erase(): boolean;
  /** Programs buf[start…start+len) at `at` (those bytes read 0xFF before); false on failure. */
  write(at: number, buf: Uint8Array, start: number, len: number): boolean;
  /** `len` bytes at `at` (a copy, or a view valid until the next erase), or null when the region cannot be read. */
  read(at: number, len: number): Uint8Array | null;
}

var HEAD_AT = 4;
var FIRST = 16;
var MAGIC = 0x314c5245; // 'ERL1' little-endian
/** Longest key and payload a record may have. */
export var LOG_KEY_MAX = 16;
export var LOG_RECORD_MAX = 1024;

export interface RecordLog {
  regions: Region[];
  active: number;
  gen: number;
  /** Where the next entry goes; sealed: no more appends into this region. */
  end: number;
  sealed: boolean;
  /** Key → offset of its latest entry (absent or deleted: no record). */
  index: { [key: string]: number };
  scratch: Uint8Array;
  /** Entries appended, region changes, torn entries skipped at start. */
  puts: number;
  rotations: number;
  torn: number;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function entrySize(klen: number, len: number): number {
  return 4 + pad4(klen + len) + 4;
}

/** Generation of a region's valid header, −1 when it has none. */
function headerGen(r: Region): number {
  var h = r.read(HEAD_AT, 12);
  if (!h || h.length < 12 || rdU32(h, 0) !== MAGIC || crc32(0, h, 0, 8) !== rdU32(h, 8)) return -1;
  return rdU32(h, 4);
}

/** Walks the active region's entries into the index; sets end and sealed. */
function scan(g: RecordLog): void {
  var r = g.regions[g.active];
  var p = FIRST;
  var w, len, klen, size, e, key, i;
  g.index = {};
  g.sealed = false;
  while (p + 4 <= r.size) {
    w = r.read(p, 4);
    if (!w) break;
    if (w[0] === 255 && w[1] === 255 && w[2] === 255 && w[3] === 255) break;
    len = w[0] | (w[1] << 8);
    klen = w[2];
    size = entrySize(klen, len);
    if ((w[0] ^ w[1] ^ klen ^ 0xa5) !== w[3] || klen === 0 || klen > LOG_KEY_MAX || p + size > r.size) {
      g.sealed = true;
      break;
    }
    e = r.read(p, size);
    if (e && crc32(0, e, 0, size - 4) === rdU32(e, size - 4)) {
      key = '';
      for (i = 0; i < klen; i++) key += String.fromCharCode(e[4 + i]);
      if (len === 0) delete g.index[key];
      else g.index[key] = p;
    } else g.torn++;
    p += size;
  }
  g.end = p;
}

/** Writes the commit header (generation gen) of region i: the last write that makes it the active one. */
function commit(g: RecordLog, i: number, gen: number): boolean {
  var h = g.scratch;
  wrU32(h, 0, MAGIC);
  wrU32(h, 4, gen);
  wrU32(h, 8, crc32(0, h, 0, 8));
  return g.regions[i].write(HEAD_AT, h, 0, 12);
}

/** Opens the log on two regions: the valid one with the higher generation, or a fresh log in region 0. */
export function openLog(r0: Region, r1: Region): RecordLog {
  var g: RecordLog = {
    regions: [r0, r1], active: 0, gen: 0, end: FIRST, sealed: false, index: {},
    scratch: new Uint8Array(entrySize(LOG_KEY_MAX, LOG_RECORD_MAX)), puts: 0, rotations: 0, torn: 0,
  };
  var g0 = headerGen(r0);
  var g1 = headerGen(r1);
  if (g0 < 0 && g1 < 0) {
    r0.erase();
    commit(g, 0, 1);
    g0 = 1;
  }
  g.active = g1 > g0 ? 1 : 0;
  g.gen = g1 > g0 ? g1 : g0;
  scan(g);
  return g;
}

/** The record `key` (a copy), or null. */
export function logGet(g: RecordLog, key: string): Uint8Array | null {
  var p = g.index[key];
  var r = g.regions[g.active];
  var w, out, src, i;
  if (p === undefined) return null;
  w = r.read(p, 4);
  if (!w) return null;
  src = r.read(p + 4 + w[2], w[0] | (w[1] << 8));
  if (!src) return null;
  out = new Uint8Array(src.length);
  for (i = 0; i < src.length; i++) out[i] = src[i];
  return out;
}

/** Builds an entry in g.scratch; returns its size. */
function buildEntry(g: RecordLog, key: string, bytes: Uint8Array): number {
  var s = g.scratch;
  var klen = key.length;
  var len = bytes.length;
  var size = entrySize(klen, len);
  var i;
  s[0] = len & 255;
  s[1] = len >> 8;
  s[2] = klen;
  s[3] = (s[0] ^ s[1] ^ klen ^ 0xa5) & 255;
  for (i = 0; i < klen; i++) s[4 + i] = key.charCodeAt(i);
  for (i = 0; i < len; i++) s[4 + klen + i] = bytes[i];
  for (i = 4 + klen + len; i < size - 4; i++) s[i] = 0;
  wrU32(s, size - 4, crc32(0, s, 0, size - 4));
  return size;
}

/**
 * Copies every live record but `skip` into the other region, erased first, then appends `size` bytes of
 * g.scratch (the new entry, if any) and commits the region with the next generation.
 */
function rotate(g: RecordLog, skip: string, size: number): boolean {
  var from = g.regions[g.active];
  var to = 1 - g.active;
  var dest = g.regions[to];
  var q = FIRST;
  var key, p, w, n, e;
  if (!dest.erase()) return false;
  for (key in g.index) {
    if (key === skip) continue;
    p = g.index[key];
    w = from.read(p, 4);
    if (!w) return false;
    n = entrySize(w[2], w[0] | (w[1] << 8));
    e = from.read(p, n);
    if (!e || q + n > dest.size || !dest.write(q, e, 0, n)) return false;
    q += n;
  }
  if (size > 0) {
    if (q + size > dest.size || !dest.write(q, g.scratch, 0, size)) return false;
    q += size;
  }
  if (!commit(g, to, g.gen + 1)) return false;
  g.active = to;
  g.gen++;
  g.rotations++;
  scan(g);
  return true;
}

/** Replaces the record `key` (an empty payload deletes it); false when it does not fit or the flash refused. */
export function logPut(g: RecordLog, key: string, bytes: Uint8Array): boolean {
  var r = g.regions[g.active];
  var size;
  if (key.length < 1 || key.length > LOG_KEY_MAX || bytes.length > LOG_RECORD_MAX) return false;
  if (bytes.length === 0 && g.index[key] === undefined) return true;
  size = buildEntry(g, key, bytes);
  g.puts++;
  if (g.sealed || g.end + size > r.size) return rotate(g, key, bytes.length ? size : 0);
  if (!r.write(g.end, g.scratch, 0, size)) {
    g.sealed = true;
    return false;
  }
  if (bytes.length === 0) delete g.index[key];
  else g.index[key] = g.end;
  g.end += size;
  return true;
}
