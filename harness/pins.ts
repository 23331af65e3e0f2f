/**
 * Fingerprints of everything a refactor must leave byte-identical: the library bundle and its sidecar, the
 * translated code the device builds from it, every operator golden case's bundle and translated code, and the
 * events (plain and signed) of the shipped example drive. test/pinned.test.ts compares them with
 * test/fixtures/pins.json; `node --import ./cli/register-ts.mjs harness/pins.ts --write` re-pins after a change
 * that is meant to alter bytes (say why in the commit).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileFiles, compileRules } from '../compiler/compile.ts';
import { FULL_PROFILE } from '../compiler/profiles.ts';
import { loadRuntimeArtifact } from '../simulator/artifact.ts';
import { bundleFrom } from '../simulator/inputs.ts';
import { simulate, eventsJsonl } from '../simulator/run.ts';
import { loadScenario } from '../simulator/scenario.ts';
import { DEMO_DEVICE } from '../simulator/signed-events.ts';
import { OPERATOR_CASES } from './conformance/operator-cases.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const PINS_FILE = ROOT + 'test/fixtures/pins.json';

function sha(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function fingerprints(): Promise<Record<string, string>> {
  const api = loadRuntimeArtifact();
  const lib = await compileFiles([ROOT + 'rules'], { cwd: ROOT });
  const operatorBundles = OPERATOR_CASES.map((c) => compileRules(c.rules(), FULL_PROFILE, ROOT).bytes);
  const scenario = { file: 'examples/scenarios/door-theft.json', scenario: await loadScenario(ROOT + 'examples/scenarios/door-theft.json') };
  const sim = simulate({
    bundle: bundleFrom('rules', lib.bytes, lib.map),
    traces: [ROOT + 'examples/quat-orient/gps.2020-10-15-21.csv', ROOT + 'examples/quat-orient/accel.2020-10-15-21.csv'],
    startMs: Date.parse('2020-10-15T21:00:00+13:00'), scenario,
    signer: { ...DEMO_DEVICE, signing: 'per-event' },
  });
  return {
    'library bundle': sha(lib.bytes),
    'library sidecar': sha(JSON.stringify(lib.map)),
    'library translated code': sha(api.translated(lib.bytes)),
    'operator case bundles': sha(operatorBundles.map((b) => sha(b)).join('\n')),
    'operator case translated code': sha(operatorBundles.map((b) => sha(api.translated(b))).join('\n')),
    'example drive events': sha(eventsJsonl(sim.events)),
    'example drive signed events': sha(sim.signed!.bytes),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const now = await fingerprints();
  if (process.argv.includes('--write')) writeFileSync(PINS_FILE, JSON.stringify(now, null, 2) + '\n');
  else console.log(JSON.stringify({ pinned: JSON.parse(readFileSync(PINS_FILE, 'utf8')), now }, null, 2));
}
