/**
 * ed25519 on every available engine, side by side in one script per engine: the runtime's ed25519
 * (runtime/signing/crypto/ bundled to ES5 by esbuild), tweetnacl-js `nacl-fast` (nacl.sign.detached /
 * nacl.sign.detached.verify) and, on engines with BigInt
 * (Node, XS), @noble/ed25519 3.2 (its sync API, given the runtime's SHA-512). Every time is measured inside
 * the engine with Date.now(): the median over samples of the mean of a small batch, the implementations
 * alternating sample by sample so machine noise hits them alike. Message: 64 bytes.
 * Each library runs in its fastest shipped form per engine: on Espruino (which interprets source text)
 * our bundle minified and tweetnacl's own nacl-fast.min.js; elsewhere both unminified (Duktape runs
 * esbuild-minified code 1.2-2.3x slower, and esbuild-minified nacl-fast does not even parse on Espruino).
 *
 * Rows (op):
 *   sign, verify                 one signature / verification
 *   sign-max-slice, verify-max-slice   longest single signStep/verifyStep with the default slice (1 unit)
 *                                      in one signature / verification, median over several of them (a
 *                                      step the OS preempted on a busy machine shows up as a long one;
 *                                      Duktape's and XS's clocks have 1 ms resolution)
 *   table-build, table-load      the fixed-base table computed at start-up / decoded from the shipped base64
 * impl "edgerule+native-sha512" is the runtime with Espruino's require("crypto").SHA512 plugged in.
 * Our sign is given the key object of keyFromSeed (expanded secret cached); nacl's detached sign re-hashes
 * the seed each time (one SHA-512 block more). Espruino iteration counts are small (a nacl sign is ~4 s).
 *
 *   node --import ./cli/register-ts.mjs bench/ed25519.bench.ts          (set ESPRUINO=... to include Espruino)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { build } from 'esbuild';
import * as noble from '@noble/ed25519';
import { engines, runScript, type EngineName } from '../harness/engines/engines.ts';

export interface Row {
  engine: string;
  impl: string;
  op: string;
  msMedian: number;
  /** samples behind the median */
  runs?: number;
  /** extra facts (memory) */
  note?: string;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const require = createRequire(import.meta.url);

interface Plan {
  /** batch size (calls per sample) and samples, per implementation family */
  batch: number;
  samples: number;
  naclSignSamples: number;
  naclVerifySamples: number;
  sliceRuns: number;
}
const PLANS: Record<EngineName, Plan> = {
  node: { batch: 20, samples: 9, naclSignSamples: 9, naclVerifySamples: 9, sliceRuns: 5 },
  xs: { batch: 3, samples: 7, naclSignSamples: 7, naclVerifySamples: 5, sliceRuns: 3 },
  duktape: { batch: 3, samples: 7, naclSignSamples: 7, naclVerifySamples: 5, sliceRuns: 3 },
  espruino: { batch: 1, samples: 3, naclSignSamples: 2, naclVerifySamples: 1, sliceRuns: 3 },
};

async function bundles(minify: boolean, withData = true): Promise<{ ours: string; nacl: string; noble: string }> {
  const entry = [
    "export * from './runtime/signing/crypto/ed25519.ts';",
    "export { buildBaseTable, loadBaseTable } from './runtime/signing/crypto/edtable.ts';",
    withData ? "export { ed25519TableB64 } from './runtime/signing/crypto/ed25519-table-data.ts';" : '',
    "export { nativeSha512 } from './runtime/signing/crypto/espruino-sha512.ts';",
    "export { sha512 } from './runtime/signing/crypto/sha512.ts';",
  ].join('\n');
  const ours = await build({
    stdin: { contents: entry, resolveDir: ROOT, loader: 'ts', sourcefile: 'ed25519-bench-entry.ts' },
    bundle: true, format: 'iife', globalName: 'ED', target: 'es5', minify, write: false, logLevel: 'error',
  });
  // nacl-fast is a UMD file: give it a private `self` and hide module/require so it attaches to self.nacl.
  const naclSrc = readFileSync(require.resolve(minify ? 'tweetnacl/nacl-fast.min.js' : 'tweetnacl/nacl-fast.js'), 'utf8');
  const nacl = `var NACL = (function () { var self = {}; var module = undefined; var require = undefined;\n${naclSrc}\nreturn self.nacl; })();\n`;
  const noble = await build({
    stdin: { contents: "export * from '@noble/ed25519';", resolveDir: ROOT, loader: 'ts' },
    bundle: true, format: 'iife', globalName: 'NOBLE', target: 'es2020', minify: true, write: false, logLevel: 'error',
  });
  return { ours: ours.outputFiles[0].text, nacl, noble: noble.outputFiles[0].text };
}

interface Parts {
  ours: boolean;
  nacl: boolean;
  noble: boolean;
  /** measure table-build / table-load (load needs ed25519TableB64 in the bundle) */
  build: boolean;
  load: boolean;
}

function driver(p: Plan, x: Parts, wantSig: string): string {
  const ours = (code: string) => (x.ours ? code : '');
  const nacl = (code: string) => (x.nacl ? code : '');
  const noble = (code: string) => (x.noble ? code : '');
  return `
function now() { return Date.now(); }
function med(a) { a = a.slice(0); a.sort(function (x, y) { return x - y; }); var m = a.length >> 1; return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2; }
function batch(f, k) { var t = now(), j; for (j = 0; j < k; j++) f(); return (now() - t) / k; }
function hx(b) { var s = '', i; for (i = 0; i < b.length; i++) s += '0123456789abcdef'.charAt(b[i] >> 4) + '0123456789abcdef'.charAt(b[i] & 15); return s; }
function unhx(s) { var b = new Uint8Array(s.length / 2), i; for (i = 0; i < b.length; i++) b[i] = parseInt(s.substr(2 * i, 2), 16); return b; }
function mem() { process.memory(); return process.memory().usage; }
var R = {}, N = [];
function add(impl, op, v) { var k = impl + ' ' + op; if (!R[k]) { R[k] = []; N.push(k); } R[k].push(v); }
function out(impl, op, v, n, note) { print('row ' + impl + ' ' + op + ' ' + v + ' ' + n + (note ? ' ' + note : '')); }
var ESP = typeof E !== 'undefined' && typeof process !== 'undefined' && process.env && process.env.BOARD !== undefined;
var i, s, t, tab, m0, m1;
var WANT = '${wantSig}';
var seed = new Uint8Array(32), msg = new Uint8Array(64);
for (i = 0; i < 32; i++) seed[i] = (i * 29 + 7) & 255;
for (i = 0; i < 64; i++) msg[i] = (i * 13 + 1) & 255;
${ours(`
${x.build ? `t = now(); tab = ED.buildBaseTable(); out('edgerule', 'table-build', now() - t, 1, ESP ? 'table=' + E.getSizeOf(tab) + 'vars' : '');` : ''}
${x.load ? `tab = null; m0 = ESP ? mem() : 0; t = now(); tab = ED.loadBaseTable(ED.ed25519TableB64()); m1 = ESP ? mem() : 0;
out('edgerule', 'table-load', now() - t, 1, ESP ? 'table=' + E.getSizeOf(tab) + 'vars/' + (tab.length * 2) + 'bytes,usage+' + (m1 - m0) + 'vars' : 'table=' + (tab.length * 2) + 'bytes');` : ''}
ED.setBaseTable(tab);
var key = ED.keyFromSeed(seed);
var sig = ED.sign(msg, key);
if (hx(sig) !== WANT) throw new Error('edgerule signature differs from noble');
var pub = key.publicKey, sk = key.secretKey;
ED.verify(sig, msg, pub);
`)}
${nacl(`
var kp = NACL.sign.keyPair.fromSeed(seed);
${x.ours ? '' : 'var sig = unhx(WANT), pub = kp.publicKey, sk = kp.secretKey;'}
if (hx(NACL.sign.detached(msg, sk)) !== WANT) throw new Error('tweetnacl signature differs from noble');
NACL.sign.detached.verify(msg, sig, pub);
`)}
${noble(`NOBLE.hashes.sha512 = ED.sha512; if (hx(NOBLE.sign(msg, seed)) !== WANT) throw new Error('noble signature differs'); NOBLE.verify(sig, msg, pub);`)}
for (s = 0; s < ${p.samples}; s++) {
  ${ours(`add('edgerule', 'sign', batch(function () { ED.sign(msg, key); }, ${p.batch}));`)}
  ${nacl(`if (s < ${p.naclSignSamples}) add('tweetnacl', 'sign', batch(function () { NACL.sign.detached(msg, sk); }, ${p.batch}));`)}
  ${noble(`add('noble', 'sign', batch(function () { NOBLE.sign(msg, seed); }, ${p.batch}));`)}
}
for (s = 0; s < ${p.samples}; s++) {
  ${ours(`add('edgerule', 'verify', batch(function () { if (!ED.verify(sig, msg, pub)) throw new Error('verify'); }, ${p.batch}));`)}
  ${nacl(`if (s < ${p.naclVerifySamples}) add('tweetnacl', 'verify', batch(function () { if (!NACL.sign.detached.verify(msg, sig, pub)) throw new Error('nacl verify'); }, ${p.batch}));`)}
  ${noble(`add('noble', 'verify', batch(function () { if (!NOBLE.verify(sig, msg, pub)) throw new Error('noble verify'); }, ${p.batch}));`)}
}
${ours(`
var ctx = ED.newSignCtx(), vctx = ED.newVerifyCtx();
function slices(impl) {
  var mx, dt, done;
  ED.signBegin(ctx, msg, key); mx = 0; done = false;
  while (!done) { t = now(); done = ED.signStep(ctx, 0); dt = now() - t; if (dt > mx) mx = dt; }
  if (hx(ctx.sig) !== WANT) throw new Error('sliced signature');
  add(impl, 'sign-max-slice', mx);
  ED.verifyBegin(vctx, sig, msg, pub); mx = 0; done = false;
  while (!done) { t = now(); done = ED.verifyStep(vctx, 0); dt = now() - t; if (dt > mx) mx = dt; }
  if (!vctx.valid) throw new Error('sliced verify');
  add(impl, 'verify-max-slice', mx);
}
for (s = 0; s < ${p.sliceRuns}; s++) slices('edgerule');
if (ESP) {
  ED.setSha512(ED.nativeSha512(require('crypto')));
  for (s = 0; s < ${p.samples}; s++) {
    add('edgerule+native-sha512', 'sign', batch(function () { ED.sign(msg, key); }, 1));
    add('edgerule+native-sha512', 'verify', batch(function () { ED.verify(sig, msg, pub); }, 1));
  }
  for (s = 0; s < ${p.sliceRuns}; s++) slices('edgerule+native-sha512');
  ED.setSha512(null);
}
`)}
for (i = 0; i < N.length; i++) { var k = N[i].split(' '); out(k[0], k[1], med(R[N[i]]), R[N[i]].length); }
if (ESP) print('row ${x.ours ? 'edgerule' : 'tweetnacl'} memory 0 1 usage=' + mem() + 'vars/total=' + process.memory().total + 'vars');
print('done');
`;
}

/**
 * Runs the benchmark on every available engine (or those named) and returns one row per figure.
 * On Espruino the implementations run as separate scripts (so a fixed 12,000-variable build holds each):
 * ours with the table built at start-up, tweetnacl, and the shipped-table load from Storage (flash), as a
 * device runs code; elsewhere all in one script, alternating sample by sample.
 */
export async function benchEd25519(only?: EngineName[]): Promise<Row[]> {
  const plain = await bundles(false);
  const minified = await bundles(true);
  const noData = await bundles(true, false);
  const seed = Uint8Array.from({ length: 32 }, (_, i) => (i * 29 + 7) & 255);
  const msg = Uint8Array.from({ length: 64 }, (_, i) => (i * 13 + 1) & 255);
  noble.hashes.sha512 = (m) => new Uint8Array(createHash('sha512').update(m).digest()) as Uint8Array<ArrayBuffer>;
  const want = Buffer.from(noble.sign(msg, seed)).toString('hex');
  const rows: Row[] = [];
  for (const e of engines()) {
    if (!e.available || (only && !only.includes(e.name))) continue;
    const p = PLANS[e.name];
    const runs: { src: string; storage: boolean }[] = [];
    if (e.name === 'espruino') {
      runs.push({ src: noData.ours + '\n' + driver(p, { ours: true, nacl: false, noble: false, build: true, load: false }, want), storage: false });
      runs.push({ src: minified.nacl + driver(p, { ours: false, nacl: true, noble: false, build: false, load: false }, want), storage: false });
      runs.push({ src: minified.ours + '\n' + driver({ ...p, samples: 1, sliceRuns: 0 }, { ours: true, nacl: false, noble: false, build: false, load: true }, want), storage: true });
    } else {
      const withNoble = e.name === 'node' || e.name === 'xs';
      runs.push({ src: plain.ours + '\n' + plain.nacl + (withNoble ? plain.noble + '\n' : '') + driver(p, { ours: true, nacl: true, noble: withNoble, build: true, load: true }, want), storage: false });
    }
    for (const [n, run] of runs.entries()) {
      const r = await runScript(e.name, run.src, { timeoutMs: 900_000, espruinoStorage: run.storage });
      for (const line of r.stdout.split('\n')) {
        const m = /^row (\S+) (\S+) (\S+) (\d+)(?: (.*))?$/.exec(line);
        // the Storage run only contributes the table-load row (code from flash is slower on the Linux build)
        if (m && (!run.storage || m[2] === 'table-load')) {
          rows.push({ engine: e.name, impl: m[1], op: m[2], msMedian: Number(m[3]), runs: Number(m[4]), note: m[5] ? (run.storage ? 'code in Storage: ' : '') + m[5] : undefined });
        }
      }
      if (!r.stdout.includes('done')) throw new Error(`${e.name} run ${n} did not finish:\n${r.stdout}`);
    }
  }
  return rows;
}

function fmt(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

/** A Markdown table: per engine and op, each implementation's median and nacl-fast / edgerule. */
export function formatRows(rows: Row[]): string {
  const out = ['| engine | op | edgerule ms | edgerule+native-sha512 ms | tweetnacl nacl-fast ms | noble ms | nacl ÷ edgerule |', '|---|---|---|---|---|---|---|'];
  const get = (e: string, impl: string, op: string) => rows.find((r) => r.engine === e && r.impl === impl && r.op === op)?.msMedian;
  const enginesSeen = [...new Set(rows.map((r) => r.engine))];
  for (const e of enginesSeen) {
    for (const op of ['sign', 'verify', 'sign-max-slice', 'verify-max-slice', 'table-build', 'table-load']) {
      const ours = get(e, 'edgerule', op);
      const nat = get(e, 'edgerule+native-sha512', op);
      const nacl = get(e, 'tweetnacl', op);
      const nob = get(e, 'noble', op);
      if (ours === undefined) continue;
      const ratio = nacl !== undefined && ours > 0 ? `${(nacl / ours).toFixed(1)}×` : '';
      out.push(`| ${e} | ${op} | ${fmt(ours)} | ${fmt(nat)} | ${fmt(nacl)} | ${fmt(nob)} | ${ratio} |`);
    }
  }
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.engine} ${r.impl} ${r.op}: ${r.note}`);
  return out.join('\n') + (notes.length ? '\n\n' + notes.join('\n') : '');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const only = process.argv.slice(2) as EngineName[];
  const avail = engines();
  for (const e of avail) if (!e.available) console.log(`(${e.name} skipped: ${e.why})`);
  const rows = await benchEd25519(only.length ? only : undefined);
  console.log(formatRows(rows));
}
