/**
 * Rule parameters: typed values, range checks, the sidecar listing, and the equivalence `edgerule tune` relies
 * on — a parameter compiled with a value gives the very bytes of the rule written with that literal — plus the
 * two facts that make patching constants in a bundle not equivalent to compiling.
 */
import { describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFiles, compileRules } from '../compiler/compile.ts';
import { CompileError } from '../compiler/diagnostics.ts';
import { FULL_PROFILE } from '../compiler/profiles.ts';
import { rule, sig, param, minutes, seconds, kmh, gees, meters, distanceTo, place, type Duration } from '../compiler/dsl/index.ts';
import { parseParamValue } from '../compiler/dsl/param.ts';
import { grid, markPareto, parseAxis, type TunePoint } from '../qa/tune.ts';
import { runCli } from '../harness/cli.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function dwellRule(d: Duration) {
  return rule({ name: 'dwell', description: 'x', severity: 'warning', when: sig('ignition').not().and(sig('gnss.speed').below(kmh(3))).heldFor(d), cooldown: minutes(30) });
}
const withParam = () => dwellRule(param('dwell', minutes(20), { min: minutes(5), max: minutes(60) }));

function errors(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof CompileError) return e.diagnostics.map((d) => `${d.code} ${d.message}`);
    return [(e as Error).message];
  }
  return [];
}

describe('param()', () => {
  test('values are typed by the unit of the default', () => {
    expect(parseParamValue('30min', 'ms')).toBe(1_800_000);
    expect(parseParamValue('90 s', 'ms')).toBe(90_000);
    expect(parseParamValue('12km/h', 'm/s')).toBe(kmh(12).node.value);
    expect(parseParamValue('2.5g', 'g')).toBe(2.5);
    expect(parseParamValue('7', 'count')).toBe(7);
    expect(() => parseParamValue('30km/h', 'ms', 'dwell')).toThrow("dwell=30km/h: dwell is in ms, 'km/h' is a unit of m/s; use ms, s, sec, min, h");
    expect(() => parseParamValue('30', 'ms', 'dwell')).toThrow('dwell is in ms and needs a unit');
    expect(() => param('dwell', minutes(20), { min: minutes(30) })).toThrow("param 'dwell': the default is outside [min, max]");
    expect(() => param('Bad Name', minutes(1))).toThrow('must start with a lower-case letter');
    expect(() => param('x', minutes(1).plus(seconds(1)))).toThrow('must be a quantity constant');
  });

  test('a value, the default, or the literal give the same bundle bytes; the sidecar names the parameter', () => {
    const literal20 = compileRules([dwellRule(minutes(20))], FULL_PROFILE, ROOT).bytes;
    const literal35 = compileRules([dwellRule(minutes(35))], FULL_PROFILE, ROOT).bytes;
    const byDefault = compileRules([withParam()], FULL_PROFILE, ROOT);
    expect(byDefault.bytes).toEqual(literal20);
    expect(compileRules([withParam()], FULL_PROFILE, ROOT, { dwell: '35min' }).bytes).toEqual(literal35);
    expect(compileRules([withParam()], FULL_PROFILE, ROOT, { dwell: 2_100_000 }).bytes).toEqual(literal35);
    expect(byDefault.map.params).toEqual([{ name: 'dwell', unit: 'ms', defaultValue: 1_200_000, min: 300_000, max: 3_600_000, value: 1_200_000, rules: ['dwell'] }]);
    expect(compileRules([dwellRule(minutes(20))], FULL_PROFILE, ROOT).map.params).toBeUndefined();
  });

  test('a squared comparison with a parameter folds the value given, not the default', () => {
    const zone = place(ROOT + 'rules/geo/stop-zones.geojson', 'delivery-point');
    const near = (m: ReturnType<typeof meters>) => [rule({ name: 'near', description: 'x', severity: 'info', when: distanceTo(zone).below(m) })];
    const viaParam = compileRules(near(param('near', meters(300))), FULL_PROFILE, ROOT, { near: '450m' }).bytes;
    expect(viaParam).toEqual(compileRules(near(meters(450)), FULL_PROFILE, ROOT).bytes);
  });

  test('unknown names, values out of range, wrong units and conflicting declarations are compile errors', () => {
    expect(errors(() => compileRules([withParam()], FULL_PROFILE, ROOT, { dwel: '3min' }))).toEqual(["ER109 no rule declares a parameter 'dwel' (parameters: dwell)"]);
    expect(errors(() => compileRules([withParam()], FULL_PROFILE, ROOT, { dwell: '2h' }))).toEqual(["ER110 parameter 'dwell' = 7200000 ms is outside its range [300000, 3600000] ms"]);
    expect(errors(() => compileRules([withParam()], FULL_PROFILE, ROOT, { dwell: '3g' }))).toEqual(["ER110 dwell=3g: dwell is in ms, 'g' is a unit of g; use ms, s, sec, min, h"]);
    const other = rule({ name: 'other', description: 'x', severity: 'info', when: sig('ignition').heldFor(param('dwell', minutes(25))) });
    expect(errors(() => compileRules([withParam(), other], FULL_PROFILE, ROOT))).toEqual(["ER111 param 'dwell' is declared twice with different unit, default or range"]);
  });

  test('edgerule compile --set writes the bundle of the value and lists the parameters', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'edgerule-set-')), 'lib.erb');
    const r = await runCli(['compile', 'rules', '-o', out, '--set', 'dwell=30min', '--set', 'shock.g=3g']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('dwell = 1800000 ms (default 2700000), range [600000, 10800000] — prolonged-dwell');
    const map = JSON.parse(readFileSync(out + '.map.json', 'utf8'));
    expect(map.params.map((p: { name: string; value: number }) => `${p.name}=${p.value}`)).toEqual([
      'door.rest=600000', 'dwell=1800000', 'gnss.loss=60000', 'route.corridor=500', 'route.hold=120000', 'shock.g=3', 'stop.dwell=300000', 'tow.hold=30000',
    ]);
    const bad = await runCli(['compile', 'rules', '-o', out, '--set', 'dwell=30km/h']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("error ER110: dwell=30km/h: dwell is in ms, 'km/h' is a unit of m/s; use ms, s, sec, min, h");
  });

  test('why tune compiles each point instead of patching constants: a slot can be shared, and a value can change its storage width', async () => {
    const lib = await compileFiles([ROOT + 'rules'], { cwd: ROOT });
    // shock-or-tamper's 4 g and repeated-stop-start's "4 stops" are one constant: patching that slot to 5 would
    // change both rules. Compiled, the stop count keeps its 4 and the shock threshold gets a constant of its own.
    expect(lib.emitted.constants.filter((v) => v === 4)).toEqual([4]);
    const shock5 = await compileFiles([ROOT + 'rules'], { cwd: ROOT, params: { 'shock.g': '5g' } });
    expect(shock5.emitted.constants).toContain(4);
    expect(shock5.emitted.constants).toContain(5);
    // 4 fits in 4 bytes (f32-exact), 4.1 does not: the constant moves to the 8-byte section and the pool grows.
    const shock41 = await compileFiles([ROOT + 'rules'], { cwd: ROOT, params: { 'shock.g': '4.1g' } });
    expect(shock41.emitted.constants.length).toBe(lib.emitted.constants.length + 1);
    expect(shock41.bytes.length).toBeGreaterThan(lib.bytes.length + 4);
  });
});

describe('tune grids', () => {
  test('ranges and lists in the unit of the parameter; a point per combination', () => {
    const rules = [withParam(), rule({ name: 'hard', description: 'x', severity: 'info', when: sig('accel.mag').above(param('shock', gees(4), { min: gees(1), max: gees(10) })) })];
    const dwell = parseAxis('dwell=10min..30min/10min', rules);
    expect(dwell).toEqual({ name: 'dwell', unit: 'ms', values: [600_000, 1_200_000, 1_800_000] });
    expect(parseAxis('shock=2g,3g', rules).values).toEqual([2, 3]);
    expect(grid([dwell, parseAxis('shock=2g,3g', rules)])).toHaveLength(6);
    expect(() => parseAxis('dwell=1min..30min/10min', rules)).toThrow('60000 ms is outside the range of');
    expect(() => parseAxis('nope=1..2/1', rules)).toThrow("no rule declares a parameter 'nope'");
  });

  test('the Pareto front keeps the points no other point beats on false alarms, detection rate and p95 latency', () => {
    const p = (fa: number, rate: number, p95: number | null): TunePoint => ({ params: {}, bundle: '', alerts: fa, per1000h: fa, per10000km: null, expected: 1, detected: rate ? 1 : 0, rate, p50: p95, p95, max: p95, pareto: false });
    const pts = markPareto([p(0, 1, 60_000), p(2, 1, 10_000), p(3, 1, 20_000), p(0, 0, null), p(1, 1, 60_000)]);
    expect(pts.map((x) => x.pareto)).toEqual([true, true, false, false, false]);
  });
});
