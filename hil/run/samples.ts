/**
 * The samples of an injected run as the device receives them (docs/PROTOCOL.md, "Injected runs"): the simulator's
 * replayed stream (after the scenario), times relative to the replay's origin, packed into INJECT payloads of
 * entries — tag (signal id, bit 7: a time follows), the time as f64 when it changes, the value as f64 — and a
 * group-end tag after a frame's last sample when the next sample has a later time (so the device evaluates that
 * time at once instead of waiting for the next one).
 */
import { TAG_TIME, TAG_SIGNAL, TAG_GROUP_END, SAMPLE_BYTES, TIME_BYTES } from '../../runtime/link/constants.ts';
import { timeOrigin } from '../../simulator/replay.ts';
import type { SampleColumns } from '../../simulator/trace/samples.ts';

export interface Payload {
  bytes: Uint8Array;
  from: number;
  /** One past the last sample in it. */
  to: number;
  /** It ends with a group-end tag. */
  groupEnd: boolean;
}

export class InjectSource {
  /** Sample times relative to the origin, as the simulator gives them to the runtime. */
  readonly rel: Float64Array;
  readonly origin: number;
  readonly length: number;

  constructor(readonly samples: SampleColumns) {
    if (!samples.length) throw new Error('no samples to inject');
    this.origin = timeOrigin(samples);
    this.length = samples.length;
    this.rel = new Float64Array(samples.length);
    for (let i = 0; i < samples.length; i++) {
      if (samples.sig[i] >= TAG_SIGNAL) throw new Error(`sample ${i}: signal id ${samples.sig[i]} does not fit a sample tag (at most ${TAG_SIGNAL - 1})`);
      this.rel[i] = samples.t[i] - this.origin;
    }
  }

  /** The sample's group ends after it: it is the last one, or the next has a later time. */
  endsGroup(i: number): boolean {
    return i + 1 >= this.length || this.rel[i + 1] !== this.rel[i];
  }

  /** The first index whose time is later than rel time t (length if none). */
  firstAfter(t: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rel[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Samples from `from` on, up to `maxBytes` of entries and not beyond index `limit` (pacing): the first entry
   * always carries its time, so any frame stands on its own.
   */
  payload(from: number, maxBytes: number, limit = this.length): Payload {
    const out = new Uint8Array(maxBytes);
    const dv = new DataView(out.buffer);
    let p = 0;
    let i = from;
    const end = Math.min(limit, this.length);
    while (i < end) {
      const timed = i === from || this.rel[i] !== this.rel[i - 1];
      const n = SAMPLE_BYTES + (timed ? TIME_BYTES : 0);
      if (p + n + 1 > maxBytes) break; // keep a byte for the group-end tag
      out[p++] = this.samples.sig[i] | (timed ? TAG_TIME : 0);
      if (timed) {
        dv.setFloat64(p, this.rel[i], true);
        p += TIME_BYTES;
      }
      dv.setFloat64(p, this.samples.value[i], true);
      p += 8;
      i++;
    }
    const groupEnd = i > from && this.endsGroup(i - 1);
    if (groupEnd) out[p++] = TAG_GROUP_END;
    return { bytes: out.subarray(0, p), from, to: i, groupEnd };
  }
}
