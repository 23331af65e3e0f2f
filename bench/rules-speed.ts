/**
 * Rule evaluation speed: the runtime artifact with the compiled library vs the hand-written library
 * (bench/handwritten/library.js), side by side in ONE script per engine, on the synthetic workload
 * (harness/workload.ts, generated inside the engine) and on real recordings (harness/recordings.ts, read and
 * merged on the host by the simulator's readers and shipped into the script as base64 of the raw columns:
 * float64 time, uint8 signal, float64 value, so both implementations get bit-identical samples).
 *
 * Both implementations and an empty one go through the same feed loop (advanceTo(t), set every sample of t,
 * step(t)); a round is one fresh instance fed the whole stream `reps` times (each repetition shifted by the
 * stream's span plus an hour, so timers left over run in between). Rounds alternate runtime and hand-written
 * (which one goes first alternates too); the figure is the median round. The empty implementation gives the feed
 * loop's own cost, which both pay: the judged ratio is of evaluation alone, (runtime − loop) ÷ (hand-written −
 * loop); the ratio of the totals is printed beside it. Every round's events (count and a checksum of rule ids and
 * times) must be equal between the two. On Espruino every run starts after a garbage collection pass (every call
 * allocates there, and a collection would otherwise land in whichever run exhausts the free list).
 */
import { WORKLOAD_SOURCE } from '../harness/workload.ts';
import { RECORDINGS, readRecording, type Stream } from '../harness/recordings.ts';
import type { EngineName } from '../harness/engines/engines.ts';
import { median } from './stats.ts';

export interface SpeedPlan {
  /** synthetic samples per round */
  synthetic: number;
  /** real streams: samples per round to reach by repeating the stream */
  realTarget: number;
  /** real streams: at most this many samples of each (a window starting at its first fix), 0 = whole stream */
  realSlice: number;
  rounds: number;
  warmup: number;
}

/**
 * Rounds long enough for the engine's clock and its noise. Node needs warm-up rounds: its first ~3 million samples
 * run up to 10× slower while V8 re-optimizes the feed loop for each round's freshly translated step function.
 * Espruino gets windows of the recordings (a whole recording would take minutes per round there).
 */
export const SPEED_PLANS: Record<EngineName, SpeedPlan> = {
  node: { synthetic: 1_000_000, realTarget: 1_000_000, realSlice: 0, rounds: 7, warmup: 4 },
  xs: { synthetic: 150_000, realTarget: 150_000, realSlice: 0, rounds: 7, warmup: 1 },
  duktape: { synthetic: 150_000, realTarget: 150_000, realSlice: 0, rounds: 7, warmup: 1 },
  espruino: { synthetic: 6_000, realTarget: 3_000, realSlice: 3_000, rounds: 5, warmup: 1 },
};

/** The judged target: evaluation within 1.3× of the hand-written library (issue 13). */
export const RATIO_TARGET = 1.3;

export interface RealStream {
  name: string;
  what: string;
  data: Stream;
}

let cachedReal: RealStream[] | undefined;

/** The real recordings as streams (read once per process). */
export function realStreams(): RealStream[] {
  cachedReal ??= RECORDINGS.map((r) => ({ name: r.name, what: r.what, data: readRecording(r) }));
  return cachedReal;
}

/** A window of at most `max` samples, from the first time group with a GNSS sample, on time-group boundaries. */
export function window(s: Stream, max: number): Stream {
  if (!max || s.n <= max) return s;
  let from = 0;
  for (let i = 0; i < s.n; i++) if (s.sig[i] === 0 || s.sig[i] === 6) { from = i; break; }
  while (from > 0 && s.t[from - 1] === s.t[from]) from--;
  if (s.n - from < max) from = s.n - max;
  while (from > 0 && from < s.n && s.t[from - 1] === s.t[from]) from++;
  let to = Math.min(s.n, from + max);
  while (to < s.n && to > from && s.t[to] === s.t[to - 1]) to--;
  const t = s.t.slice(from, to);
  const base = Math.floor(t[0]);
  for (let i = 0; i < t.length; i++) t[i] -= base;
  let steps = 0, fixes = 0, prev = NaN, fixAt = NaN;
  for (let i = from; i < to; i++) {
    if (s.t[i] !== prev) { steps++; prev = s.t[i]; }
    if (s.sig[i] === 6 && s.t[i] !== fixAt) { fixes++; fixAt = s.t[i]; }
  }
  return { name: s.name, t, sig: s.sig.slice(from, to), value: s.value.slice(from, to), n: to - from, origin: s.origin + base, steps, fixes };
}

/**
 * Bytes as an ES5 array literal of short base64 strings: XS keeps strings in UTF-8, where charCodeAt(i) costs
 * O(i), so decoding one long string takes quadratic time (a 1 MB stream: minutes; 4 KB chunks: 10 s; 128: < 1 s).
 */
const CHUNK = 128;
export function base64Chunks(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64');
  const parts: string[] = [];
  for (let i = 0; i < b64.length; i += CHUNK) parts.push(`'${b64.slice(i, i + CHUNK)}'`);
  return `[${parts.join(',')}]`;
}

/**
 * Raw columns, little-endian (every engine here is), as base64Chunks(): n × float64 time, n × float64 value,
 * n × uint8 signal. The float columns are 8-byte aligned so the engine reads them through Float64Array views
 * (Espruino's DataView refuses byte offsets above 64 KB).
 */
export function encodeStream(s: Stream): string {
  const buf = Buffer.alloc(s.n * 17);
  for (let i = 0; i < s.n; i++) {
    buf.writeDoubleLE(s.t[i], i * 8);
    buf.writeDoubleLE(s.value[i], s.n * 8 + i * 8);
    buf[s.n * 16 + i] = s.sig[i];
  }
  return base64Chunks(buf);
}

/** ES5 shared by the speed, profile and load scripts: clock, base64, stream decoding, the feed loop. */
export const SCRIPT_PRELUDE = `
/** Espruino: a garbage collection pass, so no run pays for the garbage an earlier one left (no-op elsewhere). */
function erCollect() { if (typeof E !== 'undefined' && typeof process !== 'undefined' && process.memory) process.memory(); }
var erNow = typeof getTime === 'function' ? function () { return getTime() * 1000; }
  : typeof performance !== 'undefined' && performance && performance.now ? function () { return performance.now(); }
  : function () { return Date.now(); };
function erBase64(parts) {
  if (typeof E !== 'undefined' && E.toArrayBuffer && typeof atob === 'function') return new Uint8Array(E.toArrayBuffer(atob(parts.join(''))));
  var A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', L = new Uint8Array(128), i, k, j = 0, acc = 0, bits = 0, s, n = 0;
  for (i = 0; i < 64; i++) L[A.charCodeAt(i)] = i;
  for (k = 0; k < parts.length; k++) n += parts[k].length;
  s = parts[parts.length - 1];
  var pad = s.charAt(s.length - 1) === '=' ? (s.charAt(s.length - 2) === '=' ? 2 : 1) : 0;
  var out = new Uint8Array(n / 4 * 3 - pad);
  for (k = 0; k < parts.length; k++) {
    s = parts[k];
    for (i = 0; i < s.length; i++) {
      if (s.charAt(i) === '=') break;
      acc = ((acc << 6) | L[s.charCodeAt(i)]) & 16777215; bits += 6;
      if (bits >= 8) { bits -= 8; out[j++] = (acc >> bits) & 255; }
    }
  }
  return out;
}
/**
 * Espruino keeps a typed array's buffer in one flat block when it can, else as a list of blocks that every
 * element access walks (O(index)): a stream allocated while memory was fragmented is re-allocated, after a
 * collection, until its columns are flat. False if that failed.
 */
function erFlat(w) {
  if (typeof E === 'undefined' || !E.getAddressOf) return true;
  var cols = ['t', 'sig', 'value'], k, a, b, i, tries;
  for (k = 0; k < cols.length; k++) {
    for (tries = 0; tries < 4 && !E.getAddressOf(w[cols[k]].buffer, true); tries++) {
      a = w[cols[k]];
      erCollect();
      b = cols[k] === 'sig' ? new Uint8Array(a.length) : new Float64Array(a.length);
      for (i = 0; i < a.length; i++) b[i] = a[i];
      w[cols[k]] = b;
      a = null;
    }
    if (!E.getAddressOf(w[cols[k]].buffer, true)) return false;
  }
  return true;
}
function erStream(b64, n) {
  var b = erBase64(b64), bt = new Float64Array(b.buffer, 0, n), bx = new Float64Array(b.buffer, n * 8, n);
  var T = new Float64Array(n), S = new Uint8Array(n), X = new Float64Array(n), i;
  for (i = 0; i < n; i++) { T[i] = bt[i]; X[i] = bx[i]; S[i] = b[n * 16 + i]; }
  return { t: T, sig: S, value: X, n: n };
}
var erQuietHost = { emit: function () {}, output: function () {}, interval: function () {} };
var erEmpty = { set: function (s, v, t) {}, step: function (t) {}, advanceTo: function (t) {} };
function erFeed(o, T, S, X, n, reps, gap) {
  var i, t, tt, r, off = 0;
  for (r = 0; r < reps; r++) {
    i = 0;
    while (i < n) {
      tt = T[i];
      t = tt + off;
      o.advanceTo(t);
      do { o.set(S[i], X[i], t); i++; } while (i < n && T[i] === tt);
      o.step(t);
    }
    off += gap;
  }
}
`;

/**
 * The start of an engine script: the given code (artifacts, libraries), the workload generator, the prelude, and
 * an immediately-invoked function holding `bundle`; the caller writes the body and the closing `})();`.
 */
export function scriptHead(code: string[], bundleB64: string): string {
  return `${code.join('\n')}
${WORKLOAD_SOURCE}
${SCRIPT_PRELUDE}
(function () {
  var bundle = erBase64(${bundleB64});
`;
}

/** The ES5 literal of a recorded stream: { name, w, reps, gap } (each pass shifted by its span plus an hour). */
export function streamLiteral(name: string, s: Stream, reps: number, extra = ''): string {
  return `{ name: '${name}', w: erStream(${encodeStream(s)}, ${s.n}), reps: ${reps}, gap: ${Math.ceil(s.t[s.n - 1]) + 3_600_000}${extra} }`;
}

export interface ScriptInputs {
  artifact: string;
  /** the hand-written library as the engine should run it (minified on Espruino) */
  handwritten: string;
  /** the bundle as base64Chunks() */
  bundleB64: string;
}

export interface PlannedStream {
  name: string;
  kind: 'synthetic' | 'real';
  /** the columns (real) */
  data?: Stream;
  n: number;
  reps: number;
  /** per repetition */
  steps: number;
  fixes: number;
}

export function planStreams(engine: EngineName, plan: SpeedPlan, real: RealStream[]): PlannedStream[] {
  const out: PlannedStream[] = [{ name: 'synthetic', kind: 'synthetic', n: plan.synthetic, reps: 1, steps: NaN, fixes: NaN }];
  for (const r of real) {
    const s = window(r.data, engine === 'espruino' ? plan.realSlice : 0);
    out.push({ name: r.name, kind: 'real', data: s, n: s.n, reps: Math.max(1, Math.ceil(plan.realTarget / s.n)), steps: s.steps, fixes: s.fixes });
  }
  return out;
}

/** One ES5 script: runtime + hand-written library + every stream, rounds alternating, one line per round. */
export function speedScript(inp: ScriptInputs, streams: PlannedStream[], plan: SpeedPlan): string {
  const defs = streams.map((s) => s.kind === 'synthetic'
    ? `{ name: 'synthetic', w: makeWorkload(${s.n}), reps: 1, gap: 0 }`
    : streamLiteral(s.name, s.data!, s.reps));
  return `${scriptHead([inp.artifact, inp.handwritten], inp.bundleB64)}
  var events = 0, check = 0;
  var host = {
    emit: function (r, sev, t, E, n) { events++; check = (check * 31 + r * 1000003 + t) % 1000000007; },
    output: function (id, v) { check = (check * 7 + id + 1) % 1000000007; },
    interval: function (ms) { check = (check * 11 + ms) % 1000000007; }
  };
  var streams = [${defs.join(',\n    ')}];
  function round(impl, s) {
    events = 0; check = 0;
    var o;
    if (impl === 'runtime') { o = EdgeRule.load(bundle, host); if (o.fault) throw new Error('bundle refused: fault ' + o.fault + ' at ' + o.faultAt); }
    else o = impl === 'handwritten' ? HandwrittenRules(host) : erEmpty;
    erCollect();
    var t0 = erNow();
    erFeed(o, s.w.t, s.w.sig, s.w.value, s.w.n, s.reps, s.gap);
    return (erNow() - t0) + ' ' + events + ' ' + check;
  }
  for (var k = 0; k < streams.length; k++) {
    var s = streams[k];
    if (!erFlat(s.w)) print('warn ' + s.name + ' columns not in flat memory (Espruino): every sample access walks a block list');
    print('stream ' + s.name + ' ' + s.w.n + ' ' + s.reps);
    for (var r = 0; r < ${plan.warmup}; r++) { round('runtime', s); round('handwritten', s); round('loop', s); }
    for (r = 0; r < ${plan.rounds}; r++) {
      if (r % 2 === 0) {
        print('round ' + s.name + ' runtime ' + round('runtime', s));
        print('round ' + s.name + ' handwritten ' + round('handwritten', s));
      } else {
        print('round ' + s.name + ' handwritten ' + round('handwritten', s));
        print('round ' + s.name + ' runtime ' + round('runtime', s));
      }
      print('round ' + s.name + ' loop ' + round('loop', s));
    }
  }
  print('done');
})();
`;
}

type Impl = 'runtime' | 'handwritten' | 'loop';
interface Rounds { ms: Record<Impl, number[]>; events: Record<Impl, string[]>; n: number; reps: number }

export function parseSpeed(stdout: string): Map<string, Rounds> {
  const out = new Map<string, Rounds>();
  let done = false;
  for (const line of stdout.split('\n')) {
    const f = line.trim().split(' ');
    if (f[0] === 'stream') out.set(f[1], { ms: { runtime: [], handwritten: [], loop: [] }, events: { runtime: [], handwritten: [], loop: [] }, n: Number(f[2]), reps: Number(f[3]) });
    else if (f[0] === 'round') {
      const r = out.get(f[1])!;
      const impl = f[2] as Impl;
      r.ms[impl].push(Number(f[3]));
      r.events[impl].push(`${f[4]}/${f[5]}`);
    } else if (f[0] === 'warn') throw new Error(`speed script: ${line.trim()}`);
    else if (f[0] === 'done') done = true;
  }
  if (!done) throw new Error(`speed script did not finish:\n${stdout.slice(-2000)}`);
  return out;
}

export interface SpeedFigures {
  engine: EngineName;
  stream: string;
  kind: 'synthetic' | 'real';
  /** samples per round (all repetitions) */
  samples: number;
  reps: number;
  rounds: number;
  /** µs per sample, median round */
  runtime: number;
  handwritten: number;
  loop: number;
  /** (runtime − loop) ÷ (handwritten − loop): evaluation alone; median over rounds of each round's ratio */
  ratio: number;
  /** the middle half of the rounds' ratios (noise) */
  ratioLow: number;
  ratioHigh: number;
  /** runtime ÷ handwritten, loop included (median of rounds) */
  ratioTotal: number;
  /** µs per GNSS fix (whole round ÷ fixes), NaN without fixes */
  runtimePerFix: number;
  handwrittenPerFix: number;
  fixes: number;
  /** events per round, and whether every round of both implementations raised the same events */
  events: number;
  eventsEqual: boolean;
}

/** The value below which a fraction q of xs lies (nearest rank). */
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
}

/**
 * On a shared machine the engine's speed drifts between rounds; a round's three runs are adjacent in time, so the
 * ratio of each round is steadier than the ratio of the medians.
 */
function figures(engine: EngineName, ps: PlannedStream, r: Rounds): SpeedFigures {
  const samples = r.n * r.reps;
  const us = (ms: number) => (ms * 1000) / samples;
  const rt = median(r.ms.runtime), hw = median(r.ms.handwritten), lp = median(r.ms.loop);
  const net = r.ms.runtime.map((x, i) => (x - r.ms.loop[i]) / (r.ms.handwritten[i] - r.ms.loop[i]));
  const tot = r.ms.runtime.map((x, i) => x / r.ms.handwritten[i]);
  const fixes = ps.fixes * r.reps;
  const all = [...r.events.runtime, ...r.events.handwritten];
  return {
    engine, stream: ps.name, kind: ps.kind, samples, reps: r.reps, rounds: r.ms.runtime.length,
    runtime: us(rt), handwritten: us(hw), loop: us(lp),
    ratio: median(net), ratioLow: quantile(net, 0.25), ratioHigh: quantile(net, 0.75), ratioTotal: median(tot),
    runtimePerFix: fixes > 0 ? (rt * 1000) / fixes : NaN, handwrittenPerFix: fixes > 0 ? (hw * 1000) / fixes : NaN, fixes,
    events: Number(r.events.runtime[0]?.split('/')[0]), eventsEqual: all.length > 0 && new Set(all).size === 1,
  };
}

/** Runs the speed script on one engine and returns one figure set per stream. */
export async function measureSpeed(
  engine: EngineName, inp: ScriptInputs, run: (engine: EngineName, script: string) => Promise<string>, plan = SPEED_PLANS[engine],
): Promise<SpeedFigures[]> {
  const streams = planStreams(engine, plan, realStreams());
  const out = parseSpeed(await run(engine, speedScript(inp, streams, plan)));
  return streams.map((ps) => {
    const r = out.get(ps.name);
    if (!r) throw new Error(`speed script printed nothing for stream ${ps.name}`);
    return figures(engine, ps, r);
  });
}
