/**
 * The rule engine against the same 17 rules written by hand (bench/handwritten/library.js), on every engine:
 *
 *   speed     evaluation cost per sample (and per GNSS fix) of the runtime artifact (dist/edgerule-runtime.js)
 *             with the compiled library vs the hand-written library, side by side in ONE script per engine, on
 *             the synthetic workload (harness/workload.ts) and on real recordings (harness/recordings.ts);
 *             method in bench/rules-speed.ts. Judged: evaluation ≤ 1.3× the hand-written library.
 *   load      EdgeRule.load of the library per engine, split into verify, translate and instantiate
 *             (bench/rules-load.ts). Judged: ≤ 50 ms on Espruino, ≤ 5 ms on Node.
 *   size      bundle bytes vs library.js minified by esbuild (minify: true)
 *   compile   compileRules() on the loaded library, median of several in-process runs, and one cold
 *             `node bin/edgerule.mjs compile rules` (process start, TS loader, rule loading included)
 *   memory    Espruino 12,000-variable build (env ESPRUINO_12K names it; SKIPPED loudly when unset), script run
 *             from Storage as on a device, bundle read from Storage: variables used by the runtime code and by the
 *             loaded library, and process.memory().usage over 10,000 samples (translated code in RAM, and with
 *             host.keepCode putting it in Storage; the hand-written library measured the same way for reference)
 *
 *   node --import ./cli/register-ts.mjs bench/rules.bench.ts [engine…] [--no-speed] [--no-load] [--no-compile] [--no-memory]
 *   (after npm run build; ESPRUINO=… adds Espruino to the speed and load sections; sizes are always printed)
 *   node --import ./cli/register-ts.mjs bench/rules.bench.ts [engine…] --profile    (where the time goes: bench/rules-profile.ts)
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
import { base64Chunks, measureSpeed, RATIO_TARGET, SCRIPT_PRELUDE, type ScriptInputs, type SpeedFigures } from './rules-speed.ts';
import { LOAD_TARGET_MS, measureLoad } from './rules-load.ts';
import { formatProfile, measureProfile } from './rules-profile.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
export const HANDWRITTEN_PATH = join(HERE, 'handwritten/library.js');

export interface Row {
  section: 'speed' | 'load' | 'size' | 'compile' | 'memory';
  /** node, xs, duktape, espruino, espruino-12k, or host (Node running the toolchain) */
  engine: string;
  /** speed rows: the stream (synthetic, or a recording's name) */
  stream?: string;
  metric: string;
  value: number;
  unit: string;
  /** the issue's target for this figure, e.g. '≤ 1.3×' (only on figures that have one) */
  target?: string;
  pass?: boolean;
  note?: string;
}

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

/**
 * What an engine script needs. Espruino runs the minified hand-written library (its interpreter reads source
 * text: minified is faster there); the others run the source (as fast or faster). The artifact is minified.
 */
export function scriptInputs(inp: Inputs, engine: EngineName): ScriptInputs {
  return { artifact: inp.artifact, handwritten: engine === 'espruino' ? inp.handwrittenMin : inp.handwritten, bundleB64: base64Chunks(inp.bundle) };
}

const runOn = async (engine: EngineName, script: string): Promise<string> => (await runScript(engine, script, { timeoutMs: 900_000 })).stdout;

// ---- speed ------------------------------------------------------------------------------------------------------

function speedRowsOf(f: SpeedFigures): Row[] {
  const base = { section: 'speed' as const, engine: f.engine, stream: f.stream };
  const rounds = `median of ${f.rounds} rounds × ${f.samples.toLocaleString('en')} samples${f.reps > 1 ? ` (${f.reps} passes)` : ''}`;
  return [
    { ...base, metric: 'runtime', value: f.runtime, unit: 'µs/sample', note: rounds },
    { ...base, metric: 'handwritten', value: f.handwritten, unit: 'µs/sample', note: rounds },
    { ...base, metric: 'feed loop alone', value: f.loop, unit: 'µs/sample', note: 'included in both figures above' },
    { ...base, metric: 'runtime per fix', value: f.runtimePerFix, unit: 'µs/fix', note: `${f.fixes.toLocaleString('en')} fixes per round; all work divided by fixes` },
    { ...base, metric: 'handwritten per fix', value: f.handwrittenPerFix, unit: 'µs/fix' },
    {
      ...base, metric: 'runtime ÷ handwritten (evaluation)', value: f.ratio, unit: '×', target: `≤ ${RATIO_TARGET}×`, pass: f.ratio <= RATIO_TARGET,
      note: `(runtime − loop) ÷ (hand-written − loop), median of the rounds' ratios; middle half ${f.ratioLow.toFixed(2)}–${f.ratioHigh.toFixed(2)}`,
    },
    { ...base, metric: 'runtime ÷ handwritten (with loop)', value: f.ratioTotal, unit: '×' },
    {
      ...base, metric: 'events', value: f.events, unit: 'events', target: '= handwritten', pass: f.eventsEqual,
      note: f.eventsEqual ? 'same count and checksum in every round of both' : 'rounds or implementations differ!',
    },
  ];
}

async function speedRows(inp: Inputs, engine: EngineName): Promise<Row[]> {
  const figs = await measureSpeed(engine, scriptInputs(inp, engine), runOn);
  return figs.flatMap(speedRowsOf);
}

// ---- load -------------------------------------------------------------------------------------------------------

async function loadRows(inp: Inputs, engine: EngineName): Promise<Row[]> {
  const f = await measureLoad(engine, inp.artifact, base64Chunks(inp.bundle), runOn);
  const target = LOAD_TARGET_MS[engine];
  const base = { section: 'load' as const, engine, unit: 'ms' };
  return [
    {
      ...base, metric: 'first load (boot)', value: f.first, note: `first EdgeRule.load in a fresh engine, median of ${f.processes} processes`,
      ...(target !== undefined ? { target: `≤ ${target} ms`, pass: f.first <= target } : {}),
    },
    { ...base, metric: 'first verify', value: f.coldVerify, note: 'first call in a fresh engine' },
    { ...base, metric: 'first translate', value: f.coldTranslate },
    { ...base, metric: 'first instantiate', value: f.coldInstantiate },
    { ...base, metric: 'load (repeated)', value: f.total, note: `median of ${f.reps} loads in the same processes` },
    { ...base, metric: 'verify', value: f.verify },
    { ...base, metric: 'translate', value: f.translate, note: `reader table + JS source (${f.codeChars.toLocaleString('en')} chars)` },
    { ...base, metric: 'instantiate', value: f.instantiate, note: 'typed arrays, geometry, new Function' },
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
${SCRIPT_PRELUDE}
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
  erFeed(rt, CT, CS, CX, k, 1, 0);
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

// ---- where the time goes (optional: --profile) --------------------------------------------------------------------

export async function profileRules(only?: EngineName[]): Promise<string> {
  const inp = await benchInputs();
  const figs = [];
  for (const e of engines()) {
    if ((only && !only.includes(e.name)) || !e.available) continue;
    figs.push(await measureProfile(e.name, scriptInputs(inp, e.name), runOn));
  }
  return formatProfile(figs);
}

// ---- entry ------------------------------------------------------------------------------------------------------

export interface BenchRulesOptions {
  /** engines for the speed and load sections (default: every available one) */
  engines?: EngineName[];
  speed?: boolean;
  load?: boolean;
  memory?: boolean;
  compile?: boolean;
  /** progress lines as sections finish (default: console.log) */
  log?: (line: string) => void;
}

/** Runs one engine section, turning a missing engine or a failure into a loud row instead of an exception. */
async function engineSection(section: 'speed' | 'load', name: EngineName, why: string | undefined, log: (l: string) => void, f: () => Promise<Row[]>): Promise<Row[]> {
  if (why !== undefined) {
    log(`!!! SKIPPED: rule-engine ${section} on ${name}: ${why}`);
    return [{ section, engine: name, metric: 'SKIPPED', value: NaN, unit: '', note: why }];
  }
  const t0 = Date.now();
  try {
    const rows = await f();
    log(`rules ${section} on ${name}: done, wall ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return rows;
  } catch (err) {
    log(`!!! FAILED: rule-engine ${section} on ${name}: ${(err as Error).message}`);
    return [{ section, engine: name, metric: 'FAILED', value: NaN, unit: '', note: (err as Error).message.split('\n')[0] }];
  }
}

export async function benchRules(opts: BenchRulesOptions = {}): Promise<Row[]> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const inp = await benchInputs();
  const rows: Row[] = [];
  const chosen = engines().filter((e) => !opts.engines || opts.engines.includes(e.name));
  for (const e of chosen) {
    const why = e.available ? undefined : e.why ?? 'not available';
    if (opts.speed !== false) rows.push(...(await engineSection('speed', e.name, why, log, () => speedRows(inp, e.name))));
    if (opts.load !== false) rows.push(...(await engineSection('load', e.name, why, log, () => loadRows(inp, e.name))));
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
  if (r.unit === 'µs/sample' || r.unit === 'µs/fix') return r.value >= 100 ? r.value.toFixed(0) : r.value >= 10 ? r.value.toFixed(1) : r.value.toFixed(3);
  if (r.unit === 'ms') return r.value.toFixed(r.value >= 100 ? 0 : r.value >= 10 ? 1 : r.value >= 1 ? 2 : 3);
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
  if (speed.length) {
    const body: string[][] = [];
    for (const e of [...new Set(speed.map((r) => r.engine))]) {
      const skip = speed.find((r) => r.engine === e && (r.metric === 'SKIPPED' || r.metric === 'FAILED'));
      if (skip) { body.push([e, skip.metric, '', '', '', '', '', '', '', skip.note ?? '']); continue; }
      for (const st of [...new Set(speed.filter((r) => r.engine === e).map((r) => r.stream!))]) {
        const get = (m: string) => speed.find((r) => r.engine === e && r.stream === st && r.metric === m)!;
        const ratio = get('runtime ÷ handwritten (evaluation)');
        const ev = get('events');
        const perFix = Number.isFinite(get('runtime per fix').value) ? `${fmtValue(get('runtime per fix'))} / ${fmtValue(get('handwritten per fix'))}` : '—';
        body.push([e, st, fmtValue(get('runtime')), fmtValue(get('handwritten')), fmtValue(get('feed loop alone')),
          `${fmtValue(ratio)} ${ratio.pass ? 'PASS' : 'MISS'}`, fmtValue(get('runtime ÷ handwritten (with loop)')), perFix,
          `${fmtValue(ev)}${ev.pass ? '' : ' DIFFER'}`, get('runtime').note ?? '']);
      }
    }
    out.push(`Rule evaluation, µs per sample (median round) — target: evaluation ≤ ${RATIO_TARGET}× the hand-written library\n` +
      table(['engine', 'stream', 'runtime', 'hand', 'loop', 'ratio (eval)', 'with loop', 'µs/fix rt / hand', 'events', 'rounds'], body));
  }
  const load = rows.filter((r) => r.section === 'load');
  if (load.length) {
    const body: string[][] = [];
    for (const e of [...new Set(load.map((r) => r.engine))]) {
      const skip = load.find((r) => r.engine === e && (r.metric === 'SKIPPED' || r.metric === 'FAILED'));
      if (skip) { body.push([e, skip.metric, '', '', '', '', '', skip.note ?? '']); continue; }
      const get = (m: string) => load.find((r) => r.engine === e && r.metric === m)!;
      const first = get('first load (boot)');
      const split = (a: string, b: string, c: string) => `${fmtValue(get(a))} / ${fmtValue(get(b))} / ${fmtValue(get(c))}`;
      body.push([e, fmtValue(first) + (first.target ? ` ${first.pass ? 'PASS' : 'MISS'} (${first.target})` : ''),
        split('first verify', 'first translate', 'first instantiate'), fmtValue(get('load (repeated)')), split('verify', 'translate', 'instantiate'),
        `${first.note}; ${get('load (repeated)').note}`]);
    }
    out.push('EdgeRule.load of the library, ms (verify / translate / instantiate: first call in a fresh engine, and repeated)\n' +
      table(['engine', 'first load (boot)', 'first: v / t / i', 'repeated', 'repeated: v / t / i', 'how'], body));
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
    ? `${r.pass ? 'PASS' : 'MISS'}  ${r.section}/${r.engine}${r.stream ? '/' + r.stream : ''}: ${r.metric} = ${fmtValue(r)}${r.unit === '×' ? '' : ' ' + r.unit}  (target ${r.target})`
    : `${r.metric === 'FAILED' ? 'FAIL' : 'SKIP'}  ${r.section}/${r.engine}: ${r.note}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const only = args.filter((a) => !a.startsWith('--')) as EngineName[];
  if (args.includes('--profile')) {
    console.log(await profileRules(only.length ? only : undefined));
    process.exit(0);
  }
  const rows = await benchRules({
    engines: only.length ? only : undefined, speed: !args.includes('--no-speed'), load: !args.includes('--no-load'),
    memory: !args.includes('--no-memory'), compile: !args.includes('--no-compile'),
  });
  console.log('\n' + formatRows(rows) + '\n');
  for (const l of targetSummary(rows)) console.log(l);
}
