/**
 * Durations and times as people write them in scenario and expectation files, and as reports print them.
 *
 *   a number           milliseconds                  90000
 *   "<n><unit>…"       units ms, s, m/min, h          "90s", "5m30s", "1h 2m", "250ms", "1.5s"
 *   "[h:]mm:ss[.fff]"  clock notation                 "5:30", "1:02:03.5"
 * All relative times count from the start of the replayed recording (its first sample).
 */

export const DURATION_PATTERN = '^\\s*(?:(?:\\d+(?:\\.\\d+)?\\s*(?:ms|s|sec|m|min|h)\\s*)+|(?:\\d+:)?\\d{1,2}:\\d{1,2}(?:\\.\\d+)?)\\s*$';
const UNIT_RE = /(\d+(?:\.\d+)?)\s*(ms|sec|s|min|m|h)/g;
const CLOCK_RE = /^\s*(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)\s*$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** Parses a duration (see above); NaN when malformed. */
export function parseDuration(v: number | string): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  const clock = CLOCK_RE.exec(v);
  if (clock) return (Number(clock[1] ?? 0) * 3600 + Number(clock[2]) * 60 + Number(clock[3])) * 1000;
  if (!new RegExp(DURATION_PATTERN).test(v)) return NaN;
  let ms = 0;
  for (const m of v.matchAll(UNIT_RE)) ms += Number(m[1]) * UNIT_MS[m[2]];
  return ms;
}

/** "1h02m03.500s"-style compact text of a relative time (ms ≥ 0), stable across runs. */
export function formatRel(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const neg = ms < 0;
  let rest = Math.abs(ms);
  const h = Math.floor(rest / 3_600_000); rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000); rest -= m * 60_000;
  const s = rest / 1000;
  const sText = Number.isInteger(s) ? String(s) : s.toFixed(3).replace(/0+$/, '');
  const padded = (sText.split('.')[0].length < 2 ? '0' : '') + sText;
  const out = h ? `${h}h${String(m).padStart(2, '0')}m${padded}s` : m ? `${m}m${padded}s` : `${sText}s`;
  return (neg ? '-' : '') + out;
}

/** ISO 8601 UTC with milliseconds; times outside the Date range print as their number. */
export function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

/** Wall-clock duration for summaries: "850 ms", "12.3 s", "4 min 05 s". */
export function formatWall(ms: number): string {
  if (ms < 1000) return `${ms.toFixed(0)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${String(Math.round((ms - m * 60_000) / 1000)).padStart(2, '0')} s`;
}
