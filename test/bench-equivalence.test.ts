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

/** Same events one to one; a failure names the first event that differs (with its neighbours) and the counts. */
function expectSameEvents(hand: Ev[], rt: Ev[]): void {
  const a = show(hand), b = show(rt);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const around = (x: string[]) => x.slice(Math.max(0, i - 1), i + 2).join('\n    ');
  expect(i === a.length && i === b.length ? '' : `event ${i} of ${b.length} (runtime) / ${a.length} (hand-written) differs:\n  runtime:\n    ${around(b)}\n  hand-written:\n    ${around(a)}`).toBe('');
  expect(hand).toEqual(rt); // Object.is per value: bit-identical attached values (NaN included)
}

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
    expectSameEvents(handEvents, runtimeEvents);
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
      expectSameEvents(h, r);
    });
  }
});

/**
 * A deterministic pseudo-random stream (MINSTD) that puts every signal on and around the thresholds the rules
 * compare it with, positions on and near every geofence, unknown values now and then, and gaps from 1 ms (a fix
 * reported twice) to minutes: branches the recordings never reach (a door opened at speed mid-sequence, a fix
 * epoch repeated within 200 ms, a debounce interrupted, …).
 */
function thresholdStream(seed: number, n: number): Samples {
  let x = seed;
  const rand = (m: number) => { x = (x * 48271) % 2147483647; return x % m; };
  const pick = <T>(a: T[]) => a[rand(a.length)];
  const kmh = (v: number) => v / 3.6;
  const places: Array<[number, number]> = [
    [-36.8594, 174.7828], [-36.86193, 174.7822], [-36.85, 174.76], [-36.87488, 174.8033], [-36.8749, 174.80415],
    [-36.866, 174.7908], [-36.8629, 174.7986], [-36.869, 174.8069], [-36.85885, 174.7817], [-36.861, 174.78175],
    [-36.8655, 174.7915], [-36.8605, 174.7889], [-36.8643, 174.7925], [52.0052, 4.36], [-36.8660, 174.7979],
  ];
  const values: Record<number, number[]> = {
    2: [0, kmh(1), kmh(1) - 1e-9, kmh(3), kmh(3) + 1e-9, kmh(5), kmh(5) + 1e-9, kmh(10), kmh(10) + 1e-9, kmh(15), kmh(16), 20, NaN],
    3: [0, 90, 270], 4: [0.9, 5, 4.999, 7, NaN], 5: [0, 9], 6: [0, 1, 1, 1, 2, NaN], 7: [0, 60000, 60001, 500],
    11: [0.74, 0.75, 0.8, 0.85, 0.9, 1, 1, 1, 1.1, 1.15, 1.2, 1.25, 1.3, 4, 4.01, 6, NaN], 12: [2, 3],
    13: [0, 1, 0, 1, NaN], 14: [0, 4.9, 5, 12, 20, 20.1, 300], 15: [0, 1, 0, 0], 16: [0, 1, 1, NaN], 17: [0, 1, 1, NaN],
    18: [3.9, 12.5], 19: [1.9, 2, 2.4, 2.5, 2.6, 5, 7.4, 7.5, 7.9, 8, 8.1, NaN], 20: [4242, 4243], 21: [-80, -70],
    22: [0, 1, 1, NaN], 23: [0, 39, 40, 41, 79, 80, 81, 200],
  };
  const gaps = [1, 1, 40, 40, 40, 199, 200, 201, 500, 1000, 1000, 1000, 5000, 10000, 30000, 60000, 120000, 300000, 600000];
  const sigs = [0, 2, 2, 3, 4, 5, 6, 6, 7, 11, 11, 11, 11, 12, 13, 13, 14, 15, 16, 16, 17, 18, 19, 20, 21, 22, 23];
  const t = new Float64Array(n), sig = new Uint8Array(n), value = new Float64Array(n);
  let now = 0, i = 0;
  while (i < n) {
    now += pick(gaps);
    for (let k = 1 + rand(4); k > 0 && i < n; k--) {
      const s = pick(sigs);
      if (s === 0) {
        const p = pick(places), jitter = () => (rand(201) - 100) / 1e6;
        for (const [id, v] of [[0, p[0] + jitter()], [1, p[1] + jitter()]] as const) {
          if (i < n) { t[i] = now; sig[i] = id; value[i] = v; i++; }
        }
      } else { t[i] = now; sig[i] = s; value[i] = pick(values[s]); i++; }
    }
  }
  return { t, sig, value, n };
}

describe('hand-written baseline vs compiled library: thresholds and edge cases (Node)', () => {
  for (const seed of [1, 20240601, 987654321]) {
    it(`pseudo-random stream around every threshold, seed ${seed}: exactly the same events`, () => {
      const s = thresholdStream(seed, 200_000);
      const r = replay(runtime, s);
      const h = replay(handwritten(LIBRARY), s);
      expect(new Set(r.map((e) => e.rule)).size, 'most rules fire').toBeGreaterThanOrEqual(12);
      expectSameEvents(h, r);
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
