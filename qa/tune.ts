/**
 * Threshold tuning: a grid of parameter values (param() in the DSL), one bundle per point, every drive of the
 * corpus replayed per point, and per point the tuned rule's false alarms and detection latency, with the Pareto
 * front (points no other point beats on false alarms, detection rate and p95 latency at once).
 *
 * Each point is compiled, not patched: the rules are loaded once and only lowering and emission run per point
 * (a few ms), and the result is by construction the bundle `edgerule compile --set` gives. Patching constants
 * in place is not equivalent: the constant pool is ordered by use, stores f32-exact values in 4 bytes and shares
 * equal values, so a new value can move or merge constants (test/qa-params.test.ts shows both facts).
 */
import type { Rule, Profile } from '../compiler/dsl/rule.ts';
import { compileRules } from '../compiler/compile.ts';
import { declaredParams } from '../compiler/lower.ts';
import { parseParamValue } from '../compiler/dsl/param.ts';
import { bundleFrom, type LoadedBundle } from '../simulator/inputs.ts';
import type { LibraryFigures } from './figures.ts';

export interface Axis { name: string; unit: string; values: number[] }

/** "dwell=10min..60min/5min" or "dwell=10min,20min,45min" → the values, in the parameter's unit. */
export function parseAxis(text: string, rules: Rule[]): Axis {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new RangeError(`--param ${text}: expected <name>=<from>..<to>/<step> or <name>=<v1>,<v2>,…`);
  const name = text.slice(0, eq).trim();
  const decl = declaredParams(rules).get(name);
  if (!decl) throw new RangeError(`--param ${text}: no rule declares a parameter '${name}' (parameters: ${[...declaredParams(rules).keys()].sort().join(', ') || 'none'})`);
  const spec = text.slice(eq + 1);
  const range = /^(.+?)\.\.(.+?)\/(.+)$/.exec(spec);
  let values: number[];
  if (range) {
    const [from, to, step] = range.slice(1).map((v) => parseParamValue(v, decl.unit, name));
    if (!(step > 0) || !(to >= from)) throw new RangeError(`--param ${text}: need from ≤ to and a step > 0`);
    const n = Math.floor((to - from) / step + 1e-9) + 1;
    if (n > 1000) throw new RangeError(`--param ${text}: ${n} values; at most 1000 per parameter`);
    // from + k·step, not repeated addition: no drift, and the last value is exactly `to` when the step divides the range.
    values = Array.from({ length: n }, (_, k) => from + k * step);
  } else {
    values = spec.split(',').map((v) => parseParamValue(v, decl.unit, name));
  }
  for (const v of values) {
    if ((decl.min !== undefined && v < decl.min) || (decl.max !== undefined && v > decl.max)) {
      throw new RangeError(`--param ${text}: ${v} ${decl.unit} is outside the range of '${name}' [${decl.min ?? '-∞'}, ${decl.max ?? '∞'}] ${decl.unit}`);
    }
  }
  return { name, unit: decl.unit, values: [...new Set(values)] };
}

/** Every combination of the axes' values, first axis slowest. */
export function grid(axes: Axis[]): Array<Record<string, number>> {
  let points: Array<Record<string, number>> = [{}];
  for (const a of axes) points = points.flatMap((p) => a.values.map((v) => ({ ...p, [a.name]: v })));
  return points;
}

export function pointKey(p: Record<string, number>): string {
  return Object.entries(p).map(([k, v]) => `${k}=${v}`).join(',');
}

/** One bundle per point, compiled from rules loaded once. */
export function pointBundles(rules: Rule[], profile: Profile, source: string, points: Array<Record<string, number>>, cwd?: string): LoadedBundle[] {
  return points.map((p) => {
    const c = compileRules(rules, profile, cwd, p);
    return bundleFrom(`${source} [${pointKey(p)}]`, c.bytes, c.map, c.emitted.geometries.map((g) => g.name));
  });
}

export interface TunePoint {
  params: Record<string, number>;
  bundle: string;
  alerts: number;
  per1000h: number | null;
  per10000km: number | null;
  expected: number;
  detected: number;
  rate: number | null;
  p50: number | null;
  p95: number | null;
  max: number | null;
  pareto: boolean;
}

export function tunePoint(params: Record<string, number>, f: LibraryFigures, rule: string): TunePoint {
  const r = f.rules.find((x) => x.rule === rule)!;
  return {
    params, bundle: f.bundle.sha256, alerts: r.alerts, per1000h: r.per1000h, per10000km: r.per10000km,
    expected: r.incidents.expected, detected: r.incidents.detected, rate: r.incidents.rate, p50: r.incidents.p50, p95: r.incidents.p95, max: r.incidents.max, pareto: false,
  };
}

/** Marks the points that no other point dominates (false alarms ↓, detection rate ↑, p95 latency ↓). */
export function markPareto(points: TunePoint[]): TunePoint[] {
  const fa = (p: TunePoint) => p.per1000h ?? p.alerts;
  const rate = (p: TunePoint) => p.rate ?? 0;
  const lat = (p: TunePoint) => p.p95 ?? Infinity;
  for (const p of points) {
    p.pareto = !points.some((q) => q !== p && fa(q) <= fa(p) && rate(q) >= rate(p) && lat(q) <= lat(p) && (fa(q) < fa(p) || rate(q) > rate(p) || lat(q) < lat(p)));
  }
  return points;
}

/** What `edgerule tune` reports (tune.json). */
export interface TuneReport {
  corpus: { name: string; source: string; drives: number };
  rule: string;
  axes: Axis[];
  points: TunePoint[];
  errors: Array<{ point: string; drive: string; message: string }>;
}
