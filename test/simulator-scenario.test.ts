// Scenarios: schema validation with file + JSON path in every error, and what each event does to a sample stream.
import { describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyScenario, loadScenario, validateScenario, ScenarioError, ScenarioSchema, type Scenario } from '../simulator/scenario.ts';
import { ExpectationsSchema } from '../simulator/expect.ts';
import { parseDuration, formatRel } from '../simulator/time.ts';
import { signalMeta, type SignalName } from '../compiler/dsl/catalogue.ts';
import type { SampleColumns } from '../simulator/trace/index.ts';
import { M_PER_DEG_ROUNDED } from '../runtime/engine/geodesy.ts';

const ID = (n: SignalName) => signalMeta(n).id;

function problemsOf(value: unknown, file = 'bad.json'): string[] {
  try {
    validateScenario(value, file);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message.split('\n');
  }
  return [];
}

describe('scenario validation', () => {
  test('the shipped examples are valid (JSON and TypeScript)', async () => {
    const json = await loadScenario('examples/scenarios/door-theft.json');
    expect(json.name).toBe('door-theft');
    expect(json.events.length).toBeGreaterThan(5);
    const ts = await loadScenario('examples/scenarios/jam-and-tow.ts');
    expect(ts.events.map((e) => e.type)).toEqual(['gnss-jam', 'tow']);
  });

  test('the JSON Schemas beside the examples match the TypeBox schemas', () => {
    expect(JSON.parse(readFileSync('examples/scenarios/scenario.schema.json', 'utf8'))).toEqual(JSON.parse(JSON.stringify(ScenarioSchema)));
    expect(JSON.parse(readFileSync('examples/scenarios/expectations.schema.json', 'utf8'))).toEqual(JSON.parse(JSON.stringify(ExpectationsSchema)));
  });

  test('errors name the file and the JSON path', () => {
    const p = problemsOf({
      name: 'x',
      events: [
        { type: 'door-open', at: 'soon' },
        { type: 'door-opn', at: 5 },
        { type: 'gnss-jam', from: '1m' },
        { type: 'shock', at: 1000, peak_g: -2, colour: 'red' },
        { type: 'set', at: 0, signal: 'gnss.altitude', value: 1 },
      ],
    }, 'scenarios/bad.json');
    expect(p).toContain('scenarios/bad.json: $.events[0].at: must be number or must match pattern "' + JSON.parse(JSON.stringify(ScenarioSchema)).properties.until.anyOf[1].pattern + '"');
    expect(p).toContain("scenarios/bad.json: $.events[1].type: must be one of 'door-open', 'gnss-jam', 'spoof', 'shock', 'power-cut', 'tow', 'set' (got \"door-opn\")");
    expect(p).toContain("scenarios/bad.json: $.events[2]: missing required property 'to'");
    expect(p).toContain('scenarios/bad.json: $.events[3].peak_g: must be > 0');
    expect(p).toContain("scenarios/bad.json: $.events[3]: unknown property 'colour'");
    expect(p).toContain('scenarios/bad.json: $.events[4].signal: "gnss.altitude" is not a catalogue signal (compiler/dsl/catalogue.ts)');
  });

  test('top-level problems and semantic checks', () => {
    expect(problemsOf({ events: [] })).toEqual(["bad.json: $: missing required property 'name'"]);
    expect(problemsOf({ name: 'x' })).toEqual(["bad.json: $: missing required property 'events'"]);
    expect(problemsOf({ name: 'x', events: {} })).toEqual(['bad.json: $.events: must be an array']);
    expect(problemsOf([])).toEqual(['bad.json: $: a scenario is an object with "name" and "events"']);
    expect(problemsOf({ name: 'x', events: [{ type: 'door-open', at: '5m', until: '4m' }] })).toEqual(['bad.json: $.events[0].until: must be after at (5m00s), got 4m00s']);
    expect(problemsOf({ name: 'x', events: [{ type: 'gnss-jam', from: 1000, to: 1000 }] })).toEqual(['bad.json: $.events[0].to: must be after from (1s), got 1s']);
    expect(problemsOf({ name: 'x', events: [{ type: 'spoof', from: 0 }] })).toEqual(['bad.json: $.events[0]: a spoof needs an offset: north_m / east_m (metres) or dLat / dLon (degrees)']);
    expect(problemsOf({ name: 'x', events: [{ type: 'spoof', from: 0, north_m: 5, dLat: 1 }] })).toEqual(['bad.json: $.events[0]: give the offset in metres (north_m / east_m) or in degrees (dLat / dLon), not both']);
  });

  test('unreadable files name the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgerule-scn-'));
    writeFileSync(join(dir, 'broken.json'), '{ "name": "x", ');
    await expect(loadScenario(join(dir, 'broken.json'))).rejects.toThrow(/broken\.json: \$: not valid JSON/);
    await expect(loadScenario(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: \$: cannot read/);
    writeFileSync(join(dir, 's.yaml'), 'name: x');
    await expect(loadScenario(join(dir, 's.yaml'))).rejects.toThrow(/s\.yaml: \$: unknown scenario file type '\.yaml'/);
  });

  test('durations', () => {
    expect(parseDuration(1500)).toBe(1500);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('5m30s')).toBe(330_000);
    expect(parseDuration('1h 2min')).toBe(3_720_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('5:30')).toBe(330_000);
    expect(parseDuration('1:02:03.5')).toBe(3_723_500);
    expect(parseDuration('soon')).toBeNaN();
    expect(formatRel(3_723_500)).toBe('1h02m03.5s');
    expect(formatRel(55_800)).toBe('55.8s');
  });
});

/** A 60 s drive at 1 Hz (lat/lon/speed/fix) with 10 Hz accel.mag, starting at a round epoch time. */
function drive(): SampleColumns {
  const t: number[] = [], sig: number[] = [], value: number[] = [];
  const T0 = 1_600_000_000_000;
  for (let ms = 0; ms < 60_000; ms += 100) {
    if (ms % 1000 === 0) {
      for (const [s, v] of [['gnss.fix', 1], ['gnss.lat', 50 + ms * 1e-8], ['gnss.lon', 8], ['gnss.speed', 10]] as Array<[SignalName, number]>) { t.push(T0 + ms); sig.push(ID(s)); value.push(v); }
    }
    t.push(T0 + ms); sig.push(ID('accel.mag')); value.push(1);
  }
  return { t: Float64Array.from(t), sig: Uint8Array.from(sig), value: Float64Array.from(value), length: t.length };
}

function samplesOf(s: SampleColumns, name: SignalName): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < s.length; i++) if (s.sig[i] === ID(name)) out.push([s.t[i] - s.t[0], s.value[i]]);
  return out;
}

describe('applying a scenario', () => {
  const base = drive();
  const apply = (events: Scenario['events'], extra: Partial<Scenario> = {}) => applyScenario(base, validateScenario({ name: 't', events, ...extra }, 't.json'), 't.json');

  test('door-open: baseline 0 at the start, 1 at `at`, 0 at `until`', () => {
    const r = apply([{ type: 'door-open', at: '10s', until: '20s' }]);
    expect(samplesOf(r.samples, 'door')).toEqual([[0, 0], [10_000, 1], [20_000, 0]]);
    expect(r.spans).toEqual([{ index: 0, type: 'door-open', label: 'door open', from: base.t[0] + 10_000, to: base.t[0] + 20_000, note: undefined }]);
  });

  test('gnss-jam: GNSS samples suppressed in [from, to), jamming reported each second, 0 at the end', () => {
    const r = apply([{ type: 'gnss-jam', from: '10s', to: '13s', level: 120, reportNoFix: true }]);
    const lat = samplesOf(r.samples, 'gnss.lat').map(([t]) => t);
    expect(lat.filter((t) => t >= 10_000 && t < 13_000)).toEqual([]);
    expect(lat).toContain(13_000);
    expect(samplesOf(r.samples, 'gnss.jamming')).toEqual([[0, 0], [10_000, 120], [11_000, 120], [12_000, 120], [13_000, 0]]);
    expect(samplesOf(r.samples, 'gnss.fix').filter(([t]) => t >= 10_000 && t < 13_000)).toEqual([[10_000, 0], [11_000, 0], [12_000, 0]]);
    expect(r.stats.suppressed).toEqual({ 'gnss.lat': 3, 'gnss.lon': 3, 'gnss.speed': 3, 'gnss.fix': 3 });
  });

  test('spoof: positions shifted by metres from `from`, optionally ramped', () => {
    const r = apply([{ type: 'spoof', from: '30s', north_m: 1112, east_m: 0 }]);
    const before = samplesOf(base, 'gnss.lat'), after = samplesOf(r.samples, 'gnss.lat');
    expect(after[29][1]).toBe(before[29][1]);
    expect(after[30][1] - before[30][1]).toBeCloseTo(1112 / M_PER_DEG_ROUNDED, 12);
    expect(r.stats.shifted).toBe(60); // 30 lat + 30 lon samples
    const ramped = apply([{ type: 'spoof', from: '30s', to: '50s', dLon: 0.01, ramp: '10s' }]);
    const lon = samplesOf(ramped.samples, 'gnss.lon');
    expect(lon[35][1] - 8).toBeCloseTo(0.005, 12);
    expect(lon[45][1] - 8).toBeCloseTo(0.01, 12);
    expect(lon[50][1]).toBe(8);
  });

  test('shock: a pulse on accel.mag, the recording suppressed under it and restored after', () => {
    const r = apply([{ type: 'shock', at: '5s', peak_g: 6, duration: '250ms' }]);
    const mag = samplesOf(r.samples, 'accel.mag').filter(([t]) => t >= 4900 && t <= 5400);
    expect(mag).toEqual([[4900, 1], [5000, 6], [5250, 1], [5300, 1], [5400, 1]]);
  });

  test('power-cut and tow: baselines, then the change, in time order with the recording', () => {
    const r = apply([{ type: 'power-cut', at: '20s', until: '40s', battery_V: 3.7 }, { type: 'tow', from: '30s' }]);
    expect(samplesOf(r.samples, 'power.external')).toEqual([[0, 1], [20_000, 0], [40_000, 1]]);
    expect(samplesOf(r.samples, 'battery')).toEqual([[20_000, 3.7]]);
    expect(samplesOf(r.samples, 'ignition')).toEqual([[0, 1], [30_000, 0]]);
    for (let i = 1; i < r.samples.length; i++) expect(r.samples.t[i]).toBeGreaterThanOrEqual(r.samples.t[i - 1]);
    // Overlaid samples come after the recording's samples of the same instant.
    const at20 = Array.from({ length: r.samples.length }, (_, i) => i).filter((i) => r.samples.t[i] === base.t[0] + 20_000).map((i) => r.samples.sig[i]);
    expect(at20.slice(-2)).toEqual([ID('power.external'), ID('battery')]);
  });

  test('an event after the end of the replay is an error naming file and path; `until` extends the replay', () => {
    expect(() => apply([{ type: 'door-open', at: '2m' }])).toThrow("t.json: $.events[0].at: 2m00s is after the end of the replay (59.9s); set \"until\" to run longer");
    const r = apply([{ type: 'door-open', at: '2m' }], { until: '3m' });
    expect(r.until).toBe(base.t[0] + 180_000);
    expect(samplesOf(r.samples, 'door')).toEqual([[0, 0], [120_000, 1]]);
  });
});
