/**
 * The benchmark's hand-written baseline (bench/handwritten/library.js) must raise exactly the events of the
 * compiled rule library in the runtime artifact — same rule, severity and time, bit-identical attached values,
 * same outputs and reporting intervals after each, in the same order — on Node, fed the same way
 * (advanceTo(t), set every sample of t, step(t)):
 *  - on the benchmark's synthetic workload (harness/workload.ts), two cycles, where all 17 rules fire;
 *  - on real recordings (harness/recordings.ts: two GNSS logs far from the geofences, the Auckland drive through
 *    them with its accelerometer, a 100 Hz IMU log), read by the simulator's own trace readers, as recorded and
 *    with the example door-theft scenario overlaid (power cut, jamming, spoofing, shock, towing, door, seal), so
 *    most rules act on real positions and real accelerations.
 * It also checks that the minified library (what Espruino runs) behaves exactly like the source, and that the
 * geofence coordinates written into the library are those of rules/geo/*.geojson.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { transform } from 'esbuild';
import { compileFiles } from '../compiler/compile.ts';
import { loadRuntimeArtifact } from '../simulator/artifact.ts';
import { makeWorkload, WORKLOAD_CYCLE_S } from '../harness/workload.ts';
import { DOOR_THEFT, RECORDINGS, readRecording } from '../harness/recordings.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LIBRARY = readFileSync(join(ROOT, 'bench/handwritten/library.js'), 'utf8');

interface Ev { rule: number; severity: number; t: number; values: number[]; actions: string[] }
interface Impl { set(s: number, v: number, t: number): unknown; step(t: number): void; advanceTo(t: number): void; nextDue(): number }
interface Samples { t: Float64Array; sig: Uint8Array; value: Float64Array; n: number }

function replay(make: (host: object) => Impl, w: Samples): Ev[] {
  const events: Ev[] = [];
  const host = {
    emit(rule: number, severity: number, t: number, E: Float64Array, n: number) { events.push({ rule, severity, t, values: Array.from(E.subarray(0, n)), actions: [] }); },
    output(id: number, v: number) { events[events.length - 1].actions.push(`output ${id}=${v}`); },
    interval(ms: number) { events[events.length - 1].actions.push(`interval ${ms}`); },
  };
  const o = make(host);
  for (let i = 0; i < w.n;) {
    const t = w.t[i];
    o.advanceTo(t);
    while (i < w.n && w.t[i] === t) { o.set(w.sig[i], w.value[i], t); i++; }
    o.step(t);
  }
  // the timers still pending after the last sample, up to an hour later
  const end = w.t[w.n - 1] + 3_600_000;
  o.advanceTo(end);
  if (o.nextDue() === end) o.step(end);
  return events;
}

const handwritten = (src: string) => new Function(src + '\nreturn HandwrittenRules;')() as (host: object) => Impl;

let bundle: Uint8Array;
let names: string[];
const runtime = (host: object) => loadRuntimeArtifact().load(bundle, host as never) as unknown as Impl;
const show = (evs: Ev[]) => evs.map((e) => `${names[e.rule]} @${e.t} [${e.values.join(', ')}] ${e.actions.join(' ')}`);

beforeAll(async () => {
  const compiled = await compileFiles([join(ROOT, 'rules')]);
  bundle = compiled.bytes;
  names = compiled.map.rules.map((r) => r.name);
});

describe('hand-written baseline vs compiled library: synthetic workload (Node)', () => {
  let runtimeEvents: Ev[];
  let handEvents: Ev[];
  let w: Samples;

  beforeAll(() => {
    // Two cycles: the second starts from the state the first left behind (cooldowns, latches, rings).
    w = makeWorkload(Math.round(2 * WORKLOAD_CYCLE_S * 135));
    runtimeEvents = replay(runtime, w);
    handEvents = replay(handwritten(LIBRARY), w);
  });

  it('the workload covers two cycles and makes every rule fire', () => {
    expect(w.t[w.n - 1]).toBeGreaterThanOrEqual(2 * WORKLOAD_CYCLE_S * 1000 - 1000);
    const fired = new Set(runtimeEvents.map((e) => e.rule));
    expect(names.filter((_, id) => !fired.has(id))).toEqual([]);
    expect(names).toHaveLength(17);
  });

  it('raises exactly the same events: rule, severity, time, attached values, outputs and intervals', () => {
    expect(show(handEvents)).toEqual(show(runtimeEvents));
    expect(handEvents).toEqual(runtimeEvents); // Object.is per value: bit-identical (NaN included)
  });

  it('the minified library (shipped to Espruino) raises exactly the events of the source', async () => {
    const min = (await transform(LIBRARY, { minify: true, target: 'es5', loader: 'js' })).code;
    expect(replay(handwritten(min), w)).toEqual(handEvents);
  });
});

describe('hand-written baseline vs compiled library: real recordings (Node)', () => {
  for (const [rec, scenario] of RECORDINGS.flatMap((r) => [[r, undefined], [r, DOOR_THEFT]] as const)) {
    it(`${rec.name}${scenario ? ' + door-theft scenario' : ''}: ${rec.what}: exactly the same events`, () => {
      const s = readRecording(rec, scenario);
      const r = replay(runtime, s);
      const h = replay(handwritten(LIBRARY), s);
      expect(r.length, `${rec.name}: the runtime raises events, so the comparison is not vacuous`).toBeGreaterThan(0);
      expect(show(h)).toEqual(show(r));
      expect(h).toEqual(r);
    });
  }
});

describe('hand-written baseline: geometry', () => {
  it('its geofences and route are the coordinates of rules/geo', () => {
    const geo = (file: string) => JSON.parse(readFileSync(join(ROOT, 'rules/geo', file), 'utf8')).features as Array<{ properties: { name: string; radius_m?: number }; geometry: { type: string; coordinates: any } }>;
    const byName = new Map([...geo('depot.geojson'), ...geo('stop-zones.geojson'), ...geo('planned-route.geojson')].map((f) => [f.properties.name, f]));
    const fences: Record<string, string> = {
      DEPOT: 'origin-depot', DELIVERY: 'delivery-point', REST_AREA: 'rest-area-shore-rd', TRUCK_STOP: 'truck-stop-north',
      FUEL_STOP: 'fuel-stop-orakei-rd', ROUTE: 'planned-route',
    };
    for (const [v, name] of Object.entries(fences)) {
      const m = new RegExp(`var ${v} = new Fence\\(\\[([^\\]]*)\\](?:, (\\d+))?\\)`).exec(LIBRARY);
      expect(m, v).not.toBeNull();
      const numbers = m![1].split(',').map(Number);
      const f = byName.get(name)!;
      const coords: number[][] = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0].slice(0, -1) : f.geometry.type === 'Point' ? [f.geometry.coordinates] : f.geometry.coordinates;
      expect(numbers, name).toEqual(coords.flat());
      expect(m![2] === undefined ? undefined : Number(m![2]), name).toBe(f.properties.radius_m);
    }
    expect(byName.size).toBe(Object.keys(fences).length);
  });
});
