/**
 * The upload loop: chunks at explicit offsets, a window of them in flight, go-back-N on a gap the device
 * reports (its reply names the next offset it expects) or on a timeout, and a chunk size that halves on each
 * loss and grows back after a run of clean chunks. The device's next offset is authoritative: nothing is
 * counted as sent until the device says it has it.
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
  timeoutMs: number;
  tries: number;
  progress?: (next: number) => void;
}

export interface UploadCounts { chunks: number; resentBytes: number; gaps: number; timeouts: number }

/** The device lost its upload session (it restarted): BEGIN again. */
export class SessionLost extends Error {}

interface InFlight { off: number; len: number; round: number }

export async function uploadChunks(s: LinkSession, data: Uint8Array, start: number, o: UploadOptions, counts: UploadCounts): Promise<void> {
  let next = start;
  let sendPtr = start;
  let round = 0;
  let tries = 0;
  let chunk = o.chunk;
  let clean = 0;
  let highest = start;
  const inflight = new Map<number, InFlight>();
  const arrived: Array<{ seq: number; f: Frame | null }> = [];
  let wake: (() => void) | null = null;

  const send = () => {
    const len = Math.min(chunk, data.length - sendPtr);
    const seq = s.nextSeq();
    s.sendFrame(MSG_CHUNK, seq, new Map<number, number | Uint8Array>([[CQ_OFFSET, sendPtr], [CQ_DATA, data.subarray(sendPtr, sendPtr + len)]]));
    if (sendPtr < highest) counts.resentBytes += Math.min(len, highest - sendPtr);
    inflight.set(seq, { off: sendPtr, len, round });
    counts.chunks++;
    sendPtr += len;
    if (sendPtr > highest) highest = sendPtr;
    void s.waitReply(MSG_CHUNK, seq, o.timeoutMs).then((f) => {
      arrived.push({ seq, f });
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

  while (next < data.length) {
    while (sendPtr < data.length && inflight.size < o.window) send();
    if (!arrived.length) await new Promise<void>((r) => { wake = r; });
    wake = null;
    const { seq, f } = arrived.shift()!;
    const mine = inflight.get(seq);
    inflight.delete(seq);
    if (!f) {
      if (!mine || mine.round !== round) continue;
      if (s.closed) throw new LinkError(`${s.closed} while awaiting the reply to UPLOAD offset ${mine.off}`, 'closed');
      counts.timeouts++;
      if (++tries >= o.tries) throw new LinkError(`no reply to UPLOAD offset ${next} after ${o.tries} tries (${o.timeoutMs} ms each)`, 'timeout');
      goBack();
      continue;
    }
    const st = status(f.body);
    if (st === ST_NO_SESSION) throw new SessionLost('the device lost the upload session');
    if (st !== ST_OK) throw new Error(`UPLOAD offset ${mine?.off ?? '?'} refused: ${statusText(st)}`);
    const n = f.body.get(CR_NEXT);
    if (typeof n !== 'number') throw new Error('UPLOAD reply without the next offset');
    if (n > next) {
      next = n;
      tries = 0;
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
