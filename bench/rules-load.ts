/**
 * Load time of the compiled library per engine: EdgeRule.load(bundle, host) as a device does it at boot, split
 * into its parts with the artifact's own entry points:
 *   verify       EdgeRule.verify(bundle)
 *   translate    EdgeRule.translated(bundle) − verify   (reader table + translation to JS source)
 *   instantiate  EdgeRule.load(bundle, host) − EdgeRule.translated(bundle)   (typed arrays, geometry, new Function)
 * (each part the median of its per-repetition differences, so the parts need not add up to the total's median)
 * Figures: the first load in a fresh engine process (what a device pays at boot: on Node it includes compiling
 * the runtime's own code), median over several processes; and the median of repeated loads in one process,
 * split as above. Clock: getTime() on Espruino, performance.now() elsewhere (wall time in the engine: on a
 * loaded machine an upper bound of CPU time).
 */
import type { EngineName } from '../harness/engines/engines.ts';
import { SCRIPT_PRELUDE } from './rules-speed.ts';
import { median } from './stats.ts';

/** Targets of issue 13: CPU ms for EdgeRule.load of the library. */
export const LOAD_TARGET_MS: Partial<Record<EngineName, number>> = { espruino: 50, node: 5 };

/** Fresh processes (first load) and in-process repetitions per engine. */
const LOAD_PLANS: Record<EngineName, { processes: number; reps: number }> = {
  node: { processes: 5, reps: 200 }, xs: { processes: 5, reps: 50 }, duktape: { processes: 5, reps: 50 }, espruino: { processes: 3, reps: 5 },
};

/**
 * `cold`: the first verify, then the first translate (its verify is then warm), then the first load, each in a
 * fresh engine: the boot cost split (V8 compiles each function of the runtime on its first call).
 */
export function loadScript(artifact: string, bundleB64: string, reps: number, cold: boolean): string {
  return `${artifact}
${SCRIPT_PRELUDE}
(function () {
  var bundle = erBase64(${bundleB64});
  var host = erQuietHost;
  var t0, rt, first;
  erCollect();
  if (${cold}) {
    t0 = erNow(); EdgeRule.verify(bundle); var cv = erNow() - t0;
    t0 = erNow(); EdgeRule.verify(bundle); var wv = erNow() - t0;
    t0 = erNow(); EdgeRule.translated(bundle); var ct = erNow() - t0;
    t0 = erNow(); EdgeRule.translated(bundle); var wt = erNow() - t0;
    t0 = erNow(); EdgeRule.load(bundle, host); var cl = erNow() - t0;
    print('cold ' + cv + ' ' + (ct - wv) + ' ' + (cl - wt));
    print('done');
    return;
  }
  t0 = erNow(); rt = EdgeRule.load(bundle, host); first = erNow() - t0;
  if (rt.fault) throw new Error('bundle refused: fault ' + rt.fault);
  print('first ' + first);
  for (var r = 0; r < ${reps}; r++) {
    erCollect();
    t0 = erNow(); EdgeRule.verify(bundle); var tv = erNow() - t0;
    t0 = erNow(); EdgeRule.translated(bundle); var tt = erNow() - t0;
    t0 = erNow(); EdgeRule.load(bundle, host); var tl = erNow() - t0;
    print('rep ' + tv + ' ' + tt + ' ' + tl);
  }
  print('code ' + EdgeRule.translated(bundle).length);
  print('done');
})();
`;
}

export interface LoadFigures {
  engine: EngineName;
  /** ms: first EdgeRule.load in a fresh process (median over processes) */
  first: number;
  /** ms: the first call of each part in a fresh process (median over processes) */
  coldVerify: number;
  coldTranslate: number;
  coldInstantiate: number;
  processes: number;
  /** ms, medians of in-process repetitions */
  verify: number;
  translate: number;
  instantiate: number;
  total: number;
  reps: number;
  /** characters of the translated function */
  codeChars: number;
}

export async function measureLoad(engine: EngineName, artifact: string, bundleB64: string, run: (engine: EngineName, script: string) => Promise<string>): Promise<LoadFigures> {
  const plan = LOAD_PLANS[engine];
  const script = loadScript(artifact, bundleB64, plan.reps, false);
  const coldScript = loadScript(artifact, bundleB64, 0, true);
  const cv: number[] = [], ct: number[] = [], ci: number[] = [];
  // Espruino compiles nothing: a first call costs what a repeated one does (and single samples are noise there).
  for (let p = 0; p < (engine === 'espruino' ? 0 : plan.processes); p++) {
    const out = await run(engine, coldScript);
    const m = /^cold (\S+) (\S+) (\S+)$/m.exec(out);
    if (!m) throw new Error(`cold load script did not finish on ${engine}:\n${out.slice(-1000)}`);
    cv.push(Number(m[1])); ct.push(Number(m[2])); ci.push(Number(m[3]));
  }
  const first: number[] = [], verify: number[] = [], translate: number[] = [], instantiate: number[] = [], load: number[] = [];
  let codeChars = NaN;
  for (let p = 0; p < plan.processes; p++) {
    const out = await run(engine, script);
    if (!/^done$/m.test(out)) throw new Error(`load script did not finish on ${engine}:\n${out.slice(-1000)}`);
    for (const line of out.split('\n')) {
      const f = line.trim().split(' ');
      if (f[0] === 'first') first.push(Number(f[1]));
      else if (f[0] === 'rep') {
        verify.push(Number(f[1]));
        translate.push(Number(f[2]) - Number(f[1]));
        instantiate.push(Number(f[3]) - Number(f[2]));
        load.push(Number(f[3]));
      }
      else if (f[0] === 'code') codeChars = Number(f[1]);
    }
  }
  return {
    engine, first: median(first), processes: plan.processes,
    coldVerify: cv.length ? median(cv) : NaN, coldTranslate: ct.length ? median(ct) : NaN, coldInstantiate: ci.length ? median(ci) : NaN, verify: median(verify), translate: median(translate), instantiate: median(instantiate),
    total: median(load), reps: load.length, codeChars,
  };
}
