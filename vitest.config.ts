import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Engine tests spawn child processes (xsnap, duk, espruino); two workers match the 2-core machines CI runs on.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
