/**
 * The host's half of an injected run's sample stream (docs/PROTOCOL.md, "Injected runs"): INJECT frames, each
 * naming the index of its first sample, a window of them in flight, never more sample bytes outstanding than the
 * device's buffer had free when it last answered (its reply's `free`, less what was sent since), paced to the
 * trace's own time when a speed is given. The device's next index is authoritative: nothing counts as injected
 * until a reply says the device holds it, a reply that shows a hole (a frame lost on the line, or only part of one
 * taken) makes the host go back to that index, and so does a reply that does not come within the retransmission
 * timeout (adaptive, as the upload's). With the device's buffer full (it evaluates, or waits for the host to
 * acknowledge its records) the host asks with empty INJECTs, backing off; it also sends one at least every
 * `keepaliveMs`, so a long pause in a paced trace neither lets the device abandon the run nor hides a lost link.
 *
 * Nothing waits forever: no reply at all for `stallMs`, or no new sample taken for `stallMs` while samples are
 * due, ends the run with a DeviceLost naming the sample the device holds up to and what was awaited.
 */
import { RetransmitTimer } from '../link/retransmit.ts';
import { MSG_INJECT, IQ_RUN, IQ_FROM, IQ_SAMPLES, IR_RUN, IR_NEXT, IR_FREE, IR_DONE, ST_OK, ST_NO_RUN, SAMPLE_BYTES, TIME_BYTES, INJECT_IDLE } from '../../runtime/link/constants.ts';
import type { Frame, Value } from '../link/codec.ts';
import { status, type LinkSession } from '../link/session.ts';
import { statusText } from '../link/names.ts';
import type { InjectSource } from './samples.ts';

export interface InjectOptions {
  run: number;
  source: InjectSource;
  /** Trace ms per wall ms (Infinity: as fast as the device takes them). */
  speed: number;
  /** Largest payload of sample entries per frame (the device's frame limit applies too). */
  payload: number;
  /** Frames in flight. */
  window: number;
  /** The device's sample buffer (BEGIN's reply). */
  buffer: number;
  /** The first retransmission timeout (the measured round trip then sets it, up to half of stallMs). */
  timeoutMs: number;
  /** No reply, or no progress while samples are due, for this long: the device is lost. */
  stallMs: number;
  /** An INJECT at least this often. */
  keepaliveMs: number;
  log?: (line: string) => void;
  /** Called when the device holds more samples. */
  progress?: (next: number) => void;
  /** Test hook: stop once the device holds this many samples (the run is left as a crashed host leaves it). */
  stopAfter?: number;
}

/** What the loop did, and when each sample first went out (for the latency figures). */
export interface InjectStats {
  frames: number;
  resentFrames: number;
  probes: number;
  timeouts: number;
  gaps: number;
  payloadBytes: number;
  /** Device counts from its last reply. */
  next: number;
  done: number;
  /** performance.now() when each sample first went out (NaN: not yet). */
  firstSent: Float64Array;
  /** performance.now() when a group-end tag after sample i first went out (NaN: none). */
  groupEndSent: Float64Array;
  startedAt: number;
  endedAt: number;
}

export class DeviceLost extends Error {
  constructor(message: string, readonly atSample: number) {
    super(message);
  }
}

interface InFlight { n: number; from: number; to: number; bytes: number; round: number; sentAt: number; resent: boolean }

/** Bytes an INJECT adds to its entries: header, map, run id, index, the entries' head, CRC, COBS, delimiters. */
const ENVELOPE = 32;
const MIN_PAYLOAD = 64;

export function newInjectStats(total: number): InjectStats {
  return {
    frames: 0, resentFrames: 0, probes: 0, timeouts: 0, gaps: 0, payloadBytes: 0, next: 0, done: 0,
    firstSent: new Float64Array(total).fill(NaN), groupEndSent: new Float64Array(total).fill(NaN), startedAt: NaN, endedAt: NaN,
  };
}

export async function injectSamples(s: LinkSession, o: InjectOptions, st: InjectStats): Promise<void> {
  const src = o.source;
  const total = Math.min(src.length, o.stopAfter ?? Infinity);
  const t0 = performance.now();
  const rel0 = src.rel[0];
  let sendFrom = 0;
  let round = 0;
  let sendN = 0;
  let lastFree = o.buffer;
  let lastFreeN = -1;
  let payload = o.payload;
  let losses = 0;
  let bytesSent = 0;
  // first the reply timeout; once round trips are measured, up to half the stall limit (a slow device's round trip)
  const retransmit = new RetransmitTimer(Math.max(o.timeoutMs, o.stallMs / 2), 20, o.timeoutMs);
  let lastReplyAt = t0;
  let progressAt = t0;
  let lastSentAt = -Infinity;
  let probeDelay = 2;
  let probeAt = 0;
  const inflight = new Map<number, InFlight>();
  /** Every frame not answered yet, of any round (its bytes may still reach the device's buffer). */
  const unanswered = new Map<number, { n: number; bytes: number }>();
  const arrived: Array<{ seq: number; f: Frame | null; at: number }> = [];
  let wake: (() => void) | null = null;
  st.startedAt = t0;

  /** Samples due by now at this speed (all of them at max). */
  const dueNow = () => Math.min(total, Number.isFinite(o.speed) ? src.firstAfter(rel0 + (performance.now() - t0) * o.speed) : total);
  const credit = () => {
    let c = lastFree;
    for (const f of unanswered.values()) if (f.n > lastFreeN) c -= f.bytes;
    return c;
  };
  const send = (from: number, bytes: Uint8Array | undefined, to: number, groupEnd: boolean) => {
    const seq = s.nextSeq();
    const body = new Map<number, Value>([[IQ_RUN, o.run], [IQ_FROM, from]]);
    if (bytes) body.set(IQ_SAMPLES, bytes);
    s.sendFrame(MSG_INJECT, seq, body);
    const now = performance.now();
    const resent = bytes !== undefined && !Number.isNaN(st.firstSent[from]);
    unanswered.set(seq, { n: sendN, bytes: bytes?.length ?? 0 });
    inflight.set(seq, { n: sendN++, from, to, bytes: bytes?.length ?? 0, round, sentAt: now, resent });
    lastSentAt = now;
    if (bytes) {
      st.frames++;
      if (resent) st.resentFrames++;
      st.payloadBytes += bytes.length;
      bytesSent += bytes.length + ENVELOPE;
      for (let i = from; i < to; i++) if (Number.isNaN(st.firstSent[i])) st.firstSent[i] = now;
      if (groupEnd && Number.isNaN(st.groupEndSent[to - 1])) st.groupEndSent[to - 1] = now;
    } else {
      st.probes++;
    }
    void s.waitReply(MSG_INJECT, seq, o.stallMs, ours).then((f) => {
      arrived.push({ seq, f, at: performance.now() });
      wake?.();
    });
  };
  const goBack = (to: number) => {
    round++;
    inflight.clear();
    sendFrom = to;
    losses++;
    payload = Math.min(o.payload, Math.max(MIN_PAYLOAD, Math.round(Math.sqrt((ENVELOPE * bytesSent) / losses))));
  };
  const oldest = () => {
    let t = Infinity;
    for (const f of inflight.values()) if (f.round === round && f.sentAt < t) t = f.sentAt;
    return t;
  };
  const lost = (why: string) => new DeviceLost(why, st.next);
  /** A reply is this run's when it names this run (or refuses: a refusal carries no run id). */
  const ours = (b: Map<number, Value>) => b.get(IR_RUN) === o.run || status(b) !== ST_OK;

  while (st.next < total) {
    const due = dueNow();
    while (inflight.size < o.window && sendFrom < due) {
      const room = Math.min(payload, credit());
      if (room < SAMPLE_BYTES + TIME_BYTES + 1) break;
      const p = src.payload(sendFrom, room, due);
      if (p.to === sendFrom) break;
      send(sendFrom, p.bytes, p.to, p.groupEnd);
      sendFrom = p.to;
    }
    const now = performance.now();
    const starved = sendFrom < due && inflight.size === 0;
    if (inflight.size === 0 && ((starved && now >= probeAt) || now - lastSentAt >= o.keepaliveMs)) {
      send(sendFrom, undefined, sendFrom, false);
      probeAt = now + probeDelay;
      probeDelay = Math.min(probeDelay * 2, 100);
    }
    if (!arrived.length) {
      let until = Math.min(oldest() + retransmit.rto, lastSentAt + o.keepaliveMs);
      if (starved) until = Math.min(until, probeAt);
      if (due < total && Number.isFinite(o.speed)) until = Math.min(until, t0 + (src.rel[due] - rel0) / o.speed);
      const wait = Math.max(1, until - performance.now());
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((r) => {
        wake = r;
        timer = setTimeout(r, Number.isFinite(wait) ? wait : o.keepaliveMs);
      });
      clearTimeout(timer);
      wake = null;
    }
    if (s.closed) throw lost(`${s.closed} while injecting (the device held ${st.next} of ${total} samples)`);
    const t = performance.now();
    while (arrived.length) {
      const a = arrived.shift()!;
      const mine = inflight.get(a.seq);
      const sent = unanswered.get(a.seq);
      inflight.delete(a.seq);
      unanswered.delete(a.seq);
      if (!a.f) continue;
      const code = status(a.f.body);
      if (code === ST_NO_RUN) throw lost(`the device no longer has this run (it restarted, or gave it up after ${INJECT_IDLE / 1000} s without INJECT): it held ${st.next} of ${total} samples`);
      if (code !== ST_OK) throw new Error(`INJECT from sample ${mine?.from ?? '?'} refused: ${statusText(code)}`);
      const next = a.f.body.get(IR_NEXT) as number;
      const done = a.f.body.get(IR_DONE) as number;
      lastReplyAt = a.at;
      if (sent && sent.n > lastFreeN) {
        lastFree = a.f.body.get(IR_FREE) as number;
        lastFreeN = sent.n;
      }
      if (next > st.next || done > st.done) {
        progressAt = a.at;
        probeDelay = 2;
        if (next > st.next) o.progress?.(next);
      }
      st.next = Math.max(st.next, next);
      st.done = Math.max(st.done, done);
      if (mine && !mine.resent && mine.round === round && mine.bytes) retransmit.sample(a.at - mine.sentAt);
      if (mine && mine.round === round && mine.bytes && next < mine.to && sendFrom > next) {
        st.gaps++; // lost on the line, or only part of it fitted: go on from where the device stands
        goBack(next);
      }
    }
    if (st.next >= sendFrom && sendFrom >= due) progressAt = t; // nothing is owed: waiting for the trace's time
    if (inflight.size && t - oldest() >= retransmit.rto) {
      st.timeouts++;
      retransmit.backOff();
      if (t - lastReplyAt >= o.stallMs) throw lost(`no reply to INJECT from sample ${st.next} for ${Math.round(t - lastReplyAt)} ms (${st.timeouts} timeouts)`);
      goBack(st.next);
    }
    if (t - progressAt >= o.stallMs) {
      throw lost(t - lastReplyAt >= o.stallMs
        ? `no reply to INJECT from sample ${st.next} for ${Math.round(t - lastReplyAt)} ms`
        : `the device took no sample beyond ${st.next} for ${Math.round(t - progressAt)} ms (it answers, but its buffer stays full: it evaluated ${st.done})`);
    }
  }
  st.endedAt = performance.now();
}
