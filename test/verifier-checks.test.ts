/**
 * A hostile bundle for every check the verifier makes. The checks are found in runtime/engine/verify.ts by their
 * `// check: <name>` tags (harness/hostile/verifier-checks.ts); a test-only instrumented copy of the verifier says
 * which check refused each case in harness/hostile/cases.ts, so a case proves the check it names — not merely a
 * check with the same fault code. test/hostile.test.ts runs the same cases on every engine.
 */
import { describe, expect, test } from 'vitest';
import { HOSTILE_CASES } from '../harness/hostile/cases.ts';
import { instrumentedVerify, verifierChecks } from '../harness/hostile/verifier-checks.ts';
import { verify } from '../runtime/engine/verify.ts';
import { FAULT_TEXT } from '../compiler/faults.ts';

describe('every verifier check has a hostile bundle', () => {
  const checks = verifierChecks();

  test(`every fault line of the verifier is tagged with a check name (${checks.length} checks)`, () => {
    // verifierChecks() throws on an untagged fault line or a repeated name; guard against finding none at all.
    expect(checks.length).toBeGreaterThan(40);
    expect(checks.every((c) => /\b(bad|fail)\(p, F_/.test(c.text))).toBe(true);
  });

  test('an untagged fault line or a repeated name is refused', () => {
    expect(() => verifierChecks('  if (x) return bad(p, F_BAD_JUMP, at);\n')).toThrow(/needs exactly one .* tag/);
    expect(() => verifierChecks('  return bad(p, F_NO_END, at); // check: a\n  return bad(p, F_NO_END, at); // check: a\n')).toThrow(/named twice/);
  });

  test('each check is reached by at least one case, and every case names a real check', () => {
    const named = new Set(HOSTILE_CASES.map((c) => c.check));
    expect(checks.map((c) => c.name).filter((name) => !named.has(name)), 'checks no hostile case reaches').toEqual([]);
    expect([...named].filter((name) => !checks.some((c) => c.name === name)), 'cases naming no check').toEqual([]);
  });

  test('each case is refused by the check it names, with its fault code and byte offset', async () => {
    const instrumented = await instrumentedVerify();
    for (const c of HOSTILE_CASES) {
      const got = instrumented(c.bytes);
      const want = `${c.check}: ${FAULT_TEXT[c.fault].name}@${c.at}`;
      expect(`${got.check}: ${FAULT_TEXT[got.fault]?.name ?? got.fault}@${got.faultAt}`, c.name).toBe(want);
      // The instrumented copy behaves exactly like the real verifier.
      const real = verify(c.bytes);
      expect({ fault: real.fault, at: real.faultAt }, c.name).toEqual({ fault: got.fault, at: got.faultAt });
    }
  });
});
