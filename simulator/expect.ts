/**
 * QA gates: an expectations file turns a replay into pass/fail (exit code) and JUnit XML for CI.
 *
 *   {
 *     "name": "door theft on the quat-orient trip",
 *     "tolerance": "5s",                                   default for `at` (default 5 s)
 *     "expect": [
 *       { "rule": "towing", "at": "5m10s", "tolerance": "20s" },        ≥ 1 event within at ± tolerance
 *       { "rule": "shock-or-tamper", "within": ["4m", "5m"], "count": 1 }, exactly 1 in the window
 *       { "rule": "position-jump", "count": { "min": 1, "max": 2 } }     over the whole replay
 *     ],
 *     "forbid": [
 *       { "rule": "door-opened-away-from-stops" },          never
 *       { "rule": "*", "within": ["0s", "45s"] }            no event at all in the window
 *     ],
 *     "onlyExpected": false                                 true: any event no `expect` window covers fails
 *   }
 *
 * Times count from the start of the recording, like scenario times. A rule name the bundle does not know is an
 * error, not a silent pass.
 */
import { terminalText, xmlText } from '../cli/safe-text.ts';
import { readFileSync } from 'node:fs';
import { Type, type Static } from 'typebox';
import type { SimEvent } from './run.ts';
import { SEVERITY_NAMES } from '../runtime/engine/severity.ts';
import { schemaProblems, ScenarioError } from './scenario.ts';
import { DURATION_PATTERN, formatRel, parseDuration } from './time.ts';

const Time = Type.Union([Type.Number({ minimum: 0 }), Type.String({ pattern: DURATION_PATTERN })], { description: 'time from the start of the recording' });
const Severity = Type.Union(SEVERITY_NAMES.map((name) => Type.Literal(name)));
const Count = Type.Union([
  Type.Integer({ minimum: 0 }),
  Type.Object({ min: Type.Optional(Type.Integer({ minimum: 0 })), max: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false }),
]);

export const Expect = Type.Object({
  rule: Type.String({ minLength: 1 }),
  at: Type.Optional(Time),
  tolerance: Type.Optional(Time),
  within: Type.Optional(Type.Tuple([Time, Time])),
  severity: Type.Optional(Severity),
  count: Type.Optional(Count),
  why: Type.Optional(Type.String()),
}, { additionalProperties: false });

export const Forbid = Type.Object({
  rule: Type.String({ minLength: 1, description: "rule name, or '*' for any rule" }),
  within: Type.Optional(Type.Tuple([Time, Time])),
  severity: Type.Optional(Severity),
  why: Type.Optional(Type.String()),
}, { additionalProperties: false });

export const ExpectationsSchema = Type.Object({
  $schema: Type.Optional(Type.String()),
  name: Type.String({ minLength: 1 }),
  tolerance: Type.Optional(Time),
  expect: Type.Optional(Type.Array(Expect)),
  forbid: Type.Optional(Type.Array(Forbid)),
  onlyExpected: Type.Optional(Type.Boolean()),
}, { additionalProperties: false, title: 'edgerule replay expectations' });

export type Expectations = Static<typeof ExpectationsSchema>;

export function validateExpectations(value: unknown, file: string, ruleNames?: string[]): Expectations {
  const problems = schemaProblems(ExpectationsSchema, value);
  if (!problems.length) {
    const x = value as Expectations;
    const known = ruleNames && ruleNames.length ? new Set(ruleNames) : undefined;
    const check = (list: Array<{ rule: string; at?: unknown; within?: [number | string, number | string] }> | undefined, key: string) => list?.forEach((e, i) => {
      if (known && e.rule !== '*' && !known.has(e.rule)) problems.push({ path: `$.${key}[${i}].rule`, message: `the bundle has no rule '${e.rule}' (rules: ${[...known].join(', ')})` });
      if (key === 'expect' && e.rule === '*') problems.push({ path: `$.${key}[${i}].rule`, message: "'*' only makes sense in forbid" });
      if (e.at !== undefined && e.within) problems.push({ path: `$.${key}[${i}]`, message: "give either 'at' (± tolerance) or 'within', not both" });
      if (e.within && !(parseDuration(e.within[1]) >= parseDuration(e.within[0]))) problems.push({ path: `$.${key}[${i}].within`, message: 'the window ends before it starts' });
    });
    check(x.expect, 'expect');
    check(x.forbid, 'forbid');
    x.expect?.forEach((e, i) => {
      if (typeof e.count === 'object' && e.count.min !== undefined && e.count.max !== undefined && e.count.min > e.count.max) problems.push({ path: `$.expect[${i}].count`, message: 'min is above max' });
    });
  }
  if (problems.length) throw new ScenarioError(file, problems);
  return value as Expectations;
}

export function loadExpectations(path: string, ruleNames?: string[]): Expectations {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ScenarioError(path, [{ path: '$', message: `cannot read expectations: ${(e as Error).message}` }]);
  }
  return validateExpectations(value, path, ruleNames);
}

export interface CheckResult { name: string; ok: boolean; message?: string; detail?: string }
export interface ExpectationReport { name: string; suite: string; cases: CheckResult[]; passed: number; failed: number; ok: boolean }

function countText(c: Static<typeof Count> | undefined): string {
  if (c === undefined) return '';
  if (typeof c === 'number') return ` ×${c}`;
  return ` ×${c.min ?? 0}…${c.max ?? '∞'}`;
}

/** Checks events (rel = ms since the recording start) against expectations. */
export function checkExpectations(x: Expectations, events: SimEvent[], suite = x.name): ExpectationReport {
  const cases: CheckResult[] = [];
  const defTol = x.tolerance !== undefined ? parseDuration(x.tolerance) : 5000;
  const covered = new Set<number>();
  for (const e of x.expect ?? []) {
    let from = -Infinity, to = Infinity, where = '';
    if (e.at !== undefined) {
      const at = parseDuration(e.at), tol = e.tolerance !== undefined ? parseDuration(e.tolerance) : defTol;
      from = at - tol; to = at + tol; where = ` at +${formatRel(at)} ±${formatRel(tol)}`;
    } else if (e.within) {
      from = parseDuration(e.within[0]); to = parseDuration(e.within[1]); where = ` within +${formatRel(from)}…+${formatRel(to)}`;
    }
    const ofRule = events.filter((ev) => ev.rule === e.rule && (!e.severity || ev.severity === e.severity));
    const hits = ofRule.filter((ev) => ev.rel >= from && ev.rel <= to);
    for (const h of hits) covered.add(h.index);
    const min = e.count === undefined ? 1 : typeof e.count === 'number' ? e.count : e.count.min ?? 0;
    const max = e.count === undefined ? Infinity : typeof e.count === 'number' ? e.count : e.count.max ?? Infinity;
    const name = `expect ${e.rule}${e.severity ? ` (${e.severity})` : ''}${where}${countText(e.count)}`;
    const ok = hits.length >= min && hits.length <= max;
    let message: string | undefined;
    if (!ok) {
      const counted = where ? `${hits.length} event(s) in the window` : `fired ${hits.length} time(s)`;
      if (!ofRule.length) message = `${e.rule} never fired`;
      else if (hits.length < min && where) {
        const centre = (from + to) / 2;
        const nearest = ofRule.reduce((a, b) => (Math.abs(b.rel - centre) < Math.abs(a.rel - centre) ? b : a));
        message = `${counted}, expected at least ${min}; nearest ${e.rule} at +${formatRel(nearest.rel)}`;
      } else if (hits.length < min) message = `${counted}, expected at least ${min}`;
      else message = `${counted}, expected at most ${max}`;
    }
    cases.push({ name, ok, message, detail: ok ? undefined : eventList(ofRule) + (e.why ? `\nwhy: ${e.why}` : '') });
  }
  for (const f of x.forbid ?? []) {
    const from = f.within ? parseDuration(f.within[0]) : -Infinity, to = f.within ? parseDuration(f.within[1]) : Infinity;
    const hits = events.filter((ev) => (f.rule === '*' || ev.rule === f.rule) && (!f.severity || ev.severity === f.severity) && ev.rel >= from && ev.rel <= to);
    const name = `forbid ${f.rule === '*' ? 'any event' : f.rule}${f.severity ? ` (${f.severity})` : ''}${f.within ? ` within +${formatRel(from)}…+${formatRel(to)}` : ''}`;
    cases.push({
      name, ok: !hits.length,
      message: hits.length ? `${hits.length} forbidden event(s), first ${hits[0].rule} at +${formatRel(hits[0].rel)}` : undefined,
      detail: hits.length ? eventList(hits) + (f.why ? `\nwhy: ${f.why}` : '') : undefined,
    });
  }
  if (x.onlyExpected) {
    const extra = events.filter((ev) => !covered.has(ev.index));
    cases.push({
      name: 'only expected events', ok: !extra.length,
      message: extra.length ? `${extra.length} event(s) no expectation covers, first ${extra[0].rule} at +${formatRel(extra[0].rel)}` : undefined,
      detail: extra.length ? eventList(extra) : undefined,
    });
  }
  const failed = cases.filter((c) => !c.ok).length;
  return { name: x.name, suite, cases, passed: cases.length - failed, failed, ok: failed === 0 };
}

function eventList(events: SimEvent[]): string {
  if (!events.length) return 'no events of this rule';
  return events.slice(0, 20).map((e) => `+${formatRel(e.rel)} ${e.rule} (${e.severity})`).join('\n') + (events.length > 20 ? `\n… ${events.length - 20} more` : '');
}

const attr = (s: string) => xmlText(s, true);

/** JUnit XML for CI (GitLab, Jenkins, GitHub test reporters): one testsuite per replay, one testcase per check. */
export function junitXml(reports: ExpectationReport[], name = 'edgerule simulate', classPrefix = 'edgerule.simulate'): string {
  const tests = reports.reduce((s, r) => s + r.cases.length, 0);
  const failures = reports.reduce((s, r) => s + r.failed, 0);
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="${attr(name)}" tests="${tests}" failures="${failures}" errors="0">`];
  for (const r of reports) {
    out.push(`  <testsuite name="${attr(r.suite)}" tests="${r.cases.length}" failures="${r.failed}" errors="0" skipped="0">`);
    for (const c of r.cases) {
      const cls = `${classPrefix}.${r.name.replace(/[^A-Za-z0-9_-]+/g, '_')}`;
      if (c.ok) out.push(`    <testcase classname="${attr(cls)}" name="${attr(c.name)}"/>`);
      else out.push(`    <testcase classname="${attr(cls)}" name="${attr(c.name)}">\n      <failure message="${attr(c.message ?? 'failed')}" type="expectation">${xmlText(c.detail ?? '')}</failure>\n    </testcase>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

export function expectationText(r: ExpectationReport, color?: (c: 'green' | 'red', s: string) => string): string {
  const paint = color ?? ((_c: 'green' | 'red', s: string) => s);
  const lines = [`expectations ${terminalText(r.name)}: ${r.passed} passed, ${r.failed} failed`];
  for (const c of r.cases) lines.push(`  ${c.ok ? paint('green', 'PASS') : paint('red', 'FAIL')}  ${terminalText(c.name)}${c.message ? ` — ${terminalText(c.message)}` : ''}`);
  return lines.join('\n');
}
