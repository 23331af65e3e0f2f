/**
 * The long mutation-fuzz runs, sized by the caller instead of by a test timeout:
 *   npm run fuzz -- --cases 1000000 --seed 3                 bundles through the runtime artifact (Node)
 *   npm run fuzz -- --target events --cases 100000           events files through the host verifier
 * Same mutators and checks as test/hostile.test.ts and test/events-verify.test.ts (harness/fuzz/); stops at the
 * first failure and prints the seed, the case number and the input as hex so it can become a regression test.
 */
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { driveRandomly, mutate, prng } from '../harness/fuzz/mutate.ts';
import { eventsFuzzTargets, fuzzEventsOnce } from '../harness/fuzz/events.ts';
import { loadRuntimeArtifact } from '../simulator/artifact.ts';
import { compileFiles } from '../compiler/compile.ts';
import { generateKey } from '../signing/keys.ts';
import { VALID } from '../harness/hostile/cases.ts';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'bundles' },
    cases: { type: 'string', default: '200000' },
    seed: { type: 'string', default: String(Date.now() % 100000) },
  },
});
const cases = Number(values.cases);
const seed = Number(values.seed);
const rand = prng(seed);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

function failed(i: number, what: string): never {
  console.error(`seed ${seed} case ${i}: ${what}`);
  process.exit(1);
}

async function fuzzBundles(): Promise<void> {
  const api = loadRuntimeArtifact();
  const host = { emit() {}, output() {}, interval() {} };
  const bases = [VALID, (await compileFiles(['rules'])).bytes];
  let accepted = 0;
  for (let i = 0; i < cases; i++) {
    const bytes = mutate(bases[Math.floor(rand() * bases.length)], rand);
    try {
      const rt = api.load(bytes, host);
      if (rt.fault) continue;
      accepted++;
      driveRandomly(rt, rand);
    } catch (e) {
      failed(i, `${(e as Error).stack}\nbundle: ${Buffer.from(bytes).toString('hex')}`);
    }
    if (i % 50000 === 49999) console.log(`${i + 1} cases, ${accepted} accepted, ${elapsed()}`);
  }
  console.log(`fuzz bundles: ${cases} cases (seed ${seed}), ${accepted} still valid and ran, no crash, ${elapsed()}`);
}

function fuzzEvents(): void {
  const key = generateKey('device', 7, new Uint8Array(createHash('sha256').update('edgerule fuzz device 7').digest()));
  const targets = eventsFuzzTargets({ seed: key.seed!, publicKey: key.publicKey, device: 7 });
  for (let i = 0; i < cases; i++) {
    const problem = fuzzEventsOnce(targets[i % targets.length], rand);
    if (problem) failed(i, problem);
    if (i % 10000 === 9999) console.log(`${i + 1} cases, ${elapsed()}`);
  }
  console.log(`fuzz events: ${cases} mutated events files (seed ${seed}), the verifier always answered and never passed a changed file, ${elapsed()}`);
}

if (values.target === 'bundles') await fuzzBundles();
else if (values.target === 'events') fuzzEvents();
else {
  console.error(`fuzz: --target ${values.target}: expected bundles or events`);
  process.exit(2);
}
