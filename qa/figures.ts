/**
 * Figures from job results: false alarms on normal drives (per 1,000 h and per 10,000 km), detection rate and
 * latency on incident drives, coverage of each rule's sub-conditions, and the diff against a baseline library.
 *
 * Deterministic: results are taken in corpus order (never arrival order), so the same results give the same
 * bytes whichever machine or thread produced them and in whatever order they arrived.
 *
 *   false alarm      an event of any rule on a normal drive
 *   detection        for an incident window [from, to] that names rules, the first event of each named rule in
 *                    [from, to + detectWithin]; a window naming no rule is detected by the first event of any rule
 *   latency          event time − from; p50/p95 are nearest-rank percentiles over the detected incidents
 *   other alerts     events on incident drives that detect no window (reported, not counted as false alarms)
 */
import type { Corpus, Drive, Incident } from './corpus.ts';
import type { JobResult } from './job.ts';
import type { RuleConditions } from './conditions.ts';
import { iso } from '../simulator/time.ts';
import { localTime } from './zone.ts';

export interface RuleInfoLite { id: number; name: string; severity: string }

export interface CoverageCell { at: number; text: string; loc?: string; role: 'condition' | 'sub'; trueDrives: number; falseDrives: number }

export interface RuleFigures {
  rule: string;
  severity: string;
  alerts: number;
  drivesWithAlerts: number;
  per1000h: number | null;
  per10000km: number | null;
  incidents: { expected: number; detected: number; rate: number | null; latenciesMs: number[]; p50: number | null; p95: number | null; max: number | null };
  otherAlerts: number;
  coverage?: { firedDrives: number; conditions: CoverageCell[]; complete: boolean };
}

export interface DriveFigures {
  id: string;
  kind: 'normal' | 'incident';
  tags: Record<string, string>;
  /** First sample, UTC, and in the drive's time zone when it has one. */
  start?: string;
  localStart?: string;
  samples: number;
  hours: number;
  km: number;
  events: Array<{ rule: string; ms: number }>;
  incidents: Array<Incident & { detected: Array<{ rule: string; latencyMs: number }> }>;
  error?: string;
}

export interface LibraryFigures {
  bundle: { source: string; sha256: string; rules: number };
  exposure: { drives: number; normalDrives: number; incidentDrives: number; hours: number; km: number; samples: number; incidents: number };
  overall: {
    alerts: number; per1000h: number | null; per10000km: number | null;
    incidents: { total: number; detected: number; rate: number | null; p50: number | null; p95: number | null; max: number | null };
  };
  rules: RuleFigures[];
  drives: DriveFigures[];
  errors: Array<{ drive: string; message: string }>;
}

export interface DiffEntry { drive: string; appeared: Array<{ rule: string; ms: number }>; disappeared: Array<{ rule: string; ms: number }> }

const r3 = (v: number) => Math.round(v * 1000) / 1000;
/** Per-drive exposure keeps more digits: groups sum it, and a 3.6 s step (0.001 h) would distort short drives. */
const r6 = (v: number) => Math.round(v * 1e6) / 1e6;
const rate = (n: number, d: number, per: number) => (d > 0 ? r3(n / d * per) : null);

/** Nearest-rank percentile of sorted values (null when empty). */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.max(0, Math.ceil(p / 100 * sorted.length) - 1)];
}

function latencyStats(values: number[]): { p50: number | null; p95: number | null; max: number | null } {
  const s = [...values].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), max: s.length ? s[s.length - 1] : null };
}

export interface FigureInputs {
  corpus: Corpus;
  bundle: { source: string; sha256: string };
  rules: RuleInfoLite[];
  /** Result of each drive, in corpus order (undefined: no result, counted as an error). */
  results: Array<JobResult | undefined>;
  conditions?: RuleConditions[];
}

/** First event of `rule` (any rule when undefined) inside the incident's detection window. */
function detect(events: Array<[number, number]>, rule: number | undefined, x: Incident, within: number): number | undefined {
  for (const [id, ms] of events) if ((rule === undefined || id === rule) && ms >= x.from && ms <= x.to + within) return ms;
  return undefined;
}

export function libraryFigures(inp: FigureInputs): LibraryFigures {
  const { corpus } = inp;
  const byName = new Map(inp.rules.map((r) => [r.name, r]));
  const nameOf = (id: number) => inp.rules.find((r) => r.id === id)?.name ?? `rule#${id}`;
  const blank = (rule: string, severity: string): RuleFigures => ({
    rule, severity, alerts: 0, drivesWithAlerts: 0, per1000h: null, per10000km: null,
    incidents: { expected: 0, detected: 0, rate: null, latenciesMs: [], p50: null, p95: null, max: null }, otherAlerts: 0,
  });
  const figs = new Map<string, RuleFigures>(inp.rules.map((r) => [r.name, blank(r.name, r.severity)]));
  // A rule the sidecar does not name (a bundle without one) still gets a row.
  const fig = (name: string) => figs.get(name) ?? figs.set(name, blank(name, '?')).get(name)!;
  let hours = 0, km = 0, samples = 0, totalIncidents = 0;
  const overallLat: number[] = [];
  let overallDetected = 0;
  const drives: DriveFigures[] = [];
  const errors: LibraryFigures['errors'] = [];
  corpus.drives.forEach((d: Drive, i) => {
    const res = inp.results[i];
    const df: DriveFigures = { id: d.id, kind: d.kind, tags: d.tags, samples: 0, hours: 0, km: 0, events: [], incidents: [] };
    drives.push(df);
    if (!res || !res.ok) {
      const message = res?.error ?? `drive ${d.id}: no result`;
      df.error = message;
      errors.push({ drive: d.id, message });
      return;
    }
    df.samples = res.samples; df.hours = r6(res.hours); df.km = r6(res.km);
    if (res.t0 !== undefined) {
      df.start = iso(res.t0);
      if (d.timeZone) df.localStart = `${localTime(res.t0, d.timeZone)} ${d.timeZone}`;
    }
    df.events = res.events.map(([id, ms]) => ({ rule: nameOf(id), ms }));
    samples += res.samples;
    if (d.kind === 'normal') {
      hours += res.hours; km += res.km;
      const fired = new Set<string>();
      for (const e of df.events) { fig(e.rule).alerts++; fired.add(e.rule); }
      for (const r of fired) fig(r).drivesWithAlerts++;
      return;
    }
    const explained = new Set<number>();
    for (const x of d.incidents) {
      totalIncidents++;
      const detected: Array<{ rule: string; latencyMs: number }> = [];
      const candidates = x.rules.length ? x.rules.map((n) => byName.get(n)?.id ?? -1) : [undefined];
      let first: number | undefined;
      for (const id of candidates) {
        const at = detect(res.events, id, x, corpus.detectWithinMs);
        if (at !== undefined) {
          if (id !== undefined) detected.push({ rule: nameOf(id), latencyMs: at - x.from });
          if (first === undefined || at < first) first = at;
        }
      }
      if (first !== undefined && !x.rules.length) {
        const ev = res.events.find(([, ms]) => ms === first)!;
        detected.push({ rule: nameOf(ev[0]), latencyMs: first - x.from });
      }
      for (const name of x.rules) {
        const f = fig(name);
        f.incidents.expected++;
        const hit = detected.find((h) => h.rule === name);
        if (hit) { f.incidents.detected++; f.incidents.latenciesMs.push(hit.latencyMs); }
      }
      if (first !== undefined) { overallDetected++; overallLat.push(first - x.from); }
      res.events.forEach(([id, ms], k) => {
        if (ms >= x.from && ms <= x.to + corpus.detectWithinMs && (!x.rules.length || x.rules.includes(nameOf(id)))) explained.add(k);
      });
      df.incidents.push({ ...x, detected });
    }
    res.events.forEach(([id], k) => { if (!explained.has(k)) fig(nameOf(id)).otherAlerts++; });
  });
  const coverage = coverageByRule(inp);
  const rules = [...figs.values()].sort((a, b) => (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)).map((f) => {
    const lat = latencyStats(f.incidents.latenciesMs);
    return {
      ...f, per1000h: rate(f.alerts, hours, 1000), per10000km: rate(f.alerts, km, 10_000),
      incidents: { ...f.incidents, latenciesMs: [...f.incidents.latenciesMs].sort((a, b) => a - b), rate: f.incidents.expected ? r3(f.incidents.detected / f.incidents.expected) : null, ...lat },
      ...(coverage.has(f.rule) ? { coverage: coverage.get(f.rule)! } : {}),
    };
  });
  const alerts = rules.reduce((s, f) => s + f.alerts, 0);
  const normalDrives = corpus.drives.filter((d) => d.kind === 'normal').length;
  return {
    bundle: { source: inp.bundle.source, sha256: inp.bundle.sha256, rules: inp.rules.length },
    exposure: { drives: corpus.drives.length, normalDrives, incidentDrives: corpus.drives.length - normalDrives, hours: r3(hours), km: r3(km), samples, incidents: totalIncidents },
    overall: {
      alerts, per1000h: rate(alerts, hours, 1000), per10000km: rate(alerts, km, 10_000),
      incidents: { total: totalIncidents, detected: overallDetected, rate: totalIncidents ? r3(overallDetected / totalIncidents) : null, ...latencyStats(overallLat) },
    },
    rules, drives, errors,
  };
}

/** Per rule: on how many drives each sub-condition was seen true and false, and the rule fired. */
function coverageByRule(inp: FigureInputs): Map<string, NonNullable<RuleFigures['coverage']>> {
  const out = new Map<string, NonNullable<RuleFigures['coverage']>>();
  if (!inp.conditions) return out;
  const ok = inp.results.filter((r): r is JobResult => !!r?.ok);
  const bits = ok.map((r) => new Map(r.probes ?? []));
  for (const rc of inp.conditions) {
    const conditions = rc.conditions.map((c) => ({
      ...c, trueDrives: bits.filter((b) => ((b.get(c.at) ?? 0) & 1) !== 0).length, falseDrives: bits.filter((b) => ((b.get(c.at) ?? 0) & 2) !== 0).length,
    }));
    const firedDrives = ok.filter((r) => r.events.some(([id]) => id === rc.ruleId)).length;
    out.set(rc.rule, { firedDrives, conditions, complete: firedDrives > 0 && conditions.every((c) => c.trueDrives > 0 && c.falseDrives > 0) });
  }
  return out;
}

/** Events that appeared or disappeared between the baseline library and this one, drive by drive. */
export function baselineDiff(corpus: Corpus, current: LibraryFigures, baseline: LibraryFigures): DiffEntry[] {
  const key = (e: { rule: string; ms: number }) => `${e.rule}\u0000${e.ms}`;
  const out: DiffEntry[] = [];
  corpus.drives.forEach((d, i) => {
    const now = current.drives[i], before = baseline.drives[i];
    if (now.error || before.error) return;
    const a = new Set(now.events.map(key)), b = new Set(before.events.map(key));
    const appeared = now.events.filter((e) => !b.has(key(e)));
    const disappeared = before.events.filter((e) => !a.has(key(e)));
    if (appeared.length || disappeared.length) out.push({ drive: d.id, appeared, disappeared });
  });
  return out;
}

export interface GroupRow {
  value: string;
  drives: number;
  hours: number;
  km: number;
  alerts: number;
  per1000h: number | null;
  per10000km: number | null;
  incidents: number;
  detected: number;
  rate: number | null;
  p50: number | null;
  p95: number | null;
}

/**
 * The overall figures per value of one tag (vehicle, lane, …): false alarms on that group's normal drives per
 * its own hours and km, detection of its incidents. Drives without the tag form the group "(none)".
 */
export function groupFigures(f: LibraryFigures, tag: string): { tag: string; rows: GroupRow[] } {
  const groups = new Map<string, DriveFigures[]>();
  for (const d of f.drives) {
    const v = d.tags[tag] ?? '(none)';
    groups.set(v, [...(groups.get(v) ?? []), d]);
  }
  const rows = [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([value, ds]): GroupRow => {
    const ok = ds.filter((d) => !d.error);
    const normal = ok.filter((d) => d.kind === 'normal');
    const hours = normal.reduce((s, d) => s + d.hours, 0), km = normal.reduce((s, d) => s + d.km, 0);
    const alerts = normal.reduce((s, d) => s + d.events.length, 0);
    const incidents = ok.flatMap((d) => d.incidents);
    const lat = incidents.filter((x) => x.detected.length).map((x) => Math.min(...x.detected.map((h) => h.latencyMs)));
    const stats = latencyStats(lat);
    return {
      value, drives: ds.length, hours: r3(hours), km: r3(km), alerts, per1000h: rate(alerts, hours, 1000), per10000km: rate(alerts, km, 10_000),
      incidents: incidents.length, detected: lat.length, rate: incidents.length ? r3(lat.length / incidents.length) : null, p50: stats.p50, p95: stats.p95,
    };
  });
  return { tag, rows };
}
