/**
 * `edgerule qa` and `edgerule tune` end to end on the example corpus (the shipped drive, plain and with the
 * door-theft scenario): figures, --json, gates with exit codes and JUnit, the baseline diff, the tuning grid,
 * and both HTML pages in headless Chromium (offline, no console errors, every plot element present).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { CHROMIUM, haveChromium as chromiumThere, launchChromium, openOffline } from '../harness/browser.ts';
import { compileFiles } from '../compiler/compile.ts';
import { runCli, type CliResult } from '../harness/cli.ts';
import { PROJECT_ROOT } from '../harness/shared-data.ts';

const haveChromium = chromiumThere();
if (!haveChromium) console.warn(`SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium); the QA pages are not checked in a browser`);
const CORPUS = 'qa/corpora/example.json';

/** `edgerule <args…>` in process (harness/cli.ts): the commands' own code, without a Node start-up per run. */
const edgerule = (...args: string[]) => runCli(args);

let dir: string;
let browser: Browser | undefined;
let qa: CliResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgerule-qa-cli-'));
  writeFileSync(join(dir, 'pass.json'), JSON.stringify({ name: 'release', maxFalseAlarmsPer1000h: { towing: 0 }, minDetectionRate: { '*': 1 }, maxLatencyP95: { 'shock-or-tamper': '1s' }, maxErrors: 0 }));
  qa = await edgerule('qa', '--bundle', 'rules', '--corpus', CORPUS, '--out', join(dir, 'qa'), '--gates', join(dir, 'pass.json'), '--by', 'vehicle', '--jobs', '2', '--quiet');
  if (haveChromium) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

const open = (file: string) => openOffline(browser!, file);

describe('edgerule qa', () => {
  test('figures of the example corpus: every injected incident detected by the rule it expects, with the latency the rules imply', () => {
    expect(qa.code, qa.err).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 'qa', 'qa.json'), 'utf8'));
    const f = r.library;
    expect(f.exposure).toMatchObject({ drives: 2, normalDrives: 1, incidentDrives: 1, incidents: 7 });
    const by = (name: string) => f.rules.find((x: { rule: string }) => x.rule === name);
    expect(f.overall.incidents).toMatchObject({ total: 7, detected: 7, rate: 1 });
    // Thresholds as the library states them: towing held 30 s, power cut debounced 10 s, door at rest 10 min.
    expect(by('towing').incidents).toMatchObject({ expected: 1, detected: 1, p50: 30_000 });
    expect(by('external-power-cut').incidents.p50).toBe(10_000);
    expect(by('door-open-at-rest').incidents.p50).toBe(600_000);
    // The plain drive leaves the depot polygon without a seal: that is the one alert of normal driving.
    expect(f.rules.filter((x: { alerts: number }) => x.alerts).map((x: { rule: string; alerts: number }) => [x.rule, x.alerts])).toEqual([['depot-exit-without-seal', 1]]);
    // Coverage: every sub-condition of towing was seen both ways and it fired; temperature-excursion was never exercised.
    expect(by('towing').coverage.complete).toBe(true);
    expect(by('temperature-excursion').coverage).toMatchObject({ firedDrives: 0, complete: false });
    expect(r.gates).toMatchObject({ ok: true, failed: 0 });
    expect(r.groups).toMatchObject({ tag: 'vehicle', rows: [{ value: 'car', drives: 2, alerts: 1, incidents: 7, detected: 7 }] });
    // The recording starts 18 ms after the drive's local start (21:00 NZDT), shown in UTC and in the drive's zone.
    expect(f.drives[0]).toMatchObject({ start: '2020-10-15T08:00:00.018Z', localStart: '2020-10-15 21:00:00.018 Pacific/Auckland' });
    expect(qa.out).toContain('towing');
    expect(qa.out).toContain('PASS  detection rate of towing ≥ 1');
  });

  test('--json prints the report; a failed gate exits 1 and writes JUnit', async () => {
    writeFileSync(join(dir, 'fail.json'), JSON.stringify({ maxFalseAlarmsPer1000h: { 'depot-exit-without-seal': 0 } }));
    const failed = await edgerule('qa', '--bundle', 'rules', '--corpus', CORPUS, '--json', '--gates', join(dir, 'fail.json'), '--junit', join(dir, 'junit.xml'), '--quiet');
    expect(failed.code).toBe(1);
    const { gates, ...rest } = JSON.parse(failed.out);
    const { gates: _passed, groups: _groups, ...first } = JSON.parse(readFileSync(join(dir, 'qa', 'qa.json'), 'utf8'));
    expect(rest).toEqual(first);
    expect(gates.cases).toEqual([expect.objectContaining({ name: 'false alarms of depot-exit-without-seal per 1,000 h ≤ 0', ok: false })]);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('failures="1"');
  });

  test('--baseline: the events that moved between two libraries, drive by drive', async () => {
    const b0 = join(dir, 'slow-tow.erb');
    const c = await compileFiles([PROJECT_ROOT + 'rules'], { params: { 'tow.hold': '60s' }, cwd: PROJECT_ROOT });
    writeFileSync(b0, c.bytes);
    writeFileSync(b0 + '.map.json', JSON.stringify(c.map));
    const r = await edgerule('qa', '--bundle', 'rules', '--baseline', b0, '--corpus', CORPUS, '--no-coverage', '--json', '--quiet');
    expect(r.code, r.err).toBe(0);
    const b = JSON.parse(r.out).baseline;
    expect(b.diff).toEqual([{ drive: 'quat-21@door-theft', appeared: [{ rule: 'towing', ms: 300_000 }], disappeared: [{ rule: 'towing', ms: 330_000 }] }]);
    expect([b.appeared, b.disappeared]).toEqual([1, 1]);
  });

  test.skipIf(!haveChromium)('qa.html loads offline without errors and draws every rule, detection, coverage cell and gate', async () => {
    const file = join(dir, 'qa', 'qa.html');
    const r = JSON.parse(readFileSync(join(dir, 'qa', 'qa.json'), 'utf8'));
    const { page, problems } = await open(file);
    const rules = r.library.rules as Array<{ rule: string; incidents: { detected: number }; coverage: { conditions: unknown[] } }>;
    expect(await page.locator('#fa-hours rect.bar').count()).toBe(rules.length);
    expect(await page.locator('#fa-km rect.bar').count()).toBe(rules.length);
    expect(await page.locator('#latency circle.dot').count()).toBe(rules.reduce((s, x) => s + x.incidents.detected, 0));
    expect(await page.locator('#coverage rect.cell').count()).toBe(rules.reduce((s, x) => s + x.coverage.conditions.length, 0));
    expect(await page.locator('#coverage circle.fired').count()).toBe(rules.filter((x) => (x as unknown as { coverage: { firedDrives: number } }).coverage.firedDrives).length);
    expect(await page.locator('#gates tr').count()).toBe(r.gates.cases.length);
    expect(await page.locator('#drives tr.drive').count()).toBe(2);
    expect(await page.locator('#groups tr.group').count()).toBe(1);
    expect((await page.locator('#coverage').boundingBox())!.width).toBeGreaterThan(500);
    expect(await page.locator('#coverage rect.cell[data-rule="towing"]').first().locator('title').textContent()).toMatch(/^towing .*rules\/towing\.ts:\d+:\d+; true on \d+, false on \d+ drives$/);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('edgerule tune', () => {
  test('a grid over tow.hold: latency follows the threshold, every point on the Pareto front has no better rival, and tune.html plots them', async () => {
    const r = await edgerule('tune', '--bundle', 'rules', '--rule', 'towing', '--param', 'tow.hold=10s..40s/10s', '--corpus', CORPUS, '--out', join(dir, 'tune'), '--jobs', '2', '--quiet');
    expect(r.code, r.err).toBe(0);
    const t = JSON.parse(readFileSync(join(dir, 'tune', 'tune.json'), 'utf8'));
    expect(t.points.map((p: { params: Record<string, number>; p95: number; alerts: number; pareto: boolean }) => [p.params['tow.hold'], p.p95, p.alerts, p.pareto])).toEqual([
      [10_000, 10_000, 0, true], [20_000, 20_000, 0, false], [30_000, 30_000, 0, false], [40_000, 40_000, 0, false],
    ]);
    expect(r.out).toContain('tuning towing on corpus example drive (2 drives), 4 points');
    const bad = await edgerule('tune', '--bundle', 'rules', '--rule', 'towing', '--param', 'dwell=1h', '--corpus', CORPUS);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--param dwell: rule 'towing' does not use it (used by prolonged-dwell)");
    if (!haveChromium) return;
    const { page, problems } = await open(join(dir, 'tune', 'tune.html'));
    expect(await page.locator('#tradeoff circle.pt').count()).toBe(4);
    expect(await page.locator('#tradeoff circle.pt.pareto').count()).toBe(1);
    expect(await page.locator('#points tr.point').count()).toBe(4);
    expect(problems).toEqual([]);
    await page.close();
  });
});
