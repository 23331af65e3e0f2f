/**
 * The runtime build refuses code some target engine cannot run: esbuild's ES5 target rejects syntax it cannot
 * lower, and the subset lint rejects APIs that Duktape or Espruino lack (shared/ENGINES.md).
 */
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { expect, test } from 'vitest';
import { lintEngineSubset } from '../harness/engine-subset.ts';
import { RUNTIME_ARTIFACT_PATH, SIGNING_ARTIFACT_PATH } from '../simulator/artifact.ts';

test.each([RUNTIME_ARTIFACT_PATH, SIGNING_ARTIFACT_PATH])('%s passes the subset lint', (path) => {
  expect(lintEngineSubset(readFileSync(path, 'utf8'))).toEqual([]);
});

test('the signing add-on uses the engine already loaded instead of carrying a copy', () => {
  const signing = readFileSync(SIGNING_ARTIFACT_PATH, 'utf8');
  expect(signing).not.toContain('function translate(');
  expect(signing).toContain('EdgeRule.load(');
});

test.each([
  ['var m = new Map();', 'ES2015+ global missing on Duktape/Espruino'],
  ['var x = Math.imul(a, b);', 'Math function missing on Espruino'],
  ['s.fill(0);', 'array method missing on typed arrays in Duktape/Espruino'],
  ['var b = a.slice(1);', 'slice differs on Espruino typed arrays (returns a plain Array) and is missing from String/Array prototypes'],
  ['stack.length = 0;', 'assigning array.length (Espruino: "Assignment to a constant")'],
  ['var f = (x) => x;', 'arrow function or template literal'],
  ['Object.defineProperty(o, "k", {});', 'Object API missing or partial on Espruino'],
])('lint rejects %s', (code, reason) => {
  expect(lintEngineSubset(code).map((f) => f.reason)).toContain(reason);
});

test('esbuild refuses let/const for the ES5 target instead of emitting them', async () => {
  await expect(build({ stdin: { contents: 'const a = 1; let b = 2; export { a, b };', loader: 'ts' }, write: false, target: 'es5', format: 'iife', logLevel: 'silent' }))
    .rejects.toThrow(/Transforming const to the configured target environment \("es5"\) is not supported yet/);
});
