/**
 * The long mutation-fuzz run: `npm run fuzz -- --cases 1000000 --seed 3`. Same mutator and checks as
 * test/hostile.test.ts, on Node through the runtime artifact; stops at the first crash and prints the seed,
 * the case number and the bundle as hex so it can be turned into a hostile-bundle test.
 */
import { parseArgs } from 'node:util';
import { driveRandomly, mutate, prng } from '../harness/fuzz/mutate.ts';
import { loadRuntimeArtifact } from '../simulator/artifact.ts';
import { compileFiles } from '../compiler/compile.ts';
import { VALID } from '../harness/hostile/cases.ts';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '200000' }, seed: { type: 'string', default: String(Date.now() % 100000) } } });
const cases = Number(values.cases);
const seed = Number(values.seed);
const api = loadRuntimeArtifact();
const host = { emit() {}, output() {}, interval() {} };
const bases = [VALID, (await compileFiles(['rules'])).bytes];
const rand = prng(seed);
let accepted = 0;
const started = Date.now();
for (let i = 0; i < cases; i++) {
  const bytes = mutate(bases[Math.floor(rand() * bases.length)], rand);
  try {
    const rt = api.load(bytes, host);
    if (rt.fault) continue;
    accepted++;
    driveRandomly(rt, rand);
  } catch (e) {
    console.error(`seed ${seed} case ${i}: ${(e as Error).stack}\nbundle: ${Buffer.from(bytes).toString('hex')}`);
    process.exit(1);
  }
  if (i % 50000 === 49999) console.log(`${i + 1} cases, ${accepted} accepted, ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
console.log(`fuzz: ${cases} cases (seed ${seed}), ${accepted} still valid and ran, no crash, ${((Date.now() - started) / 1000).toFixed(1)} s`);
