/**
 * The upload loop: chunks at explicit offsets, a window of them in flight, and go-back-N from the device's next
 * offset when its reply shows a gap (a chunk lost on the line) or when no reply comes within the retransmission
 * timeout. The device's next offset is authoritative: nothing counts as sent until the device says it has it.
 *
 * The retransmission timeout adapts to the round trip actually seen (RFC 6298: SRTT + 4·RTTVAR, samples only
 * from chunks sent once, doubling after each timeout), between a floor and the configured timeout, so a lost
 * chunk at the end of the window costs about one round trip, not a fixed half second. The chunk size halves on
 * each loss and grows back after a run of clean chunks. The upload gives up when the device's offset has not
 * moved for `tries` × the configured timeout, naming the offset it waited for.
 */
import { MSG_CHUNK, CQ_OFFSET, CQ_DATA, CR_NEXT, ST_OK, ST_NO_SESSION } from '../../runtime/link/constants.ts';
import type { Frame } from './codec.ts';
import { LinkError, status, type LinkSession } from './session.ts';
import { statusText } from './names.ts';

export interface UploadOptions {
  /** Largest chunk (data bytes) to send; the device's own limit applies too. */
  chunk: number;
  /** Smallest chunk the adaptive size goes down to. */
  minChunk: number;
  /** Chunks in flight. */
  window: number;
  /** Longest retransmission timeout (also the first, before any round trip is measured). */
  timeoutMs: number;
  /** Shortest retransmission timeout. */
  minTimeoutMs: number;
  tries: number;
  progress?: (next: number) => void;
}

export interface UploadCounts { chunks: number; resentBytes: number; gaps: number; timeouts: number }

/** The device lost its upload session (it restarted): BEGIN again. */
export class SessionLost extends Error {}

interface InFlight { off: number; len: number; round: number; sentAt: number; resent: boolean }

export async function uploadChunks(s: LinkSession, data: Uint8Array, start: number, o: UploadOptions, counts: UploadCounts): Promise<void> {
  let next = start;
  let sendPtr = start;
  let round = 0;
  let chunk = o.chunk;
  let clean = 0;
  let highest = start;
  let srtt = 0;
  let rttvar = 0;
  let rto = o.timeoutMs;
  let lastProgress = performance.now();
  let sends = 0;
  const giveUp = o.tries * o.timeoutMs;
  const inflight = new Map<number, InFlight>();
  const arrived: Array<{ seq: number; f: Frame | null; at: number }> = [];
  let wake: (() => void) | null = null;

  const send = () => {
    const len = Math.min(chunk, data.length - sendPtr);
    const seq = s.nextSeq();
    s.sendFrame(MSG_CHUNK, seq, new Map<number, number | Uint8Array>([[CQ_OFFSET, sendPtr], [CQ_DATA, data.subarray(sendPtr, sendPtr + len)]]));
    const resent = sendPtr < highest;
    if (resent) counts.resentBytes += Math.min(len, highest - sendPtr);
    inflight.set(seq, { off: sendPtr, len, round, sentAt: performance.now(), resent });
    counts.chunks++;
    sends++;
    sendPtr += len;
    if (sendPtr > highest) highest = sendPtr;
    void s.waitReply(MSG_CHUNK, seq, giveUp).then((f) => {
      arrived.push({ seq, f, at: performance.now() });
      wake?.();
    });
  };
  const goBack = () => {
    round++;
    inflight.clear();
    sendPtr = next;
    chunk = Math.max(o.minChunk, Math.floor(chunk / 2));
    clean = 0;
  };
  const oldest = () => {
    let t = Infinity;
    for (const c of inflight.values()) if (c.round === round && c.sentAt < t) t = c.sentAt;
    return t;
  };

  while (next < data.length) {
    while (sendPtr < data.length && inflight.size < o.window) send();
    if (!arrived.length) {
      const wait = Math.max(1, oldest() + rto - performance.now());
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((r) => {
        wake = r;
        timer = setTimeout(r, Number.isFinite(wait) ? wait : rto);
      });
      clearTimeout(timer);
      wake = null;
    }
    if (s.closed) throw new LinkError(`${s.closed} while awaiting the reply to UPLOAD offset ${next}`, 'closed');
    const a = arrived.shift();
    if (!a) {
      // no reply within the retransmission timeout: go back to where the device stands
      if (performance.now() - lastProgress >= giveUp) throw new LinkError(`no reply to UPLOAD offset ${next} after ${sends} tries in ${Math.round(performance.now() - lastProgress)} ms`, 'timeout');
      counts.timeouts++;
      rto = Math.min(o.timeoutMs, rto * 2);
      goBack();
      continue;
    }
    const mine = inflight.get(a.seq);
    inflight.delete(a.seq);
    if (!a.f) continue;
    const st = status(a.f.body);
    if (st === ST_NO_SESSION) throw new SessionLost(`the device restarted during the upload (its session was gone at offset ${next}); flash again to resume`);
    if (st !== ST_OK) throw new Error(`UPLOAD offset ${mine?.off ?? '?'} refused: ${statusText(st)}`);
    const n = a.f.body.get(CR_NEXT);
    if (typeof n !== 'number') throw new Error('UPLOAD reply without the next offset');
    if (mine && !mine.resent && mine.round === round) {
      const rtt = a.at - mine.sentAt;
      if (!srtt) {
        srtt = rtt;
        rttvar = rtt / 2;
      } else {
        rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - rtt);
        srtt = 0.875 * srtt + 0.125 * rtt;
      }
      rto = Math.min(o.timeoutMs, Math.max(o.minTimeoutMs, srtt + 4 * rttvar));
    }
    if (n > next) {
      next = n;
      sends = 0;
      lastProgress = performance.now();
      o.progress?.(next);
      if (++clean >= 8 && chunk < o.chunk) {
        chunk = Math.min(o.chunk, chunk * 2);
        clean = 0;
      }
    }
    if (mine && mine.round === round && n < mine.off + mine.len && n < sendPtr) {
      counts.gaps++;
      goBack();
    }
  }
}
