/**
 * Reads an events file (a CBOR sequence of records as the device handed them over: COSE_Sign1 items and bare
 * record maps, docs/EVENTS.md) with the device's strict reader (runtime/signing/cbor.ts). Every error names the
 * field and the byte offset in the file.
 */
import { cborIn, rdHead, rdUint, rdString, rdNumber, rdF64, cborBad, CBOR_MAP, CBOR_ARRAY, CBOR_BYTES, type CborIn } from '../runtime/signing/cbor.ts';
import { rdSign1, newSign1, tbsLength, wrTbs, EVENT_PROTECTED, COSE_SIGN1_HEAD } from '../runtime/signing/cose.ts';
import { MAX_RANGES } from '../runtime/signing/drop-ranges.ts';
import { LIMIT_MAX_ATTACH } from '../runtime/engine/isa.generated.ts';
import * as S from '../runtime/signing/signed-faults.ts';
import * as R from '../runtime/signing/record.ts';
import { SEV_CRITICAL } from '../runtime/engine/severity.ts';
import { describeSignedFault } from './signed-fault-text.ts';
import { chainHash } from './ed.ts';

export interface DropRange { first: number; last: number; count: number; prev: Uint8Array }

export interface EventRecord {
  type: 0 | 1;
  device: number;
  seq: number;
  t: number;
  rule?: number;
  severity?: number;
  values?: number[];
  prev: Uint8Array;
  drops: DropRange[];
  droppedTotal: number;
}

export interface Item {
  /** Position in the file (0 = first). */
  index: number;
  offset: number;
  length: number;
  signed: boolean;
  /** The record's bytes (the COSE payload, or the bare map). */
  payload: Uint8Array;
  /** COSE items: the Sig_structure and the signature. */
  tbs?: Uint8Array;
  signature?: Uint8Array;
  record?: EventRecord;
  /** Set when the record inside well-framed COSE is malformed. */
  error?: string;
  hash: string;
}

export interface ReadResult {
  items: Item[];
  /** A framing error that stopped reading: the message and how many bytes were left unread. */
  stopped?: { message: string; offset: number; unread: number };
}

const MAX_SEQ = 9007199254740991;

function key(r: CborIn, want: number): boolean {
  const at = r.pos;
  if (!rdHead(r, 0, S.FLD_RECORD)) return false;
  if (r.val !== want) return cborBad(r, S.SF_TYPE, at, S.FLD_RECORD);
  return true;
}

/** Parses one record map at r.pos (strict: keys in order, exactly the fields of its type). */
export function readRecord(r: CborIn): EventRecord | undefined {
  const mapAt = r.pos;
  if (!rdHead(r, CBOR_MAP, S.FLD_RECORD)) return undefined;
  const n = r.val;
  if (n < 5 || n > 10) {
    cborBad(r, S.SF_TYPE, mapAt, S.FLD_RECORD);
    return undefined;
  }
  if (!key(r, R.KEY_TYPE)) return undefined;
  const type = rdUint(r, S.FLD_REC_TYPE, R.REC_CHECKPOINT) as 0 | 1;
  if (!key(r, R.KEY_DEVICE)) return undefined;
  const device = rdUint(r, S.FLD_REC_DEVICE, 0xffffffff);
  if (!key(r, R.KEY_SEQ)) return undefined;
  const seq = rdUint(r, S.FLD_REC_SEQ, MAX_SEQ);
  if (!key(r, R.KEY_TIME)) return undefined;
  const t = rdNumber(r, S.FLD_REC_TIME);
  if (r.fault) return undefined;
  const rec: EventRecord = { type, device, seq, t, prev: new Uint8Array(32), drops: [], droppedTotal: 0 };
  let seen = 4;
  if (type === R.REC_EVENT) {
    if (!key(r, R.KEY_RULE)) return undefined;
    rec.rule = rdUint(r, S.FLD_REC_RULE, 65535);
    if (!key(r, R.KEY_SEVERITY)) return undefined;
    rec.severity = rdUint(r, S.FLD_REC_SEVERITY, SEV_CRITICAL);
    if (!key(r, R.KEY_VALUES)) return undefined;
    const at = r.pos;
    if (!rdHead(r, CBOR_ARRAY, S.FLD_REC_VALUES)) return undefined;
    const count = r.val;
    if (count > LIMIT_MAX_ATTACH) {
      cborBad(r, S.SF_OVERSIZED, at, S.FLD_REC_VALUES);
      return undefined;
    }
    rec.values = [];
    for (let i = 0; i < count; i++) rec.values.push(rdF64(r, S.FLD_REC_VALUES));
    seen += 3;
  }
  if (!key(r, R.KEY_PREV)) return undefined;
  const p = rdString(r, CBOR_BYTES, S.FLD_REC_PREV, 32, 32);
  if (p < 0) return undefined;
  rec.prev = r.b.slice(p, p + 32);
  seen++;
  if (seen < n && r.pos < r.end && r.b[r.pos] === R.KEY_DROPPED) {
    r.pos++;
    const at = r.pos;
    if (!rdHead(r, CBOR_ARRAY, S.FLD_REC_DROPPED)) return undefined;
    const count = r.val;
    if (count < 1 || count > MAX_RANGES) {
      cborBad(r, count ? S.SF_OVERSIZED : S.SF_TYPE, at, S.FLD_REC_DROPPED);
      return undefined;
    }
    for (let i = 0; i < count; i++) {
      const eat = r.pos;
      if (!rdHead(r, CBOR_ARRAY, S.FLD_REC_DROPPED)) return undefined;
      if (r.val !== 4) {
        cborBad(r, S.SF_TYPE, eat, S.FLD_REC_DROPPED);
        return undefined;
      }
      const first = rdUint(r, S.FLD_REC_DROPPED, MAX_SEQ);
      const last = rdUint(r, S.FLD_REC_DROPPED, MAX_SEQ);
      const cnt = rdUint(r, S.FLD_REC_DROPPED, MAX_SEQ);
      const hp = rdString(r, CBOR_BYTES, S.FLD_REC_DROPPED, 32, 32);
      if (hp < 0) return undefined;
      if (first > last || cnt < 1 || cnt > last - first + 1) {
        cborBad(r, S.SF_TYPE, eat, S.FLD_REC_DROPPED);
        return undefined;
      }
      rec.drops.push({ first, last, count: cnt, prev: r.b.slice(hp, hp + 32) });
    }
    seen++;
  }
  if (seen < n && r.pos < r.end && r.b[r.pos] === R.KEY_DROPPED_TOTAL) {
    r.pos++;
    rec.droppedTotal = rdUint(r, S.FLD_REC_DROP_TOTAL, MAX_SEQ);
    seen++;
  }
  if (r.fault) return undefined;
  if (seen !== n) {
    // Another key than the next one allowed here, or fewer entries than the map head declares.
    cborBad(r, r.pos < r.end ? S.SF_TYPE : S.SF_TRUNCATED, r.pos, S.FLD_RECORD);
    return undefined;
  }
  return rec;
}

/** Where reading stopped: a framing error, after which the rest cannot be delimited. */
export interface Stopped { message: string; offset: number; unread: number }

/** Bytes an item can take at most (a COSE_Sign1 around the largest record), with room to spare. */
const MAX_ITEM = 4096;

/**
 * Reads the item at r.pos (r reads `buf`, whose byte 0 is at file offset `base`); undefined when it cannot be
 * delimited (r.fault says why). Offsets in the item and its messages are file offsets.
 */
function readItem(buf: Uint8Array, r: CborIn, cose: ReturnType<typeof newSign1>, index: number, base: number): Item | undefined {
  const start = r.pos;
  if (buf[start] !== COSE_SIGN1_HEAD) {
    const rec = readRecord(r);
    if (!rec) return undefined;
    const payload = buf.slice(start, r.pos);
    return { index, offset: base + start, length: r.pos - start, signed: false, payload, record: rec, hash: Buffer.from(chainHash(payload)).toString('hex') };
  }
  if (!rdSign1(r, cose, EVENT_PROTECTED.length - 1, R.RECORD_MAX)) return undefined;
  const end = r.pos;
  const payload = buf.slice(cose.payStart, cose.payStart + cose.payLen);
  const item: Item = {
    index, offset: base + start, length: end - start, signed: true, payload, hash: Buffer.from(chainHash(payload)).toString('hex'),
    signature: buf.slice(cose.sigStart, cose.sigStart + 64),
  };
  const prot = buf.subarray(cose.protStart - 1, cose.protStart + cose.protLen);
  if (Buffer.compare(Buffer.from(prot), Buffer.from(EVENT_PROTECTED)) !== 0) {
    item.error = describeSignedFault(S.SF_HEADER, base + cose.protStart - 1, S.FLD_HEADER_MAP, '');
  } else {
    item.tbs = new Uint8Array(tbsLength(cose.protLen, cose.payLen));
    wrTbs(item.tbs, buf, cose.protStart, cose.protLen, buf, cose.payStart, cose.payLen);
    const inner = cborIn(buf, cose.payStart, cose.payStart + cose.payLen);
    const rec = readRecord(inner);
    if (rec && inner.pos !== inner.end) cborBad(inner, S.SF_TRAILING, inner.pos, S.FLD_PAYLOAD);
    if (inner.fault) item.error = describeSignedFault(inner.fault, base + inner.at, inner.field, '');
    else item.record = rec;
  }
  r.pos = end;
  return item;
}

/** Where an events file comes from: `read` copies up to `length` bytes at file offset `position` into `into`. */
export interface ByteSource {
  size: number;
  read(into: Uint8Array, at: number, length: number, position: number): number;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (into, at, length, position) => { const n = Math.min(length, bytes.length - position); into.set(bytes.subarray(position, position + n), at); return n; } };
}

/**
 * Every item of an events file, read in chunks (memory stays bounded whatever the file's size); returns where a
 * framing error stopped reading, if one did. Each item is parsed with at least MAX_ITEM bytes (or the rest of the
 * file) in hand, so it reads exactly as it would from the whole file.
 */
export function* eventItems(src: ByteSource, chunk = 1 << 20): Generator<Item, Stopped | undefined> {
  const buf = new Uint8Array(Math.max(chunk, 2 * MAX_ITEM));
  const cose = newSign1();
  let base = 0;
  let len = 0;
  let pos = 0;
  let index = 0;
  for (;;) {
    if (len - pos < MAX_ITEM && base + len < src.size) {
      buf.copyWithin(0, pos, len);
      base += pos;
      len -= pos;
      pos = 0;
      while (len < buf.length && base + len < src.size) {
        const n = src.read(buf, len, buf.length - len, base + len);
        if (n <= 0) break;
        len += n;
      }
    }
    if (pos >= len) return undefined;
    const r = cborIn(buf, pos, len);
    const item = readItem(buf, r, cose, index, base);
    if (!item) return { message: describeSignedFault(r.fault, base + r.at, r.field, ''), offset: base + pos, unread: src.size - (base + pos) };
    index++;
    pos = r.pos;
    yield item;
  }
}

/** Reads every item of an events file in memory; a framing error stops reading (the rest cannot be delimited). */
export function readEvents(bytes: Uint8Array): ReadResult {
  const items: Item[] = [];
  const it = eventItems(memorySource(bytes));
  for (let next = it.next(); ; next = it.next()) {
    if (next.done) return next.value ? { items, stopped: next.value } : { items };
    items.push(next.value);
  }
}
