/**
 * The rule engine against the same 17 rules written by hand (bench/handwritten/library.js), on every engine:
 *
 *   speed     evaluation cost per sample: the runtime artifact (dist/edgerule-runtime.js) with the compiled library
 *             bundle vs the hand-written library, side by side in ONE script per engine. The workload
 *             (harness/workload.ts) is generated inside the engine before timing; only the feed loop is timed
 *             (runtime: advanceTo(t), set each sample, step(t); hand-written: set each sample, step(t)). Rounds
 *             alternate the two implementations (which one goes first alternates too), each round on a fresh
 *             instance; the figure is the median round. A third, empty implementation gives the feed loop's own
 *             cost (included in both figures). Clock: getTime() on Espruino, else Date.now().
 *   size      bundle bytes vs library.js minified by esbuild (minify: true)
 *   compile   compileRules() on the loaded library, median of several in-process runs, and one cold
 *             `node bin/edgerule.mjs compile rules` (process start, TS loader, rule loading included)
 *   memory    Espruino 12,000-variable build (env ESPRUINO_12K names it; SKIPPED loudly when unset), script run
 *             from Storage as on a device, bundle read from Storage: variables used by the runtime code and by the
 *             loaded library, and process.memory().usage over 10,000 samples (translated code in RAM, and with
 *             host.keepCode putting it in Storage; the hand-written library measured the same way for reference)
 *
 *   node --import ./cli/register-ts.mjs bench/rules.bench.ts [engine…] [--no-speed] [--no-compile] [--no-memory]
 *   (after npm run build; ESPRUINO=… adds Espruino to the speed section; sizes are always printed)
 *   node --import ./cli/register-ts.mjs bench/rules.bench.ts [engine…] --profile    (µs per runtime API call)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, transform } from 'esbuild';
import { engines, runScript, type EngineName } from '../harness/engines/engines.ts';
import { runtimeArtifactSource } from '../simulator/artifact.ts';
import { compileFiles, compileRules } from '../compiler/compile.ts';
import { loadRules } from '../compiler/load.ts';
import { FULL_PROFILE } from '../compiler/profiles.ts';
import { verify } from '../runtime/engine/verify.ts';
import { WORKLOAD_SOURCE } from '../harness/workload.ts';
import { median } from './stats.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
export const HANDWRITTEN_PATH = join(HERE, 'handwritten/library.js');

export interface Row {
  section: 'speed' | 'size' | 'compile' | 'memory';
  /** node, xs, duktape, espruino, espruino-12k, or host (Node running the toolchain) */
  engine: string;
  metric: string;
  value: number;
  unit: string;
  /** the issue's target for this figure, e.g. '≤ 2×' (only on figures that have one) */
  target?: string;
  pass?: boolean;
  note?: string;
}

/** Samples per round and rounds per implementation, per engine: rounds long enough for a ms clock. */
interface SpeedPlan { samples: number; rounds: number; warmup: number; ratioTarget: number }
/**
 * Node needs warm-up rounds: its first ~3 million samples run up to 10× slower while V8 re-optimizes the feed
 * loop for each round's freshly translated step function (new Function per load); the interpreters get one
 * untimed round each so both implementations start from the same state.
 */
export const SPEED_PLANS: Record<EngineName, SpeedPlan> = {
  node: { samples: 1_000_000, rounds: 7, warmup: 4, ratioTarget: 2 },
  xs: { samples: 150_000, rounds: 7, warmup: 1, ratioTarget: 2 },
  duktape: { samples: 150_000, rounds: 7, warmup: 1, ratioTarget: 2 },
  espruino: { samples: 6_000, rounds: 7, warmup: 1, ratioTarget: 3 },
};

const SIZE_TARGET = 1 / 4;
const MEMORY_TARGET_VARS = 1500;
const MEMORY_SAMPLES = 10_000;


export interface Inputs {
  bundle: Uint8Array;
  artifact: string;
  handwritten: string;
  handwrittenMin: string;
}

export async function benchInputs(): Promise<Inputs> {
  const compiled = await compileFiles([join(ROOT, 'rules')]);
  const handwritten = readFileSync(HANDWRITTEN_PATH, 'utf8');
  const min = await transform(handwritten, { minify: true, target: 'es5', loader: 'js' });
  return { bundle: compiled.bytes, artifact: runtimeArtifactSource(), handwritten, handwrittenMin: min.code };
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * The feed loops, shared by the speed and memory scripts. Both see the same arrays; the runtime's loop also
 * runs due wake-ups before each sample time (advanceTo), which the hand-written loop does not have.
 */
const FEED = `
function erFeedRuntime(o, T, S, X, n) {
  var i = 0, t;
  while (i < n) {
    t = T[i];
    o.advanceTo(t);
    do { o.set(S[i], X[i], t); i++; } while (i < n && T[i] === t);
    o.step(t);
  }
}
function erFeedPlain(o, T, S, X, n) {
  var i = 0, t;
  while (i < n) {
    t = T[i];
    do { o.set(S[i], X[i], t); i++; } while (i < n && T[i] === t);
    o.step(t);
  }
}
function erUnhex(s) { var a = new Uint8Array(s.length / 2); for (var i = 0; i < a.length; i++) a[i] = parseInt(s.substr(i * 2, 2), 16); return a; }
`;

/** One ES5 script: runtime + hand-written library + workload, rounds alternating, one line per round. */
export function speedScript(inp: Inputs, engine: EngineName, plan: SpeedPlan): string {
  const lib = engine === 'espruino' ? inp.handwrittenMin : inp.handwritten;
  return `${inp.artifact}
${lib}
${WORKLOAD_SOURCE}
${FEED}
(function () {
  var now = typeof getTime === 'function' ? function () { return getTime() * 1000; } : function () { return Date.now(); };
  var bundle = erUnhex('${hex(inp.bundle)}');
  var w = makeWorkload(${plan.samples});
  var events = 0, actions = 0;
  var host = {
    emit: function (r, sev, t, E, n) { events++; },
    output: function (id, v) { actions++; },
    interval: function (ms) { actions++; }
  };
  var empty = { set: function (s, v, t) { return true; }, step: function (t) {} };
  print('samples ' + w.n + ' ' + w.t[w.n - 1]);
  function runtimeRound() {
    events = 0; actions = 0;
    var rt = EdgeRule.load(bundle, host);
    if (rt.fault) throw new Error('bundle refused: fault ' + rt.fault + ' at ' + rt.faultAt);
    var t0 = now();
    erFeedRuntime(rt, w.t, w.sig, w.value, w.n);
    return (now() - t0) + ' ' + events + ' ' + actions;
  }
  function handRound() {
    events = 0; actions = 0;
    var h = HandwrittenRules(host);
    var t0 = now();
    erFeedPlain(h, w.t, w.sig, w.value, w.n);
    return (now() - t0) + ' ' + events + ' ' + actions;
  }
  function emptyRound() {
    var t0 = now();
    erFeedPlain(empty, w.t, w.sig, w.value, w.n);
    return (now() - t0) + ' 0 0';
  }
  for (var r = 0; r < ${plan.warmup}; r++) print('warmup ' + runtimeRound() + ' ' + handRound() + ' ' + emptyRound());
  for (r = 0; r < ${plan.rounds}; r++) {
    if (r % 2 === 0) {
      print('round runtime ' + runtimeRound());
      print('round handwritten ' + handRound());
    } else {
      print('round handwritten ' + handRound());
      print('round runtime ' + runtimeRound());
    }
    print('round loop ' + emptyRound());
  }
  print('done');
})();
`;
}

interface SpeedResult {
  samples: number;
  driveS: number;
  ms: Record<'runtime' | 'handwritten' | 'loop', number[]>;
  events: Record<'runtime' | 'handwritten', number[]>;
  actions: Record<'runtime' | 'handwritten', number[]>;
}

export function parseSpeed(stdout: string): SpeedResult {
  const res: SpeedResult = { samples: 0, driveS: 0, ms: { runtime: [], handwritten: [], loop: [] }, events: { runtime: [], handwritten: [] }, actions: { runtime: [], handwritten: [] } };
  let done = false;
  for (const line of stdout.split('\n')) {
    const f = line.trim().split(' ');
    if (f[0] === 'samples') { res.samples = Number(f[1]); res.driveS = Number(f[2]) / 1000; }
    else if (f[0] === 'round') {
      const impl = f[1] as 'runtime' | 'handwritten' | 'loop';
      res.ms[impl].push(Number(f[2]));
      if (impl !== 'loop') { res.events[impl].push(Number(f[3])); res.actions[impl].push(Number(f[4])); }
    } else if (f[0] === 'done') done = true;
  }
  if (!done) throw new Error(`speed script did not finish:\n${stdout.slice(-2000)}`);
  return res;
}

async function speedRows(inp: Inputs, engine: EngineName): Promise<Row[]> {
  const plan = SPEED_PLANS[engine];
  const t0 = Date.now();
  const r = await runScript(engine, speedScript(inp, engine, plan), { timeoutMs: 600_000 });
  const wallS = (Date.now() - t0) / 1000;
  const s = parseSpeed(r.stdout);
  const us = (ms: number) => (ms * 1000) / s.samples;
  const rt = us(median(s.ms.runtime));
  const hw = us(median(s.ms.handwritten));
  const loop = us(median(s.ms.loop));
  const ratio = rt / hw;
  const evR = s.events.runtime[0], evH = s.events.handwritten[0];
  const evenRounds = new Set([...s.events.runtime, ...s.events.handwritten]).size === 1;
  const rounds = `median of ${s.ms.runtime.length} rounds (after ${plan.warmup} untimed) × ${s.samples.toLocaleString('en')} samples (${s.driveS.toFixed(0)} s of drive)`;
  return [
    { section: 'speed', engine, metric: 'runtime', value: rt, unit: 'µs/sample', note: rounds },
    { section: 'speed', engine, metric: 'handwritten', value: hw, unit: 'µs/sample', note: rounds },
    { section: 'speed', engine, metric: 'feed loop alone', value: loop, unit: 'µs/sample', note: 'included in both figures above' },
    { section: 'speed', engine, metric: 'runtime ÷ handwritten', value: ratio, unit: '×', target: `≤ ${plan.ratioTarget}×`, pass: ratio <= plan.ratioTarget },
    {
      section: 'speed', engine, metric: 'events', value: evR, unit: 'events', target: '= handwritten', pass: evR === evH && evenRounds,
      note: `runtime ${evR}, handwritten ${evH} per round${evenRounds ? '' : ' (rounds differ!)'}; outputs+intervals ${s.actions.runtime[0]} / ${s.actions.handwritten[0]}`,
    },
    { section: 'speed', engine, metric: 'wall time', value: wallS, unit: 's', note: 'whole engine run: generation, load, all rounds' },
  ];
}

// ---- size -----------------------------------------------------------------------------------------------------

/** Bytes per bundle section (docs/BYTECODE.md), to see where a size target is lost. */
function bundleLayout(bytes: Uint8Array): string {
  const p = verify(bytes);
  if (p.fault) return `bundle refused (fault ${p.fault})`;
  return `header ${p.constOff}, constants ${p.geomOff - p.constOff}, geometry ${p.unitOff - p.geomOff} (${p.nPoints} points), ` +
    `unit table ${p.depOff - p.unitOff}, deps ${p.codeOff - p.depOff}, code ${bytes.length - p.codeOff}`;
}

function sizeRows(inp: Inputs): Row[] {
  const b = inp.bundle.length;
  const m = Buffer.byteLength(inp.handwrittenMin, 'utf8');
  const ratio = b / m;
  return [
    { section: 'size', engine: 'host', metric: 'library bundle', value: b, unit: 'bytes', note: `edgerule compile rules (17 rules, profile full): ${bundleLayout(inp.bundle)}` },
    { section: 'size', engine: 'host', metric: 'handwritten library.js, esbuild minify', value: m, unit: 'bytes', note: `${Buffer.byteLength(inp.handwritten, 'utf8')} bytes before minification` },
    { section: 'size', engine: 'host', metric: 'bundle ÷ minified handwritten', value: ratio, unit: '×', target: '≤ 1/4 (0.25×)', pass: ratio <= SIZE_TARGET },
  ];
}

// ---- compile time -----------------------------------------------------------------------------------------------

async function compileRows(runs = 15): Promise<Row[]> {
  const loaded = await loadRules([join(ROOT, 'rules')]);
  compileRules(loaded.rules, FULL_PROFILE, ROOT); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    compileRules(loaded.rules, FULL_PROFILE, ROOT);
    ms.push(performance.now() - t0);
  }
  const dir = mkdtempSync(join(tmpdir(), 'edgerule-bench-compile-'));
  let coldMs = NaN;
  try {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/edgerule.mjs'), 'compile', 'rules', '-o', join(dir, 'lib.erb')], { cwd: ROOT, encoding: 'utf8' });
    coldMs = performance.now() - t0;
    if (r.status !== 0) throw new Error(`edgerule compile failed:\n${r.stdout}${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    { section: 'compile', engine: 'host', metric: 'compileRules (in process)', value: median(ms), unit: 'ms', note: `median of ${runs} after one warm-up; rules loaded once` },
    { section: 'compile', engine: 'host', metric: 'cold CLI compile', value: coldMs, unit: 'ms', note: 'node bin/edgerule.mjs compile rules: one run, wall time' },
  ];
}

// ---- Espruino memory --------------------------------------------------------------------------------------------

type MemMode = 'ram' | 'keepCode' | 'handwritten';

interface MemRun {
  mode: MemMode;
  /** the code measured between the first two readings */
  code: string;
  label: string;
  /** figures judged against the issue's targets (the shipped artifact only) */
  judged: boolean;
  codeNote: string;
}

/**
 * Runs from Storage on the 12k build. Everything the measurement itself needs (workload generator, buffers,
 * host, usage log) is allocated before the first reading, so u1 − u0 is the runtime code (or the hand-written
 * library's code) and u2 − u1 the loaded library.
 */
export function memoryScript(code: string, mode: MemMode): string {
  const load = mode === 'handwritten'
    ? 'var rt = HandwrittenRules(host);'
    : `var rt = EdgeRule.load(new Uint8Array(E.toArrayBuffer(require("Storage").read("lib.erb"))), host);
if (rt.fault) throw new Error("bundle refused: fault " + rt.fault);`;
  return `${WORKLOAD_SOURCE}
${FEED}
var G = makeWorkloadGenerator();
var CH = 100, CT = new Float64Array(CH), CS = new Uint8Array(CH), CX = new Float64Array(CH);
var LOGN = 160, LOGU = new Uint16Array(LOGN), LOGS = new Uint32Array(LOGN), nlog = 0, done = 0, k = 0;
var events = 0;
var host = {
  emit: function (r, sev, t, E, n) { events++; },
  output: function (id, v) {},
  interval: function (ms) {}${mode === 'keepCode' ? `,
  keepCode: function (src) { require("Storage").write("er.code", src); return require("Storage").read("er.code"); }` : ''}
};
var U = new Uint16Array(4);
process.memory();
U[0] = process.memory().usage;
${code}
U[1] = process.memory().usage;
${load}
U[2] = process.memory().usage;
print("mem ${mode} " + U[0] + " " + U[1] + " " + U[2] + " " + process.memory().total);
while (done < ${MEMORY_SAMPLES}) {
  k = G.fill(CT, CS, CX, CH);
  ${mode === 'handwritten' ? 'erFeedPlain' : 'erFeedRuntime'}(rt, CT, CS, CX, k);
  done += k;
  if (nlog < LOGN) { LOGU[nlog] = process.memory().usage; LOGS[nlog] = done; nlog++; }
}
var line = "log";
for (k = 0; k < nlog; k++) line += " " + LOGS[k] + ":" + LOGU[k];
print(line);
print("events " + events);
print("done");
`;
}

/**
 * The rule engine alone (load/verify/translate, no signed bundles, event writer or crypto), built like
 * dist/edgerule-runtime.js: a diagnostic that separates what the rule engine costs from what the rest of the
 * artifact costs.
 */
async function rulesOnlyArtifact(): Promise<string> {
  const r = await build({
    stdin: {
      contents: "import { load, translated } from './runtime/engine/runtime.ts';\nimport { verify } from './runtime/engine/verify.ts';\nEdgeRule = { load: load, verify: verify, translated: translated };\n",
      resolveDir: ROOT, loader: 'ts', sourcefile: 'rules-only-entry.ts',
    },
    bundle: true, format: 'iife', target: 'es5', write: false, minifySyntax: true, minifyWhitespace: true,
    legalComments: 'none', banner: { js: 'var EdgeRule;' }, logLevel: 'error',
  });
  return r.outputFiles[0].text;
}

async function withEspruino<T>(bin: string, f: () => Promise<T>): Promise<T> {
  const saved = process.env.ESPRUINO;
  process.env.ESPRUINO = bin;
  try {
    return await f();
  } finally {
    if (saved === undefined) delete process.env.ESPRUINO; else process.env.ESPRUINO = saved;
  }
}

async function memoryRows(inp: Inputs): Promise<Row[]> {
  const bin = process.env.ESPRUINO_12K;
  if (!bin || !existsSync(bin)) {
    const note = bin ? `ESPRUINO_12K=${bin} does not exist` : 'env ESPRUINO_12K is not set (set it to an Espruino Linux build with a fixed 12,000-variable store, e.g. ESPRUINO_12K=/path/to/espruino-12k)';
    return [{ section: 'memory', engine: 'espruino-12k', metric: 'SKIPPED', value: NaN, unit: '', note }];
  }
  const rulesOnly = await rulesOnlyArtifact();
  const runs: MemRun[] = [
    { mode: 'ram', code: inp.artifact, label: 'runtime artifact, translated code in RAM', judged: true, codeNote: 'dist/edgerule-runtime.js evaluated from Storage' },
    { mode: 'keepCode', code: inp.artifact, label: 'runtime artifact, keepCode (translated code in Storage)', judged: true, codeNote: 'dist/edgerule-runtime.js evaluated from Storage' },
    { mode: 'ram', code: rulesOnly, label: 'rule engine only (diagnostic), code in RAM', judged: false, codeNote: `runtime.ts + verify.ts alone, ${rulesOnly.length} bytes (artifact: ${inp.artifact.length})` },
    { mode: 'keepCode', code: rulesOnly, label: 'rule engine only (diagnostic), keepCode', judged: false, codeNote: 'runtime.ts + verify.ts alone' },
    { mode: 'handwritten', code: inp.handwrittenMin, label: 'hand-written library (reference)', judged: false, codeNote: 'library.js (minified) evaluated from Storage' },
  ];
  const rows: Row[] = [];
  for (const run of runs) {
    const dir = mkdtempSync(join(tmpdir(), 'edgerule-bench-mem-'));
    const t0 = Date.now();
    try {
      const out = await withEspruino(bin, async () => {
        // The bundle goes into Storage first, as a device receives it; the bench script then runs from Storage.
        const b64 = Buffer.from(inp.bundle).toString('base64');
        await runScript('espruino', `print(require("Storage").write("lib.erb", atob("${b64}")) ? "ok" : "failed");`, { cwd: dir, timeoutMs: 60_000 });
        return (await runScript('espruino', memoryScript(run.code, run.mode), { cwd: dir, espruinoStorage: true, timeoutMs: 600_000 })).stdout;
      });
      const mem = /^mem \S+ (\d+) (\d+) (\d+) (\d+)$/m.exec(out);
      const log = /^log (.*)$/m.exec(out);
      const ev = /^events (\d+)$/m.exec(out);
      if (!mem || !log || !/^done$/m.test(out)) throw new Error(`memory script (${run.label}) did not finish:\n${out.slice(-2000)}`);
      const [u0, u1, u2, total] = mem.slice(1).map(Number);
      const points = log[1].split(' ').map((p) => p.split(':').map(Number) as [number, number]);
      const after = points.filter(([s]) => s >= 1000).map(([, u]) => u);
      const spread = Math.max(...after) - Math.min(...after);
      const first = points[0][1], last = points[points.length - 1][1];
      const isRt = run.mode !== 'handwritten';
      rows.push(
        { section: 'memory', engine: 'espruino-12k', metric: `${run.label}: code`, value: u1 - u0, unit: 'vars', note: run.codeNote },
        { section: 'memory', engine: 'espruino-12k', metric: `${run.label}: loaded`, value: u2 - u1, unit: 'vars', note: isRt ? 'EdgeRule.load(bundle read from Storage)' : 'HandwrittenRules(host)' },
        {
          section: 'memory', engine: 'espruino-12k', metric: `${run.label}: total`, value: u2 - u0, unit: 'vars',
          ...(run.judged ? { target: `≤ ${MEMORY_TARGET_VARS.toLocaleString('en')} vars`, pass: u2 - u0 <= MEMORY_TARGET_VARS } : {}),
          note: `usage ${u0} → ${u1} → ${u2} of ${total}`,
        },
        {
          section: 'memory', engine: 'espruino-12k', metric: `${run.label}: usage spread after 1,000 samples`, value: spread, unit: 'vars',
          ...(run.judged ? { target: 'flat (≤ 1 var)', pass: spread <= 1 } : {}),
          note: `${points[points.length - 1][0].toLocaleString('en')} samples, ${points.length} readings: first ${first}, last ${last}, min ${Math.min(...after)}, max ${Math.max(...after)}; ${ev ? ev[1] : '?'} events; run ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

// ---- per-call profile (optional: --profile) -----------------------------------------------------------------------

const PROFILE_PLANS: Record<EngineName, { samples: number; calls: number }> = {
  node: { samples: 200_000, calls: 1_000_000 }, xs: { samples: 100_000, calls: 100_000 },
  duktape: { samples: 100_000, calls: 100_000 }, espruino: { samples: 3_000, calls: 300 },
};

/** Cost of one runtime API call with the library loaded after a stretch of the workload (nothing due, nothing dirty). */
export function profileScript(inp: Inputs, samples: number, calls: number): string {
  return `${inp.artifact}
${WORKLOAD_SOURCE}
${FEED}
(function () {
  var now = typeof getTime === 'function' ? function () { return getTime() * 1000; } : function () { return Date.now(); };
  var host = { emit: function () {}, output: function () {}, interval: function () {} };
  var rt = EdgeRule.load(erUnhex('${hex(inp.bundle)}'), host);
  var w = makeWorkload(${samples});
  erFeedRuntime(rt, w.t, w.sig, w.value, w.n);
  var t = w.t[w.n - 1] + 1, K = ${calls}, j, t0, base;
  if (!(rt.nextDue() > t)) throw new Error('a wake-up is due: profile at another point of the workload');
  t0 = now(); for (j = 0; j < K; j++) {} base = now() - t0;
  function us(t1) { return ((t1 - base) * 1000 / K); }
  t0 = now(); for (j = 0; j < K; j++) rt.advanceTo(t); print('call advanceTo ' + us(now() - t0));
  t0 = now(); for (j = 0; j < K; j++) rt.step(t); print('call step ' + us(now() - t0));
  t0 = now(); for (j = 0; j < K; j++) rt.set(8, 0.01, t); print('call set-no-reader ' + us(now() - t0));
  t0 = now(); for (j = 0; j < K; j++) rt.set(11, 1.001, t); print('call set-3-readers ' + us(now() - t0));
  t0 = now(); for (j = 0; j < K; j++) { rt.set(11, 1.001, t); rt.step(t); } print('call set+step-3-units ' + us(now() - t0));
  print('done');
})();
`;
}

export async function profileRuntime(only?: EngineName[]): Promise<string> {
  const inp = await benchInputs();
  const cols = ['advanceTo', 'step', 'set-no-reader', 'set-3-readers', 'set+step-3-units'];
  const body: string[][] = [];
  for (const e of engines()) {
    if ((only && !only.includes(e.name)) || !e.available) continue;
    const plan = PROFILE_PLANS[e.name];
    const out = (await runScript(e.name, profileScript(inp, plan.samples, plan.calls), { timeoutMs: 600_000 })).stdout;
    const got = new Map(out.split('\n').filter((l) => l.startsWith('call ')).map((l) => l.split(' ').slice(1) as [string, string]));
    body.push([e.name, ...cols.map((c) => (got.has(c) ? Number(got.get(c)).toFixed(Number(got.get(c)) >= 10 ? 0 : 2) : '?'))]);
  }
  return 'Runtime API calls, µs per call (library loaded, nothing due; step with no unit to run; set of accel.x (no reader) / accel.mag (3 units))\n' +
    table(['engine', 'advanceTo(t)', 'step(t)', 'set, no reader', 'set, 3 readers', 'set + step, 3 units'], body);
}

// ---- entry ------------------------------------------------------------------------------------------------------

export interface BenchRulesOptions {
  /** engines for the speed section (default: every available one) */
  engines?: EngineName[];
  memory?: boolean;
  compile?: boolean;
  /** progress lines as sections finish (default: console.log) */
  log?: (line: string) => void;
}

export async function benchRules(opts: BenchRulesOptions = {}): Promise<Row[]> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const inp = await benchInputs();
  const rows: Row[] = [];
  for (const e of engines()) {
    if (opts.engines && !opts.engines.includes(e.name)) continue;
    if (!e.available) {
      log(`!!! SKIPPED: rule-engine speed on ${e.name}: ${e.why}`);
      rows.push({ section: 'speed', engine: e.name, metric: 'SKIPPED', value: NaN, unit: '', note: e.why });
      continue;
    }
    try {
      const r = await speedRows(inp, e.name);
      rows.push(...r);
      log(`rules speed on ${e.name}: ${r[0].value.toFixed(3)} vs ${r[1].value.toFixed(3)} µs/sample (${r[3].value.toFixed(2)}×), wall ${r[5].value.toFixed(1)} s`);
    } catch (err) {
      log(`!!! FAILED: rule-engine speed on ${e.name}: ${(err as Error).message}`);
      rows.push({ section: 'speed', engine: e.name, metric: 'FAILED', value: NaN, unit: '', note: (err as Error).message.split('\n')[0] });
    }
  }
  rows.push(...sizeRows(inp));
  if (opts.compile !== false) rows.push(...(await compileRows()));
  if (opts.memory !== false) {
    const t0 = Date.now();
    try {
      const m = await memoryRows(inp);
      rows.push(...m);
      if (m[0].metric === 'SKIPPED') log(`!!! SKIPPED: Espruino memory: ${m[0].note}`);
      else log(`Espruino 12k memory: done, wall ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (err) {
      log(`!!! FAILED: Espruino memory: ${(err as Error).message}`);
      rows.push({ section: 'memory', engine: 'espruino-12k', metric: 'FAILED', value: NaN, unit: '', note: (err as Error).message.split('\n')[0] });
    }
  }
  return rows;
}

// ---- formatting ---------------------------------------------------------------------------------------------------

export function fmtValue(r: Row): string {
  if (!Number.isFinite(r.value)) return '—';
  if (r.unit === '×') return r.value.toFixed(2) + '×';
  if (r.unit === 'µs/sample') return r.value >= 100 ? r.value.toFixed(0) : r.value >= 10 ? r.value.toFixed(1) : r.value.toFixed(3);
  if (r.unit === 'ms') return r.value.toFixed(r.value >= 100 ? 0 : 1);
  if (r.unit === 's') return r.value.toFixed(1);
  return Math.round(r.value).toLocaleString('en');
}

function table(head: string[], body: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n');
}

/** Readable tables, one per section. */
export function formatRows(rows: Row[]): string {
  const out: string[] = [];
  const speed = rows.filter((r) => r.section === 'speed');
  const seen = [...new Set(speed.map((r) => r.engine))];
  if (seen.length) {
    const get = (e: string, m: string) => speed.find((r) => r.engine === e && r.metric === m);
    const body: string[][] = [];
    for (const e of seen) {
      const skip = get(e, 'SKIPPED') ?? get(e, 'FAILED');
      if (skip) { body.push([e, skip.metric, '', '', '', '', '', skip.note ?? '']); continue; }
      const ratio = get(e, 'runtime ÷ handwritten')!;
      const ev = get(e, 'events')!;
      body.push([e, fmtValue(get(e, 'runtime')!), fmtValue(get(e, 'handwritten')!), fmtValue(ratio) + ` ${ratio.pass ? 'PASS' : 'MISS'} (${ratio.target})`,
        fmtValue(get(e, 'feed loop alone')!), ev.note?.split(';')[0] ?? '', fmtValue(get(e, 'wall time')!), get(e, 'runtime')!.note ?? '']);
    }
    out.push('Rule evaluation, µs per sample (median round)\n' + table(['engine', 'runtime', 'hand-written', 'ratio', 'loop', 'events', 'wall s', 'rounds'], body));
  }
  for (const [section, title] of [['size', 'Code size'], ['compile', 'Compile time']] as const) {
    const rs = rows.filter((r) => r.section === section);
    if (!rs.length) continue;
    out.push(title + '\n' + table(['figure', 'value', 'target', 'note'], rs.map((r) => [r.metric, fmtValue(r) + (r.unit === 'bytes' ? ' B' : r.unit && r.unit !== '×' ? ' ' + r.unit : ''),
      r.target ? `${r.target} ${r.pass ? 'PASS' : 'MISS'}` : '', r.note ?? ''])));
  }
  const mem = rows.filter((r) => r.section === 'memory');
  if (mem.length) {
    const skip = mem.find((r) => r.metric === 'SKIPPED' || r.metric === 'FAILED');
    const title = 'Espruino memory, variables (12,000-variable build, script and bundle in Storage, 10,000 samples)';
    if (skip) out.push(`${title}\n!!! ${skip.metric}: ${skip.note}`);
    else {
      const runs = [...new Set(mem.map((r) => r.metric.slice(0, r.metric.lastIndexOf(': '))))];
      const get = (run: string, what: string) => mem.find((r) => r.metric === `${run}: ${what}`)!;
      const judged = (r: Row) => fmtValue(r) + (r.target ? ` ${r.pass ? 'PASS' : 'MISS'}` : '');
      out.push(title + ' — targets: total ≤ 1,500, usage flat (≤ 1) after 1,000 samples\n' + table(['', 'code', 'loaded', 'total', 'usage spread', 'readings'],
        runs.map((run) => [run, fmtValue(get(run, 'code')), fmtValue(get(run, 'loaded')), judged(get(run, 'total')), judged(get(run, 'usage spread after 1,000 samples')),
          (get(run, 'usage spread after 1,000 samples').note ?? '').replace(/^[\d,]+ samples, /, '')])));
    }
  }
  return out.join('\n\n');
}

/** PASS/MISS lines for every figure with a target. */
export function targetSummary(rows: Row[]): string[] {
  return rows.filter((r) => r.target || r.metric === 'SKIPPED' || r.metric === 'FAILED').map((r) => r.target
    ? `${r.pass ? 'PASS' : 'MISS'}  ${r.section}/${r.engine}: ${r.metric} = ${fmtValue(r)}${r.unit === '×' ? '' : ' ' + r.unit}  (target ${r.target})`
    : `${r.metric === 'FAILED' ? 'FAIL' : 'SKIP'}  ${r.section}/${r.engine}: ${r.note}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const only = args.filter((a) => !a.startsWith('--')) as EngineName[];
  if (args.includes('--profile')) {
    console.log(await profileRuntime(only.length ? only : undefined));
    process.exit(0);
  }
  const rows = await benchRules({
    engines: args.includes('--no-speed') ? [] : only.length ? only : undefined, memory: !args.includes('--no-memory'), compile: !args.includes('--no-compile'),
  });
  console.log('\n' + formatRows(rows) + '\n');
  for (const l of targetSummary(rows)) console.log(l);
}
