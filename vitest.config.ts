import { defineConfig } from 'vitest/config';

/**
 * The quick tier (`npm run test:unit`, under 30 s): the compiler, the DSL's types, diagnostics, generated files
 * and documents, the dependency rules, the pinned bytes, and the runtime's sources on Node. No other engines, no
 * recorded traces, no simulator runs. `npm test` (CI) runs these and every other suite.
 */
const UNIT = [
  'test/compiler.test.ts',
  'test/dsl-types.test.ts',
  'test/diagnostics.test.ts',
  'test/generated.test.ts',
  'test/events-doc.test.ts',
  'test/import-graph.test.ts',
  'test/pinned.test.ts',
  'test/runtime-build.test.ts',
  'test/runtime-host.test.ts',
  'test/events-writer.test.ts',
  'test/ed25519-vectors.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Engine tests spawn child processes (xsnap, duk, espruino); two workers match the 2-core machines CI runs on.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      // The unit files share a worker's module cache (isolate: false): they load the same compiler and runtime
      // modules, and importing them again per file was most of this tier's time. Each file also passes alone.
      { extends: true, test: { name: 'unit', include: UNIT, isolate: false } },
      { extends: true, test: { name: 'full', include: ['test/**/*.test.ts'], exclude: UNIT } },
    ],
  },
});
