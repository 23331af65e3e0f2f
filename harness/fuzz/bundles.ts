/**
 * One bundle-fuzz case, shared by test/hostile.test.ts and `npm run fuzz`: the runtime artifact loads the mutated
 * bundle; a bundle it accepts is driven (driveRandomly: ordinary samples, then hostile times) twice — watched
 * (watched-runtime.ts: every state write inside the writing instruction's region, every call within the work bound)
 * and then through the artifact itself, which must not throw either.
 */
import type { RuntimeApi } from '../../simulator/artifact.ts';
import { driveRandomly, prng } from './mutate.ts';
import { watchedLoad, WorkExceeded, OutOfRegion } from './watched-runtime.ts';

const NO_HOST = { emit() {}, output() {}, interval() {} };

export type BundleProblem = 'hang' | 'out-of-region' | 'throw';

export interface BundleCase { fault: number; problem?: BundleProblem; detail?: string }

export function fuzzBundleOnce(api: RuntimeApi, bytes: Uint8Array, rand: () => number): BundleCase {
  let rt;
  try {
    rt = api.load(bytes, NO_HOST);
  } catch (e) {
    return { fault: -1, problem: 'throw', detail: `load threw ${(e as Error).stack}` };
  }
  if (rt.fault) return { fault: rt.fault };
  const seed = Math.floor(rand() * 2 ** 32);
  const watched = watchedLoad(bytes, NO_HOST);
  if (!watched) return { fault: 0, problem: 'throw', detail: 'the artifact accepted a bundle the source verifier refuses' };
  try {
    driveRandomly(watched.rt, prng(seed));
  } catch (e) {
    if (e instanceof WorkExceeded) return { fault: 0, problem: 'hang', detail: e.message };
    if (e instanceof OutOfRegion) return { fault: 0, problem: 'out-of-region', detail: e.message };
    return { fault: 0, problem: 'throw', detail: `watched run threw ${(e as Error).stack}` };
  }
  try {
    driveRandomly(rt, prng(seed));
  } catch (e) {
    return { fault: 0, problem: 'throw', detail: `running the artifact threw ${(e as Error).stack}` };
  }
  return { fault: 0 };
}
