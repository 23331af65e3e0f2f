/**
 * Result and issue types shared by every trace reader, and the per-kind issue aggregator.
 *
 * Nothing a reader skips is skipped silently: each skipped line/point/record is either an issue of its
 * own (file:line, or byte offset for CBOR) or, for high-volume benign skips (sentence types the catalogue
 * has no signal for, proprietary sentences), counted in `stats` and reported once per kind with the count
 * and the first line where it occurred.
 */
import type { SampleColumns } from './samples.ts';
import type { MergePolicy } from './policy.ts';
import type { CsvMapping } from './csv-mapping.ts';

export interface TraceIssue {
  file: string;
  /** 1-based line; 0 for binary input (then `offset` is set) and for whole-file issues. */
  line: number;
  /** Byte offset, for binary (CBOR) input. */
  offset?: number;
  reason: string;
  /** The offending text, shortened. */
  text?: string;
}

export interface TraceResult {
  file: string;
  /** 'nmea', 'gpx', 'csv:<preset>', 'jsonl', 'cbor'. */
  format: string;
  samples: SampleColumns;
  issues: TraceIssue[];
  stats: Record<string, number>;
  /** False when the recording carries no calendar date: then t counts from 1970-01-01 (plus day rollovers). */
  hasDate: boolean;
}

export interface ReadOptions {
  /** Force a format instead of detecting it from extension and content. */
  format?: 'nmea' | 'gpx' | 'csv' | 'jsonl' | 'cbor';
  /** CSV: explicit column mapping, or the name of a built-in preset; default: preset detected from the header. */
  csv?: CsvMapping | string;
  /** CSV: the mapping for a header no preset recognises (edgerule simulate --csv-map); without it such a file is refused. */
  csvFallback?: CsvMapping;
  /** Order policy applied while reading (see order.ts); default DEFAULT_POLICY. */
  policy?: Partial<MergePolicy>;
  /**
   * Places undated recordings on the calendar (ignored when the file has a date): CSV with relative time
   * and undated native traces get t = startMs + relative time; NMEA logs without any date keep their UTC
   * time of day and take the UTC day of startMs as their first day.
   */
  startMs?: number;
}

/** Shortens offending text for an issue (binary garbage becomes \xNN escapes). */
export function snippet(s: string, max = 80): string {
  let out = '';
  for (let i = 0; i < s.length && out.length < max; i++) {
    const c = s.charCodeAt(i);
    out += c >= 0x20 && c < 0x7f ? s[i] : '\\x' + c.toString(16).padStart(2, '0');
  }
  return s.length > max || out.length > max ? out.slice(0, max) + '…' : out;
}

/**
 * Collects issues of one kind once (first occurrence), counting every occurrence; `flush` writes the counts.
 * Keys are numbers so counting a repeat allocates nothing; the label and text are built on first sight only.
 */
export class KindCounter {
  private kinds = new Map<number, { label: string; line: number; count: number; text?: string }>();

  /** Counts one more occurrence of `key`; returns false if the key is new (then call `first`). */
  bump(key: number): boolean {
    const e = this.kinds.get(key);
    if (e === undefined) return false;
    e.count++;
    return true;
  }

  first(key: number, label: string, line: number, text?: string): void {
    this.kinds.set(key, { label, line, count: 1, text });
  }

  /** Appends one issue per kind and `stats[prefix + label] = count`. */
  flush(file: string, issues: TraceIssue[], stats: Record<string, number>, prefix: string, describe: (label: string, count: number) => string): void {
    for (const e of this.kinds.values()) {
      stats[prefix + e.label] = (stats[prefix + e.label] ?? 0) + e.count;
      issues.push({ file, line: e.line, reason: describe(e.label, e.count), text: e.text });
    }
  }
}
