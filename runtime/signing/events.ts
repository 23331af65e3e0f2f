/**
 * The event writer: turns each Host.emit into a compact CBOR record (docs/EVENTS.md), hash-chains it,
 * signs it (per event, or a signed checkpoint over the chain head) and keeps it in a bounded persistent queue
 * until the backend acknowledges it.
 *
 *   var w = eventWriter({ device: 7, seed: seed32, signing: 1 }, deviceHost);  // deviceHost: record/read/write
 *   var rt = load(bundle, wrapHost(runtimeHost, w));   // every rule event now also becomes a record
 *   ... main loop: w.work(4);  w.tick(now);            // signing runs in slices of a few point operations
 *   deviceHost.record(bytes, seq, cls) is called once per finished record, in sequence order; w.ack(seq)
 *   when the backend confirmed everything up to seq; w.record(i) re-reads queued records for retransmission.
 *
 * emit() builds, hashes and persists the record at once (no signing), so rule evaluation never waits behind
 * a signature; the output bytes depend only on the key, the configuration and the calls, never on how the
 * signing work was sliced.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import { wrHead, wrF64, wrNumber, CBOR_UINT, CBOR_BYTES, CBOR_ARRAY, CBOR_MAP } from './cbor.ts';
import { EVENT_PROTECTED, tbsLength, wrTbs } from './cose.ts';
import { keyFromSeed, newSignCtx, signBegin, signStep, sign, setSha512, type Ed25519Key, type Sha512 } from './crypto/ed25519.ts';
import { sha512 } from './crypto/sha512.ts';
import {
  newQueue, qData, qSave, qFree, qRestore, qFindFree, qOldest, qEvictable, qNextAfter, qCount,
  Q_UNSIGNED, Q_READY, Q_FREE, CLASS_KEEP, type Persist,
} from './event-queue.ts';
import { newDropRanges, dropAdd, dropReported, dropAcked, MAX_RANGES } from './drop-ranges.ts';
import { SF_BAD_KEY, SF_QUEUE_FULL, SF_STATE, SF_BAD_EVENT, FLD_KEY, FLD_STATE, FLD_SLOT } from './signed-faults.ts';
import { LIMIT_MAX_ATTACH } from '../engine/isa.generated.ts';
import type { Host } from '../engine/runtime.ts';

export var REC_EVENT = 0;
export var REC_CHECKPOINT = 1;
export var SIGN_PER_EVENT = 0;
export var SIGN_CHECKPOINT = 1;

/** Largest record: every optional field, 8 values, MAX_RANGES ranges, all integers at 9 bytes. */
export var RECORD_MAX = 420;
/** COSE_Sign1 around a record: d2 84 43 a1 01 27 a0, payload head (≤ 3 bytes), 58 40 + 64-byte signature. */
var COSE_OVERHEAD = 7 + 3 + 66;
var SLOT_BYTES = 12 + RECORD_MAX + COSE_OVERHEAD;
var STATE_BYTES = 64 + MAX_RANGES * 64;
var STATE_VERSION = 1;
var STATE_KEY = 'es';
var COSE_HEAD = new Uint8Array([0xd2, 0x84, 0x43, 0xa1, 0x01, 0x27, 0xa0]);

var HASH: Sha512 = sha512;

/** Installs a SHA-512 (e.g. Espruino's native one) for the hash chain and for ed25519; null restores the built-in. */
export function setHash(fn: Sha512 | null): void {
  HASH = fn ? fn : sha512;
  setSha512(fn);
}

/** What the event writer needs from the device. */
export interface EventHost extends Persist {
  /** A finished record (bytes valid during the call), in sequence order; cls 2 marks records never evicted. */
  record(bytes: Uint8Array, seq: number, cls: number): void;
}

export interface WriterConfig {
  /** Device id, 0…2^32−1. */
  device: number;
  /** The device's 32-byte event key seed. */
  seed: Uint8Array;
  /** SIGN_PER_EVENT or SIGN_CHECKPOINT (a signed bundle's `signing`). */
  signing: number;
  /** Checkpoint mode: sign a checkpoint after this many records (default 16)… */
  every?: number;
  /** …or this many ms after the first record it would cover (default 300000), or at once after a critical event. */
  period?: number;
  /** Queue slots (default 16, each ~500 bytes). */
  capacity?: number;
}

export interface EventWriter {
  fault: number;
  faultAt: number;
  field: number;
  publicKey: Uint8Array;
  emit(rule: number, severity: number, t: number, values: Float64Array, n: number): void;
  /** Time passes (checkpoint-mode timer). */
  tick(t: number): void;
  /** Runs up to `units` units of signing; true when nothing is left to sign. */
  work(units: number): boolean;
  /** Checkpoint mode: sign a checkpoint over everything so far; then finishes all signing (blocking). */
  flush(t: number): void;
  /** The backend has every record up to seq: they leave the queue. */
  ack(seq: number): void;
  /** Records in the queue (finished or waiting for their signature). */
  queued(): number;
  /** The i-th oldest finished record in the queue, for retransmission (null past the end). */
  record(i: number): Uint8Array | null;
  /** Sequence number the next record will get. */
  nextSeq(): number;
  /** Records dropped from the full queue since the device was provisioned. */
  dropped(): number;
}

export function eventWriter(cfg: WriterConfig, host: EventHost): EventWriter {
  var q = newQueue(cfg.capacity && cfg.capacity > 0 ? cfg.capacity : 16, SLOT_BYTES);
  var qb = q.buf;
  var perEvent = cfg.signing === SIGN_PER_EVENT;
  var every = cfg.every && cfg.every > 0 ? cfg.every : 16;
  var period = cfg.period && cfg.period > 0 ? cfg.period : 300000;
  var device = cfg.device;
  var drops = newDropRanges();
  var rec = new Uint8Array(RECORD_MAX);
  var recDv = new DataView(rec.buffer);
  var tbs = new Uint8Array(tbsLength(3, RECORD_MAX));
  var out = new Uint8Array(SLOT_BYTES);
  var st = new Uint8Array(STATE_BYTES);
  var stDv = new DataView(st.buffer);
  var prev = new Uint8Array(32);
  var ctx = newSignCtx();
  var cur = -1;
  var seqNext = 1;
  var total = 0;
  var since = 0;
  var firstT = NaN;
  var maxCls = 0;
  var handed = 0;
  var prevAt = 0;
  var key: Ed25519Key | null = null;
  var z;
  var w: EventWriter;

  function isSeq(v: number): boolean {
    return v >= 1 && v <= 9007199254740991 && Math.floor(v) === v;
  }

  function saveState(): void {
    var j;
    st[0] = STATE_VERSION;
    st[1] = drops.n;
    st[2] = maxCls;
    st[3] = 0;
    stDv.setUint32(4, since, true);
    stDv.setFloat64(8, seqNext, true);
    stDv.setFloat64(16, total, true);
    stDv.setFloat64(24, firstT, true);
    st.set(prev, 32);
    for (j = 0; j < MAX_RANGES; j++) {
      stDv.setFloat64(64 + j * 64, drops.first[j], true);
      stDv.setFloat64(72 + j * 64, drops.last[j], true);
      stDv.setFloat64(80 + j * 64, drops.count[j], true);
      stDv.setFloat64(88 + j * 64, drops.rep[j], true);
      st.set(drops.prev.subarray(j * 32, j * 32 + 32), 96 + j * 64);
    }
    host.write(STATE_KEY, st);
  }

  function loadState(): boolean {
    var b = host.read(STATE_KEY);
    var j;
    if (!b || b.length === 0) return true;
    if (b.length !== STATE_BYTES || b[0] !== STATE_VERSION || b[1] > MAX_RANGES || b[2] > 2) return false;
    st.set(b);
    drops.n = st[1];
    maxCls = st[2];
    since = stDv.getUint32(4, true);
    seqNext = stDv.getFloat64(8, true);
    total = stDv.getFloat64(16, true);
    firstT = stDv.getFloat64(24, true);
    prev.set(st.subarray(32, 64));
    for (j = 0; j < MAX_RANGES; j++) {
      drops.first[j] = stDv.getFloat64(64 + j * 64, true);
      drops.last[j] = stDv.getFloat64(72 + j * 64, true);
      drops.count[j] = stDv.getFloat64(80 + j * 64, true);
      drops.rep[j] = stDv.getFloat64(88 + j * 64, true);
      drops.prev.set(st.subarray(96 + j * 64, 128 + j * 64), j * 32);
    }
    for (j = 0; j < drops.n; j++) {
      if (!(drops.first[j] >= 1 && drops.first[j] <= drops.last[j] && drops.last[j] < seqNext && drops.count[j] >= 1 &&
        drops.count[j] <= drops.last[j] - drops.first[j] + 1 && drops.rep[j] >= 0)) return false;
    }
    return isSeq(seqNext) && isSeq(total + 1) && since >= 0;
  }

  function fail(code: number, field: number): void {
    if (!w.fault) {
      w.fault = code;
      w.field = field;
    }
  }

  /** Where slot i's record (the COSE payload, or the bare record) starts and how long it is: [start, length]. */
  var span = new Float64Array(2);
  function payloadSpan(i: number): void {
    var d = qData(q, i);
    if (qb[d] !== 0xd2) {
      span[0] = d;
      span[1] = q.len[i];
      return;
    }
    if (qb[d + 7] === 0x58) {
      span[0] = d + 9;
      span[1] = qb[d + 8];
    } else {
      span[0] = d + 10;
      span[1] = qb[d + 8] * 256 + qb[d + 9];
    }
  }

  function chainHash(b: Uint8Array, start: number, len: number): void {
    var h = HASH(b.subarray(start, start + len));
    prev.set(h.subarray(0, 32));
  }

  /** Encodes a record into rec; returns its length and sets prevAt. */
  function encode(type: number, seq: number, rule: number, sev: number, t: number, vals: Float64Array | null, n: number): number {
    var b = rec;
    var p, i, j;
    p = wrHead(b, 0, CBOR_MAP, 5 + (type === REC_EVENT ? 3 : 0) + (drops.n > 0 ? 1 : 0) + (total > 0 ? 1 : 0));
    b[p++] = 0;
    p = wrHead(b, p, CBOR_UINT, type);
    b[p++] = 1;
    p = wrHead(b, p, CBOR_UINT, device);
    b[p++] = 2;
    p = wrHead(b, p, CBOR_UINT, seq);
    b[p++] = 3;
    p = wrNumber(b, recDv, p, t);
    if (type === REC_EVENT) {
      b[p++] = 4;
      p = wrHead(b, p, CBOR_UINT, rule);
      b[p++] = 5;
      p = wrHead(b, p, CBOR_UINT, sev);
      b[p++] = 6;
      p = wrHead(b, p, CBOR_ARRAY, n);
      for (i = 0; i < n; i++) p = wrF64(b, recDv, p, (vals as Float64Array)[i]);
    }
    b[p++] = 7;
    p = wrHead(b, p, CBOR_BYTES, 32);
    prevAt = p;
    b.set(prev, p);
    p += 32;
    if (drops.n > 0) {
      b[p++] = 8;
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
    }
    if (total > 0) {
      b[p++] = 9;
      p = wrHead(b, p, CBOR_UINT, total);
    }
    return p;
  }

  /** Hands finished records to the host in sequence order, stopping at one still waiting for its signature. */
  function handOver(): void {
    var i = qNextAfter(q, handed);
    while (i >= 0 && q.state[i] === Q_READY) {
      handed = q.seq[i];
      host.record(qb.subarray(qData(q, i), qData(q, i) + q.len[i]), q.seq[i], q.cls[i]);
      i = qNextAfter(q, handed);
    }
  }

  /** Slot i's record was dropped to make room. */
  function evict(i: number): void {
    dropAdd(drops, q.seq[i], qb, qData(q, i) + q.prevAt[i]);
    total++;
    if (cur === i) cur = -1;
    q.state[i] = Q_FREE;
  }

  /** Writes the COSE_Sign1 head and the payload head for a len-byte record at out[at]; returns the payload offset. */
  function coseHead(o: Uint8Array, at: number, len: number): number {
    o.set(COSE_HEAD, at);
    return wrHead(o, at + 7, CBOR_BYTES, len);
  }

  function signTbs(b: Uint8Array, start: number, len: number): number {
    return wrTbs(tbs, EVENT_PROTECTED, 1, 3, b, start, len);
  }

  /** A critical record with no slot to keep it: signed at once and handed over, but not kept. */
  function handOverUnkept(len: number, signed: boolean, seq: number, cls: number): void {
    var p, n;
    fail(SF_QUEUE_FULL, FLD_SLOT);
    if (!signed) {
      host.record(rec.subarray(0, len), seq, cls);
      return;
    }
    p = coseHead(out, 0, len);
    out.set(rec.subarray(0, len), p);
    n = signTbs(rec, 0, len);
    out[p + len] = 0x58;
    out[p + len + 1] = 0x40;
    out.set(sign(tbs.subarray(0, n), key as Ed25519Key), p + len + 2);
    host.record(out.subarray(0, p + len + 66), seq, cls);
  }

  function writeRecord(type: number, rule: number, sev: number, t: number, vals: Float64Array | null, n: number, cls: number): void {
    var seq = seqNext++;
    var signed = perEvent || type === REC_CHECKPOINT;
    var slot = qFindFree(q);
    var len, d, p, ev;
    if (slot < 0) {
      ev = qEvictable(q);
      if (ev >= 0) {
        evict(ev);
        slot = ev;
      }
    }
    len = encode(type, seq, rule, sev, t, vals, n);
    dropReported(drops, seq);
    if (slot < 0) {
      if (cls < CLASS_KEEP) {
        // Nothing older may go: this record itself is dropped (and reported by the next one).
        dropAdd(drops, seq, rec, prevAt);
        total++;
      } else {
        handOverUnkept(len, signed, seq, cls);
      }
      chainHash(rec, 0, len);
      return;
    }
    d = qData(q, slot);
    p = signed ? coseHead(qb, d, len) : d;
    qb.set(rec.subarray(0, len), p);
    q.state[slot] = signed ? Q_UNSIGNED : Q_READY;
    q.cls[slot] = cls;
    q.seq[slot] = seq;
    q.len[slot] = p - d + len;
    q.prevAt[slot] = p - d + prevAt;
    qSave(q, slot, host);
    chainHash(rec, 0, len);
  }

  function checkpoint(t: number): void {
    writeRecord(REC_CHECKPOINT, 0, 0, t, null, 0, maxCls);
    since = 0;
    maxCls = 0;
    firstT = NaN;
  }

  function emit(rule: number, severity: number, t: number, values: Float64Array, n: number): void {
    if (!key) return;
    if (!(rule >= 0 && rule <= 65535 && Math.floor(rule) === rule) || !(severity === 0 || severity === 1 || severity === 2) || !(n >= 0 && n <= LIMIT_MAX_ATTACH)) {
      fail(SF_BAD_EVENT, 0);
      return;
    }
    writeRecord(REC_EVENT, rule, severity, t, values, n, severity);
    if (!perEvent) {
      since++;
      if (severity > maxCls) maxCls = severity;
      if (firstT !== firstT) firstT = t;
      if (severity === 2 || since >= every || t - firstT >= period) checkpoint(t);
    }
    saveState();
    handOver();
  }

  function tick(t: number): void {
    if (!key || perEvent || since === 0 || !(t - firstT >= period)) return;
    checkpoint(t);
    saveState();
    handOver();
  }

  function work(units: number): boolean {
    var d, n;
    if (!key) return true;
    if (cur < 0) {
      cur = qOldest(q, Q_UNSIGNED);
      if (cur < 0) return true;
      payloadSpan(cur);
      n = signTbs(qb, span[0], span[1]);
      signBegin(ctx, tbs.subarray(0, n), key);
    }
    if (!signStep(ctx, units)) return false;
    d = qData(q, cur) + q.len[cur];
    qb[d] = 0x58;
    qb[d + 1] = 0x40;
    qb.set(ctx.sig, d + 2);
    q.len[cur] += 66;
    q.state[cur] = Q_READY;
    qSave(q, cur, host);
    cur = -1;
    handOver();
    return qOldest(q, Q_UNSIGNED) < 0;
  }

  function flush(t: number): void {
    if (key && !perEvent && since > 0) {
      checkpoint(t);
      saveState();
    }
    while (!work(1000)) {
      // all work happens in work()
    }
    handOver();
  }

  function ack(upTo: number): void {
    var i;
    for (i = 0; i < q.cap; i++) if (q.state[i] === Q_READY && q.seq[i] <= upTo) qFree(q, i, host);
    dropAcked(drops, upTo);
    saveState();
  }

  function record(k: number): Uint8Array | null {
    var after = 0;
    var i, d;
    for (;;) {
      i = qNextAfter(q, after);
      if (i < 0) return null;
      after = q.seq[i];
      if (q.state[i] !== Q_READY) continue;
      if (k === 0) {
        d = qData(q, i);
        return qb.subarray(d, d + q.len[i]);
      }
      k--;
    }
  }

  /** After a restart: the queue may hold a record newer than the saved state (power lost in between). */
  function recover(): void {
    var i = -1;
    var j, u;
    for (j = 0; j < q.cap; j++) if (q.state[j] !== Q_FREE && q.seq[j] >= seqNext && (i < 0 || q.seq[j] > q.seq[i])) i = j;
    if (i >= 0) {
      seqNext = q.seq[i] + 1;
      payloadSpan(i);
      chainHash(qb, span[0], span[1]);
    }
    u = qOldest(q, Q_UNSIGNED);
    handed = u >= 0 ? q.seq[u] - 1 : seqNext - 1;
  }

  w = {
    fault: 0, faultAt: 0, field: 0, publicKey: new Uint8Array(32),
    emit: emit, tick: tick, work: work, flush: flush, ack: ack,
    queued: function () { return qCount(q); },
    record: record,
    nextSeq: function () { return seqNext; },
    dropped: function () { return total; },
  };
  if (!cfg.seed || cfg.seed.length !== 32 || !(device >= 0 && device <= 4294967295 && Math.floor(device) === device)) {
    fail(SF_BAD_KEY, FLD_KEY);
    return w;
  }
  key = keyFromSeed(cfg.seed);
  w.publicKey = key.publicKey;
  if (!loadState()) {
    fail(SF_STATE, FLD_STATE);
    seqNext = 1;
    total = 0;
    since = 0;
    firstT = NaN;
    maxCls = 0;
    drops.n = 0;
    for (z = 0; z < 32; z++) prev[z] = 0;
  }
  if (qRestore(q, host) > 0) fail(SF_STATE, FLD_SLOT);
  recover();
  return w;
}

/** The Host to give load(): rule events go to the writer (and on to `inner`); outputs and intervals pass through. */
export function wrapHost(inner: Host, w: EventWriter): Host {
  var h: Host = {
    emit: function (rule: number, severity: number, t: number, values: Float64Array, n: number) {
      w.emit(rule, severity, t, values, n);
      inner.emit(rule, severity, t, values, n);
    },
    output: function (id: number, value: number) { inner.output(id, value); },
    interval: function (ms: number) { inner.interval(ms); },
  };
  var keep = (inner as unknown as { keepCode?: unknown }).keepCode;
  if (keep) (h as unknown as { keepCode?: unknown }).keepCode = keep;
  return h;
}
