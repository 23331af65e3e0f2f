/**
 * Merges several read traces into one time-ordered stream.
 *
 * POLICY (the same as while reading, see order.ts; written into stats as `policy.*`):
 *  - each file's t is shifted by its offset (offsetsMs[i], default 0) before merging;
 *  - samples at equal t keep file order (file 0 first), and within a file their reader's order;
 *  - an input still out of order (read with `backwards: 'sort'` is already sorted, so this only happens
 *    for hand-built inputs) gets the policy at sample level: 'drop' drops each sample earlier than the
 *    file's last kept sample (issue per run of dropped samples, naming the file and sample index),
 *    'sort' sorts the file stably;
 *  - duplicate timestamps are kept; per-file counts are summed into `duplicateTimestamps`;
 *  - gaps are kept; `gaps` sums the per-file gaps, `mergedGaps` counts gaps > gapMs in the merged stream.
 */
import { stableSortByTime } from './order.ts';
import { policyStats, resolvePolicy, type MergePolicy } from './policy.ts';
import type { TraceIssue, TraceResult } from './issues.ts';
import { SampleBuffer, type SampleColumns } from './samples.ts';
import { ResultSource, type TraceSource } from './source.ts';


export interface MergeResult {
  samples: SampleColumns;
  issues: TraceIssue[];
  stats: Record<string, number>;
}

/** Returns `s` if ordered; otherwise an ordered copy per the policy (issues/stats updated). */
function ordered(s: SampleColumns, file: string, policy: MergePolicy, issues: TraceIssue[], stats: Record<string, number>): SampleColumns {
  let sorted = true;
  for (let i = 1; i < s.length; i++) if (s.t[i] < s.t[i - 1]) { sorted = false; break; }
  if (sorted) return s;
  if (policy.backwards === 'sort') {
    const c = { t: s.t.slice(0, s.length), sig: s.sig.slice(0, s.length), value: s.value.slice(0, s.length), length: s.length };
    let jumps = 0;
    for (let i = 1; i < s.length; i++) if (s.t[i] < s.t[i - 1]) jumps++;
    stableSortByTime(c);
    stats.mergeSorted = (stats.mergeSorted ?? 0) + 1;
    stats.timeBackwards = (stats.timeBackwards ?? 0) + jumps;
    issues.push({ file, line: 0, reason: `input not in time order (${jumps} backward step(s)); sorted by time at merge` });
    return c;
  }
  const out = new SampleBuffer(s.length);
  let last = -Infinity, runStart = -1, dropped = 0;
  const flushRun = (end: number) => {
    issues.push({ file, line: 0, reason: `time goes backwards at sample #${runStart}: ${end - runStart} sample(s) earlier than the last kept sample dropped at merge` });
    runStart = -1;
  };
  for (let i = 0; i < s.length; i++) {
    const t = s.t[i];
    if (t < last) {
      if (runStart < 0) { runStart = i; stats.timeBackwards = (stats.timeBackwards ?? 0) + 1; }
      dropped++;
      continue;
    }
    if (runStart >= 0) flushRun(i);
    last = t;
    out.push(t, s.sig[i], s.value[i]);
  }
  if (runStart >= 0) flushRun(s.length);
  stats.mergeDroppedSamples = (stats.mergeDroppedSamples ?? 0) + dropped;
  return out;
}

const SUMMED = ['records', 'timeBackwards', 'droppedBackwards', 'duplicateTimestamps', 'gaps'];

export function mergeTraces(results: TraceResult[], offsetsMs: number[] = [], policy?: Partial<MergePolicy>): MergeResult {
  const p = resolvePolicy(policy);
  const issues: TraceIssue[] = [];
  const stats = mergeStats(results, offsetsMs);
  const inputs: SampleColumns[] = [];
  let total = 0;
  results.forEach((r, i) => {
    for (const is of r.issues) issues.push(is);
    const s = ordered(r.samples, r.file, p, issues, stats);
    inputs.push(s);
    total += s.length;
  });
  const merge = new MergeStream(inputs.map((s, i) => new ResultSource({ ...results[i], samples: s })), offsetsMs, p.gapMs);
  const out = new SampleBuffer(total);
  for (let c = merge.next(); c; c = merge.next()) appendSamples(out, c);
  merge.finishStats(stats, p);
  return { samples: out, issues, stats };
}

/** Appends a chunk to a growable buffer. */
export function appendSamples(out: SampleBuffer, c: SampleColumns): void {
  out.reserve(c.length);
  out.t.set(c.t.subarray(0, c.length), out.length);
  out.sig.set(c.sig.subarray(0, c.length), out.length);
  out.value.set(c.value.subarray(0, c.length), out.length);
  out.length += c.length;
}

/** The merge's stats before merging: files, the per-file counts summed, each file's offset. */
export function mergeStats(results: Array<{ file: string; stats: Record<string, number> }>, offsetsMs: number[]): Record<string, number> {
  const stats: Record<string, number> = { files: results.length };
  for (const k of SUMMED) stats[k] = 0;
  results.forEach((r, i) => {
    for (const k of SUMMED) stats[k] += r.stats[k] ?? 0;
    const off = offsetsMs[i] ?? 0;
    if (!Number.isFinite(off)) throw new Error(`mergeTraces: offset for ${r.file} is not a finite number`);
    stats[`offsetMs.${i}`] = off;
  });
  return stats;
}

/**
 * The k-way merge by time over streams, a chunk of at most `capacity` samples at a time: ties go to the lower file
 * index, and within a file to its order (a stable merge, the same whatever the chunk sizes).
 */
export class MergeStream {
  private readonly chunk: Array<SampleColumns | null>;
  private readonly ended: Uint8Array;
  private readonly head: Int32Array;
  private readonly off: Float64Array;
  private readonly out: SampleColumns;
  private last = NaN;
  /** Samples handed over, gaps > gapMs between consecutive ones. */
  samples = 0;
  mergedGaps = 0;

  constructor(private readonly sources: TraceSource[], offsetsMs: number[], private readonly gapMs: number, capacity = 1 << 16) {
    const k = sources.length;
    this.chunk = new Array<SampleColumns | null>(k).fill(null);
    this.ended = new Uint8Array(k);
    this.head = new Int32Array(k);
    this.off = Float64Array.from(sources, (_, i) => offsetsMs[i] ?? 0);
    this.out = { t: new Float64Array(capacity), sig: new Uint8Array(capacity), value: new Float64Array(capacity), length: 0 };
  }

  /** Source i's chunk with samples left, refilled as needed (null: the source has ended). */
  private live(i: number): SampleColumns | null {
    let c = this.chunk[i];
    if (c !== null && this.head[i] < c.length) return c;
    if (this.ended[i]) return null;
    c = this.sources[i].next();
    this.head[i] = 0;
    this.chunk[i] = c;
    if (c === null) this.ended[i] = 1;
    return c;
  }

  /** The next merged chunk (valid until the next call), or null at the end. */
  next(): SampleColumns | null {
    const { head, off, out } = this;
    const ot = out.t, og = out.sig, ov = out.value, cap = ot.length;
    const k = this.sources.length;
    let n = 0;
    while (n < cap) {
      // earliest head (lowest file index wins ties) and the earliest head among the others
      let best = -1, bestT = Infinity, bound = Infinity, boundIdx = k;
      for (let i = 0; i < k; i++) {
        const c = this.live(i);
        if (c === null) continue;
        const t = c.t[head[i]] + off[i];
        if (t < bestT) {
          if (best >= 0) { bound = bestT; boundIdx = best; }
          best = i; bestT = t;
        } else if (t < bound) { bound = t; boundIdx = i; }
      }
      if (best < 0) break;
      // copy from `best` while it stays ahead of every other head
      const s = this.chunk[best]!, o = off[best];
      let h = head[best];
      const len = s.length;
      while (h < len && n < cap) {
        const t = s.t[h] + o;
        if (t > bound || (t === bound && best > boundIdx)) break;
        ot[n] = t; og[n] = s.sig[h]; ov[n] = s.value[h]; n++; h++;
      }
      head[best] = h;
    }
    if (n === 0) return null;
    let gaps = 0, last = this.last;
    for (let i = 0; i < n; i++) { if (ot[i] - last > this.gapMs) gaps++; last = ot[i]; }
    this.last = last;
    this.mergedGaps += gaps;
    this.samples += n;
    out.length = n;
    return out;
  }

  /** Writes samples, mergedGaps and the policy into the merge's stats (after the last chunk). */
  finishStats(stats: Record<string, number>, p: MergePolicy): void {
    stats.samples = this.samples;
    stats.mergedGaps = this.mergedGaps;
    policyStats(p, stats);
  }
}
