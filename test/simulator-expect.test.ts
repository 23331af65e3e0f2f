// QA gates: expectations → pass/fail, exit code and JUnit XML.
import { beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle, type LoadedBundle } from '../simulator/inputs.ts';
import { simulate, type SimResult } from '../simulator/run.ts';
import { loadScenario } from '../simulator/scenario.ts';
import { checkExpectations, junitXml, loadExpectations, validateExpectations } from '../simulator/expect.ts';
import { runCli } from '../harness/cli.ts';

const QUAT = ['examples/quat-orient/gps.2020-10-15-21.csv', 'examples/quat-orient/accel.2020-10-15-21.csv'];
let bundle: LoadedBundle;
let result: SimResult;

beforeAll(async () => {
  bundle = await loadBundle('rules');
  const scenario = { file: 'examples/scenarios/door-theft.json', scenario: await loadScenario('examples/scenarios/door-theft.json') };
  result = simulate({ bundle, traces: QUAT, startMs: Date.parse('2020-10-15T21:00:00+13:00'), scenario });
});

const names = () => bundle.rules.map((r) => r.name);

describe('expectations', () => {
  test('the shipped door-theft expectations pass', () => {
    const x = loadExpectations('examples/scenarios/door-theft.expect.json', names());
    const r = checkExpectations(x, result.events);
    expect(r.cases.filter((c) => !c.ok)).toEqual([]);
    expect(r).toMatchObject({ ok: true, passed: 12, failed: 0 });
  });

  test('a missed time window, a wrong count, a forbidden event and an unexpected event each fail with a reason', () => {
    const x = validateExpectations({
      name: 'strict',
      expect: [
        { rule: 'towing', at: '4m00s', tolerance: '10s' },
        { rule: 'door-open-at-rest', count: 2 },
        { rule: 'shock-or-tamper', within: ['4m', '5m'], count: { min: 1, max: 1 } },
        { rule: 'temperature-excursion' },
      ],
      forbid: [{ rule: 'gnss-loss-while-moving' }, { rule: '*', severity: 'warning', within: ['20m', '30m'] }],
      onlyExpected: true,
    }, 'strict.json', names());
    const r = checkExpectations(x, result.events);
    const byName = Object.fromEntries(r.cases.map((c) => [c.name, c]));
    expect(byName['expect towing at +4m00s ±10s']).toMatchObject({ ok: false, message: '0 event(s) in the window, expected at least 1; nearest towing at +5m00s' });
    expect(byName['expect door-open-at-rest ×2']).toMatchObject({ ok: false, message: 'fired 1 time(s), expected at least 2' });
    expect(byName['expect shock-or-tamper within +4m00s…+5m00s ×1…1']).toMatchObject({ ok: true });
    expect(byName['expect temperature-excursion']).toMatchObject({ ok: false, message: 'temperature-excursion never fired' });
    expect(byName['forbid gnss-loss-while-moving']).toMatchObject({ ok: false, message: '1 forbidden event(s), first gnss-loss-while-moving at +2m10s' });
    expect(byName['forbid any event (warning) within +20m00s…+30m00s']).toMatchObject({ ok: false, message: '1 forbidden event(s), first reseal-missing-after-door at +28m00s' });
    expect(byName['only expected events'].ok).toBe(false);
    expect(r).toMatchObject({ ok: false, passed: 1, failed: 6 });

    const xml = junitXml([r]);
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="edgerule simulate" tests="7" failures="6" errors="0">/);
    expect(xml).toContain('<testcase classname="edgerule.simulate.strict" name="expect shock-or-tamper within +4m00s…+5m00s ×1…1"/>');
    expect(xml).toContain('<failure message="temperature-excursion never fired" type="expectation">no events of this rule</failure>');
    expect(xml.match(/<failure /g)).toHaveLength(6);
  });

  test('invalid expectation files are refused naming file and JSON path; unknown rules are errors', () => {
    expect(() => validateExpectations({ name: 'x', expect: [{ rule: 'tow-ing', at: '5m' }] }, 'x.json', names())).toThrow("x.json: $.expect[0].rule: the bundle has no rule 'tow-ing'");
    expect(() => validateExpectations({ name: 'x', expect: [{ rule: 'towing', at: 'then' }] }, 'x.json')).toThrow(/x\.json: \$\.expect\[0\]\.at: must be number or must match pattern/);
    expect(() => validateExpectations({ name: 'x', forbid: [{ rule: 'towing', within: ['5m', '1m'] }] }, 'x.json')).toThrow('x.json: $.forbid[0].within: the window ends before it starts');
    expect(() => validateExpectations({ name: 'x', expect: [{ rule: 'towing', at: '1m', within: ['0s', '2m'] }] }, 'x.json')).toThrow("x.json: $.expect[0]: give either 'at' (± tolerance) or 'within', not both");
    expect(() => validateExpectations({ name: 'x', expect: [{ rule: 'towing', count: { min: 3, max: 1 } }] }, 'x.json')).toThrow('x.json: $.expect[0].count: min is above max');
  });

  test('CLI: --expect sets the exit code, --junit writes the XML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgerule-expect-'));
    const failing = join(dir, 'failing.json');
    writeFileSync(failing, JSON.stringify({ name: 'fails', expect: [{ rule: 'towing', at: '1m' }] }));
    const base = ['simulate', '--bundle', 'rules', '--start', '2020-10-15T21:00:00+13:00', '--trace', QUAT[0], '--trace', QUAT[1], '--scenario', 'examples/scenarios/door-theft.json', '--quiet'];
    const pass = await runCli([...base, '--expect', 'examples/scenarios/door-theft.expect.json', '--junit', join(dir, 'pass.xml')]);
    expect(pass.code, pass.err).toBe(0);
    expect(pass.out).toContain('12 passed, 0 failed');
    expect(readFileSync(join(dir, 'pass.xml'), 'utf8')).toContain('tests="12" failures="0"');
    const fail = await runCli([...base, '--expect', failing, '--junit', join(dir, 'fail.xml')]);
    expect(fail.code).toBe(1);
    expect(fail.out).toContain('FAIL  expect towing at +1m00s ±5s — 0 event(s) in the window, expected at least 1; nearest towing at +5m00s');
    expect(readFileSync(join(dir, 'fail.xml'), 'utf8')).toContain('tests="1" failures="1"');
  });
});
