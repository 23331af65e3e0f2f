/**
 * The upload loop: chunks at explicit offsets, a window of them in flight, and a resend from the device's next
 * offset when its reply shows a gap (a chunk lost on the line) or when no reply comes within the retransmission
 * timeout. The device writes chunks that arrive beyond a hole and says which range it holds ahead, so after a
 * gap only the hole is resent (selective repeat; without that range, everything from the hole on).
 * The device's next offset is authoritative: nothing counts as sent until the device says it has it.
 *
 * The retransmission timeout adapts to the round trip actually seen (after RFC 6298, but 2·SRTT + 4·RTTVAR:
 * samples only from chunks sent once, doubling after each timeout), between a floor and the configured timeout, so
 * a lost chunk at the end of the window costs about one round trip, not a fixed half second.
 *
 * The chunk size follows the line's measured error rate e (losses per byte sent): a chunk of C bytes with an
 * envelope of h bytes arrives whole with probability (1 − e)^(C+h), so the share of the line that carries bundle
 * bytes, C(1 − e)^(C+h)/(C+h), is largest near C = √(h/e) (about 500 bytes at e = 1e-4). With no loss seen, the
 * largest chunk. The upload gives up when the device's offset has not moved for `tries` × the configured
 * timeout, naming the offset it waited for.
 */
import { RetransmitTimer } from './retransmit.ts';
import { MSG_CHUNK, CQ_OFFSET, CQ_DATA, CR_NEXT, CR_AHEAD, CR_AHEAD_END, ST_OK, ST_NO_SESSION } from '../../runtime/link/constants.ts';
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

/** Bytes a CHUNK frame adds to its data on the wire: header, map, keys, offset, data head, CRC, COBS, delimiters. */
const ENVELOPE = 26;

export async function uploadChunks(s: LinkSession, data: Uint8Array, start: number, o: UploadOptions, counts: UploadCounts): Promise<void> {
  let next = start;
  let sendPtr = start;
  let round = 0;
  let chunk = o.chunk;
  let losses = 0;
  let bytesSent = 0;
  let highest = start;
  const retransmit = new RetransmitTimer(o.timeoutMs, o.minTimeoutMs);
  let lastProgress = performance.now();
  let sends = 0;
  const giveUp = o.tries * o.timeoutMs;
  const inflight = new Map<number, InFlight>();
  const arrived: Array<{ seq: number; f: Frame | null; at: number }> = [];
  let wake: (() => void) | null = null;
  // the range the device holds beyond the hole being resent: [skipFrom, skipTo)
  let skipFrom = -1;
  let skipTo = -1;

  const send = () => {
    if (sendPtr === skipFrom && skipTo > sendPtr) sendPtr = skipTo;
    if (sendPtr >= data.length) return;
    const len = Math.min(chunk, data.length - sendPtr, skipFrom > sendPtr ? skipFrom - sendPtr : Infinity);
    const seq = s.nextSeq();
    s.sendFrame(MSG_CHUNK, seq, new Map<number, number | Uint8Array>([[CQ_OFFSET, sendPtr], [CQ_DATA, data.subarray(sendPtr, sendPtr + len)]]));
    const resent = sendPtr < highest;
    if (resent) counts.resentBytes += Math.min(len, highest - sendPtr);
    inflight.set(seq, { off: sendPtr, len, round, sentAt: performance.now(), resent });
    counts.chunks++;
    bytesSent += len + ENVELOPE;
    sends++;
    sendPtr += len;
    if (sendPtr > highest) highest = sendPtr;
    void s.waitReply(MSG_CHUNK, seq, giveUp).then((f) => {
      arrived.push({ seq, f, at: performance.now() });
      wake?.();
    });
  };
  const goBack = (ahead: number, aheadEnd: number) => {
    round++;
    inflight.clear();
    sendPtr = next;
    skipFrom = ahead > next ? ahead : -1;
    skipTo = ahead > next ? aheadEnd : -1;
    losses++;
    chunk = Math.min(o.chunk, Math.max(o.minChunk, Math.round(Math.sqrt((ENVELOPE * bytesSent) / losses))));
  };
  const oldest = () => {
    let t = Infinity;
    for (const c of inflight.values()) if (c.round === round && c.sentAt < t) t = c.sentAt;
    return t;
  };

  while (next < data.length) {
    while (sendPtr < data.length && inflight.size < o.window && !(sendPtr === skipFrom && skipTo >= data.length)) send();
    if (!arrived.length) {
      const wait = Math.max(1, oldest() + retransmit.rto - performance.now());
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((r) => {
        wake = r;
        timer = setTimeout(r, Number.isFinite(wait) ? wait : retransmit.rto);
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
      retransmit.backOff();
      goBack(-1, -1);
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
    if (mine && !mine.resent && mine.round === round) retransmit.sample(a.at - mine.sentAt);
    if (n > next) {
      next = n;
      sends = 0;
      lastProgress = performance.now();
      o.progress?.(next);
    }
    const ahead = a.f.body.get(CR_AHEAD);
    const aheadEnd = a.f.body.get(CR_AHEAD_END);
    const held = typeof ahead === 'number' && typeof aheadEnd === 'number';
    if (held && ahead === skipFrom && aheadEnd > skipTo) skipTo = aheadEnd;
    if (mine && mine.round === round && n < mine.off + mine.len && n < sendPtr) {
      // a hole: resend it (only it, when the device holds what follows)
      counts.gaps++;
      goBack(held ? ahead : -1, held ? aheadEnd : -1);
    }
  }
}
