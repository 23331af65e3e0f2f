/**
 * A translation kept in flash (runtime/engine/kept.ts): a host with keepCode() is given a record naming the runtime
 * build and the bundle; handed back as Host.keptCode at the next load, the record's code runs instead of a fresh
 * verification and translation — and only for exactly that bundle and that runtime build. On every engine.
 */
import { describe, expect, test } from 'vitest';
import { compileRules } from '../compiler/compile.ts';
import { FULL_PROFILE } from '../compiler/profiles.ts';
import { rule, sig, kmh, minutes } from '../compiler/dsl/index.ts';
import { DRIVER_PRELUDE } from '../harness/conformance/driver.ts';
import { engines, enginesNotCompared, enginesToCompare, runScript, type EngineName } from '../harness/engines/engines.ts';
import { runtimeArtifactSource } from '../simulator/artifact.ts';

const atRest = (held: number) => compileRules([rule({
  name: 'held', description: 'door open at rest', severity: 'critical', cooldown: minutes(30),
  when: sig('door').isTrue().and(sig('gnss.speed').below(kmh(1))).heldFor(minutes(held)),
})], FULL_PROFILE).bytes;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * Loads the bundle with keepCode (the record), then with keptCode: the record marked so its use shows (`H.kept=1;`
 * runs as the code is instantiated), for the same bundle, another bundle, a record of another runtime build, a
 * record cut in its head and a value that is no string. Prints what each load did and the events it raised.
 */
function script(bundle: Uint8Array, other: Uint8Array): string {
  return `${runtimeArtifactSource()}
${DRIVER_PRELUDE}
var bytes = unhex('${hex(bundle)}'), other = unhex('${hex(other)}'), record = null;
function drive(rt) { rt.set(2, 0, 0); rt.set(13, 1, 0); rt.step(0); rt.advanceTo(700000); rt.set(13, 0, 700000); rt.step(700000); rt.advanceTo(9e6); }
function hostWith(k, v) { var h = { emit: host.emit, output: host.output, interval: host.interval }; h[k] = v; return h; }
var rt = EdgeRule.load(bytes, hostWith('keepCode', function (code) { record = code; return code; }));
print('L fresh ' + rt.fault + ' ' + (typeof record === 'string' && record.substr(0, 4) === '/*ER' ? 'record' : 'no record'));
drive(rt);
var marked = record.replace('*/', '*/H.kept=1;');
function run(label, b, kept) {
  var h = hostWith('keptCode', kept), r = EdgeRule.load(b, h);
  print('L ' + label + ' ' + r.fault + ' ' + (h.kept === 1 ? 'kept' : 'translated'));
  if (!r.fault) drive(r);
}
run('kept', bytes, marked);
run('other-bundle', other, marked);
run('other-runtime', bytes, marked.replace('/*ER', '/*ERx'));
run('cut', bytes, marked.substr(0, 40));
run('number', bytes, 42);
print('DONE');
`;
}

describe('kept translation on every engine', () => {
  const bundle = atRest(10);
  const other = atRest(11);
  let reference: string[] | undefined;
  const ran = new Set<EngineName>();

  test('Node: the record is used for exactly its bundle and runtime build, and raises the same events', async () => {
    const out = (await runScript('node', script(bundle, other))).stdout.trim().split('\n').map((l) => l.trim());
    expect(out[out.length - 1]).toBe('DONE');
    const loads = out.filter((l) => l.startsWith('L '));
    expect(loads).toEqual(['L fresh 0 record', 'L kept 0 kept', 'L other-bundle 0 translated', 'L other-runtime 0 translated', 'L cut 0 translated', 'L number 0 translated']);
    const events = (label: string) => out.slice(out.indexOf(loads.find((l) => l.startsWith(`L ${label} `))!) + 1).filter((l, i, a) => a.slice(0, i + 1).every((x) => !x.startsWith('L ')));
    expect(events('fresh').length).toBeGreaterThan(0);
    expect(events('kept')).toEqual(events('fresh'));
    expect(events('other-bundle')).not.toEqual(events('fresh')); // held 11 min: the event comes a minute later
    reference = out;
    ran.add('node');
  });

  for (const e of engines().filter((x) => x.name !== 'node')) {
    test.skipIf(!e.available)(`${e.name}: prints exactly what Node prints`, async () => {
      expect(reference).toBeDefined();
      const out = (await runScript(e.name, script(bundle, other), { timeoutMs: 120_000 })).stdout.trim().split('\n').map((l) => l.trim());
      expect(out).toEqual(reference);
      ran.add(e.name);
    });
  }

  test('every engine that must run did', () => {
    expect(enginesNotCompared(ran)).toEqual([]);
    expect(enginesToCompare().every((n) => ran.has(n))).toBe(true);
  });
});
