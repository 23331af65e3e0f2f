/**
 * Verified means safe, and every call is bounded (docs/BYTECODE.md, "State regions" and "Work per call"):
 * - the verifier refuses two instructions sharing a state slot (the hostile cases 'state-overlap' show the checks;
 *   here, the bundle that let COUNT write past its ring is refused at the slot operand that overlaps);
 * - advanceTo() runs at most the bundle's wake budget of passes per call and says whether it finished, so timers
 *   that restart each other cannot hold a device, whatever time it is given (Infinity, NaN, 1e300, negative,
 *   backwards); every engine returns from every call and prints exactly what Node prints.
 */
import { describe, expect, test } from 'vitest';
import { compileFiles, compileRules } from '../compiler/compile.ts';
import { FULL_PROFILE } from '../compiler/profiles.ts';
import { OPERATOR_CASES } from '../harness/conformance/operator-cases.ts';
import { HOSTILE_TIMES, RESTARTING_TIMERS, hostileTimesScript, parseHostileTimes, type HostileTimesCall } from '../harness/conformance/hostile-times.ts';
import { assemble } from '../harness/hostile/assemble.ts';
import { engines, enginesNotCompared, enginesToCompare, runScript, type EngineName } from '../harness/engines/engines.ts';
import { loadRuntimeArtifact } from '../simulator/artifact.ts';
import { verify } from '../runtime/engine/verify.ts';
import { F_BAD_SLOT } from '../runtime/engine/faults.ts';

const NO_HOST = { emit() {}, output() {}, interval() {} };

test('COUNT cannot be handed a ring index by another op: a COUNT whose region holds a HOLD\'s slot is refused', () => {
  // Accepted before the regions were checked: HOLD wrote 1e6 into COUNT's ring index, and COUNT then wrote a
  // time 1e6 slots past its ring (lost on Node and XS, a growing property table on Duktape).
  const bytes = assemble({
    units: [{ deps: [13], code: [['LOAD', 13], ['CONST', 0], ['HOLD', 1], ['OUT', 0], ['LOAD', 13], ['CONST', 1], ['COUNT', 0, 2], ['OUT', 1], ['END']] }],
    consts: [1e6, 1000], nState: 4,
  });
  const rt = loadRuntimeArtifact().load(bytes, NO_HOST);
  expect([rt.fault, rt.faultAt - verify(bytes).codeOff]).toEqual([F_BAD_SLOT, 14]); // COUNT's slot operand
});

test('timers that restart each other: advanceTo(Infinity) stops after the wake budget and says so', () => {
  const outputs: number[] = [];
  const rt = loadRuntimeArtifact().load(RESTARTING_TIMERS, { emit() {}, output(_id, v) { outputs.push(v); }, interval() {} });
  expect(rt.fault).toBe(0);
  expect(rt.program.wakeBudget).toBe(10);
  rt.step(0);
  outputs.length = 0;
  expect(rt.advanceTo(Infinity)).toBe(false);
  expect(outputs.length).toBe(10);
  expect(rt.nextDue()).toBe(11_000); // the chain goes on; the next call continues it
  expect(rt.advanceTo(15_000)).toBe(true);
  expect(outputs.length).toBe(14);
});

describe('hostile times on every engine', () => {
  const bundles = async () => [RESTARTING_TIMERS, (await compileFiles(['rules'])).bytes, ...OPERATOR_CASES.map((c) => compileRules(c.rules(), FULL_PROFILE).bytes)];
  let reference: HostileTimesCall[][] | undefined;
  const agreed = new Set<EngineName>();

  test('Node: every call returns; advanceTo(Infinity) on restarting timers runs exactly the budget', async () => {
    const list = await bundles();
    reference = parseHostileTimes((await runScript('node', hostileTimesScript(list), { timeoutMs: 120_000 })).stdout);
    expect(reference.length).toBe(list.length);
    for (const calls of reference) expect(calls.map((c) => c.t)).toEqual(HOSTILE_TIMES);
    const atInfinity = reference[0].find((c) => c.t === Infinity)!;
    expect(atInfinity.advanced).toBe(false);
    expect(atInfinity.raised.indexOf('returned')).toBe(verify(RESTARTING_TIMERS).wakeBudget);
    // NaN and times before the last pass are never "due": nothing runs, and the call has finished.
    for (const calls of reference) for (const c of calls) if (c.t !== c.t || c.t === -Infinity) expect(c.advanced).toBe(true);
    agreed.add('node');
  });

  for (const info of engines().filter((e) => e.name !== 'node')) {
    const runIt = info.available ? test : test.skip;
    runIt(`${info.name}: returns from every call and prints exactly what Node prints${info.available ? '' : ` — SKIPPED: ${info.why}`}`, async () => {
      const list = await bundles();
      const got = parseHostileTimes((await runScript(info.name, hostileTimesScript(list), { timeoutMs: 300_000 })).stdout);
      expect(reference, 'the Node run').toBeDefined();
      expect(got).toEqual(reference);
      agreed.add(info.name);
    });
  }

  test(`every engine that must run agreed (${enginesToCompare().join(', ')})`, () => {
    expect(enginesNotCompared(agreed), 'engines without an agreeing run').toEqual([]);
  });
});
