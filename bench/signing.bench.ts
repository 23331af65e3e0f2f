/**
 * Costs of signed bundles and signed events on every available engine, through the runtime artifact:
 *   node --import ./cli/register-ts.mjs bench/signing.bench.ts        (ESPRUINO=… to include Espruino)
 * Prints: event-key set-up, signed library check, emit() (build + hash + persist), one sliced signature
 * (slices and the worst slice of work(1)), per engine. Espruino uses its native SHA-512 as a device would.
 */
import { createHash } from 'node:crypto';
import { compileFiles } from '../compiler/compile.ts';
import { generateKey } from '../signing/keys.ts';
import { signBundle } from '../signing/bundle.ts';
import { signingArtifactSource as runtimeArtifactSource } from '../simulator/artifact.ts';
import { engines, runScript } from '../harness/engines/engines.ts';
import { ed25519TableB64 } from '../runtime/signing/crypto/ed25519-table-data.ts';

const seedOf = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());
const build = generateKey('build', undefined, seedOf('bench build'));
const dev = generateKey('device', 1, seedOf('bench device'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const signed = signBundle((await compileFiles(['rules'])).bytes, build, { version: 1, profile: 'full', signing: 'per-event' });

const DRIVER = `
function unhx(s) { var b = new Uint8Array(s.length / 2), i; for (i = 0; i < b.length; i++) b[i] = parseInt(s.substr(2 * i, 2), 16); return b; }
function now() { return Date.now(); }
var ER = EdgeRule, nat = null;
try { if (typeof process !== 'undefined' && process.env && process.env.BOARD !== undefined) nat = ER.nativeSha512(require('crypto')); } catch (err) { nat = null; }
if (nat) ER.setSha512(nat);
var t00 = now();
if (TABLE) ER.setBaseTable(ER.loadBaseTable(TABLE));
var tTable = now() - t00;
var store = {}, n = 0;
var dev = { read: function (k) { return store[k] || null; }, write: function (k, b) { if (b.length) { var c = new Uint8Array(b.length); c.set(b); store[k] = c; } else { delete store[k]; } }, record: function () { n++; } };
var t0 = now();
var w = ER.eventWriter({ device: 1, seed: unhx(SEED), signing: 0, capacity: 16 }, dev);
var tKey = now() - t0;
t0 = now();
var c = ER.checkBegin(unhx(SIGNED), { key: unhx(PUB), profile: 'full', active: 0 });
var checkWorst = 0, a, checkSlices = 0;
for (;;) { a = now(); var done = ER.checkStep(c, 1); if (now() - a > checkWorst) checkWorst = now() - a; checkSlices++; if (done) break; }
var tCheck = now() - t0;
var E = new Float64Array([1.5, 2.5, 3.5]), i, emitWorst = 0, tEmit = 0;
for (i = 0; i < 8; i++) { a = now(); w.emit(1, 0, i * 1000, E, 3); a = now() - a; tEmit += a; if (a > emitWorst) emitWorst = a; }
var slices = 0, workWorst = 0;
t0 = now();
var rounds = 0;
for (;;) { a = now(); var idle = w.work(1); a = now() - a; if (a > workWorst && rounds > 0) workWorst = a; slices++; if (n > rounds) rounds = n; if (idle) break; }
var tSign = now() - t0;
print(JSON.stringify({ nativeSha512: !!nat, tableLoadMs: tTable, keySetupMs: tKey, bundleCheckMs: tCheck, bundleCheckSlices: checkSlices, bundleCheckWorstSliceMs: checkWorst,
  emitAvgMs: tEmit / 8, emitWorstMs: emitWorst, signMsPerRecord: tSign / 8, slicesPerSignature: slices / 8, worstWork1Ms: workWorst, records: n }));
`;

const script = (table: boolean) => `${runtimeArtifactSource()}\nvar TABLE = ${table ? `'${ed25519TableB64()}'` : 'null'}, SEED = '${hex(dev.seed!)}', SIGNED = '${hex(signed)}', PUB = '${hex(build.publicKey)}';\n${DRIVER}`;
console.log(`signed library: ${signed.length} bytes`);
for (const e of engines()) {
  if (!e.available) {
    console.log(`${e.name.padEnd(9)} SKIPPED: ${e.why}`);
    continue;
  }
  for (const table of [false, true]) {
    const r = await runScript(e.name, script(table), { timeoutMs: 900_000, espruinoStorage: false });
    const m = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number | boolean>;
    const f = (k: string) => (typeof m[k] === 'number' ? (m[k] as number).toFixed(m[k] as number < 10 ? 2 : 0) : String(m[k]));
    console.log(`${e.name.padEnd(9)} ${table ? `shipped table (load ${f('tableLoadMs')} ms), ` : 'table built, '}key set-up ${f('keySetupMs')} ms | signed bundle check ${f('bundleCheckMs')} ms in ${m.bundleCheckSlices} slices (worst ${f('bundleCheckWorstSliceMs')} ms) | emit() avg ${f('emitAvgMs')} ms, worst ${f('emitWorstMs')} ms | signature ${f('signMsPerRecord')} ms per record in ${f('slicesPerSignature')} slices, worst work(1) after the first ${f('worstWork1Ms')} ms | ${m.records} records${m.nativeSha512 ? ' | native SHA-512' : ''}`);
  }
}
