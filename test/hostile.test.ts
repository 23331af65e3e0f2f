/**
 * Hostile bundles are refused with their exact fault code and byte offset on every engine, and a seeded
 * mutation fuzz run proves that no malformed bundle crashes or hangs the runtime: each one is either refused
 * with a fault code or, if it still verifies, runs samples and hostile times watched (harness/fuzz/bundles.ts):
 * no throw, every call within its work bound, every state write inside the writing instruction's region.
 * Engines must agree on every fault.
 */
import { describe, expect, test } from 'vitest';
import { HOSTILE_CASES, VALID } from '../harness/hostile/cases.ts';
import { mutate, prng } from '../harness/fuzz/mutate.ts';
import { fuzzBundleOnce } from '../harness/fuzz/bundles.ts';
import { RESTARTING_TIMERS } from '../harness/conformance/hostile-times.ts';
import { conformanceScript, parseOutput } from '../harness/conformance/driver.ts';
import { engines, enginesNotCompared, enginesToCompare, runScript, type EngineName } from '../harness/engines/engines.ts';
import { loadRuntimeArtifact } from '../simulator/artifact.ts';
import { compileRules } from '../compiler/compile.ts';
import { FULL_PROFILE } from '../compiler/profiles.ts';
import { OPERATOR_CASES } from '../harness/conformance/operator-cases.ts';
import { FAULT_TEXT } from '../compiler/faults.ts';

const NO_HOST = { emit() {}, output() {}, interval() {} };
const FUZZ_CASES = Number(process.env.FUZZ_CASES ?? 5000);
const ENGINE_FUZZ_CASES = 300;

/** Engines that refused or ran the mutated bundles exactly as Node did. */
const agreed = new Set<EngineName>();

const bases = [VALID, RESTARTING_TIMERS, ...OPERATOR_CASES.map((c) => compileRules(c.rules(), FULL_PROFILE).bytes)];
const hostileScript = conformanceScript(HOSTILE_CASES.map((c) => ({ bundle: c.bytes, samples: [], until: 0, plainArray: !(c.bytes instanceof Uint8Array) })));

function fuzzed(count: number, seed: number): Uint8Array[] {
  const rand = prng(seed);
  return Array.from({ length: count }, () => mutate(bases[Math.floor(rand() * bases.length)], rand));
}

describe('hostile bundles', () => {
  test('the unbroken bundle loads', () => {
    expect(loadRuntimeArtifact().load(VALID, NO_HOST).fault).toBe(0);
  });

  for (const info of engines()) {
    const runIt = info.available ? test : test.skip;
    runIt(`${info.name}: each hostile bundle is refused with its fault code and offset${info.available ? '' : ` — SKIPPED: ${info.why}`}`, async () => {
      const results = parseOutput((await runScript(info.name, hostileScript)).stdout);
      HOSTILE_CASES.forEach((c, i) => {
        expect(results[i].fault, `${info.name}: ${c.name}: want ${FAULT_TEXT[c.fault].name}@${c.at}`).toEqual({ code: c.fault, at: c.at });
      });
    });
  }
});

describe(`mutation fuzz (${FUZZ_CASES} bundles on Node; ${ENGINE_FUZZ_CASES} on every engine)`, () => {
  test('no mutated bundle crashes the runtime; accepted ones run bounded, inside their state regions, at hostile times', () => {
    const api = loadRuntimeArtifact();
    const rand = prng(7);
    let accepted = 0;
    const faults = new Map<number, number>();
    fuzzed(FUZZ_CASES, 1).forEach((bytes, i) => {
      const r = fuzzBundleOnce(api, bytes, rand);
      if (r.problem) throw new Error(`fuzz case ${i} (seed 1): ${r.problem}: ${r.detail}`);
      faults.set(r.fault, (faults.get(r.fault) ?? 0) + 1);
      expect(r.fault === 0 || FAULT_TEXT[r.fault] !== undefined, `case ${i}: unknown fault ${r.fault}`).toBe(true);
      if (r.fault === 0) accepted++;
    });
    console.log(`fuzz: ${FUZZ_CASES} mutated bundles, ${accepted} still valid and ran watched, faults: ${[...faults].filter(([f]) => f).map(([f, n]) => `${FAULT_TEXT[f].name}×${n}`).join(' ')}`);
    expect(faults.size).toBeGreaterThan(8);
    expect(accepted).toBeGreaterThan(FUZZ_CASES / 50);
  });

  const sample = fuzzed(ENGINE_FUZZ_CASES, 2);
  const script = conformanceScript(sample.map((bundle) => ({ bundle, samples: [{ t: 0, signal: 13, value: 1 }, { t: 1000, signal: 2, value: 0 }], until: 10_000_000 })));
  for (const info of engines()) {
    const runIt = info.available ? test : test.skip;
    runIt(`${info.name}: refuses or runs the same mutated bundles with the same faults as Node${info.available ? '' : ` — SKIPPED: ${info.why}`}`, async () => {
      const reference = sample.map((b) => loadRuntimeArtifact().load(b, NO_HOST)).map((rt) => (rt.fault ? { code: rt.fault, at: rt.faultAt } : undefined));
      const results = parseOutput((await runScript(info.name, script, { timeoutMs: 300_000 })).stdout);
      expect(results.map((r) => r.fault)).toEqual(reference);
      agreed.add(info.name);
    });
  }

  test(`every engine that must run agreed on every fault (${enginesToCompare().join(', ')})`, () => {
    expect(enginesNotCompared(agreed), 'engines without an agreeing run').toEqual([]);
  });
});
