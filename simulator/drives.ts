/**
 * Which recordings belong to one drive, and which merges a person would not intend.
 *
 * Files are merged into one replay by time, so a merge is only meaningful when the files record the same trip.
 * Two files belong together when they record different signals over overlapping times (a trip's GPS and its
 * accelerometer), or when one continues the other within the gap limit (a log cut into hourly files). Two files
 * that record the same signal over overlapping times are two devices or two trips, never one drive.
 *
 *   mergeWarnings  — for files a user names together (`--trace a --trace b`): merged as asked, with an issue for a
 *                    dated file mixed with an undated one, an overlap of the same signals without a stated offset,
 *                    and every gap longer than the limit (within a file or between files).
 *   groupDrives    — for `--batch` folders: the files split into drives by the rule above, each decision said.
 */
import type { TraceIssue, TraceResult } from './trace/index.ts';
import { iso } from './time.ts';
import { SIGNAL_NAME_BY_ID } from '../compiler/signals.generated.ts';

/** Gaps longer than this are reported (and, in --batch, keep files apart) unless --max-gap says otherwise. */
export const DEFAULT_MAX_GAP_MS = 3_600_000;

/** What merging needs to know of a read file: its time span (offset applied), its signals, whether it is dated. */
export interface Span { file: string; first: number; last: number; signals: Set<number>; hasDate: boolean; samples: number }

export function spanOf(r: TraceResult, offsetMs = 0): Span {
  const s = r.samples;
  const signals = new Set<number>();
  let first = Infinity, last = -Infinity;
  for (let i = 0; i < s.length; i++) {
    signals.add(s.sig[i]);
    if (s.t[i] < first) first = s.t[i];
    if (s.t[i] > last) last = s.t[i];
  }
  return { file: r.file, first: first + offsetMs, last: last + offsetMs, signals, hasDate: r.hasDate, samples: s.length };
}

/** "2.6 years", "84 days", "5.2 h", "12 min", "45 s": a gap as a person reads it. */
export function humanSpan(ms: number): string {
  const units: Array<[number, string]> = [[365.25 * 86_400_000, 'years'], [86_400_000, 'days'], [3_600_000, 'h'], [60_000, 'min'], [1000, 's']];
  for (const [size, name] of units) if (ms >= size * (name === 'years' || name === 'days' ? 2 : 1)) return `${+(ms / size).toPrecision(2)} ${name}`;
  return `${ms} ms`;
}

function sharedSignals(a: Span, b: Span): string[] {
  return [...a.signals].filter((s) => b.signals.has(s)).sort((x, y) => x - y).map((s) => SIGNAL_NAME_BY_ID[s] ?? `#${s}`);
}

function overlaps(a: Span, b: Span): boolean {
  return a.first <= b.last && b.first <= a.last;
}

function signalList(names: string[]): string {
  return names.length > 4 ? `${names.slice(0, 4).join(', ')} and ${names.length - 4} more` : names.join(', ');
}

/** Gaps longer than `maxGapMs` between consecutive samples of one file (samples are in time order). */
export function gapsIn(r: TraceResult, maxGapMs: number): TraceIssue[] {
  const out: TraceIssue[] = [];
  const t = r.samples.t;
  for (let i = 1; i < r.samples.length; i++) {
    const gap = t[i] - t[i - 1];
    if (gap > maxGapMs) {
      out.push({ file: r.file, line: 0, reason: `gap of ${humanSpan(gap)} in the recording (nothing from ${iso(t[i - 1])} to ${iso(t[i])}): the replay's clock jumps over it; timers fire inside it (a longer gap limit: --max-gap)` });
    }
  }
  return out;
}

/**
 * Issues for a merge of the files a user named together. `offsets[i]` is the offset stated for file i (undefined:
 * none stated); `placed` says whether undated files were put on the calendar (--start).
 */
export function mergeWarnings(results: TraceResult[], offsets: Array<number | undefined>, opts: { maxGapMs: number; placed: boolean }): TraceIssue[] {
  const issues: TraceIssue[] = [];
  const all = results.map((r, i) => ({ span: spanOf(r, offsets[i] ?? 0), offset: offsets[i] }));
  const spans = all.filter((x) => x.span.samples > 0).map((x) => x.span);
  for (const r of results) issues.push(...gapsIn(r, opts.maxGapMs));
  if (spans.length < 2) return issues;
  const dated = spans.filter((s) => s.hasDate);
  if (!opts.placed && dated.length && dated.length < spans.length) {
    for (const s of spans.filter((x) => !x.hasDate)) {
      issues.push({ file: s.file, line: 0, reason: `has no date (times since its start) but ${dated[0].file} has one: merged as given, it is placed at ${iso(s.first)}, far from the dated file; give --start <iso date-time> to place it (and --offset to align it)` });
    }
  }
  const withSamples = all.filter((x) => x.span.samples > 0);
  withSamples.forEach(({ span: b, offset }, j) => {
    if (offset !== undefined) return; // an offset was stated for it: the overlap is what the user asked for
    for (const { span: a } of withSamples.slice(0, j)) {
      const shared = sharedSignals(a, b);
      if (!shared.length || !overlaps(a, b)) continue;
      issues.push({ file: b.file, line: 0, reason: `overlaps ${a.file} in time (${iso(Math.max(a.first, b.first))} to ${iso(Math.min(a.last, b.last))}) and both record ${signalList(shared)}: their samples interleave; if one continues the other give --offset, if they are two devices or two trips replay them separately` });
    }
  });
  const order = [...spans].sort((a, b) => a.first - b.first);
  let end = order[0].last, endFile = order[0].file;
  for (const s of order.slice(1)) {
    if (s.first - end > opts.maxGapMs) {
      issues.push({ file: s.file, line: 0, reason: `starts ${humanSpan(s.first - end)} after ${endFile} ends (${iso(end)} to ${iso(s.first)}): merged as given, the replay's clock jumps over the gap; are these one drive? (a longer gap limit: --max-gap)` });
    }
    if (s.last > end) { end = s.last; endFile = s.file; }
  }
  return issues;
}

export interface DriveGroups {
  /** Indexes into the files given, one array per drive, in order of their first file. */
  drives: number[][];
  /** What was decided and why, one sentence each. */
  notes: string[];
}

/** Splits the files of one folder into drives (see the top of this file); files without samples are left out. */
export function groupDrives(results: TraceResult[], maxGapMs: number, name: (file: string) => string): DriveGroups {
  const spans = results.map((r) => spanOf(r));
  const notes: string[] = [];
  const live = spans.map((_, i) => i).filter((i) => spans[i].samples > 0);
  for (const i of spans.map((_, k) => k).filter((k) => spans[k].samples === 0)) notes.push(`${name(spans[i].file)} left out: no samples`);
  // Connected components of "belongs with": different signals overlapping, or same-trip continuation within the gap limit.
  const parent = live.map((i) => i);
  const find = (k: number): number => { while (parent[k] !== k) k = parent[k] = parent[parent[k]]; return k; };
  const at = new Map(live.map((i, k) => [i, k]));
  for (let x = 0; x < live.length; x++) {
    for (let y = x + 1; y < live.length; y++) {
      const a = spans[live[x]], b = spans[live[y]];
      const together = overlaps(a, b) ? sharedSignals(a, b).length === 0 : Math.max(a.first, b.first) - Math.min(a.last, b.last) <= maxGapMs;
      if (together) parent[find(x)] = find(y);
    }
  }
  const components = new Map<number, number[]>();
  for (const i of live) {
    const root = find(at.get(i)!);
    components.set(root, [...(components.get(root) ?? []), i]);
  }
  const drives: number[][] = [];
  for (const files of components.values()) {
    const clash = firstClash(files.map((i) => spans[i]));
    if (clash) {
      notes.push(`${files.map((i) => name(spans[i].file)).join(', ')} not merged: ${name(clash[0].file)} and ${name(clash[1].file)} both record ${signalList(sharedSignals(clash[0], clash[1]))} over the same time, so they are not one drive; each file replays on its own (put each drive's files in a folder of their own to merge them)`);
      for (const i of files) drives.push([i]);
    } else {
      if (files.length > 1) notes.push(`merged ${files.map((i) => name(spans[i].file)).join(' + ')}: ${mergeReason(files.map((i) => spans[i]))}`);
      drives.push(files);
    }
  }
  drives.sort((a, b) => a[0] - b[0]);
  const apart = whyApart([...components.values()].map((files) => files.map((i) => spans[i])), maxGapMs);
  if (apart.length) notes.push(`${components.size} separate drives: ${apart.join('; ')}`);
  return { drives, notes };
}

/** Why files of different components were not merged, each reason once. */
function whyApart(components: Span[][], maxGapMs: number): string[] {
  const why = new Set<string>();
  for (let x = 0; x < components.length; x++) {
    for (let y = x + 1; y < components.length; y++) {
      for (const a of components[x]) {
        for (const b of components[y]) {
          if (overlaps(a, b)) why.add('some record the same signals over the same time (two devices or two trips)');
          else why.add(`some are more than ${humanSpan(maxGapMs)} apart (a longer gap limit: --max-gap)`);
        }
      }
    }
  }
  return [...why].sort();
}

/** Two files of a component that record the same signal at the same time, if any. */
function firstClash(spans: Span[]): [Span, Span] | undefined {
  for (let x = 0; x < spans.length; x++) {
    for (let y = x + 1; y < spans.length; y++) if (overlaps(spans[x], spans[y]) && sharedSignals(spans[x], spans[y]).length) return [spans[x], spans[y]];
  }
  return undefined;
}

function mergeReason(spans: Span[]): string {
  const anyOverlap = spans.some((a, x) => spans.some((b, y) => y > x && overlaps(a, b)));
  return anyOverlap ? 'they record different signals over the same time' : 'one continues the other in time, within the gap limit';
}
