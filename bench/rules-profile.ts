/**
 * Where the time goes (npm run bench does not run this; `bench/rules.bench.ts --profile`): per engine, in one
 * script, the runtime and the hand-written library side by side.
 *
 *   calls      µs per API call with the library loaded after 45 s of the synthetic drive, nothing due:
 *              advanceTo(t); step(t) with nothing marked; set() of a signal nobody reads (accel.x) and of one
 *              three rules read (accel.mag); set(accel.mag) + step(t) (those three rules run); a whole
 *              accelerometer tick (x, y, z, mag, tilt + step).
 *   per fix    µs per GNSS fix on the GNSS samples alone: sbn-v13 (far from every geofence: the spatial tests can
 *              exit early) and quat-orient (through the geofences); µs per accelerometer step on the 100 Hz IMU log.
 *   lexing     Espruino executes source text: µs per call of a function whose body skips the translated library
 *              code (`if (t < 0) { … }`) minus an empty one, i.e. what scanning past that much code costs per call.
 */
import type { EngineName } from '../harness/engines/engines.ts';
import type { Stream } from '../harness/recordings.ts';
import { realStreams, scriptHead, streamLiteral, window, type ScriptInputs } from './rules-speed.ts';
import { median } from './stats.ts';

/** Calls per measurement and samples of warm-up drive, per engine. */
const PROFILE_PLANS: Record<EngineName, { calls: number; fixSamples: number; rounds: number; streamTarget: number }> = {
  node: { calls: 1_000_000, fixSamples: 0, rounds: 5, streamTarget: 500_000 },
  xs: { calls: 100_000, fixSamples: 0, rounds: 5, streamTarget: 50_000 },
  duktape: { calls: 100_000, fixSamples: 0, rounds: 5, streamTarget: 50_000 },
  espruino: { calls: 500, fixSamples: 2_000, rounds: 3, streamTarget: 0 },
};

function only(s: Stream, keep: (sig: number) => boolean, name: string): Stream {
  const idx: number[] = [];
  for (let i = 0; i < s.n; i++) if (keep(s.sig[i])) idx.push(i);
  const t = new Float64Array(idx.map((i) => s.t[i]));
  const steps = new Set(t).size;
  return { name, t, sig: new Uint8Array(idx.map((i) => s.sig[i])), value: new Float64Array(idx.map((i) => s.value[i])), n: idx.length, origin: s.origin, steps, fixes: s.fixes };
}

export function profileScript(inp: ScriptInputs, engine: EngineName): string {
  const plan = PROFILE_PLANS[engine];
  const real = realStreams();
  const gnss = (sig: number) => sig <= 7 || sig === 23;
  const streams = [
    { label: 'fix-far', s: window(only(real.find((r) => r.name === 'sbn-v13')!.data, gnss, 'sbn-v13 GNSS'), plan.fixSamples) },
    { label: 'fix-near', s: window(only(real.find((r) => r.name === 'quat-orient')!.data, gnss, 'quat-orient GNSS'), plan.fixSamples) },
    { label: 'accel-step', s: window(real.find((r) => r.name === 'x-io-imu')!.data, plan.fixSamples * 2) },
  ];
  // repeated (each pass shifted by the span plus an hour) until long enough for the engine's clock and JIT
  const defs = streams.map(({ label, s }) => {
    const reps = Math.max(1, Math.ceil(plan.streamTarget / s.n));
    return streamLiteral(label, s, reps, `, per: ${(label === 'accel-step' ? s.steps : s.fixes) * reps}`);
  });
  return `${scriptHead([inp.artifact, inp.handwritten], inp.bundleB64)}
  var host = erQuietHost;
  var warm = makeWorkload(6000);
  var K = ${plan.calls}, j, t0, base;
  function make(impl) {
    var o = impl === 'runtime' ? EdgeRule.load(bundle, host) : HandwrittenRules(host);
    erFeed(o, warm.t, warm.sig, warm.value, warm.n, 1, 0);
    return o;
  }
  t0 = erNow(); for (j = 0; j < K; j++) {} base = erNow() - t0;
  function us(ms) { return ((ms - base) * 1000 / K); }
  function calls(impl) {
    var o = make(impl), t = warm.t[warm.n - 1] + 1;
    erCollect();
    if (!(o.nextDue() > t)) throw new Error(impl + ': a timer is due: profile at another point of the workload');
    t0 = erNow(); for (j = 0; j < K; j++) o.advanceTo(t); print('call ' + impl + ' advanceTo ' + us(erNow() - t0));
    t0 = erNow(); for (j = 0; j < K; j++) o.step(t); print('call ' + impl + ' step ' + us(erNow() - t0));
    t0 = erNow(); for (j = 0; j < K; j++) o.set(8, 0.01, t); print('call ' + impl + ' set-unread ' + us(erNow() - t0));
    o.step(t);
    t0 = erNow(); for (j = 0; j < K; j++) o.set(11, 1.001, t); print('call ' + impl + ' set-mag ' + us(erNow() - t0));
    t0 = erNow(); for (j = 0; j < K; j++) { o.set(11, 1.001, t); o.step(t); } print('call ' + impl + ' set-mag+step ' + us(erNow() - t0));
    t0 = erNow(); for (j = 0; j < K; j++) { o.set(8, 0.01, t); o.set(9, 0.02, t); o.set(10, 0.99, t); o.set(11, 1.001, t); o.set(12, 2.1, t); o.step(t); }
    print('call ' + impl + ' accel-tick ' + us(erNow() - t0));
  }
  var streams = [${defs.join(',\n    ')}];
  function perUnit(impl, s) {
    var o = impl === 'runtime' ? EdgeRule.load(bundle, host) : HandwrittenRules(host);
    erCollect();
    var t = erNow();
    erFeed(o, s.w.t, s.w.sig, s.w.value, s.w.n, s.reps, s.gap);
    return (erNow() - t) * 1000 / s.per;
  }
  var impls = ['runtime', 'handwritten'];
  for (var r = 0; r < ${plan.rounds}; r++) {
    for (var i = 0; i < 2; i++) calls(impls[(i + r) % 2]);
    for (var k = 0; k < streams.length; k++) for (i = 0; i < 2; i++) print('unit ' + impls[(i + r) % 2] + ' ' + streams[k].name + ' ' + perUnit(impls[(i + r) % 2], streams[k]));
    var src = EdgeRule.translated(bundle);
    var skip = new Function('t', 'if (t < 0) {' + src + '}'), none = new Function('t', 'if (t < 0) {}');
    var L = K < 1000 ? K : 1000;
    t0 = erNow(); for (j = 0; j < L; j++) none(1); var a = erNow() - t0;
    t0 = erNow(); for (j = 0; j < L; j++) skip(1); var b = erNow() - t0;
    print('lex ' + ((b - a) * 1000 / L) + ' ' + src.length);
  }
  print('done');
})();
`;
}

export interface ProfileFigures {
  engine: EngineName;
  /** µs, median over rounds, per call / per fix / per accelerometer step */
  runtime: Record<string, number>;
  handwritten: Record<string, number>;
  /** µs per call to skip the translated code, and its size in characters */
  lexUs: number;
  codeChars: number;
}

export const PROFILE_ROWS: Array<[string, string]> = [
  ['advanceTo', 'advanceTo(t), nothing due'],
  ['step', 'step(t), nothing marked'],
  ['set-unread', 'set(accel.x): no reader'],
  ['set-mag', 'set(accel.mag): 3 rules read it'],
  ['set-mag+step', 'set(accel.mag) + step(t): 3 rules run'],
  ['accel-tick', 'accelerometer tick: 5 set + step'],
  ['accel-step', 'per accelerometer step, x-io IMU 100 Hz'],
  ['fix-far', 'per GNSS fix, sbn-v13 (far from the geofences)'],
  ['fix-near', 'per GNSS fix, quat-orient (through the geofences)'],
];

export async function measureProfile(engine: EngineName, inp: ScriptInputs, run: (engine: EngineName, script: string) => Promise<string>): Promise<ProfileFigures> {
  const out = await run(engine, profileScript(inp, engine));
  if (!/^done$/m.test(out)) throw new Error(`profile script did not finish on ${engine}:\n${out.slice(-1000)}`);
  const acc: Record<string, Record<string, number[]>> = { runtime: {}, handwritten: {} };
  const lex: number[] = [];
  let codeChars = NaN;
  for (const line of out.split('\n')) {
    const f = line.trim().split(' ');
    if (f[0] === 'call' || f[0] === 'unit') (acc[f[1]][f[2]] ??= []).push(Number(f[3]));
    else if (f[0] === 'lex') { lex.push(Number(f[1])); codeChars = Number(f[2]); }
  }
  const med = (m: Record<string, number[]>) => Object.fromEntries(Object.entries(m).map(([k, xs]) => [k, median(xs)]));
  return { engine, runtime: med(acc.runtime), handwritten: med(acc.handwritten), lexUs: median(lex), codeChars };
}

export function formatProfile(figs: ProfileFigures[]): string {
  const fmt = (x: number) => (!Number.isFinite(x) ? '?' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  const head = ['', ...figs.flatMap((f) => [`${f.engine} runtime`, `${f.engine} hand`])];
  const body = PROFILE_ROWS.map(([k, label]) => [label, ...figs.flatMap((f) => [fmt(f.runtime[k]), fmt(f.handwritten[k])])]);
  body.push(['skip the translated code once (lexing)', ...figs.flatMap((f) => [fmt(f.lexUs), `${f.codeChars} chars`])]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  ');
  return ['Where the time goes, µs (median of rounds; runtime and hand-written side by side in one script per engine)',
    line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n');
}
