/**
 * Injected runs — hardware in the loop (docs/PROTOCOL.md, "Injected runs"). The host BEGINs a run (INJECT with
 * an origin), streams samples with their times in INJECT frames and ends it with END_RUN; meanwhile the board's
 * own sensors are ignored (agent.runtime() answers null) and the run's rule events go to an event writer of its
 * own, whose records go to the host and nowhere else.
 *
 * What makes the run's records byte-identical to the simulator's for the same bundle, samples and key:
 *  - a fresh runtime loaded from the running bundle's finished check (the same bytes the device runs), fed in
 *    the simulator's call order (simulator/replay.ts: for each new sample time advanceTo(t), set(every sample
 *    at t), step(t); at the end advanceTo(until) and a step if a wake-up is due exactly then), with times
 *    relative to the host's origin, added back in the records, as the simulator does;
 *  - a fresh event writer (seq from 1, a new chain) that sees time pass exactly where the simulator's signer
 *    does (simulator/signed-events.ts: after an evaluation that raised events, at the time the simulator has
 *    then), and a final checkpoint in checkpoint mode;
 *  - flow control instead of a full queue: a time is evaluated only while the run's queue holds at most half
 *    its slots, so no record is dropped while the host acknowledges.
 * test/hil-*.test.ts compares the two on real recordings, on every engine.
 *
 * Samples are counted from 0; an INJECT names the index of its first sample and the device takes only the next
 * one it expects (a resent or overlapping frame adds nothing twice, a frame after a lost one adds nothing), so
 * no sample is lost or doubled and the reply's counts prove it. Evaluation runs in slices from poll().
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use; after BEGIN, no allocation per
 * frame or sample.
 */
import { eventSeed, eventDevice } from './event-key.ts';
import {
  IQ_RUN, IQ_FROM, IQ_SAMPLES, IQ_ORIGIN, IQ_CLOCK, IQ_START, IR_RUN, IR_NEXT, IR_FREE, IR_DONE, IR_BUFFER,
  INJECT_WALL, INJECT_TIME, TAG_TIME, TAG_SIGNAL, TAG_GROUP_END, SAMPLE_BYTES, TIME_BYTES, NQ_RUN, NQ_SAMPLES,
  NQ_UNTIL, NR_RUN, NR_NEXT, NR_DONE, NR_STEPS, NR_RECORDS, NR_EVENTS, NR_DROPPED, NR_EVAL_US, NR_EVAL_MAX_US,
  NR_FAULT, NR_WRITER_FAULT, NR_END, INJECT_IDLE, INJECT_SLICE, RUN_QUEUE, ST_OK, ST_PENDING, ST_MALFORMED,
  ST_UNSUPPORTED, ST_NOT_FOUND, ST_BUSY, ST_INCOMPLETE, ST_REFUSED, ST_NO_RUN, SR_SAMPLES, SR_EVAL_US,
  SR_EVAL_MAX_US,
} from './constants.ts';
import { V_UINT, V_NEG, V_F64, V_BYTES } from './body.ts';
import { reply, kUint, kNum, sendReply, replyStatus } from './reply.ts';
import { eventsRestart } from './events-out.ts';
import { SIGNING_CHECKPOINT } from '../signing/modes.ts';
import { JOB_NONE, type LinkState, type InjectRun } from './state.ts';
import type { Host, Runtime } from '../engine/runtime.ts';
import type { EventWriter } from '../signing/events.ts';

export var RUN_NONE = 0;
export var RUN_ACTIVE = 1;
/** END_RUN came: what is buffered is evaluated, then the run finishes. */
export var RUN_ENDING = 2;
/** Finished: the records wait for the host's acknowledgement, then the board's sensors take over again. */
export var RUN_ENDED = 3;

function newRun(a: LinkState, size: number): InjectRun {
  var f8 = new Uint8Array(8);
  return {
    id: 0, state: RUN_NONE, wall: false, origin: 0, start: 0, beginNow: 0, idleAt: 0,
    buf: new Uint8Array(size), head: 0, used: 0, f8: f8, dv8: new DataView(f8.buffer), dvRaw: new DataView(a.raw.buffer, a.raw.byteOffset, a.raw.length),
    next: 0, rxT: NaN, rxEnded: false, done: 0, steps: 0, events: 0, cur: NaN, pending: false, emitted: false, now: NaN,
    until: NaN, end: NaN, evalUs: 0, evalMax: 0, finished: false, records: 0, dropped: 0, fault: 0, writerFault: 0, rt: null, writer: null, mainWriter: null, mainHanded: 0,
  };
}

/** True while an injected run holds the device (its sensors ignored). */
export function injecting(a: LinkState): boolean {
  return !!a.run && a.run.state !== RUN_NONE;
}

function isNum(a: LinkState, k: number): boolean {
  var kind = a.body.kind[k];
  return kind === V_UINT || kind === V_NEG || kind === V_F64;
}

/** The run's rule events: to the run's writer, with the origin added back, as the simulator's host does. */
function runHost(a: LinkState, run: InjectRun): Host {
  var h: Host = {
    emit: function (rule: number, severity: number, t: number, values: Float64Array, n: number) {
      run.now = t + run.origin;
      run.events++;
      if (run.writer) {
        run.writer.emit(rule, severity, t + run.origin, values, n);
        run.emitted = true;
      }
    },
    // an injected run's outputs and reporting intervals are not the board's: they are not applied
    output: function () {},
    interval: function () {},
  };
  if (a.io.keepCode) h.keepCode = a.io.keepCode;
  // the running bundle's translation, kept at its load: a run starts without translating it again
  if (a.io.keptCode) h.keptCode = a.io.keptCode();
  return h;
}

/** The run's writer keeps nothing in storage (a run does not outlive a restart) and hands records to event delivery. */
function runWriterHost(a: LinkState) {
  return {
    read: function () { return null; },
    write: function () {},
    record: function (b: Uint8Array, seq: number) { if (seq > a.handed) a.handed = seq; },
  };
}

/** Ends the run (finished, abandoned or replaced): the board's sensors and the device's own writer take over. */
export function endRun(a: LinkState): void {
  var run = a.run;
  if (!run || run.state === RUN_NONE) return;
  run.state = RUN_NONE;
  run.rt = null;
  run.writer = null;
  a.writer = run.mainWriter;
  a.handed = run.mainHanded;
  run.mainWriter = null;
  eventsRestart(a, false);
}

function fine(a: LinkState): number {
  return a.io.clock ? a.io.clock() : a.now;
}

/** The f64 (little-endian) at b[p…p+8) through the run's scratch bytes. */
function f64At(run: InjectRun, b: Uint8Array, p: number, ring: boolean): number {
  var k;
  for (k = 0; k < 8; k++) run.f8[k] = ring ? b[(p + k) % b.length] : b[p + k];
  return run.dv8.getFloat64(0, true);
}

function replyRun(a: LinkState, type: number, seq: number, begun: boolean): void {
  var run = a.run as InjectRun;
  reply(a, type, seq, ST_OK);
  kUint(a, IR_RUN, run.id);
  kUint(a, IR_NEXT, run.next);
  kUint(a, IR_FREE, run.buf.length - run.used);
  kUint(a, IR_DONE, run.done);
  if (begun) kUint(a, IR_BUFFER, run.buf.length);
  sendReply(a, type, seq);
}

function begin(a: LinkState, type: number, seq: number): void {
  var b = a.body;
  var run = a.run;
  var id = b.num[IQ_RUN];
  var wall = b.kind[IQ_CLOCK] === V_UINT && b.num[IQ_CLOCK] === INJECT_WALL;
  var rt;
  if ((b.kind[IQ_CLOCK] && !(b.kind[IQ_CLOCK] === V_UINT && (b.num[IQ_CLOCK] === INJECT_TIME || wall))) || (b.kind[IQ_START] && !isNum(a, IQ_START))) {
    replyStatus(a, type, seq, ST_MALFORMED);
    return;
  }
  if (run && run.state !== RUN_NONE && run.id === id) {
    run.idleAt = a.now;
    replyRun(a, type, seq, true); // a BEGIN resent with a new seq: the run goes on
    return;
  }
  if (!a.rt || !a.activeCheck) {
    replyStatus(a, type, seq, ST_NOT_FOUND);
    return;
  }
  if (a.job !== JOB_NONE) {
    replyStatus(a, type, seq, ST_BUSY);
    return;
  }
  endRun(a); // a run of another host gives way
  if (!run) run = a.run = newRun(a, a.cfg.injectBuffer as number);
  run.id = id;
  run.wall = wall;
  run.origin = b.num[IQ_ORIGIN];
  run.start = b.kind[IQ_START] ? b.num[IQ_START] : 0;
  run.beginNow = a.now;
  run.idleAt = a.now;
  run.head = run.used = run.next = run.done = run.steps = run.events = 0;
  run.rxT = run.cur = run.now = run.until = run.end = NaN;
  run.rxEnded = run.pending = run.emitted = run.finished = false;
  run.evalUs = run.evalMax = 0;
  rt = a.g.loadChecked(a.activeCheck, runHost(a, run));
  if (rt.fault) {
    replyStatus(a, type, seq, ST_REFUSED);
    return;
  }
  run.rt = rt;
  // the key in force: a device provisioned over the link signs the run's records with its own key, as its others
  var seed = eventSeed(a);
  run.writer = seed ? a.g.eventWriter({ device: eventDevice(a), seed: seed, signing: a.writerMode, capacity: RUN_QUEUE }, runWriterHost(a)) : null;
  run.mainWriter = a.writer;
  run.mainHanded = a.handed;
  a.writer = run.writer;
  a.handed = 0;
  run.state = RUN_ACTIVE;
  eventsRestart(a, true);
  replyRun(a, type, seq, true);
}

/**
 * Takes the samples of an INJECT whose first sample has index `from`: those below the next index expected are
 * skipped, the rest is checked whole (complete entries, a time before any untimed sample, times never going back,
 * a later time after a group end) and as many whole entries as fit are copied into the ring. Returns a status.
 */
function take(a: LinkState, run: InjectRun, from: number, at: number, len: number): number {
  var b = a.r.b;
  var end = at + len;
  var p = at;
  var idx = from;
  var t = run.rxT;
  var ended = run.rxEnded;
  var free = run.buf.length - run.used;
  var tag, n, tt, start, fit, fitCount, fitT, fitEnded, count, i;
  if (from > run.next) return ST_OK; // a frame before this one was lost: the reply says where to go on
  while (idx < run.next && p < end) {
    tag = b[p];
    n = tag === TAG_GROUP_END ? 1 : tag & TAG_TIME ? SAMPLE_BYTES + TIME_BYTES : SAMPLE_BYTES;
    if (p + n > end) return ST_MALFORMED;
    if (tag !== TAG_GROUP_END) idx++;
    p += n;
  }
  if (ended) while (p < end && b[p] === TAG_GROUP_END) p++; // the group end the device already has, sent again
  start = fit = p;
  fitCount = count = 0;
  fitT = t;
  fitEnded = ended;
  while (p < end) {
    tag = b[p];
    if (tag === TAG_GROUP_END) {
      if (t !== t) return ST_MALFORMED;
      n = 1;
      ended = true;
    } else if (tag & TAG_TIME) {
      n = SAMPLE_BYTES + TIME_BYTES;
      if (p + n > end) return ST_MALFORMED;
      tt = f64At(run, b, p + 1, false);
      if (tt !== tt || (t === t && (tt < t || (ended && tt === t)))) return ST_MALFORMED;
      t = tt;
      ended = false;
      count++;
    } else {
      n = SAMPLE_BYTES;
      if (p + n > end || t !== t || ended) return ST_MALFORMED;
      count++;
    }
    p += n;
    if (p - start <= free) {
      fit = p;
      fitCount = count;
      fitT = t;
      fitEnded = ended;
    }
  }
  for (i = start; i < fit; i++) run.buf[(run.head + run.used++) % run.buf.length] = b[i];
  run.next += fitCount;
  run.rxT = fitT;
  run.rxEnded = fitEnded;
  return ST_OK;
}

function onSamples(a: LinkState, type: number, seq: number): void {
  var b = a.body;
  var run = a.run;
  var st;
  if (b.kind[IQ_FROM] !== V_UINT || (b.kind[IQ_SAMPLES] && b.kind[IQ_SAMPLES] !== V_BYTES)) {
    replyStatus(a, type, seq, ST_MALFORMED);
    return;
  }
  if (!run || run.state === RUN_NONE || run.id !== b.num[IQ_RUN]) {
    replyStatus(a, type, seq, ST_NO_RUN);
    return;
  }
  run.idleAt = a.now;
  if (run.state === RUN_ACTIVE && b.kind[IQ_SAMPLES]) {
    st = take(a, run, b.num[IQ_FROM], b.at[IQ_SAMPLES], b.num[IQ_SAMPLES]);
    if (st !== ST_OK) {
      replyStatus(a, type, seq, st);
      return;
    }
  }
  replyRun(a, type, seq, false);
}

export function onInject(a: LinkState, type: number, seq: number): void {
  if (!a.cfg.injectBuffer) replyStatus(a, type, seq, ST_UNSUPPORTED);
  else if (a.body.kind[IQ_RUN] !== V_UINT) replyStatus(a, type, seq, ST_MALFORMED);
  else if (a.body.kind[IQ_ORIGIN]) {
    if (isNum(a, IQ_ORIGIN)) begin(a, type, seq);
    else replyStatus(a, type, seq, ST_MALFORMED);
  } else onSamples(a, type, seq);
}

// --- evaluation: simulator/replay.ts's order, call for call ------------------------------------------------------

/** After an evaluation that raised events, the writer sees time pass (the simulator's signer.settle). */
function settle(run: InjectRun, now: number): void {
  if (!run.emitted) return;
  run.emitted = false;
  if (run.writer) run.writer.tick(now);
}

function stepPending(run: InjectRun): void {
  run.now = run.cur + run.origin;
  (run.rt as Runtime).step(run.cur);
  run.steps++;
  run.pending = false;
}

/** A new sample time t: step the pending one, run the wake-ups before t, and t becomes the pending time. */
function newTime(run: InjectRun, t: number): void {
  if (t === run.cur) return;
  if (run.pending) stepPending(run);
  run.now = t + run.origin;
  (run.rt as Runtime).advanceTo(t);
  settle(run, run.now);
  run.now = t + run.origin;
  run.cur = t;
  run.pending = true;
}

/** Wall-clock mode: the device's own clock as a sample time (never before the pending time). */
function wallTime(a: LinkState, run: InjectRun): number {
  var t = run.start + (a.now - run.beginNow);
  return run.cur === run.cur && t < run.cur ? run.cur : t;
}

/** Evaluates the entry at the head of the ring. */
function consume(a: LinkState, run: InjectRun): void {
  var b = run.buf;
  var tag = b[run.head];
  var t, v;
  if (tag === TAG_GROUP_END) {
    run.head = (run.head + 1) % b.length;
    run.used--;
    if (run.pending) stepPending(run);
    return;
  }
  if (tag & TAG_TIME) {
    t = f64At(run, b, run.head + 1, true);
    v = f64At(run, b, run.head + 1 + TIME_BYTES, true);
    run.head = (run.head + SAMPLE_BYTES + TIME_BYTES) % b.length;
    run.used -= SAMPLE_BYTES + TIME_BYTES;
    newTime(run, run.wall ? wallTime(a, run) : t);
  } else {
    v = f64At(run, b, run.head + 1, true);
    run.head = (run.head + SAMPLE_BYTES) % b.length;
    run.used -= SAMPLE_BYTES;
  }
  (run.rt as Runtime).set(tag & TAG_SIGNAL, v, run.cur);
  run.done++;
}

/** Room for what one evaluation may add: the run's queue at most half full (the host acknowledges the rest). */
function room(run: InjectRun): boolean {
  return !run.writer || run.writer.queued() <= RUN_QUEUE / 2;
}

/** END_RUN: the last pending time, the wake-ups up to `until`, and the signer's end (a checkpoint in checkpoint mode). */
function finish(a: LinkState, run: InjectRun): void {
  var rt = run.rt as Runtime;
  var until = run.wall ? wallTime(a, run) : run.until;
  if (run.pending) stepPending(run);
  settle(run, run.now);
  run.end = run.cur;
  if (until === until && run.cur === run.cur) {
    run.now = until + run.origin;
    rt.advanceTo(until);
    if (rt.nextDue() === until) {
      run.now = until + run.origin;
      rt.step(until);
    }
    settle(run, run.now);
    run.end = until;
  }
  settle(run, run.end + run.origin);
  if (run.writer && a.writerMode === SIGNING_CHECKPOINT) run.writer.flush(run.end + run.origin);
  run.records = run.writer ? run.writer.nextSeq() - 1 : 0;
  run.dropped = run.writer ? run.writer.dropped() : 0;
  run.fault = rt.fault;
  run.writerFault = run.writer ? run.writer.fault : 0;
  run.finished = true;
  run.state = RUN_ENDED;
}

/** Evaluates up to a slice of entries; finishes an ending run. True while work remains that poll should do now. */
function evaluate(a: LinkState, run: InjectRun): boolean {
  var c0 = fine(a);
  var g0 = c0;
  var n = 0;
  var done0 = run.done;
  var g, tag;
  while (run.used > 0 && n < INJECT_SLICE) {
    tag = run.buf[run.head];
    if (tag === TAG_GROUP_END || tag & TAG_TIME) {
      if (!room(run)) break;
      g = fine(a);
      if ((g - g0) * 1000 > run.evalMax) run.evalMax = (g - g0) * 1000;
      g0 = g;
    }
    consume(a, run);
    n++;
  }
  if (run.state === RUN_ENDING && run.used === 0 && room(run)) finish(a, run);
  else if (run.wall && run.state === RUN_ACTIVE && run.used === 0 && run.cur === run.cur && (run.rt as Runtime).nextDue() <= wallTime(a, run) && room(run)) {
    // wall-clock mode: timers come due on the device's own clock, between samples too
    if (run.pending) stepPending(run);
    run.now = wallTime(a, run) + run.origin;
    (run.rt as Runtime).advanceTo(wallTime(a, run));
    settle(run, run.now);
  }
  g = fine(a);
  if ((g - g0) * 1000 > run.evalMax) run.evalMax = (g - g0) * 1000;
  if (n > 0) {
    run.evalUs += (g - c0) * 1000;
    a.stats[SR_SAMPLES] += run.done - done0;
    a.stats[SR_EVAL_US] += (g - c0) * 1000;
    if (run.evalMax > a.stats[SR_EVAL_MAX_US]) a.stats[SR_EVAL_MAX_US] = run.evalMax;
  }
  return run.used > 0 && room(run);
}

/** From poll(): evaluation slices, the end of a finished run, the abandon timer. Returns ms until the next poll. */
export function injectPoll(a: LinkState): number {
  var run = a.run;
  var wait, due;
  if (!run || run.state === RUN_NONE) return Infinity;
  if (a.now - run.idleAt >= INJECT_IDLE) {
    endRun(a); // abandoned: the host went away
    return Infinity;
  }
  if (run.state === RUN_ENDED) {
    if (!run.writer || run.writer.queued() === 0) {
      endRun(a);
      return Infinity;
    }
    return run.idleAt + INJECT_IDLE - a.now;
  }
  if (evaluate(a, run)) return 0;
  wait = run.idleAt + INJECT_IDLE - a.now;
  if (run.wall && run.rt) {
    due = run.rt.nextDue() - wallTime(a, run);
    if (due < wait) wait = due < 0 ? 0 : due;
  }
  return wait;
}

function replyEnd(a: LinkState, type: number, seq: number): void {
  var run = a.run as InjectRun;
  var st = run.finished ? ST_OK : ST_PENDING;
  reply(a, type, seq, st);
  kUint(a, NR_RUN, run.id);
  kUint(a, NR_NEXT, run.next);
  kUint(a, NR_DONE, run.done);
  if (st === ST_OK) {
    kUint(a, NR_STEPS, run.steps);
    kUint(a, NR_RECORDS, run.records);
    kUint(a, NR_EVENTS, run.events);
    kUint(a, NR_DROPPED, run.dropped);
    kUint(a, NR_EVAL_US, Math.round(run.evalUs));
    kUint(a, NR_EVAL_MAX_US, Math.round(run.evalMax));
    kUint(a, NR_FAULT, run.fault);
    kUint(a, NR_WRITER_FAULT, run.writerFault);
    kNum(a, NR_END, run.end, run.dvRaw);
  }
  sendReply(a, type, seq);
}

export function onEndRun(a: LinkState, type: number, seq: number): void {
  var b = a.body;
  var run = a.run;
  var total;
  if (!a.cfg.injectBuffer) {
    replyStatus(a, type, seq, ST_UNSUPPORTED);
    return;
  }
  if (b.kind[NQ_RUN] !== V_UINT || b.kind[NQ_SAMPLES] !== V_UINT || (b.kind[NQ_UNTIL] && !isNum(a, NQ_UNTIL))) {
    replyStatus(a, type, seq, ST_MALFORMED);
    return;
  }
  if (!run || run.id !== b.num[NQ_RUN] || (run.state === RUN_NONE && !run.finished)) {
    replyStatus(a, type, seq, ST_NO_RUN);
    return;
  }
  if (run.finished) {
    replyEnd(a, type, seq); // finished (perhaps over already, its records delivered): the counts stay until the next BEGIN
    return;
  }
  run.idleAt = a.now;
  total = b.num[NQ_SAMPLES];
  if (total > run.next) {
    reply(a, type, seq, ST_INCOMPLETE);
    kUint(a, NR_RUN, run.id);
    kUint(a, NR_NEXT, run.next);
    sendReply(a, type, seq);
    return;
  }
  if (total < run.next) {
    replyStatus(a, type, seq, ST_MALFORMED);
    return;
  }
  if (run.state === RUN_ACTIVE) {
    run.state = RUN_ENDING;
    run.until = b.kind[NQ_UNTIL] ? b.num[NQ_UNTIL] : NaN;
  }
  if (run.state === RUN_ENDING) evaluate(a, run);
  replyEnd(a, type, seq);
}
