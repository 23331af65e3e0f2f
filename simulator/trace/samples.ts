/**
 * The sample stream every trace reader produces: three parallel columns (time, signal id, value)
 * that grow by doubling. One sample = one signal value at one instant; a GNSS fix is several samples
 * sharing a `t`. Samples at equal `t` keep the order the reader pushed them in.
 */

/** t = ms since the Unix epoch (UTC); sig = catalogue signal id; value in catalogue units. */
export interface SampleColumns {
  t: Float64Array;
  sig: Uint8Array;
  value: Float64Array;
  length: number;
}

/** Growable column buffer. Read `t`/`sig`/`value` only after writing is finished (growth replaces them). */
export class SampleBuffer implements SampleColumns {
  t: Float64Array;
  sig: Uint8Array;
  value: Float64Array;
  length = 0;

  constructor(capacity = 1024) {
    const c = Math.max(16, capacity | 0);
    this.t = new Float64Array(c);
    this.sig = new Uint8Array(c);
    this.value = new Float64Array(c);
  }

  get capacity(): number { return this.t.length; }

  /** Makes room for `extra` more samples (doubling), so callers may then write without checks. */
  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.t.length) return;
    let c = this.t.length * 2;
    while (c < need) c *= 2;
    const t = new Float64Array(c); t.set(this.t.subarray(0, this.length)); this.t = t;
    const s = new Uint8Array(c); s.set(this.sig.subarray(0, this.length)); this.sig = s;
    const v = new Float64Array(c); v.set(this.value.subarray(0, this.length)); this.value = v;
  }

  push(t: number, sig: number, value: number): void {
    const n = this.length;
    if (n === this.t.length) this.reserve(1);
    this.t[n] = t;
    this.sig[n] = sig;
    this.value[n] = value;
    this.length = n + 1;
  }

  /** Adds `delta` ms to samples [from, length). */
  shift(delta: number, from = 0): void {
    const t = this.t;
    for (let i = from, n = this.length; i < n; i++) t[i] += delta;
  }
}

/** Exact-size copy (or the same arrays when already exact), detached from the growable buffer. */
export function trimSamples(s: SampleColumns): SampleColumns {
  const n = s.length;
  if (s.t.length === n && s.sig.length === n && s.value.length === n) return { t: s.t, sig: s.sig, value: s.value, length: n };
  return { t: s.t.slice(0, n), sig: s.sig.slice(0, n), value: s.value.slice(0, n), length: n };
}

export function emptySamples(): SampleColumns {
  return { t: new Float64Array(0), sig: new Uint8Array(0), value: new Float64Array(0), length: 0 };
}

/** Number of samples of signal id `sig` (test and report helper). */
export function countSignal(s: SampleColumns, sig: number): number {
  let c = 0;
  for (let i = 0; i < s.length; i++) if (s.sig[i] === sig) c++;
  return c;
}

/** Times and values of one signal id, in stream order (test and report helper). */
export function seriesOf(s: SampleColumns, sig: number): { t: number[]; v: number[] } {
  const t: number[] = [], v: number[] = [];
  for (let i = 0; i < s.length; i++) if (s.sig[i] === sig) { t.push(s.t[i]); v.push(s.value[i]); }
  return { t, v };
}
