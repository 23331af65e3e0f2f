/**
 * The arithmetic of the QA figures on hand-made results (so every number can be checked by hand): false alarms
 * per 1,000 h and per 10,000 km, detection and latency percentiles, "other" alerts, missing results, the
 * baseline diff, first-result-wins collection, gates and their JUnit XML.
 */
import { describe, expect, test } from 'vitest';
import type { Corpus, Drive } from '../qa/corpus.ts';
import type { JobResult } from '../qa/job.ts';
import { baselineDiff, groupFigures, libraryFigures, percentile } from '../qa/figures.ts';
import { checkGates, loadGates } from '../qa/gates.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Collector, makePlan } from '../qa/plan.ts';
import { junitXml } from '../simulator/expect.ts';
import { bundleFrom } from '../simulator/inputs.ts';

const drive = (id: string, kind: 'normal' | 'incident', incidents: Drive['incidents'] = [], tags: Record<string, string> = {}): Drive => ({ id, kind, traces: [`/corpus/${id}.gpx`], incidents, tags, where: `c.json: $.drives[${id}]`, path: `$.drives[${id}]` });
const corpus: Corpus = {
  name: 'hand-made', source: 'c.json', maxGapMs: 300_000, detectWithinMs: 300_000,
  drives: [
    drive('n1', 'normal', [], { vehicle: 'car' }), drive('n2', 'normal', [], { vehicle: 'boat' }),
    drive('i1', 'incident', [
      { from: 60_000, to: 60_000, rules: ['alpha'] },
      { from: 120_000, to: 180_000, rules: ['beta', 'alpha'] },
      { from: 600_000, to: 600_000, rules: [] },
    ], { vehicle: 'car' }),
    drive('e1', 'normal'),
  ],
};
const rules = [{ id: 0, name: 'alpha', severity: 'critical' }, { id: 1, name: 'beta', severity: 'warning' }];
const result = (drive: string, hours: number, km: number, events: Array<[number, number]>): JobResult => ({ job: drive, drive, point: '', bundle: 'b', ok: true, samples: 100, hours, km, events });
const results = [
  result('n1', 1.5, 50, [[0, 1000], [1, 5000], [0, 9000]]),
  result('n2', 0.5, 0, []),
  result('i1', 9, 99, [[1, 5000], [0, 61_000], [1, 200_000], [0, 700_000]]),
  undefined,
];
const figures = () => libraryFigures({ corpus, bundle: { source: 'lib.erb', sha256: 'b' }, rules, results });

describe('library figures', () => {
  test('false alarms are events on normal drives, per 1,000 h and per 10,000 km of normal driving', () => {
    const f = figures();
    expect(f.exposure).toEqual({ drives: 4, normalDrives: 3, incidentDrives: 1, hours: 2, km: 50, samples: 300, incidents: 3 });
    expect(f.rules.map((r) => [r.rule, r.alerts, r.drivesWithAlerts, r.per1000h, r.per10000km])).toEqual([['alpha', 2, 1, 1000, 400], ['beta', 1, 1, 500, 200]]);
    expect([f.overall.alerts, f.overall.per1000h, f.overall.per10000km]).toEqual([3, 1500, 600]);
  });

  test('detection by the rules an incident names, within its window plus detectWithin; latency from the window start', () => {
    const f = figures();
    const [alpha, beta] = f.rules;
    expect(alpha.incidents).toEqual({ expected: 2, detected: 1, rate: 0.5, latenciesMs: [1000], p50: 1000, p95: 1000, max: 1000 });
    expect(beta.incidents).toEqual({ expected: 1, detected: 1, rate: 1, latenciesMs: [80_000], p50: 80_000, p95: 80_000, max: 80_000 });
    // Overall: A by alpha (1 s), B by beta (80 s), C (any rule) by alpha at 700 s (100 s).
    expect(f.overall.incidents).toEqual({ total: 3, detected: 3, rate: 1, p50: 80_000, p95: 100_000, max: 100_000 });
    expect(f.drives[2].incidents.map((x) => x.detected)).toEqual([[{ rule: 'alpha', latencyMs: 1000 }], [{ rule: 'beta', latencyMs: 80_000 }], [{ rule: 'alpha', latencyMs: 100_000 }]]);
    // beta at 5 s lies in no window: an "other" alert, not a false alarm.
    expect([alpha.otherAlerts, beta.otherAlerts]).toEqual([0, 1]);
  });

  test('a drive without a result is an error naming it, and adds no exposure', () => {
    expect(figures().errors).toEqual([{ drive: 'e1', message: 'drive e1: no result' }]);
  });

  test('--by a tag: the false alarms of each group per its own exposure, and its incidents', () => {
    expect(groupFigures(figures(), 'vehicle').rows).toEqual([
      { value: '(none)', drives: 1, hours: 0, km: 0, alerts: 0, per1000h: null, per10000km: null, incidents: 0, detected: 0, rate: null, p50: null, p95: null },
      { value: 'boat', drives: 1, hours: 0.5, km: 0, alerts: 0, per1000h: 0, per10000km: null, incidents: 0, detected: 0, rate: null, p50: null, p95: null },
      { value: 'car', drives: 2, hours: 1.5, km: 50, alerts: 3, per1000h: 2000, per10000km: 600, incidents: 3, detected: 3, rate: 1, p50: 80_000, p95: 100_000 },
    ]);
  });

  test('nearest-rank percentiles', () => {
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 95)).toBe(40);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  test('baseline diff: events that appeared and disappeared, drive by drive', () => {
    const before = libraryFigures({ corpus, bundle: { source: 'old.erb', sha256: 'a' }, rules, results: [result('n1', 1.5, 50, [[0, 1000], [0, 9500]]), ...results.slice(1)] });
    expect(baselineDiff(corpus, figures(), before)).toEqual([{ drive: 'n1', appeared: [{ rule: 'beta', ms: 5000 }, { rule: 'alpha', ms: 9000 }], disappeared: [{ rule: 'alpha', ms: 9500 }] }]);
  });
});

describe('collection', () => {
  test('the first result of each job counts; copies and results of other runs are ignored', () => {
    const bundle = bundleFrom('x', new Uint8Array([1, 2, 3]));
    const plan = makePlan({ ...corpus, drives: corpus.drives.slice(0, 2) }, [{ bundle, point: '' }], false);
    const seen: number[] = [];
    const c = new Collector(plan, (p) => seen.push(p.done));
    const r0 = { ...results[0]!, job: plan.jobs[0].id };
    expect(c.add(r0)).toBe(true);
    expect(c.add({ ...r0, hours: 99 })).toBe(false);
    expect(c.add({ ...r0, job: 'not-in-this-run' })).toBe(false);
    expect(c.complete).toBe(false);
    c.add({ ...results[1]!, job: plan.jobs[1].id });
    expect(c.complete).toBe(true);
    expect(c.progress).toEqual({ done: 2, total: 2, errors: 0, duplicates: 1, samples: 200 });
    expect(c.results.get(plan.jobs[0].id)!.hours).toBe(1.5);
    expect(seen).toEqual([1, 2]);
  });
});

describe('gates', () => {
  test('a gates file is validated: unreadable, malformed, or naming a rule the bundle lacks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgerule-gates-'));
    expect(() => loadGates(join(dir, 'nope.json'), ['alpha'])).toThrow(`${join(dir, 'nope.json')}: $: cannot read gates: ENOENT`);
    writeFileSync(join(dir, 'g.json'), JSON.stringify({ maxFalseAlarmsPer1000h: { gamma: 1 }, minDetectionRate: 2, requireCoverage: ['delta'] }));
    expect(() => loadGates(join(dir, 'g.json'), ['alpha'])).toThrow(`${join(dir, 'g.json')}: $.minDetectionRate: must be <= 1 or must be object`);
    writeFileSync(join(dir, 'g.json'), JSON.stringify({ maxFalseAlarmsPer1000h: { gamma: 1 }, requireCoverage: ['delta'] }));
    let message = '';
    try { loadGates(join(dir, 'g.json'), ['alpha']); } catch (e) { message = (e as Error).message; }
    expect(message.split('\n')).toEqual([
      `${join(dir, 'g.json')}: $.maxFalseAlarmsPer1000h["gamma"]: the bundle has no rule 'gamma'`,
      `${join(dir, 'g.json')}: $.requireCoverage[0]: the bundle has no rule 'delta'`,
    ]);
  });

  test('limits per rule, for every rule and overall; each failure says by how much; JUnit XML for CI', () => {
    const g = checkGates({ maxFalseAlarmsPer1000h: { '*': 800, overall: 2000 }, minDetectionRate: 0.9, maxLatencyP95: '1m', requireCoverage: ['beta'], maxErrors: 0 }, figures(), 'gates.json');
    expect(g.cases.map((c) => `${c.ok ? 'PASS' : 'FAIL'} ${c.name}${c.message ? ` — ${c.message}` : ''}`)).toEqual([
      'FAIL false alarms of alpha per 1,000 h ≤ 800 — 1000',
      'PASS false alarms of beta per 1,000 h ≤ 800',
      'PASS false alarms of all rules per 1,000 h ≤ 2000',
      'FAIL detection rate of alpha ≥ 0.9 — 0.5 (1 of 2)',
      'PASS detection rate of beta ≥ 0.9',
      'PASS detection latency p95 of alpha ≤ 1m00s',
      'FAIL detection latency p95 of beta ≤ 1m00s — 1m20s',
      'FAIL coverage of beta: every sub-condition seen true and false, and fired — coverage was not measured (--no-coverage)',
      'FAIL drives that could not be replayed ≤ 0 — 1: drive e1: no result',
    ]);
    expect(g.ok).toBe(false);
    const xml = junitXml([g], 'edgerule qa', 'edgerule.qa');
    expect(xml).toContain('<testsuites name="edgerule qa" tests="9" failures="5" errors="0">');
    expect(xml).toContain('<testcase classname="edgerule.qa.qa_gates" name="false alarms of beta per 1,000 h ≤ 800"/>');
    expect(xml).toContain('<failure message="0.5 (1 of 2)" type="expectation">');
  });
});
