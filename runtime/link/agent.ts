/**
 * The device-link agent (docs/PROTOCOL.md): it sits beside the rule runtime, owns the serial line's byte
 * stream, and answers the host's requests — HELLO, upload into the inactive slot, activation, events, clock,
 * stats, reset. The board feeds it bytes and time and polls it; it never blocks and never waits.
 *
 *   var agent = EdgeRule.linkAgent(config, io, store, now);   // boots: reverts an unconfirmed trial, checks the active slot
 *   uart.on('data', function (d) { agent.input(bytes, 0, n, now); });
 *   loop: var ms = agent.poll(now);          // slices of a slot check, signing, event (re)sends; ms until it needs a poll
 *   var rt = agent.runtime();                // the running bundle (null: none yet, or an injected run holds the device), fed by the board's sensors
 *   agent.account(samples, us, maxUs, t);    // the board's evaluation statistics and its latest sample time
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use; after start, no allocation
 * per frame.
 */
import {
  MSG_HELLO, MSG_BEGIN, MSG_CHUNK, MSG_VERIFY, MSG_ACTIVATE, MSG_CONFIRM, MSG_STATS, MSG_CLOCK, MSG_RESET, MSG_CONSOLE,
  MSG_INJECT, MSG_END_RUN, MSG_PROVISION, MSG_ROTATE_EVENT_KEY, MSG_ROTATE_TRUST, MSG_FACTORY_RESET, MSG_EVENT, REPLY, DEVICE_REQUESTS, DEFAULT_MAX_FRAME, MIN_MAX_FRAME, MAX_MAX_FRAME,
  DEFAULT_SLOT_MAX, DEFAULT_GRANULE, DEFAULT_CHECK_UNITS, SLOT_HEADER, MARK_BYTES, NO_SLOT, OQ_MS, CONSOLE_ESCAPE_IDLE,
  CONSOLE_ESCAPE_MS, CTRL_C, EVENT_TIMEOUT, ST_OK, ST_UNKNOWN, ST_MALFORMED, ST_UNSUPPORTED, SR_FRAMES,
  SR_CRC_ERRORS, SR_FRAMING_ERRORS, SR_MALFORMED, SR_SAMPLES, SR_EVAL_US, SR_EVAL_MAX_US, SR_NEXT_SEQ, SECRET_BYTES,
  MSG_LOG, LQ_TEXT, LQ_BOOTS, LOG_BOOT, MIN_INJECT_BUFFER,
} from './constants.ts';
import { newCobs, cobsByte, cobsReset, cobsMax, COBS_FRAME, COBS_BAD, COBS_EMPTY } from './cobs.ts';
import { frameCheck, frameType, frameSeq, BODY_AT } from './frame.ts';
import { newBody, readBody, V_UINT } from './body.ts';
import { cborIn } from '../signing/cbor.ts';
import { newSlotInfo, newPointer, slotScan, pointerLoad } from './slots.ts';
import { replyStatus, begin, kText, kUint, sendRequest } from './reply.ts';
import { onInject, onEndRun, injectPoll, injecting } from './inject.ts';
import { onBegin, onChunk, onVerify } from './upload.ts';
import { boot, jobStep, onActivate, onConfirm } from './activate.ts';
import { onProvision, onRotateEventKey, onRotateTrust, provisionBoot } from './provision.ts';
import { onFactoryReset } from './reset.ts';
import { newIdentity, identityLoad } from './identity.ts';
import { STATEMENT_MAX } from './statements.ts';
import { onEventAck, eventsPoll } from './events-out.ts';
import { onHello, onStats, onClock } from './hello.ts';
import { engine } from './from-global.ts';
import { JOB_NONE, type LinkConfig, type LinkIo, type LinkState } from './state.ts';
import type { LinkStore } from './store.ts';
import type { Host, Runtime } from '../engine/runtime.ts';

export interface LinkAgent {
  /** Bytes from the serial line, at board time `now` (ms, monotonic). */
  input(buf: Uint8Array, start: number, len: number, now: number): void;
  /** Does pending work; returns ms until the agent wants the next poll (0: at once). */
  poll(now: number): number;
  /** The running bundle, or null (none yet, or an injected run holds the device: its own sensors are ignored). */
  runtime(): Runtime | null;
  /** The board evaluated `samples` samples in `us` microseconds (longest single one `maxUs`); `t`: latest sample time. */
  account(samples: number, us: number, maxUs: number, t: number): void;
  /** Board time → wall-clock ms since 1970, once a host has sent CLOCK (NaN before). */
  wall(now: number): number;
  /** Fault of the agent's start (0 ok): the runtime artifacts were not loaded first, or the config is unusable. */
  fault: string;
}

/** The rule runtime's host: events go to the event writer (and the board), outputs and intervals to the board. */
function makeHost(a: LinkState): Host {
  var h: Host = {
    emit: function (rule: number, severity: number, t: number, values: Float64Array, n: number) {
      if (a.writer) a.writer.emit(rule, severity, t, values, n);
      if (a.io.event) a.io.event(rule, severity, t, values, n);
    },
    output: function (id: number, value: number) { a.io.output(id, value); },
    interval: function (ms: number) { a.io.interval(ms); },
  };
  if (a.io.keepCode) h.keepCode = a.io.keepCode;
  return h;
}

function clamp(v: number | undefined, lo: number, hi: number, dflt: number): number {
  if (!(typeof v === 'number' && v === v)) return dflt;
  return v < lo ? lo : v > hi ? hi : Math.floor(v);
}

function newState(cfg: LinkConfig, io: LinkIo, store: LinkStore, now: number): LinkState {
  var g = engine();
  var maxFrame = clamp(cfg.maxFrame, MIN_MAX_FRAME, MAX_MAX_FRAME, DEFAULT_MAX_FRAME);
  var tx = maxFrame > DEFAULT_MAX_FRAME ? maxFrame : DEFAULT_MAX_FRAME;
  var dec = newCobs(maxFrame);
  var a = {
    cfg: cfg, io: io, store: store, g: g, sha: cfg.sha512 ? cfg.sha512 : g ? g.sha512 : null,
    maxFrame: maxFrame, slotMax: clamp(cfg.slotMax, 1, 16777216, DEFAULT_SLOT_MAX),
    granule: clamp(cfg.granule, 16, 65535, DEFAULT_GRANULE), checkUnits: clamp(cfg.checkUnits, 1, 100000, DEFAULT_CHECK_UNITS),
    dec: dec, r: cborIn(dec.buf, 0, 0), body: newBody(), lastRx: now, escArmed: false, escCount: 0,
    raw: new Uint8Array(tx), p: 0, mapAt: 0, count: 0, wireReply: new Uint8Array(cobsMax(tx)), replyLen: 0,
    replyType: -1, replySeq: -1, wireEvent: new Uint8Array(cobsMax(tx)), hostMax: MIN_MAX_FRAME, outSeq: 0,
    now: now, bootAt: now, clockOffset: NaN, restartAt: -1,
    slots: [newSlotInfo(), newSlotInfo()], ptr: newPointer(), head: new Uint8Array(SLOT_HEADER), session: NO_SLOT, aheadAt: 0, aheadEnd: 0,
    job: JOB_NONE, jobSlot: 0, jobTrial: 0, jobFallback: false, check: null, jobMin: 0, jobMark: new Uint8Array(MARK_BYTES), jobKnown: false,
    res: new Float64Array(7), resId: new Uint8Array(16), bootFault: new Float64Array(3),
    rt: null, activeCheck: null, activeVersion: -1, host: null as unknown as Host, writer: null, writerMode: -1, handed: 0, lastT: 0,
    subscribed: false, evSent: 0, evAt: now, evTimeout: EVENT_TIMEOUT, evTries: 0, stats: new Float64Array(SR_NEXT_SEQ + 1), run: null,
    id: newIdentity(), seed: new Uint8Array(32), seal: new Uint8Array(32), hasSeed: false, secret: new Uint8Array(SECRET_BYTES),
    rnd: new Uint8Array(64), cand: new Uint8Array(32), stmt: new Uint8Array(STATEMENT_MAX),
  };
  if (cfg.injectBuffer) cfg.injectBuffer = clamp(cfg.injectBuffer, MIN_INJECT_BUFFER, 1048576, 0);
  return a as unknown as LinkState;
}

/** A request from the host, CRC already checked. */
function dispatch(a: LinkState, type: number, seq: number): void {
  if (type === MSG_HELLO) onHello(a, type, seq);
  else if (type === MSG_BEGIN) onBegin(a, type, seq);
  else if (type === MSG_CHUNK) onChunk(a, type, seq);
  else if (type === MSG_VERIFY) onVerify(a, type, seq);
  else if (type === MSG_ACTIVATE) onActivate(a, type, seq);
  else if (type === MSG_CONFIRM) onConfirm(a, type, seq);
  else if (type === MSG_STATS) onStats(a, type, seq);
  else if (type === MSG_CLOCK) onClock(a, type, seq);
  else if (type === MSG_RESET) {
    replyStatus(a, type, seq, ST_OK);
    a.restartAt = a.now;
  } else if (type === MSG_CONSOLE) {
    if (!a.io.console) {
      replyStatus(a, type, seq, ST_UNSUPPORTED);
      return;
    }
    replyStatus(a, type, seq, ST_OK);
    a.io.console(a.body.kind[OQ_MS] === V_UINT ? a.body.num[OQ_MS] : CONSOLE_ESCAPE_MS);
  } else if (type === MSG_PROVISION) onProvision(a, type, seq);
  else if (type === MSG_ROTATE_EVENT_KEY) onRotateEventKey(a, type, seq);
  else if (type === MSG_ROTATE_TRUST) onRotateTrust(a, type, seq);
  else if (type === MSG_FACTORY_RESET) onFactoryReset(a, type, seq);
  else if (type === MSG_INJECT) onInject(a, type, seq);
  else if (type === MSG_END_RUN) onEndRun(a, type, seq);
  else replyStatus(a, type, seq, ST_UNKNOWN);
}

/** A complete frame in a.dec.buf[0…n). */
function onFrame(a: LinkState, n: number): void {
  var raw = a.dec.buf;
  var type, seq, r;
  if (!frameCheck(raw, n)) {
    a.stats[SR_CRC_ERRORS]++;
    return;
  }
  a.stats[SR_FRAMES]++;
  type = frameType(raw);
  seq = frameSeq(raw);
  if (type !== MSG_HELLO && type === a.replyType && seq === a.replySeq) {
    a.io.write(a.wireReply, 0, a.replyLen); // the host did not get our reply: the same bytes again, nothing redone
    return;
  }
  r = a.r;
  r.pos = BODY_AT;
  r.end = n - 4;
  r.fault = 0;
  if (!readBody(r, a.body)) {
    a.stats[SR_MALFORMED]++;
    if (!(type & REPLY)) replyStatus(a, type, seq, ST_MALFORMED);
    return;
  }
  if (type & REPLY) {
    if ((type & ~REPLY) === MSG_EVENT) onEventAck(a);
    return;
  }
  if (type >= DEVICE_REQUESTS) replyStatus(a, type, seq, ST_UNKNOWN);
  else dispatch(a, type, seq);
}

/** Three Ctrl-C after a second of silence, before any 0x00: a person wants the REPL (docs/PROTOCOL.md). */
function escape(a: LinkState, b: number): void {
  if (a.now - a.lastRx >= CONSOLE_ESCAPE_IDLE) {
    a.escArmed = true;
    a.escCount = 0;
  }
  a.lastRx = a.now;
  if (!a.escArmed) return;
  if (b !== CTRL_C) {
    a.escArmed = false;
    return;
  }
  a.escCount++;
  if (a.escCount === 3) {
    a.escArmed = false;
    if (a.io.console) a.io.console(CONSOLE_ESCAPE_MS);
  }
}

function input(a: LinkState, buf: Uint8Array, start: number, len: number, now: number): void {
  var d = a.dec;
  var i, res;
  a.now = Math.floor(now);
  for (i = start; i < start + len; i++) {
    escape(a, buf[i]);
    res = cobsByte(d, buf[i]);
    if (res === COBS_FRAME) onFrame(a, d.len);
    else if (res === COBS_BAD) a.stats[SR_FRAMING_ERRORS]++;
    if (res === COBS_FRAME || res === COBS_BAD || res === COBS_EMPTY) cobsReset(d);
  }
}

function poll(a: LinkState, now: number): number {
  var wait = Infinity;
  var busy = false;
  var ev;
  a.now = Math.floor(now);
  if (a.restartAt >= 0) {
    a.restartAt = -1;
    a.io.restart();
    return 0;
  }
  if (a.job !== JOB_NONE) busy = jobStep(a, a.checkUnits);
  wait = injectPoll(a);
  if (a.writer && !a.writer.work(4)) busy = true;
  ev = eventsPoll(a);
  return busy ? 0 : ev < wait ? ev : wait;
}

/** The line the agent sends when it starts (LOG, not answered): a host that listens sees every restart. */
function announce(a: LinkState): void {
  begin(a, MSG_LOG, a.outSeq);
  a.outSeq = (a.outSeq + 1) & 65535;
  kText(a, LQ_TEXT, LOG_BOOT);
  kUint(a, LQ_BOOTS, a.ptr.boots);
  sendRequest(a);
}

/** Starts the agent: reads the slots and the pointer, reverts an unconfirmed trial, begins the boot check. */
export function linkAgent(cfg: LinkConfig, io: LinkIo, store: LinkStore, now: number): LinkAgent {
  var a = newState(cfg, io, store, Math.floor(now));
  var agent: LinkAgent = {
    input: function (buf: Uint8Array, start: number, len: number, t: number) { input(a, buf, start, len, t); },
    poll: function (t: number) { return poll(a, t); },
    runtime: function () { return injecting(a) ? null : a.rt; },
    account: function (samples: number, us: number, maxUs: number, t: number) {
      if (injecting(a)) return; // the board's own samples do not count during an injected run
      a.stats[SR_SAMPLES] += samples;
      a.stats[SR_EVAL_US] += us;
      if (maxUs > a.stats[SR_EVAL_MAX_US]) a.stats[SR_EVAL_MAX_US] = maxUs;
      a.lastT = t;
      if (a.writer) a.writer.tick(t);
    },
    wall: function (t: number) { return t + a.clockOffset; },
    fault: '',
  };
  if (!a.g || !a.sha) {
    agent.fault = 'edgerule-link.js needs edgerule-runtime.js and edgerule-signing.js loaded first';
    return agent;
  }
  if (cfg.key && cfg.key.length !== 32) cfg.key = null;
  a.host = makeHost(a);
  slotScan(store, 0, a.slots[0], a.slotMax);
  slotScan(store, 1, a.slots[1], a.slotMax);
  pointerLoad(store, a.ptr);
  identityLoad(store, a.id);
  // the event key exists from the start (HELLO reports it); the running bundle's signing mode replaces the mode.
  // A device provisioned over the link signs with its own key, and finishes a rotation a power cut interrupted.
  provisionBoot(a);
  boot(a);
  announce(a);
  return agent;
}
