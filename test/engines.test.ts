// Smoke test of the engine harness (harness/engines/engines.ts): exact output, error reporting and timeouts on every
// available engine; in CI (CI=true) node, xs and duktape must be available; engines that are not available are
// reported as SKIPPED (banner + skipped test with the reason), never passed silently.
import { describe, expect, test } from 'vitest';
import {
  describeEngines,
  engines,
  missingRequiredEngines,
  requiredEngines,
  runScript,
  ScriptError,
  type EngineName,
} from '../harness/engines/engines.ts';

const CI = process.env.CI === 'true';
console.warn(describeEngines());

// ES5 that every engine runs alike: no hoisting, no decimal literals (Espruino parses them inexactly), doubles
// checked through their IEEE bytes, integers kept below 1e12 (Espruino prints only ~12 digits).
const EXACT = `
var f = new Float64Array(6);
f[0] = 1 / 3;
f[1] = 2 / 3 + 1 / 7;
f[2] = (1 / 10 + 2 / 10) * 1000;
f[3] = 123456789 * 987654321;
f[4] = -7 / 1024;
f[5] = 2 / 3 * 3 - 2;
var b = new Uint8Array(f.buffer);
var i, j, h;
for (i = 0; i < 6; i++) {
  h = "";
  for (j = 0; j < 8; j++) h += (b[i * 8 + j] < 16 ? "0" : "") + b[i * 8 + j].toString(16);
  print(h);
}
var u = new Uint8Array(1000);
for (i = 0; i < u.length; i++) u[i] = (i * 31 + 7) & 255;
var s1 = 1, s2 = 0;
for (i = 0; i < u.length; i++) { s1 = (s1 + u[i]) % 65521; s2 = (s2 + s1) % 65521; }
print("adler32 " + (s2 * 65536 + s1));
var add = new Function("a", "b", "return a + b * 2;");
print("fn " + add(3, 4));
var mul = new Function("k", "return function (x) { return x * k; };")(5);
print("closure " + mul(7));
print("eval " + eval("6 * 7"));
`;
const EXACT_OUT = [
  '555555555555d53f', // 1/3
  '7a9ee7799ee7e93f', // 2/3 + 1/7
  '0100000000c07240', // (0.1 + 0.2) * 1000 = 300.00000000000006
  '38f5bf4f11137b43', // 123456789 * 987654321, rounded
  '0000000000007cbf', // -7/1024
  '0000000000000000', // 2/3*3 - 2
  'adler32 3656643004',
  'fn 11',
  'closure 35',
  'eval 42',
  '',
].join('\n');

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const x of bytes) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return b * 65536 + a;
}

// A >200 KB script: a hex literal decoded and checksummed, padded with a big comment (generated code is large).
const BIG_BYTES = new Uint8Array(30_000).map((_, i) => (i * 131 + (i >> 7)) & 255);
const BIG = [
  `var HEX = "${Buffer.from(BIG_BYTES).toString('hex')}";`,
  `/* ${'padding '.repeat(20_000)} */`,
  'var n = HEX.length / 2, u = new Uint8Array(n), i, a = 1, b = 0;',
  'for (i = 0; i < n; i++) u[i] = parseInt(HEX.substr(2 * i, 2), 16);',
  'for (i = 0; i < n; i++) { a = (a + u[i]) % 65521; b = (b + a) % 65521; }',
  'print("n " + n + " adler32 " + (b * 65536 + a));',
  '',
].join('\n');

test('harness: the expected output is what Node computes', () => {
  expect(adler32(new Uint8Array(1000).map((_, i) => (i * 31 + 7) & 255))).toBe(3656643004);
});

test.skipIf(!CI)(`CI: required engines (${requiredEngines().join(', ')}) are available`, () => {
  const missing = missingRequiredEngines();
  expect(missing.map((e) => `${e.name}: ${e.why}`), describeEngines()).toEqual([]);
});

for (const info of engines()) {
  const name: EngineName = info.name;
  if (!info.available) {
    if (CI && requiredEngines().includes(name)) {
      test(`${name}: REQUIRED engine is MISSING in CI — ${info.why}`, () => {
        throw new Error(`${name} must be available in CI: ${info.why}`);
      });
    } else {
      test.skip(`${name}: SKIPPED — ${info.why}`, () => {});
    }
    continue;
  }

  describe(`engine ${name}`, () => {
    test('prints exact IEEE, checksum, new Function and eval results', async () => {
      const r = await runScript(name, EXACT);
      expect(r.stdout).toBe(EXACT_OUT);
    });

    test('an empty script prints nothing', async () => {
      const r = await runScript(name, '');
      expect(r.stdout).toBe('');
      console.log(`${name}: empty script took ${Math.round(r.ms)} ms`);
    });

    test('a throwing script rejects with the error text', async () => {
      const p = runScript(name, 'print("before");\nthrow new Error("boom-" + (6 * 7));\n');
      await expect(p).rejects.toBeInstanceOf(ScriptError);
      await expect(p).rejects.toThrow(/boom-42/);
      const e = (await p.catch((x: unknown) => x)) as ScriptError;
      expect(e.stdout).toContain('before');
    });

    test('a script that never ends is killed at timeoutMs', async () => {
      // What proves the kill is the harness's own account of it (its timer fired, the group got SIGKILL), not a
      // wall-clock bound, which a loaded machine could break; a kill that never came would hit the test timeout.
      const e = (await runScript(name, 'var x = 0; for (;;) { x++; }', { timeoutMs: 1500 }).catch((x: unknown) => x)) as ScriptError;
      expect(e).toBeInstanceOf(ScriptError);
      expect(e.message).toMatch(/timed out after 1500 ms \(killed\)/);
      expect([e.timedOut, e.signal]).toEqual([true, 'SIGKILL']);
    });

    if (name === 'espruino') {
      test('Storage mode runs an empty script and reports errors', async () => {
        expect((await runScript(name, '', { espruinoStorage: true })).stdout).toBe('');
        await expect(runScript(name, 'print("x");\nthrow new Error("from-flash");', { espruinoStorage: true })).rejects.toThrow(/from-flash/);
      });
    }

    test('a >200 KB script is passed whole', async () => {
      expect(BIG.length).toBeGreaterThan(200 * 1024);
      // On Espruino it runs from Storage: a fixed 12,000-variable store cannot hold 200 KB of source in RAM.
      const r = await runScript(name, BIG, { espruinoStorage: name === 'espruino' });
      expect(r.stdout).toBe(`n ${BIG_BYTES.length} adler32 ${adler32(BIG_BYTES)}\n`);
    });
  });
}
