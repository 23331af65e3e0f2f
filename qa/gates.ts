/**
 * QA gates: limits on the corpus figures that turn `edgerule qa` into a release gate (exit code 1 and JUnit XML).
 *
 *   {
 *     "name": "release gates",
 *     "maxFalseAlarmsPer1000h": { "*": 50, "towing": 0, "overall": 200 },   a number applies to every rule
 *     "maxFalseAlarmsPer10000km": 100,
 *     "minDetectionRate": { "*": 0.9 },                                      rules some incident expects
 *     "maxLatencyP95": { "*": "2m", "shock-or-tamper": "5s" },               rules with a detection
 *     "requireCoverage": ["towing"],                                         true: every rule
 *     "maxErrors": 0                                                         drives that could not be replayed
 *   }
 *
 * Keys of a per-rule object are rule names, '*' (each rule the figure applies to) and 'overall' (all rules
 * together). A rule named in a gate that the bundle lacks is an error, not a silent pass.
 */
import { readFileSync } from 'node:fs';
import { Type, type Static, type TSchema } from 'typebox';
import { schemaProblems, ScenarioError } from '../simulator/scenario.ts';
import type { CheckResult, ExpectationReport } from '../simulator/expect.ts';
import { DURATION_PATTERN, formatRel, parseDuration } from '../simulator/time.ts';
import type { LibraryFigures, RuleFigures } from './figures.ts';

const Duration = Type.Union([Type.Number({ minimum: 0 }), Type.String({ pattern: DURATION_PATTERN })]);
const perRule = <T extends TSchema>(t: T) => Type.Union([t, Type.Record(Type.String({ minLength: 1 }), t)]);

export const GatesSchema = Type.Object({
  $schema: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  maxFalseAlarmsPer1000h: Type.Optional(perRule(Type.Number({ minimum: 0 }))),
  maxFalseAlarmsPer10000km: Type.Optional(perRule(Type.Number({ minimum: 0 }))),
  minDetectionRate: Type.Optional(perRule(Type.Number({ minimum: 0, maximum: 1 }))),
  maxLatencyP95: Type.Optional(perRule(Duration)),
  requireCoverage: Type.Optional(Type.Union([Type.Boolean(), Type.Array(Type.String({ minLength: 1 }))])),
  maxErrors: Type.Optional(Type.Integer({ minimum: 0 })),
}, { additionalProperties: false, title: 'edgerule QA gates' });

export type Gates = Static<typeof GatesSchema>;

export function loadGates(file: string, ruleNames: string[]): Gates {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ScenarioError(file, [{ path: '$', message: `cannot read gates: ${(e as Error).message}` }]);
  }
  const problems = schemaProblems(GatesSchema, value);
  if (!problems.length) {
    const known = new Set([...ruleNames, '*', 'overall']);
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        for (const r of Object.keys(v)) if (!known.has(r)) problems.push({ path: `$.${key}[${JSON.stringify(r)}]`, message: `the bundle has no rule '${r}'` });
      }
    }
    const cov = (value as Gates).requireCoverage;
    if (Array.isArray(cov)) cov.forEach((r, i) => { if (!ruleNames.includes(r)) problems.push({ path: `$.requireCoverage[${i}]`, message: `the bundle has no rule '${r}'` }); });
  }
  if (problems.length) throw new ScenarioError(file, problems);
  return value as Gates;
}

type Limit = number | string;

/** (target, limit) pairs of a per-rule gate: '*' expands to the rules `applies` accepts. */
function targets(spec: Limit | Record<string, Limit> | undefined, rules: RuleFigures[], applies: (r: RuleFigures) => boolean): Array<[RuleFigures | 'overall', Limit]> {
  if (spec === undefined) return [];
  const table: Record<string, Limit> = typeof spec === 'object' ? spec : { '*': spec };
  const out: Array<[RuleFigures | 'overall', Limit]> = [];
  for (const r of rules) {
    if (table[r.rule] !== undefined) out.push([r, table[r.rule]]);
    else if (table['*'] !== undefined && applies(r)) out.push([r, table['*']]);
  }
  if (table.overall !== undefined) out.push(['overall', table.overall]);
  return out;
}

export function checkGates(g: Gates, f: LibraryFigures, file = 'gates'): ExpectationReport {
  const cases: CheckResult[] = [];
  const label = (t: RuleFigures | 'overall') => (t === 'overall' ? 'all rules' : t.rule);
  const max = (name: string, value: number | null, limit: number, unit: string) => {
    const ok = value !== null && value <= limit;
    cases.push({ name: `${name} ≤ ${limit}${unit}`, ok, message: ok ? undefined : value === null ? 'no normal driving in the corpus to measure it on' : `${value}${unit}` });
  };
  for (const [t, limit] of targets(g.maxFalseAlarmsPer1000h, f.rules, () => true)) {
    max(`false alarms of ${label(t)} per 1,000 h`, t === 'overall' ? f.overall.per1000h : t.per1000h, Number(limit), '');
  }
  for (const [t, limit] of targets(g.maxFalseAlarmsPer10000km, f.rules, () => true)) {
    max(`false alarms of ${label(t)} per 10,000 km`, t === 'overall' ? f.overall.per10000km : t.per10000km, Number(limit), '');
  }
  for (const [t, limit] of targets(g.minDetectionRate, f.rules, (r) => r.incidents.expected > 0)) {
    const v = t === 'overall' ? f.overall.incidents.rate : t.incidents.rate;
    const ok = v !== null && v >= Number(limit);
    cases.push({ name: `detection rate of ${label(t)} ≥ ${limit}`, ok, message: ok ? undefined : v === null ? 'no incident in the corpus expects it' : `${v} (${t === 'overall' ? `${f.overall.incidents.detected} of ${f.overall.incidents.total}` : `${t.incidents.detected} of ${t.incidents.expected}`})` });
  }
  for (const [t, limit] of targets(g.maxLatencyP95, f.rules, (r) => r.incidents.detected > 0)) {
    const v = t === 'overall' ? f.overall.incidents.p95 : t.incidents.p95;
    const lim = parseDuration(limit);
    const ok = v !== null && v <= lim;
    cases.push({ name: `detection latency p95 of ${label(t)} ≤ ${formatRel(lim)}`, ok, message: ok ? undefined : v === null ? 'never detected an incident' : formatRel(v) });
  }
  if (g.requireCoverage) {
    const names = g.requireCoverage === true ? f.rules.map((r) => r.rule) : g.requireCoverage;
    for (const name of names) {
      const r = f.rules.find((x) => x.rule === name);
      const c = r?.coverage;
      const missing = c ? c.conditions.filter((x) => !(x.trueDrives && x.falseDrives)).map((x) => `${x.text} (${x.trueDrives ? 'never false' : x.falseDrives ? 'never true' : 'never evaluated'})`) : [];
      const ok = !!c?.complete;
      cases.push({
        name: `coverage of ${name}: every sub-condition seen true and false, and fired`, ok,
        message: ok ? undefined : !c ? 'coverage was not measured (--no-coverage)' : `${c.firedDrives ? '' : 'never fired; '}${missing.length} of ${c.conditions.length} sub-conditions not seen both ways`,
        detail: ok ? undefined : missing.join('\n'),
      });
    }
  }
  if (g.maxErrors !== undefined) {
    const ok = f.errors.length <= g.maxErrors;
    cases.push({ name: `drives that could not be replayed ≤ ${g.maxErrors}`, ok, message: ok ? undefined : `${f.errors.length}: ${f.errors[0].message}`, detail: ok ? undefined : f.errors.map((e) => e.message).join('\n') });
  }
  cases.forEach((c) => { if (!c.ok && c.message === undefined) c.message = 'failed'; });
  const failed = cases.filter((c) => !c.ok).length;
  return { name: g.name ?? 'qa gates', suite: `qa gates (${file})`, cases, passed: cases.length - failed, failed, ok: failed === 0 };
}
