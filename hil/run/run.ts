/**
 * `edgerule hil`: drive a device with a recorded trace over its serial line and hold its signed events against
 * the simulator's (docs/HIL.md). The phases, each with a timeout that names what it waited for:
 *
 *   connect  open the port first (nothing the device says is lost), [RESET and wait for its boot line],
 *            HELLO with a fresh nonce (output from an earlier session is told apart and ignored)
 *   flash    when the device runs another bundle: hil/link/flash.ts over the same open port
 *   inject   BEGIN an injected run, stream the simulator's replayed samples (hil/run/inject.ts), collecting
 *            the run's EVENT records as they come and acknowledging them
 *   end      END_RUN until the device has evaluated everything: its counts
 *   drain    until every record the device says it made (seq 1 … n) has arrived
 *
 * A device that stops answering ends the run with "device lost at sample N (t = …)", keeping what was collected.
 * The verdict (verdict.ts) is made from the end-of-run counts, never from the absence of a failure.
 */
import { randomBytes } from 'node:crypto';
import * as C from '../../runtime/link/constants.ts';
import type { Value, Frame } from '../link/codec.ts';
import { openSerial, borrowed, type Transport } from '../link/transport.ts';
import { LinkSession, LinkError, status } from '../link/session.ts';
import { hello, activeId, type HelloInfo } from '../link/hello.ts';
import { flash } from '../link/flash.ts';
import { statusText } from '../link/names.ts';
import { EventCollector } from '../link/events-in.ts';
import { readInputs } from '../../simulator/inputs.ts';
import { keyId, type KeyFile } from '../../signing/keys.ts';
import { readRegistry, findDevice, currentKey } from '../../signing/registry.ts';
import { reference, type HilBundle, type Reference, type ReferenceInputs } from './reference.ts';
export type { ReferenceInputs };
import { injectSamples, newInjectStats, DeviceLost, type InjectStats } from './inject.ts';

export type HilClock = 'injected' | 'device';

export interface HilTimeouts {
  /** Opening the port, the boot line after RESET, HELLO. */
  connectMs: number;
  /** The whole flash, slot check included. */
  flashMs: number;
  /** No reply, or no sample taken while samples are due, for this long during injection. */
  injectMs: number;
  /** No progress for this long after END_RUN (evaluating, then delivering the records). */
  drainMs: number;
}

export const HIL_DEFAULTS = {
  baud: 115200, speed: Infinity, clock: 'injected' as HilClock, toleranceMs: 1000, payload: 1024, window: 4, replyTimeoutMs: 500,
  timeouts: { connectMs: 10000, flashMs: 120000, injectMs: 15000, drainMs: 30000 } as HilTimeouts,
};

export interface HilOptions {
  port: string;
  baud: number;
  bundle: HilBundle;
  inputs: ReferenceInputs;
  /** Trace ms per wall ms (Infinity: as fast as the device takes them). */
  speed: number;
  clock: HilClock;
  toleranceMs: number;
  /** The device's secret event key: the simulator signs with it and signatures are compared too. */
  deviceKey?: KeyFile;
  /**
   * Without deviceKey: the device registry (signing/registry.ts) whose key for the device's id its records must
   * verify with; the device's HELLO key must be that key. A device the registry does not hold: the key it announces.
   */
  registry?: string;
  /** Flash the bundle when the device runs another (default); false: refuse instead. */
  flash: boolean;
  /** RESET the device first and wait for its boot line. */
  reset: boolean;
  timeouts: HilTimeouts;
  replyTimeoutMs: number;
  payload: number;
  window: number;
  log?: (line: string) => void;
  progress?: (p: { phase: Phase; done: number; total: number }) => void;
  /** Test hooks: the transport to use instead of opening `port`; the session's first seq; stop after n samples. */
  open?: () => Promise<Transport>;
  firstSeq?: number;
  stopAfter?: number;
}

export type Phase = 'connect' | 'flash' | 'reference' | 'inject' | 'end' | 'drain';

/** What the device said at the end of the run (END_RUN's reply). */
export interface EndCounts {
  received: number;
  evaluated: number;
  steps: number;
  records: number;
  events: number;
  dropped: number;
  evalUs: number;
  evalMaxUs: number;
  fault: number;
  writerFault: number;
  end: number;
}

/** Everything a run produced, judged or not (verdict.ts judges it). */
export interface HilRun {
  phase: Phase;
  /** Why the run stopped early (a device lost, a refusal, a timeout), or undefined. */
  error?: { phase: Phase; message: string; lost: boolean; atSample?: number; refused?: boolean };
  hello?: HelloInfo;
  /** The event key the run's records are checked with, and where it came from. */
  key?: { publicKey: Uint8Array; from: string };
  boots: number[];
  flash?: { verdict: string; ok: boolean };
  ref?: Reference;
  runId: number;
  stats?: InjectStats;
  end?: EndCounts;
  endSentAt: number;
  collector?: EventCollector;
  arrivals: Map<number, number>;
  counts: { bytesOut: number; bytesIn: number; injectBytesOut: number; injectBytesIn: number; resentRequests: number; strayReplies: number; crcErrors: number; framingErrors: number };
}

class Stop extends Error {
  constructor(message: string, readonly refused = false) {
    super(message);
  }
}

/** Recordings or a scenario that cannot be used (a reader's file:line, a scenario's JSON path): the run cannot be made. */
function asInputError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new Stop((e as Error).message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** HELLO until one is answered or the connect time is up; the error names what was awaited. */
async function helloWithin(s: LinkSession, ms: number): Promise<HelloInfo> {
  const deadline = performance.now() + ms;
  let tries = 0;
  for (;;) {
    try {
      tries++;
      const h = await hello(s, false, { tries: 1 });
      if (!h.checking) return h;
    } catch (e) {
      if (!(e instanceof LinkError) || e.kind === 'closed') throw e;
    }
    if (performance.now() >= deadline) throw new LinkError(`no reply to HELLO after ${tries} tries in ${ms} ms (connect timeout)`, 'timeout');
    await sleep(20);
  }
}

/** The device frames a run listens for: boot lines (LOG) and, once the run has begun, EVENT records. */
function listen(s: LinkSession, run: HilRun): { accept(c: EventCollector): void; bootAfter(n: number, ms: number): Promise<void> } {
  let collector: EventCollector | undefined;
  let bootWaiter: (() => void) | undefined;
  s.deviceRequest = (f: Frame) => {
    if (f.type === C.MSG_LOG) {
      if (f.body.get(C.LQ_TEXT) === C.LOG_BOOT) {
        run.boots.push(f.body.get(C.LQ_BOOTS) as number);
        bootWaiter?.();
      }
      return undefined;
    }
    if (f.type === C.MSG_EVENT && collector) return collector.onEvent(f.body);
    return undefined; // an EVENT before this run began is not this run's: not acknowledged, not kept
  };
  return {
    accept: (c) => { collector = c; },
    bootAfter: (n, ms) => new Promise<void>((resolve, reject) => {
      if (run.boots.length > n) return resolve();
      const timer = setTimeout(() => reject(new LinkError(`no boot line (LOG) from the device within ${ms} ms of its RESET`, 'timeout')), ms);
      bootWaiter = () => { if (run.boots.length > n) { clearTimeout(timer); resolve(); } };
    }),
  };
}

async function connect(s: LinkSession, o: HilOptions, run: HilRun, l: ReturnType<typeof listen>): Promise<HelloInfo> {
  if (o.reset) {
    const before = run.boots.length;
    const r = await s.request(C.MSG_RESET, new Map<number, Value>([[C.RQ_MODE, C.RESET_RESTART]]), { what: 'RESET' });
    if (status(r) !== C.ST_OK) throw new Stop(`RESET refused: ${statusText(status(r))}`);
    await l.bootAfter(before, o.timeouts.connectMs);
  }
  const h = await helloWithin(s, o.timeouts.connectMs);
  if (!h.eventKey) throw new Stop(`device ${h.device} has no event key (not provisioned): it cannot sign events`);
  if (h.profile !== o.bundle.identity.profile) throw new Stop(`device ${h.device} has profile '${h.profile}', the bundle is for '${o.bundle.identity.profile}'`, true);
  const k = o.deviceKey;
  if (k) {
    if (k.device !== h.device) throw new Stop(`--device-key is device ${k.device}'s key; the device on ${o.port} is device ${h.device}`);
    if (Buffer.compare(Buffer.from(k.publicKey), Buffer.from(h.eventKey)) !== 0) throw new Stop(`--device-key is not the key device ${h.device} announces (HELLO): its events would not verify`);
  }
  run.key = k ? { publicKey: k.publicKey, from: '--device-key' } : registryKey(o, h);
  return h;
}

/**
 * The key an injected run's records must verify with, from the registry: the key in force for the device's id (a
 * run has a writer of its own, seq from 1, so no earlier key of the schedule signs any of its records).
 */
function registryKey(o: HilOptions, h: HelloInfo): { publicKey: Uint8Array; from: string } {
  const announced = { publicKey: h.eventKey!, from: 'the key the device announces' };
  if (!o.registry) return announced;
  let d;
  try {
    d = findDevice(readRegistry(o.registry), h.device);
  } catch (e) {
    throw new Stop((e as Error).message);
  }
  if (!d) {
    o.log?.(`device ${h.device} is not in the registry ${o.registry}: its records are checked with the key it announces`);
    return { ...announced, from: `the key the device announces (device ${h.device} is not in the registry ${o.registry})` };
  }
  const k = currentKey(d);
  if (k.public !== Buffer.from(h.eventKey!).toString('hex')) {
    throw new Stop(`device ${h.device} announces event key id ${keyId(h.eventKey!)}, but the registry ${o.registry} holds key id ${k.public.slice(0, 16)} (epoch ${k.epoch}) for device ${h.device}: its records would not verify with the key on file (another device with this id, or one reset or provisioned without this registry: edgerule devices --registry ${o.registry})`, true);
  }
  return { publicKey: h.eventKey!, from: `the registry ${o.registry} (device ${h.device}, key epoch ${k.epoch})` };
}

async function flashIfNeeded(s: LinkSession, t: Transport, o: HilOptions, run: HilRun, h: HelloInfo): Promise<HelloInfo> {
  if (activeId(h) === o.bundle.identity.idHex) return h;
  const runs = activeId(h) ?? 'no bundle';
  if (!o.flash) throw new Stop(`the device runs ${runs}, not ${o.bundle.identity.idHex} (--no-flash)`, true);
  o.log?.(`the device runs ${runs}: flashing ${o.bundle.file}`);
  const r = await flash(o.bundle.file, o.bundle.signed, { port: o.port, baud: o.baud, open: async () => borrowed(t), activateMs: o.timeouts.flashMs, log: o.log });
  s.attach(); // flash read the port through a session of its own
  run.flash = { verdict: r.verdict, ok: r.ok };
  if (!r.ok) throw new Stop(`flashing ${o.bundle.file}: ${r.verdict}`, !!r.refused);
  return h;
}

async function begin(s: LinkSession, o: HilOptions, run: HilRun, ref: Reference): Promise<number> {
  const body = new Map<number, Value>([[C.IQ_RUN, run.runId], [C.IQ_ORIGIN, ref.source.origin]]);
  if (o.clock === 'device') {
    body.set(C.IQ_CLOCK, C.INJECT_WALL);
    body.set(C.IQ_START, ref.source.rel[0]);
  }
  const deadline = performance.now() + o.timeouts.connectMs;
  for (;;) {
    const r = await s.request(C.MSG_INJECT, body, { what: 'INJECT (begin)', accept: (b) => b.get(C.IR_RUN) === run.runId || status(b) !== C.ST_OK });
    const st = status(r);
    if (st === C.ST_OK) return r.get(C.IR_BUFFER) as number;
    if (st === C.ST_BUSY && performance.now() < deadline) {
      await sleep(50);
      continue;
    }
    if (st === C.ST_UNSUPPORTED) throw new Stop('the device does not accept injected runs (its board leaves LinkConfig.injectBuffer unset: test devices turn it on, docs/HIL.md)');
    if (st === C.ST_NOT_FOUND) throw new Stop('the device runs no bundle');
    throw new Stop(`INJECT (begin) refused: ${statusText(st)}`);
  }
}

function endCounts(r: Map<number, Value>): EndCounts {
  const n = (k: number) => (typeof r.get(k) === 'number' ? (r.get(k) as number) : NaN);
  return {
    received: n(C.NR_NEXT), evaluated: n(C.NR_DONE), steps: n(C.NR_STEPS), records: n(C.NR_RECORDS), events: n(C.NR_EVENTS), dropped: n(C.NR_DROPPED),
    evalUs: n(C.NR_EVAL_US), evalMaxUs: n(C.NR_EVAL_MAX_US), fault: n(C.NR_FAULT), writerFault: n(C.NR_WRITER_FAULT), end: n(C.NR_END),
  };
}

/** END_RUN, asked again while the device evaluates (PENDING), until its counts come. */
async function endRun(s: LinkSession, o: HilOptions, run: HilRun, ref: Reference): Promise<EndCounts> {
  const body = new Map<number, Value>([[C.NQ_RUN, run.runId], [C.NQ_SAMPLES, ref.source.length], [C.NQ_UNTIL, ref.untilRel]]);
  let done = -1;
  let progressAt = performance.now();
  run.endSentAt = performance.now();
  for (;;) {
    const r = await s.request(C.MSG_END_RUN, body, { what: 'END_RUN', accept: (b) => b.get(C.NR_RUN) === undefined || b.get(C.NR_RUN) === run.runId });
    const st = status(r);
    if (st === C.ST_OK) return endCounts(r);
    if (st === C.ST_NO_RUN) throw new DeviceLost(`the device no longer has this run at END_RUN (it restarted, or gave the run up)`, run.stats?.next ?? 0);
    if (st !== C.ST_PENDING) throw new Stop(`END_RUN refused: ${statusText(st)}${st === C.ST_INCOMPLETE ? ` (the device holds ${r.get(C.NR_NEXT)} of ${ref.source.length} samples)` : ''}`);
    const d = r.get(C.NR_DONE) as number;
    if (d !== done) {
      done = d;
      progressAt = performance.now();
      o.progress?.({ phase: 'end', done: d, total: ref.source.length });
    } else if (performance.now() - progressAt >= o.timeouts.drainMs) {
      throw new DeviceLost(`after END_RUN the device evaluated nothing further for ${o.timeouts.drainMs} ms (${d} of ${ref.source.length} samples evaluated)`, d);
    }
    await sleep(20);
  }
}

/** Until every record 1 … n has arrived (a record resent after a lost acknowledgement is kept once). */
async function drain(s: LinkSession, o: HilOptions, c: EventCollector, n: number): Promise<void> {
  let held = -1;
  let progressAt = performance.now();
  while (c.acked < n) {
    if (s.closed) throw new LinkError(`${s.closed} while awaiting the device's records`, 'closed');
    if (c.bySeq.size !== held) {
      held = c.bySeq.size;
      progressAt = performance.now();
      o.progress?.({ phase: 'drain', done: held, total: n });
    } else if (performance.now() - progressAt >= o.timeouts.drainMs) {
      const missing = [];
      for (let q = 1; q <= n && missing.length < 5; q++) if (!c.bySeq.has(q)) missing.push(q);
      throw new LinkError(`no new record for ${o.timeouts.drainMs} ms: received ${c.bySeq.size} of the ${n} records the device made (missing seq ${missing.join(', ')}${c.bySeq.size + missing.length < n ? ', …' : ''})`, 'timeout');
    }
    await sleep(10);
  }
}

/** Runs the phases; never throws for what the device does (it is in `error`), only for bugs. */
export async function runHil(o: HilOptions): Promise<HilRun> {
  const run: HilRun = {
    phase: 'connect', boots: [], runId: randomBytes(4).readUInt32LE(0), endSentAt: NaN, arrivals: new Map(),
    counts: { bytesOut: 0, bytesIn: 0, injectBytesOut: 0, injectBytesIn: 0, resentRequests: 0, strayReplies: 0, crcErrors: 0, framingErrors: 0 },
  };
  let t: Transport | undefined;
  let s: LinkSession | undefined;
  try {
    t = await (o.open ? o.open() : openSerial(o.port, o.baud, o.timeouts.connectMs));
    s = new LinkSession(t, { timeoutMs: o.replyTimeoutMs, tries: 4, log: o.log, firstSeq: o.firstSeq });
    const l = listen(s, run);
    const inputs = asInputError(() => readInputs(o.inputs.traces, { offsets: o.inputs.offsets, startMs: o.inputs.startMs }));
    let h = await connect(s, o, run, l);
    run.hello = h;
    run.phase = 'flash';
    h = await flashIfNeeded(s, t, o, run, h);
    if (run.flash) run.hello = h = await helloWithin(s, o.timeouts.connectMs);
    if (activeId(h) !== o.bundle.identity.idHex) throw new Stop(`after flashing, the device runs ${activeId(h) ?? 'no bundle'}, not ${o.bundle.identity.idHex}`);
    run.phase = 'reference';
    const ref = asInputError(() => reference(o.bundle, { ...o.inputs, inputs }, h.device, o.deviceKey?.seed));
    run.ref = ref;
    run.phase = 'inject';
    const c = new EventCollector(run.key?.publicKey ?? h.eventKey, (r) => { run.arrivals.set(r.seq, performance.now()); });
    run.collector = c;
    l.accept(c); // from here on an EVENT is this run's: our HELLO stopped any earlier stream
    const buffer = await begin(s, o, run, ref);
    const out0 = s.counts.bytesOut;
    const in0 = s.counts.bytesIn;
    run.stats = newInjectStats(ref.source.length);
    const maxPayload = Math.max(64, Math.min(o.payload, h.maxFrame - 40));
    await injectSamples(s, {
      run: run.runId, source: ref.source, speed: o.speed, payload: maxPayload, window: o.window, buffer,
      timeoutMs: o.replyTimeoutMs, stallMs: o.timeouts.injectMs, keepaliveMs: Math.min(5000, C.INJECT_IDLE / 3), log: o.log,
      stopAfter: o.stopAfter, progress: (n) => o.progress?.({ phase: 'inject', done: n, total: ref.source.length }),
    }, run.stats);
    if (o.stopAfter !== undefined) throw new Stop(`stopped after ${run.stats.next} samples (test hook)`);
    if (o.clock === 'device') await sleep(Math.max(0, run.stats.startedAt + (ref.untilRel - ref.source.rel[0]) / o.speed - performance.now()));
    run.phase = 'end';
    run.end = await endRun(s, o, run, ref);
    run.counts.injectBytesOut = s.counts.bytesOut - out0;
    run.counts.injectBytesIn = s.counts.bytesIn - in0;
    run.phase = 'drain';
    await drain(s, o, c, run.end.records);
    await t.drain();
  } catch (e) {
    if (!(e instanceof LinkError || e instanceof DeviceLost || e instanceof Stop)) throw e;
    const lost = e instanceof DeviceLost || (e instanceof LinkError && run.phase !== 'connect');
    run.error = {
      phase: run.phase, message: e.message, lost, refused: e instanceof Stop && e.refused,
      atSample: e instanceof DeviceLost ? e.atSample : run.stats ? (run.phase === 'inject' ? run.stats.next : run.end?.evaluated ?? run.stats.done) : undefined,
    };
  } finally {
    if (s) {
      Object.assign(run.counts, {
        bytesOut: s.counts.bytesOut, bytesIn: s.counts.bytesIn, resentRequests: s.counts.resent, strayReplies: s.counts.stray,
        crcErrors: s.frameErrors.crc, framingErrors: s.frameErrors.framing,
      });
    }
    await t?.close();
  }
  return run;
}
