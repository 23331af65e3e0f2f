/**
 * Time-order policy, applied record by record while a file is read (where the line is known) and again
 * by mergeTraces for any input that is still out of order.
 *
 * POLICY (also written into every result's stats as `policy.*`):
 *  - time going backwards within a file: with `backwards: 'drop'` (default) a record earlier than the last
 *    kept record is dropped, every dropped record gets an issue with its file:line, `droppedBackwards`
 *    counts them and `timeBackwards` counts the jumps (a run of dropped records is one jump).
 *    With `backwards: 'sort'` nothing is dropped: each jump gets one issue and is counted, and the file's
 *    samples are stably sorted by t at the end.
 *  - duplicate timestamps (a record with the same t as the previous record): kept, counted in
 *    `duplicateTimestamps`.
 *  - gaps (consecutive records more than `gapMs`, default 30 s, apart): kept, counted in `gaps`.
 *  - values outside the catalogue range of their signal are not replayed: counted in
 *    `outOfRange.<signal>` and reported once per signal (first line), the rest of the record is kept.
 * A "record" is what one reader step produces at one instant: an NMEA epoch, a GPX point, a CSV row,
 * a native record.
 */
import { SampleBuffer, type SampleColumns } from './samples.ts';
import { policyStats, type MergePolicy } from './policy.ts';
import { KindCounter, type TraceIssue } from './issues.ts';
import { Catalogue, SIGNAL_BY_ID, SIGNAL_NAMES, signalMeta } from '../../compiler/dsl/catalogue.ts';

/** Catalogue range per signal id: values outside it are not replayed (counted, reported once per signal). */
export const SIG_MIN = new Float64Array(256).fill(-Infinity);
export const SIG_MAX = new Float64Array(256).fill(Infinity);
for (const name of SIGNAL_NAMES) {
  const s = Catalogue[name] as unknown as { minimum: number; maximum: number };
  SIG_MIN[signalMeta(name).id] = s.minimum;
  SIG_MAX[signalMeta(name).id] = s.maximum;
}

export function timeOfDay(t: number): string {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString().slice(11, 23);
}

/**
 * Receives records in file order, applies the policy, and writes kept samples into its columns.
 * Hot readers may write samples directly: reserve(k), then T/S/V[n++] (range-checking with
 * SIG_MIN/SIG_MAX and calling rejectRange for values outside), then store n back.
 */
export class RecordSink {
  /** t of the current record (valid after begin()). */
  t = 0;
  T: Float64Array;
  S: Uint8Array;
  V: Float64Array;
  n = 0;
  /** Binary input: the position given to begin() is a byte offset, reported as `offset`. */
  byteOffsets = false;
  private lastT = -Infinity;   // last kept record (drop mode) / previous record (sort mode)
  private lastLine = 0;
  private line = 0;
  private inDrop = false;
  private unordered = false;
  private range = new KindCounter();
  records = 0;
  dropped = 0;
  jumps = 0;
  dups = 0;
  gaps = 0;

  /** Owns the columns; T/S/V are its arrays, kept as fields for the readers' hot loops. */
  private readonly buf: SampleBuffer;

  constructor(readonly file: string, readonly issues: TraceIssue[], readonly policy: MergePolicy, capacity = 1024) {
    this.buf = new SampleBuffer(capacity);
    this.T = this.buf.t;
    this.S = this.buf.sig;
    this.V = this.buf.value;
  }

  /** Starts a record at time t (from source line `line`); false = dropped by the policy, push nothing. */
  begin(t: number, line: number): boolean {
    const last = this.lastT;
    if (t < last) {
      if (this.policy.backwards === 'drop') {
        if (!this.inDrop) this.jumps++;
        this.inDrop = true;
        this.dropped++;
        this.issues.push({
          ...this.where(line),
          reason: `time goes backwards: ${timeOfDay(t)} is ${fmtMs(last - t)} before the last kept record (${this.posName(this.lastLine)}); record dropped`,
        });
        return false;
      }
      this.jumps++;
      this.unordered = true;
      this.issues.push({
        ...this.where(line),
        reason: `time goes backwards: ${timeOfDay(t)} is ${fmtMs(last - t)} before the previous record (${this.posName(this.lastLine)}); kept, file sorted by time`,
      });
    } else if (t === last) {
      this.dups++;
    } else if (t - last > this.policy.gapMs && this.records > 0) {
      this.gaps++;
    }
    this.inDrop = false;
    this.lastT = t;
    this.lastLine = line;
    this.line = line;
    this.t = t;
    this.records++;
    return true;
  }

  private where(pos: number): TraceIssue {
    return this.byteOffsets ? { file: this.file, line: 0, offset: pos, reason: '' } : { file: this.file, line: pos, reason: '' };
  }

  private posName(pos: number): string {
    return this.byteOffsets ? `offset ${pos}` : `line ${pos}`;
  }

  /** Room for `k` more samples (grows by doubling). */
  reserve(k: number): void {
    if (this.n + k <= this.T.length) return;
    this.buf.length = this.n;
    this.buf.reserve(k);
    this.T = this.buf.t;
    this.S = this.buf.sig;
    this.V = this.buf.value;
  }

  push(sig: number, value: number): void {
    if (value < SIG_MIN[sig] || value > SIG_MAX[sig]) { this.rejectRange(sig, value); return; }
    const n = this.n;
    if (n === this.T.length) this.reserve(1);
    this.T[n] = this.t;
    this.S[n] = sig;
    this.V[n] = value;
    this.n = n + 1;
  }

  /** Counts a value outside its catalogue range (reported once per signal at finish). */
  rejectRange(sig: number, value: number): void {
    if (!this.range.bump(sig)) {
      this.range.first(sig, SIGNAL_BY_ID[sig], this.line, `${SIGNAL_BY_ID[sig]} = ${value}`);
    }
  }

  /** Samples handed over by take() so far. */
  private taken = 0;

  /**
   * Hands over the samples written since the last take (views of the columns, valid until the next write) and
   * starts again at the front: a reader that streams holds one block's samples at a time. Only in 'drop' mode
   * (sorting needs the whole file).
   */
  take(): SampleColumns {
    if (this.policy.backwards === 'sort') throw new Error(`${this.file}: a file read with backwards: 'sort' is sorted as a whole, not handed over in parts`);
    const n = this.n;
    this.taken += n;
    this.n = 0;
    return { t: this.T.subarray(0, n), sig: this.S.subarray(0, n), value: this.V.subarray(0, n), length: n };
  }

  /** Adds delta to every sample written so far (NMEA: the date became known after undated epochs). */
  shiftAll(delta: number): void {
    const T = this.T;
    for (let i = 0, n = this.n; i < n; i++) T[i] += delta;
    this.lastT += delta;
  }

  /** Applies end-of-file policy (sorting) and writes the counts into stats. */
  finish(stats: Record<string, number>): SampleBuffer {
    const out = this.buf;
    out.length = this.n;
    if (this.unordered) stableSortByTime(out);
    const firstRange = this.issues.length;
    this.range.flush(this.file, this.issues, stats, 'outOfRange.', (name, c) =>
      `${c} ${name} value(s) outside the catalogue range [${SIG_MIN[signalMeta(name as never).id]}, ${SIG_MAX[signalMeta(name as never).id]}] not replayed (first in this record)`);
    if (this.byteOffsets) for (let i = firstRange; i < this.issues.length; i++) { const is = this.issues[i]; is.offset = is.line; is.line = 0; }
    stats.records = this.records;
    stats.samples = this.taken + out.length;
    stats.timeBackwards = this.jumps;
    stats.droppedBackwards = this.dropped;
    stats.duplicateTimestamps = this.dups;
    stats.gaps = this.gaps;
    policyStats(this.policy, stats);
    return out;
  }
}

function fmtMs(ms: number): string {
  return ms >= 10_000 ? `${+(ms / 1000).toFixed(1)} s` : `${+ms.toFixed(3)} ms`;
}

/** Stable in-place sort of a column set by t. */
export function stableSortByTime(s: SampleColumns): void {
  const n = s.length;
  const t = s.t;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => (t[a] - t[b]) || (a - b));
  const t2 = new Float64Array(n), g2 = new Uint8Array(n), v2 = new Float64Array(n);
  for (let i = 0; i < n; i++) { const j = idx[i]; t2[i] = t[j]; g2[i] = s.sig[j]; v2[i] = s.value[j]; }
  s.t.set(t2); s.sig.set(g2); s.value.set(v2);
}
