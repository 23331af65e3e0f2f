/**
 * Compares runtime builds against the hand-written library, side by side in ONE script per engine: for trying a
 * change to the runtime before it lands (build it in a scratch copy, keep its dist/edgerule-runtime.js, and
 * compare it here with the current one).
 *
 *   node --import ./cli/register-ts.mjs bench/rules-variants.ts <engine> <runtime.js> [<runtime.js> …]
 *     env ROUNDS (default 7), SAMPLES per round (default: the speed plan's), STREAMS (comma-separated names,
 *     default all: synthetic,sbn-v13,dg100,quat-orient,x-io-imu)
 *
 * Each artifact is wrapped in a function of its own, so several `EdgeRule`s live in one script. Rounds rotate
 * the order of the implementations; each figure is µs per sample (median round) and, in brackets, the
 * evaluation ratio against the hand-written library, (variant − loop) ÷ (hand-written − loop), median of the
 * rounds' ratios. On Node, more than one variant per script makes the feed loop's call sites megamorphic and
 * slows every implementation: compare one variant per run there.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { engines, runScript, type EngineName } from '../harness/engines/engines.ts';
import { benchInputs, scriptInputs } from './rules.bench.ts';
import { SPEED_PLANS, realStreams, scriptHead, streamLiteral, window } from './rules-speed.ts';
import { median } from './stats.ts';

export async function compareVariants(engine: EngineName, artifacts: string[], rounds: number, samples: number | undefined, streamNames?: string[]): Promise<string> {
  const plan = SPEED_PLANS[engine];
  const inp = scriptInputs(await benchInputs(), engine);
  const wrapped = artifacts.map((f, k) => `var ER${k} = (function () {\n${readFileSync(f, 'utf8')}\nreturn EdgeRule;\n})();`);
  const want = (n: string) => !streamNames || streamNames.includes(n);
  const target = samples ?? plan.realTarget;
  const defs: string[] = [];
  if (want('synthetic')) defs.push(`{ name: 'synthetic', w: makeWorkload(${samples ?? plan.synthetic}), reps: 1, gap: 0 }`);
  for (const r of realStreams().filter((x) => want(x.name))) {
    const s = window(r.data, engine === 'espruino' ? plan.realSlice : 0);
    defs.push(streamLiteral(r.name, s, Math.max(1, Math.ceil(target / s.n))));
  }
  const script = `${scriptHead([...wrapped, inp.handwritten], inp.bundleB64)}
  var host = erQuietHost;
  var makers = [function () { return HandwrittenRules(host); }, function () { return erEmpty; }${artifacts.map((_, k) => `, function () { return ER${k}.load(bundle, host); }`).join('')}];
  var streams = [${defs.join(',\n    ')}];
  for (var k = 0; k < streams.length; k++) {
    var s = streams[k], r, j, m, o, t0;
    if (!erFlat(s.w)) throw new Error(s.name + ': columns not in flat memory');
    for (j = 0; j < makers.length; j++) erFeed(makers[j](), s.w.t, s.w.sig, s.w.value, s.w.n, s.reps, s.gap);
    for (r = 0; r < ${rounds}; r++) {
      for (j = 0; j < makers.length; j++) {
        m = (j + r) % makers.length;
        o = makers[m]();
        erCollect();
        t0 = erNow();
        erFeed(o, s.w.t, s.w.sig, s.w.value, s.w.n, s.reps, s.gap);
        print('r ' + s.name + ' ' + m + ' ' + ((erNow() - t0) * 1000 / (s.w.n * s.reps)));
      }
    }
  }
  print('done');
})();
`;
  const out = (await runScript(engine, script, { timeoutMs: 3_600_000 })).stdout;
  const names = ['hand-written', 'loop', ...artifacts.map((f) => basename(f))];
  const res = new Map<string, number[][]>();
  for (const line of out.split('\n')) {
    const f = line.trim().split(' ');
    if (f[0] !== 'r') continue;
    if (!res.has(f[1])) res.set(f[1], names.map(() => []));
    res.get(f[1])![Number(f[2])].push(Number(f[3]));
  }
  const lines: string[] = [];
  for (const [stream, per] of res) {
    const [hand, loop] = per;
    const cells = per.slice(2).map((xs, k) => `${names[k + 2]} ${median(xs).toFixed(3)} (${median(xs.map((x, i) => (x - loop[i]) / (hand[i] - loop[i]))).toFixed(2)}×)`);
    lines.push(`${engine} ${stream}: hand-written ${median(hand).toFixed(3)}, loop ${median(loop).toFixed(3)} | ${cells.join('  ')}`);
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [engine, ...files] = process.argv.slice(2) as [EngineName, ...string[]];
  const info = engines().find((e) => e.name === engine);
  if (!info || !files.length) {
    console.error('usage: bench/rules-variants.ts <node|xs|duktape|espruino> <runtime.js> [<runtime.js> …]');
    process.exit(2);
  }
  if (!info.available) {
    console.error(`engine ${engine} is not available: ${info.why}`);
    process.exit(2);
  }
  const env = process.env;
  console.log(await compareVariants(engine, files, Number(env.ROUNDS ?? 7), env.SAMPLES ? Number(env.SAMPLES) : undefined, env.STREAMS?.split(',')));
}
