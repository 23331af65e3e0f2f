/**
 * The long mutation-fuzz runs, sized by the caller instead of by a test timeout:
 *   npm run fuzz -- --cases 1000000 --seed 3                 bundles through the runtime artifact (Node), every
 *                                                            accepted one also watched (harness/fuzz/watched-runtime.ts)
 *   npm run fuzz -- --target events --cases 100000           events files through the host verifier
 *   npm run fuzz -- --target writer --cases 100000           the event writer restarting from corrupted persisted state
 * Same mutators and checks as test/hostile.test.ts and test/events-verify.test.ts (harness/fuzz/); stops at the
 * first failure and prints the seed, the case number and the input as hex so it can become a regression test.
 */
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { mutate, prng } from '../harness/fuzz/mutate.ts';
import { fuzzBundleOnce, type BundleProblem } from '../harness/fuzz/bundles.ts';
import { RESTARTING_TIMERS } from '../harness/conformance/hostile-times.ts';
import { eventsFuzzTargets, fuzzEventsOnce } from '../harness/fuzz/events.ts';
import { fuzzWriterOnce, type WriterCase } from '../harness/fuzz/writer-state.ts';
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
  const bases = [VALID, RESTARTING_TIMERS, (await compileFiles(['rules'])).bytes];
  let accepted = 0;
  const found: Record<BundleProblem, number> = { hang: 0, 'out-of-region': 0, throw: 0 };
  const firsts: string[] = [];
  for (let i = 0; i < cases; i++) {
    const bytes = mutate(bases[Math.floor(rand() * bases.length)], rand);
    const r = fuzzBundleOnce(api, bytes, rand);
    if (r.fault === 0) accepted++;
    if (r.problem) {
      if (found[r.problem]++ === 0) firsts.push(`case ${i}: ${r.problem}: ${r.detail}\nbundle: ${Buffer.from(bytes).toString('hex')}`);
    }
    if (i % 50000 === 49999) console.log(`${i + 1} cases, ${accepted} accepted, ${elapsed()}`);
  }
  const tally = `${found.hang} hangs, ${found['out-of-region']} out-of-region state writes, ${found.throw} throws`;
  console.log(`fuzz bundles: ${cases} cases (seed ${seed}), ${accepted} still valid and ran watched with hostile times: ${tally}, ${elapsed()}`);
  if (firsts.length) failed(cases, `first of each kind:\n${firsts.join('\n')}`);
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

function fuzzWriter(): void {
  const eventSeed = new Uint8Array(createHash('sha256').update('edgerule fuzz writer').digest());
  const found: Record<NonNullable<WriterCase['problem']>, number> = { throw: 0, 'signed-not-produced': 0, 'handed-not-produced': 0 };
  const firsts: string[] = [];
  for (let i = 0; i < cases; i++) {
    const r = fuzzWriterOnce(rand, eventSeed);
    if (r.problem && found[r.problem]++ === 0) firsts.push(`case ${i}: ${r.problem}: ${r.detail}`);
    if (i % 10000 === 9999) console.log(`${i + 1} cases, ${elapsed()}`);
  }
  const tally = `${found.throw} throws, ${found['signed-not-produced']} records signed and ${found['handed-not-produced']} handed over that the writer did not produce`;
  console.log(`fuzz writer: ${cases} restarts from corrupted persisted state (seed ${seed}): ${tally}, ${elapsed()}`);
  if (firsts.length) failed(cases, `first of each kind:\n${firsts.join('\n')}`);
}

if (values.target === 'bundles') await fuzzBundles();
else if (values.target === 'events') fuzzEvents();
else if (values.target === 'writer') fuzzWriter();
else {
  console.error(`fuzz: --target ${values.target}: expected bundles, events or writer`);
  process.exit(2);
}
