/**
 * Builds one ES5 script that replays sample streams through the runtime artifact on any engine and prints
 * every event with its numbers as IEEE-754 hex, so outputs compare bit for bit across engines.
 * Bundles, times and values travel as hex too: Espruino parses decimal literals inexactly (shared/ENGINES.md).
 *
 * Output lines:  C <case>            a case starts
 *                F <fault> <offset>  the bundle was refused
 *                E <rule> <severity> <t> <values…>   (t and values as 16 hex digits)
 *                O <output> <value> / I <ms>          outputs and reporting intervals
 */
import { runtimeArtifactSource } from '../../simulator/artifact.ts';

export interface Sample { t: number; signal: number; value: number }
/** `plainArray`: hand the bundle to load() as a plain Array of its bytes, as a careless host might. */
export interface ScriptCase { bundle: Uint8Array; samples: Sample[]; until: number; plainArray?: boolean }

export function f64hex(v: number): string {
  return Buffer.from(new Float64Array([v]).buffer).toString('hex');
}

function samplesHex(samples: Sample[]): string {
  return samples.map((s) => f64hex(s.t) + s.signal.toString(16).padStart(2, '0') + f64hex(s.value)).join('');
}

/**
 * What every engine script starts with: numbers to and from IEEE-754 hex (hx, rd), bundles from hex (unhex), and a
 * host that prints every event (E), output (O) and reporting interval (I) with its numbers as hex.
 */
export const DRIVER_PRELUDE = `
var F64 = new Float64Array(1), F8 = new Uint8Array(F64.buffer);
function hx(v) { F64[0] = v; var s = ''; for (var i = 0; i < 8; i++) { var b = F8[i]; s += (b < 16 ? '0' : '') + b.toString(16); } return s; }
function unhex(s) { var a = new Uint8Array(s.length / 2); for (var i = 0; i < a.length; i++) a[i] = parseInt(s.substr(i * 2, 2), 16); return a; }
function rd(s, at) { for (var i = 0; i < 8; i++) F8[i] = parseInt(s.substr(at + i * 2, 2), 16); return F64[0]; }
var host = {
  emit: function (r, sev, t, E, n) { var line = 'E ' + r + ' ' + sev + ' ' + hx(t); for (var i = 0; i < n; i++) line += ' ' + hx(E[i]); print(line); },
  output: function (id, v) { print('O ' + id + ' ' + hx(v)); },
  interval: function (ms) { print('I ' + hx(ms)); }
};
`;

/** The replay loop every engine runs: timers before each sample time, then the samples, then one step. */
const DRIVER = DRIVER_PRELUDE + `
function runCase(index, bundleHex, samples, untilHex, plainArray) {
  print('C ' + index);
  var bytes = unhex(bundleHex);
  if (plainArray) { var list = []; for (var k = 0; k < bytes.length; k++) list.push(bytes[k]); bytes = list; }
  var rt = EdgeRule.load(bytes, host);
  if (rt.fault) { print('F ' + rt.fault + ' ' + rt.faultAt); return; }
  var n = samples.length / 34;
  for (var i = 0; i < n; i++) {
    var t = rd(samples, i * 34);
    rt.advanceTo(t);
    rt.set(parseInt(samples.substr(i * 34 + 16, 2), 16), rd(samples, i * 34 + 18), t);
    if (i === n - 1 || rd(samples, (i + 1) * 34) !== t) rt.step(t);
  }
  var until = rd(untilHex, 0);
  rt.advanceTo(until);
  if (rt.nextDue() === until) rt.step(until);
}
`;

export function conformanceScript(cases: ScriptCase[]): string {
  const calls = cases.map((c, i) => `runCase(${i}, '${Buffer.from(c.bundle).toString('hex')}', '${samplesHex(c.samples)}', '${f64hex(c.until)}', ${c.plainArray ? 1 : 0});`);
  return runtimeArtifactSource() + '\n' + DRIVER + '\n' + calls.join('\n') + '\nprint("DONE");\n';
}

export interface CaseOutput { fault?: { code: number; at: number }; lines: string[] }

function hexf64(h: string): number {
  return new Float64Array(new Uint8Array(Buffer.from(h, 'hex')).buffer)[0];
}

/** Splits a run's stdout into per-case outputs, decoding hex numbers into readable text. */
export function parseOutput(stdout: string): CaseOutput[] {
  const out: CaseOutput[] = [];
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines[lines.length - 1] !== 'DONE') throw new Error(`engine output did not finish (last line: ${lines[lines.length - 1]})`);
  for (const line of lines.slice(0, -1)) {
    const [tag, ...f] = line.split(' ');
    if (tag === 'C') out.push({ lines: [] });
    else if (tag === 'F') out[out.length - 1].fault = { code: Number(f[0]), at: Number(f[1]) };
    else if (tag === 'E') out[out.length - 1].lines.push(`${hexf64(f[2])} rule${f[0]} sev${f[1]}${f.slice(3).map((h) => ' ' + hexf64(h)).join('')}`);
    else if (tag === 'O') out[out.length - 1].lines.push(`out${f[0]}=${hexf64(f[1])}`);
    else if (tag === 'I') out[out.length - 1].lines.push(`interval=${hexf64(f[0])}`);
    else throw new Error(`unexpected engine output line: ${line}`);
  }
  return out;
}
