// Byte-identity across refactors: the library bundle, sidecar, translated code, operator cases and the example
// drive's events (plain and signed) must hash to the values pinned in test/fixtures/pins.json (harness/pins.ts).
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { fingerprints, PINS_FILE } from '../harness/pins.ts';

test('bundles, translated code and events are byte-identical to the pinned fingerprints', async () => {
  const pinned = JSON.parse(readFileSync(PINS_FILE, 'utf8')) as Record<string, string>;
  expect(await fingerprints()).toEqual(pinned);
}, 120_000);
