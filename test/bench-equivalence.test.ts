/**
 * The benchmark's hand-written baseline (bench/handwritten/library.js) must raise the same events as the compiled
 * rule library in the runtime artifact, on the benchmark's own workload (harness/workload.ts), on Node.
 *
 * What "same" means here, and why not exact list equality:
 *  - same events in the same order: rule id and severity; same outputs and reporting intervals after each;
 *  - same time, except for an event raised by a timer that falls due *between* two samples (a debounce of
 *    500 ms started on a whole second is due at …500 ms, while samples come every 40 ms). The runtime runs such
 *    a wake-up at its exact due time (advanceTo), the hand-written loop only runs at samples, as hand-written
 *    firmware does, so it reports at the next sample: later by less than one sampling period (40 ms);
 *  - same attached values whenever the times are equal (at a later sample some attached values, e.g. the
 *    acceleration, have moved on).
 * Every other event — everything triggered by a sample, and every timer due on a sample time — is identical,
 * attachments bit for bit. The test also checks that the workload makes all 17 rules fire, that the minified
 * library (what runs on Espruino) behaves exactly like the source, and that the geofence coordinates written
 * into the hand-written library are those of rules/geo/*.geojson.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { transform } from 'esbuild';
import { compileFiles } from '../compiler/compile.ts';
import { loadRuntimeArtifact } from '../simulator/artifact.ts';
import { makeWorkload, WORKLOAD_CYCLE_S, WORKLOAD_TICK_MS, type Workload } from '../harness/workload.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LIBRARY = readFileSync(join(ROOT, 'bench/handwritten/library.js'), 'utf8');

interface Ev { rule: number; severity: number; t: number; values: number[]; actions: string[] }
interface Impl { set(s: number, v: number, t: number): unknown; step(t: number): void; advanceTo?(t: number): void }

function replay(make: (host: object) => Impl, w: Workload): Ev[] {
  const events: Ev[] = [];
  const host = {
    emit(rule: number, severity: number, t: number, E: Float64Array, n: number) { events.push({ rule, severity, t, values: Array.from(E.subarray(0, n)), actions: [] }); },
    output(id: number, v: number) { events[events.length - 1].actions.push(`output ${id}=${v}`); },
    interval(ms: number) { events[events.length - 1].actions.push(`interval ${ms}`); },
  };
  const o = make(host);
  for (let i = 0; i < w.n;) {
    const t = w.t[i];
    o.advanceTo?.(t);
    while (i < w.n && w.t[i] === t) { o.set(w.sig[i], w.value[i], t); i++; }
    o.step(t);
  }
  return events;
}

const handwritten = (src: string) => new Function(src + '\nreturn HandwrittenRules;')() as (host: object) => Impl;

describe('hand-written baseline vs compiled library (bench workload, Node)', () => {
  let runtimeEvents: Ev[];
  let handEvents: Ev[];
  let names: string[];
  let w: Workload;

  beforeAll(async () => {
    const compiled = await compileFiles([join(ROOT, 'rules')]);
    names = compiled.map.rules.map((r) => r.name);
    const api = loadRuntimeArtifact();
    // Two cycles: the second starts from the state the first left behind (cooldowns, latches, rings).
    w = makeWorkload(Math.round(2 * WORKLOAD_CYCLE_S * 135));
    runtimeEvents = replay((host) => api.load(compiled.bytes, host as never) as unknown as Impl, w);
    handEvents = replay(handwritten(LIBRARY), w);
  });

  it('the workload covers two cycles and makes every rule fire', () => {
    expect(w.t[w.n - 1]).toBeGreaterThanOrEqual(2 * WORKLOAD_CYCLE_S * 1000 - 1000);
    const fired = new Set(runtimeEvents.map((e) => e.rule));
    expect(names.filter((_, id) => !fired.has(id))).toEqual([]);
    expect(names).toHaveLength(17);
  });

  it('raises the same events in the same order, with the same outputs and intervals', () => {
    const key = (e: Ev) => `${names[e.rule]} sev${e.severity} ${e.actions.join(' ')}`;
    expect(handEvents.map(key)).toEqual(runtimeEvents.map(key));
  });

  it('at the same times, except timers due between samples, which it reports less than one sample period later', () => {
    const late: string[] = [];
    runtimeEvents.forEach((r, i) => {
      const h = handEvents[i];
      if (h.t === r.t) {
        expect(h.values, `${names[r.rule]} at ${r.t} ms`).toEqual(r.values);
        return;
      }
      // Only a wake-up between two samples may differ: the runtime's time is not a sample time, the hand-written
      // one is the next sample time.
      expect(r.t % WORKLOAD_TICK_MS, `${names[r.rule]} at ${r.t} ms vs ${h.t} ms`).not.toBe(0);
      expect(h.t - r.t).toBeGreaterThan(0);
      expect(h.t - r.t).toBeLessThan(WORKLOAD_TICK_MS);
      late.push(`${names[r.rule]} ${r.t}→${h.t}`);
    });
    // In this workload only the 500 ms tamper debounce ends between samples (once per cycle).
    expect(late).toEqual(['shock-or-tamper 420500→420520', 'shock-or-tamper 6420500→6420520']);
  });

  it('the minified library (shipped to Espruino) raises exactly the events of the source', async () => {
    const min = (await transform(LIBRARY, { minify: true, target: 'es5', loader: 'js' })).code;
    expect(replay(handwritten(min), w)).toEqual(handEvents);
  });

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
