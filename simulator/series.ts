/**
 * The samples a replay keeps for its report (the map's track, the signal timelines) while the stream flows past:
 * every sample up to `cap`, so reports of ordinary drives are drawn from the exact stream; past that, a thinned
 * stream whose size stays below `cap` whatever the recording's length.
 *
 * Thinning cuts time into buckets (the width doubles whenever the kept samples reach `cap` again) and keeps, per
 * signal and bucket, the samples with the lowest and the highest value and the last one; positions keep their last
 * sample per bucket (a track needs points, not extremes). The kept stream stays in time order. The report draws one
 * pixel column per 1/1020 of the replay and a bucket holds a few samples per signal, far narrower than a column
 * for any recording long enough to be thinned, so each column's min, max and last value are the stream's own.
 */
import { SampleBuffer, type SampleColumns } from './trace/samples.ts';
import { appendSamples } from './trace/merge.ts';
import { signalMeta } from '../compiler/dsl/catalogue.ts';

/** Samples kept exactly (1 M: 17 MB of columns; an hour of a 100 Hz accelerometer is 1.44 M). */
export const SERIES_CAP = 1 << 20;
const LAT = signalMeta('gnss.lat').id, LON = signalMeta('gnss.lon').id;

export class SeriesKeeper {
  private buf = new SampleBuffer(1 << 12);
  /** Bucket width in ms; 0 while every sample is kept. */
  width = 0;
  private t0 = NaN;
  private cur = NaN;                        // the bucket being gathered
  private readonly active: number[] = [];   // signals seen in it
  private readonly has = new Uint8Array(256);
  private readonly minT = new Float64Array(256);
  private readonly minV = new Float64Array(256);
  private readonly maxT = new Float64Array(256);
  private readonly maxV = new Float64Array(256);
  private readonly lastT = new Float64Array(256);
  private readonly lastV = new Float64Array(256);
  private readonly out: Array<[number, number, number, number]> = []; // t, order, sig, value of one bucket

  constructor(private readonly cap = SERIES_CAP) {}

  /** True once the kept stream is thinned. */
  get thinned(): boolean { return this.width > 0; }

  add(c: SampleColumns): void {
    if (!c.length) return;
    if (this.t0 !== this.t0) this.t0 = c.t[0];
    if (this.width === 0) {
      appendSamples(this.buf, c);
      if (this.buf.length <= this.cap) return;
      // Start where each signal's bucket holds several samples (up to 3 per signal and bucket are kept).
      const seen = new Uint8Array(256);
      let signals = 0;
      for (let i = 0; i < this.buf.length; i++) if (!seen[this.buf.sig[i]]) { seen[this.buf.sig[i]] = 1; signals++; }
      const span = Math.max(1, this.buf.t[this.buf.length - 1] - this.t0);
      this.width = 2 ** Math.ceil(Math.log2(Math.max(1, span * 3 * signals * 2 / this.cap)));
      this.rethin();
      return;
    }
    this.thin(c);
    if (this.buf.length >= this.cap) { this.width *= 2; this.rethin(); }
  }

  /** The kept samples in time order (call after the last add). */
  samples(): SampleColumns {
    this.flush();
    const b = this.buf;
    return { t: b.t.subarray(0, b.length), sig: b.sig.subarray(0, b.length), value: b.value.subarray(0, b.length), length: b.length };
  }

  /** Thins what is kept again at the current width (doubled until it fits in half the cap), into a fresh buffer. */
  private rethin(): void {
    for (;;) {
      const kept = this.samples();
      this.buf = new SampleBuffer(1 << 12);
      this.thin(kept);
      this.flush();
      if (this.buf.length <= this.cap >> 1) return;
      this.width *= 2;
    }
  }

  private thin(c: SampleColumns): void {
    const { t, sig, value } = c, w = this.width, t0 = this.t0, has = this.has;
    const minV = this.minV, maxV = this.maxV;
    for (let i = 0; i < c.length; i++) {
      const g = sig[i], ti = t[i], v = value[i];
      const b = Math.floor((ti - t0) / w);
      if (b !== this.cur) { this.flush(); this.cur = b; }
      if (!has[g]) {
        has[g] = 1;
        this.active.push(g);
        this.minT[g] = this.maxT[g] = this.lastT[g] = ti;
        minV[g] = maxV[g] = this.lastV[g] = v;
        continue;
      }
      if (v < minV[g]) { minV[g] = v; this.minT[g] = ti; }
      if (v > maxV[g]) { maxV[g] = v; this.maxT[g] = ti; }
      this.lastV[g] = v; this.lastT[g] = ti;
    }
  }

  /** Writes the gathered bucket: per signal its lowest, highest and last samples (positions: the last), in time order. */
  private flush(): void {
    const out = this.out;
    for (const g of this.active) {
      this.has[g] = 0;
      const lt = this.lastT[g];
      if (g !== LAT && g !== LON) {
        const a = this.minT[g] <= this.maxT[g];
        const [t1, v1, t2, v2] = a ? [this.minT[g], this.minV[g], this.maxT[g], this.maxV[g]] : [this.maxT[g], this.maxV[g], this.minT[g], this.minV[g]];
        if (t1 !== lt) out.push([t1, 0, g, v1]);
        if (t2 !== lt && t2 !== t1) out.push([t2, 1, g, v2]);
      }
      out.push([lt, 2, g, this.lastV[g]]);
    }
    this.active.length = 0;
    this.cur = NaN;
    out.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
    for (const [t, , g, v] of out) this.buf.push(t, g, v);
    out.length = 0;
  }
}
