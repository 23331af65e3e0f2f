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
 * This file is the policy — which records are written, signed, kept, dropped and handed over, and when a
 * checkpoint is due. The bytes of a record and its COSE framing are record.ts's; the persisted state's layout is
 * writer-state.ts's; the slots are event-queue.ts's.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import { keyFromSeed, newSignCtx, signBegin, signStep, sign, setSha512, type Ed25519Key, type Sha512, type SignCtx } from './crypto/ed25519.ts';
import { sha512 } from './crypto/sha512.ts';
import {
  newQueue, qData, qSave, qFree, qRestore, qFindFree, qOldest, qEvictable, qNextAfter, qCount,
  Q_UNSIGNED, Q_READY, Q_FREE, CLASS_KEEP, SLOT_HEADER, type Persist, type EventQueue,
} from './event-queue.ts';
import { dropAdd, dropReported, dropAcked, dropCovers } from './drop-ranges.ts';
import {
  REC_EVENT, REC_CHECKPOINT, REC_ROTATE, RECORD_MAX, COSE_OVERHEAD, EVENT_TBS_MAX, newRecordBuf, encodeRecord, wrCoseHead, wrSignature, eventTbs, recordSpan,
  type RecordBuf,
} from './record.ts';
import { newWriterState, resetState, saveState, loadState, STATE_BYTES, type WriterState } from './writer-state.ts';
import { newSeal, SEAL_BYTES, type Seal } from './seal.ts';
import { SIGNING_PER_EVENT } from './modes.ts';
import { WRITER_STATE_KEY, DEFAULT_QUEUE } from './store-keys.ts';
import { SF_BAD_KEY, SF_QUEUE_FULL, SF_STATE, SF_BAD_EVENT, SF_ARGUMENT, FLD_KEY, FLD_STATE, FLD_SLOT, FLD_CONFIG, FLD_HOST } from './signed-faults.ts';
import { SEV_INFO, SEV_WARNING, SEV_CRITICAL } from '../engine/severity.ts';
import { LIMIT_MAX_ATTACH } from '../engine/isa.generated.ts';
import type { Host } from '../engine/runtime.ts';

var SLOT_BYTES = SLOT_HEADER + RECORD_MAX + COSE_OVERHEAD + SEAL_BYTES;
/** The prev hash a drop range gets for a record lost with its unreadable slot: unknown. */
var UNKNOWN_PREV = new Uint8Array(32);
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
  /**
   * The 32-byte secret the persisted state and queue are sealed with (default: the seed). A device that rotates its
   * event key keeps one seal secret for life, so what it persisted under one key still reads under the next.
   */
  sealSeed?: Uint8Array;
  /** SIGNING_PER_EVENT or SIGNING_CHECKPOINT (modes.ts; a signed bundle's `signing`). */
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
  /**
   * Event-key rotation: signs every record still waiting with the current key, writes the rotation record (the
   * last record under it, announcing the next public key) and signs it, then signs with the key of `seed` from
   * the next record on. Returns the rotation record's seq (−1: refused, see fault).
   */
  rotate(seed: Uint8Array, t: number): number;
}

/** Everything one writer holds: configuration, queue, persisted state, buffers and the signature in progress. */
interface Writer {
  host: EventHost;
  device: number;
  perEvent: boolean;
  every: number;
  period: number;
  key: Ed25519Key | null;
  q: EventQueue;
  s: WriterState;
  /** Seals what is persisted (keyed by the event key seed; null until the key is known). */
  seal: Seal | null;
  rec: RecordBuf;
  tbs: Uint8Array;
  /** A critical record that found no slot is framed here. */
  out: Uint8Array;
  sig: SignCtx;
  /** Slot whose signature is in progress (−1: none). */
  cur: number;
  /** Highest seq handed to the host. */
  handed: number;
  span: Float64Array;
  api: EventWriter;
}

function fail(c: Writer, code: number, field: number): void {
  if (!c.api.fault) {
    c.api.fault = code;
    c.api.field = field;
  }
}

function chainHash(c: Writer, b: Uint8Array, start: number, len: number): void {
  c.s.prev.set(HASH(b.subarray(start, start + len)).subarray(0, 32));
}

function persistState(c: Writer): void {
  c.host.write(WRITER_STATE_KEY, saveState(c.s, c.seal as Seal));
}

/** The record inside slot i (the COSE payload, or the bare record): c.span = [start, length]. */
function slotRecord(c: Writer, i: number): void {
  recordSpan(c.q.buf, qData(c.q, i), c.q.len[i], c.span);
}

/** Hands finished records to the host in sequence order, stopping at one still waiting for its signature. */
function handOver(c: Writer): void {
  var q = c.q;
  var i = qNextAfter(q, c.handed);
  while (i >= 0 && q.state[i] === Q_READY) {
    c.handed = q.seq[i];
    c.host.record(q.buf.subarray(qData(q, i), qData(q, i) + q.len[i]), q.seq[i], q.cls[i]);
    i = qNextAfter(q, c.handed);
  }
}

/** Slot i's record is dropped to make room. */
function evict(c: Writer, i: number): void {
  dropAdd(c.s.drops, c.q.seq[i], c.q.buf, qData(c.q, i) + c.q.prevAt[i]);
  c.s.total++;
  if (c.cur === i) c.cur = -1;
  c.q.state[i] = Q_FREE;
}

/** A critical record with no slot to keep it: signed at once and handed over, but not kept. */
function handOverUnkept(c: Writer, signed: boolean, seq: number, cls: number): void {
  var len = c.rec.len;
  var p, end;
  fail(c, SF_QUEUE_FULL, FLD_SLOT);
  if (!signed) {
    c.host.record(c.rec.b.subarray(0, len), seq, cls);
    return;
  }
  p = wrCoseHead(c.out, 0, len);
  c.out.set(c.rec.b.subarray(0, len), p);
  end = wrSignature(c.out, p + len, sign(c.tbs.subarray(0, eventTbs(c.tbs, c.rec.b, 0, len)), c.key as Ed25519Key));
  c.host.record(c.out.subarray(0, end), seq, cls);
}

/** A slot for a new record: a free one, else the oldest evictable one (evicted), else −1. */
function slotForRecord(c: Writer): number {
  var slot = qFindFree(c.q);
  if (slot < 0) {
    slot = qEvictable(c.q);
    if (slot >= 0) evict(c, slot);
  }
  return slot;
}

/** Stores the record in c.rec into the slot (framed for signing when it will be signed) and persists the slot. */
function keepRecord(c: Writer, slot: number, signed: boolean, seq: number, cls: number): void {
  var q = c.q;
  var d = qData(q, slot);
  var p = signed ? wrCoseHead(q.buf, d, c.rec.len) : d;
  q.buf.set(c.rec.b.subarray(0, c.rec.len), p);
  q.state[slot] = signed ? Q_UNSIGNED : Q_READY;
  q.cls[slot] = cls;
  q.seq[slot] = seq;
  q.len[slot] = p - d + c.rec.len;
  q.prevAt[slot] = p - d + c.rec.prevAt;
  qSave(q, slot, c.host, c.seal as Seal);
}

function writeRecord(c: Writer, type: number, rule: number, sev: number, t: number, vals: Float64Array | null, n: number, cls: number, next: Uint8Array | null): void {
  var s = c.s;
  var seq = s.seqNext++;
  var signed = c.perEvent || type !== REC_EVENT;
  var slot = slotForRecord(c);
  encodeRecord(c.rec, type, c.device, seq, rule, sev, t, vals, n, s.prev, s.drops, s.total, next);
  dropReported(s.drops, seq);
  if (slot >= 0) keepRecord(c, slot, signed, seq, cls);
  else if (cls < CLASS_KEEP) {
    // Nothing older may go: this record itself is dropped (and reported by the next one).
    dropAdd(s.drops, seq, c.rec.b, c.rec.prevAt);
    s.total++;
  } else handOverUnkept(c, signed, seq, cls);
  chainHash(c, c.rec.b, 0, c.rec.len);
}

function checkpoint(c: Writer, t: number): void {
  writeRecord(c, REC_CHECKPOINT, 0, 0, t, null, 0, c.s.maxCls, null);
  c.s.since = 0;
  c.s.maxCls = 0;
  c.s.firstT = NaN;
}

function isEvent(rule: number, severity: number, n: number): boolean {
  return rule >= 0 && rule <= 65535 && Math.floor(rule) === rule &&
    (severity === SEV_INFO || severity === SEV_WARNING || severity === SEV_CRITICAL) && n >= 0 && n <= LIMIT_MAX_ATTACH;
}

/** Checkpoint policy: a checkpoint after `every` records, `period` ms after the first uncovered one, or a critical one. */
function emitEvent(c: Writer, rule: number, severity: number, t: number, values: Float64Array, n: number): void {
  var s = c.s;
  if (!c.key) return;
  if (!isEvent(rule, severity, n)) {
    fail(c, SF_BAD_EVENT, 0);
    return;
  }
  writeRecord(c, REC_EVENT, rule, severity, t, values, n, severity, null);
  if (!c.perEvent) {
    s.since++;
    if (severity > s.maxCls) s.maxCls = severity;
    if (s.firstT !== s.firstT) s.firstT = t;
    if (severity === SEV_CRITICAL || s.since >= c.every || t - s.firstT >= c.period) checkpoint(c, t);
  }
  persistState(c);
  handOver(c);
}

function tick(c: Writer, t: number): void {
  if (!c.key || c.perEvent || c.s.since === 0 || !(t - c.s.firstT >= c.period)) return;
  checkpoint(c, t);
  persistState(c);
  handOver(c);
}

/** Signs the oldest unsigned record in slices of `units`; true when nothing is left to sign. */
function work(c: Writer, units: number): boolean {
  var q = c.q;
  var d;
  if (!c.key) return true;
  if (c.cur < 0) {
    c.cur = qOldest(q, Q_UNSIGNED);
    if (c.cur < 0) return true;
    slotRecord(c, c.cur);
    signBegin(c.sig, c.tbs.subarray(0, eventTbs(c.tbs, q.buf, c.span[0], c.span[1])), c.key);
  }
  if (!signStep(c.sig, units)) return false;
  d = qData(q, c.cur) + q.len[c.cur];
  q.len[c.cur] = wrSignature(q.buf, d, c.sig.sig) - qData(q, c.cur);
  q.state[c.cur] = Q_READY;
  qSave(q, c.cur, c.host, c.seal as Seal);
  c.cur = -1;
  handOver(c);
  return qOldest(q, Q_UNSIGNED) < 0;
}

function flush(c: Writer, t: number): void {
  if (c.key && !c.perEvent && c.s.since > 0) {
    checkpoint(c, t);
    persistState(c);
  }
  while (!work(c, 1000)) {
    // all work happens in work()
  }
  handOver(c);
}

function ack(c: Writer, upTo: number): void {
  var q = c.q;
  var i;
  if (!c.key) return;
  for (i = 0; i < q.cap; i++) if (q.state[i] === Q_READY && q.seq[i] <= upTo) qFree(q, i, c.host);
  dropAcked(c.s.drops, upTo);
  persistState(c);
}

/**
 * The rotation record covers (in checkpoint mode) everything since the last checkpoint, is never evicted, and is
 * signed with the key it retires before the writer takes the next one.
 */
function rotate(c: Writer, seed: Uint8Array, t: number): number {
  var seq, next;
  if (!c.key || !(seed instanceof Uint8Array) || seed.length !== 32) {
    fail(c, SF_BAD_KEY, FLD_KEY);
    return -1;
  }
  next = keyFromSeed(seed);
  while (!work(c, 1000)) {
    // records waiting for a signature get the current key's
  }
  seq = c.s.seqNext;
  writeRecord(c, REC_ROTATE, 0, 0, t, null, 0, CLASS_KEEP, next.publicKey);
  c.s.since = 0;
  c.s.maxCls = 0;
  c.s.firstT = NaN;
  persistState(c);
  while (!work(c, 1000)) {
    // the rotation record itself, with the key it retires
  }
  handOver(c);
  c.key = next;
  c.api.publicKey = next.publicKey;
  return seq;
}

/** The k-th oldest finished record in the queue (null past the end). */
function finished(c: Writer, k: number): Uint8Array | null {
  var q = c.q;
  var after = 0;
  var i, d;
  for (;;) {
    i = qNextAfter(q, after);
    if (i < 0) return null;
    after = q.seq[i];
    if (q.state[i] !== Q_READY) continue;
    if (k === 0) {
      d = qData(q, i);
      return q.buf.subarray(d, d + q.len[i]);
    }
    k--;
  }
}

/** After a restart: the queue may hold a record newer than the saved state (power lost in between). */
function recover(c: Writer): void {
  var q = c.q;
  var i = -1;
  var j, u;
  for (j = 0; j < q.cap; j++) if (q.state[j] !== Q_FREE && q.seq[j] >= c.s.seqNext && (i < 0 || q.seq[j] > q.seq[i])) i = j;
  if (i >= 0) {
    c.s.seqNext = q.seq[i] + 1;
    slotRecord(c, i);
    chainHash(c, q.buf, c.span[0], c.span[1]);
  }
  u = qOldest(q, Q_UNSIGNED);
  c.handed = u >= 0 ? q.seq[u] - 1 : c.s.seqNext - 1;
}

/** True when a slot in the queue holds record seq. */
function queuedSeq(q: EventQueue, seq: number): boolean {
  for (var i = 0; i < q.cap; i++) if (q.state[i] !== Q_FREE && q.seq[i] === seq) return true;
  return false;
}

/**
 * After a restart: records whose persisted slots were refused (qRestore) are lost. The loss is noted as records
 * dropped — a range for each seq the slot's header still gave and that can be one (below the next seq, not queued,
 * not already in a range; its prev hash is unknown, so 32 zero bytes) — and counted in the dropped total, so the
 * next record the device signs carries it. The state is persisted at once, so a second restart keeps the note.
 */
function noteLosses(c: Writer): void {
  var q = c.q;
  var s = c.s;
  var j, seq;
  if (q.nLost === 0) return;
  fail(c, SF_STATE, FLD_SLOT);
  for (j = 0; j < q.nLost; j++) {
    seq = q.lost[j];
    if (seq >= 1 && seq < s.seqNext && Math.floor(seq) === seq && !queuedSeq(q, seq) && !dropCovers(s.drops, seq)) {
      dropAdd(s.drops, seq, UNKNOWN_PREV, 0);
    }
  }
  s.total += q.nLost;
  persistState(c);
}

/** The writer's methods: a small factory, so each closure keeps only `c` alive (Espruino keeps whole scopes). */
function writerApi(c: Writer): EventWriter {
  return {
    fault: 0, faultAt: 0, field: 0, publicKey: new Uint8Array(32),
    emit: function (rule: number, severity: number, t: number, values: Float64Array, n: number) { emitEvent(c, rule, severity, t, values, n); },
    tick: function (t: number) { tick(c, t); },
    work: function (units: number) { return work(c, units); },
    flush: function (t: number) { flush(c, t); },
    ack: function (seq: number) { ack(c, seq); },
    queued: function () { return qCount(c.q); },
    record: function (k: number) { return finished(c, k); },
    nextSeq: function () { return c.s.seqNext; },
    dropped: function () { return c.s.total; },
    rotate: function (seed: Uint8Array, t: number) { return rotate(c, seed, t); },
  };
}

function newWriter(cfg: WriterConfig, host: EventHost): Writer {
  return {
    host: host, device: cfg.device, perEvent: cfg.signing === SIGNING_PER_EVENT,
    every: cfg.every && cfg.every > 0 ? cfg.every : 16, period: cfg.period && cfg.period > 0 ? cfg.period : 300000, key: null,
    q: newQueue(cfg.capacity && cfg.capacity > 0 ? cfg.capacity : DEFAULT_QUEUE, SLOT_BYTES), s: newWriterState(), seal: null, rec: newRecordBuf(),
    tbs: new Uint8Array(EVENT_TBS_MAX), out: new Uint8Array(SLOT_BYTES), sig: newSignCtx(), cur: -1, handed: 0,
    span: new Float64Array(2), api: null as unknown as EventWriter,
  };
}

/** A writer that refuses everything: given when the configuration or host is not an object. */
function refusedWriter(field: number): EventWriter {
  var c = newWriter({ device: 0, seed: new Uint8Array(0), signing: SIGNING_PER_EVENT, capacity: 1 }, null as unknown as EventHost);
  var w = writerApi(c);
  c.api = w;
  fail(c, SF_ARGUMENT, field);
  return w;
}

export function eventWriter(cfg: WriterConfig, host: EventHost): EventWriter {
  var c, w, device;
  if (!cfg || typeof cfg !== 'object') return refusedWriter(FLD_CONFIG);
  if (!host || typeof host !== 'object') return refusedWriter(FLD_HOST);
  c = newWriter(cfg, host);
  w = writerApi(c);
  device = cfg.device;
  c.api = w;
  if (!(cfg.seed instanceof Uint8Array) || cfg.seed.length !== 32 || !(device >= 0 && device <= 4294967295 && Math.floor(device) === device)) {
    fail(c, SF_BAD_KEY, FLD_KEY);
    return w;
  }
  c.key = keyFromSeed(cfg.seed);
  c.seal = newSeal(cfg.sealSeed instanceof Uint8Array && cfg.sealSeed.length === 32 ? cfg.sealSeed : cfg.seed, SLOT_BYTES > STATE_BYTES ? SLOT_BYTES : STATE_BYTES, HASH);
  w.publicKey = c.key.publicKey;
  // Persisted state is untrusted input: only sealed, plausible state and slots are used (writer-state.ts, event-queue.ts).
  if (!loadState(c.s, host.read(WRITER_STATE_KEY), c.seal)) {
    fail(c, SF_STATE, FLD_STATE);
    resetState(c.s);
  }
  qRestore(c.q, host, c.seal);
  recover(c);
  noteLosses(c);
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
  if (typeof inner.keptCode === 'string') h.keptCode = inner.keptCode; // the translation kept at an earlier boot
  return h;
}
