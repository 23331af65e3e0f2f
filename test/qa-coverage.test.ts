/**
 * Sub-condition coverage through Host.probe: the hook changes no event and no output on any operator case or
 * on the library; a host without it gets exactly the translation devices run; the probed offsets name the
 * rule's sub-conditions (expression and source line), and the bits say what the drive saw.
 */
import { describe, expect, test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { compileRules } from '../compiler/compile.ts';
import { FULL_PROFILE } from '../compiler/profiles.ts';
import { rule, sig, kmh, seconds } from '../compiler/dsl/index.ts';
import { signalMeta } from '../compiler/dsl/catalogue.ts';
import { OPERATOR_CASES } from '../harness/conformance/operator-cases.ts';
import { loadRuntimeArtifact } from '../simulator/artifact.ts';
import { Replayer } from '../simulator/replay.ts';
import { bundleFrom, loadBundle } from '../simulator/inputs.ts';
import { simulate, eventsJsonl } from '../simulator/run.ts';
import { loadScenario } from '../simulator/scenario.ts';
import type { SampleColumns } from '../simulator/trace/samples.ts';
import { probedOffsets, ruleConditions } from '../qa/conditions.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const api = loadRuntimeArtifact();

function columns(samples: Array<[number, string, number]>): SampleColumns {
  const s = [...samples].sort((a, b) => a[0] - b[0]);
  return {
    t: Float64Array.from(s.map((x) => x[0])), sig: Uint8Array.from(s.map((x) => signalMeta(x[1] as never).id)),
    value: Float64Array.from(s.map((x) => x[2])), length: s.length,
  };
}

function replay(bytes: Uint8Array, samples: SampleColumns, until: number, probe?: (at: number, v: boolean) => void): string {
  const r = new Replayer(api, bytes, probe ? { probe } : {});
  r.feed(samples);
  r.finish(until);
  const ev = Array.from({ length: r.events.length }, (_, i) => `${r.events.t[i]} ${r.events.rule[i]} ${r.events.valuesOf(i).join(',')}`);
  const out = Array.from({ length: r.actions.length }, (_, i) => `${r.actions.t[i]} ${r.actions.id[i]}=${r.actions.value[i]}`);
  return [...ev, ...out].join('\n');
}

describe('Host.probe', () => {
  test('changes no event or output on any operator golden case', () => {
    for (const c of OPERATOR_CASES) {
      const bytes = compileRules(c.rules(), FULL_PROFILE, ROOT).bytes;
      const s = columns(c.samples);
      let calls = 0;
      const probed = replay(bytes, s, c.until, () => { calls++; });
      expect(probed, c.name).toBe(replay(bytes, s, c.until));
      expect(calls, c.name).toBeGreaterThan(0);
    }
  });

  test('changes no event of the library on the example drive with the door-theft scenario', async () => {
    const bundle = await loadBundle(ROOT + 'rules');
    const scenario = { file: 'door-theft.json', scenario: await loadScenario(ROOT + 'examples/scenarios/door-theft.json') };
    const o = { bundle, traces: ['gps.2020-10-15-21.csv', 'accel.2020-10-15-21.csv'].map((f) => ROOT + 'examples/quat-orient/' + f), startMs: Date.parse('2020-10-15T21:00:00+13:00'), scenario };
    const seen = new Uint8Array(65536);
    const probed = simulate({ ...o, probe: (at, v) => { seen[at] |= v ? 1 : 2; } });
    expect(eventsJsonl(probed.events)).toBe(eventsJsonl(simulate(o).events));
    expect(seen.some((b) => b === 3)).toBe(true);
  });

  test('a host without it gets exactly the translation devices run; with it, probe calls keyed by code offset', async () => {
    const bundle = await loadBundle(ROOT + 'rules');
    let plain = '', probing = '';
    api.load(bundle.bytes, { emit() {}, output() {}, interval() {}, keepCode(s) { plain = s; return s; } });
    api.load(bundle.bytes, { emit() {}, output() {}, interval() {}, probe() {}, keepCode(s) { probing = s; return s; } });
    // A device's keepCode() is given the kept-translation record: a comment naming runtime build and bundle, then the code.
    expect(plain.startsWith('/*ER')).toBe(true);
    expect(plain.slice(plain.indexOf('*/') + 2)).toBe(api.translated(bundle.bytes));
    expect(plain).not.toContain('H.probe');
    expect(probing.startsWith('/*ER')).toBe(false); // a probing translation is never kept for reuse
    const offsets = probedOffsets(bundle.bytes);
    expect(offsets.length).toBeGreaterThan(50);
    expect(offsets.every((at) => probing.includes(`H.probe(${at},`))).toBe(true);
    // Every offset is an instruction the sidecar maps to a rule-file line.
    const lines = new Set(bundle.map!.lines.map((l) => l.at));
    expect(offsets.filter((at) => !lines.has(at))).toEqual([]);
  });
});

describe('rule conditions and coverage bits', () => {
  const line = (() => { const e = new Error(); return Number(/qa-coverage\.test\.ts:(\d+)/.exec(e.stack ?? '')![1]); })() + 2;
  const rules = [rule({ name: 'door-at-rest', description: 'x', severity: 'critical',
    when: sig('door').isTrue().and(sig('gnss.speed').below(kmh(1))).heldFor(seconds(10)) })];

  test('each sub-condition is named by its expression and rule-file line; the bits say what the replay saw', () => {
    const c = compileRules(rules, FULL_PROFILE, ROOT);
    const bundle = bundleFrom('t', c.bytes, c.map);
    const [rc] = ruleConditions(bundle, probedOffsets(c.bytes));
    expect(rc.rule).toBe('door-at-rest');
    expect(rc.conditions.map((x) => [x.text, x.role])).toEqual([
      ['door', 'sub'],
      ['gnss.speed < 0.27778', 'sub'],
      ['door and (gnss.speed < 0.27778)', 'sub'],
      ['held((door and (gnss.speed < 0.27778)), 10000)', 'condition'],
    ]);
    for (const x of rc.conditions) expect(x.loc).toMatch(new RegExp(`^test/qa-coverage\\.test\\.ts:${line}:`));
    // Door open while moving, then at rest for 20 s: door seen both ways, speed both ways, the held condition both ways.
    const seen = new Map<number, number>();
    const events = replay(c.bytes, columns([[0, 'door', 0], [0, 'gnss.speed', 5], [1000, 'door', 1], [5000, 'gnss.speed', 0]]), 30_000, (at, v) => seen.set(at, (seen.get(at) ?? 0) | (v ? 1 : 2)));
    expect(events).toBe('15000 0 ');
    expect(rc.conditions.map((x) => seen.get(x.at))).toEqual([3, 3, 3, 3]);
    // Never at rest: the speed test and everything above it were never true.
    seen.clear();
    replay(c.bytes, columns([[0, 'door', 1], [0, 'gnss.speed', 5]]), 30_000, (at, v) => seen.set(at, (seen.get(at) ?? 0) | (v ? 1 : 2)));
    expect(rc.conditions.map((x) => seen.get(x.at))).toEqual([1, 2, 2, 2]);
  });
});
