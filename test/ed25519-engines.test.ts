// ed25519 of the runtime on every target engine: runtime/signing/crypto/ is bundled by esbuild (target es5, iife),
// a driver with vectors embedded as hex signs and verifies, and the printed results must equal
// @noble/ed25519 3.2 (signatures byte-identical, verify verdicts equal to noble's default ZIP-215 verify).
// Engines come from harness/engines/engines.ts; Espruino runs only when env ESPRUINO names a binary, and the
// test says loudly when it was skipped.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as noble from '@noble/ed25519';
import { engines, describeEngines, enginesNotCompared, enginesToCompare, runScript, type EngineName } from '../harness/engines/engines.ts';
import { sharedData } from '../harness/shared-data.ts';

noble.hashes.sha512 = (m) => new Uint8Array(createHash('sha512').update(m).digest()) as Uint8Array<ArrayBuffer>;

const VECTORS = sharedData('vectors/ed25519', 'the engines sign and verify RFC 8032, Wycheproof, ZIP-215 and speccheck vectors from it');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
/** A vector file; `absent` when the shared vectors are missing (the suite is skipped then). */
const load = (name: string, absent: unknown = []): any => (VECTORS.present ? JSON.parse(readFileSync(VECTORS.path(name), 'utf8')) : absent);
function nobleVerify(sig: string, msg: string, pub: string): boolean {
  try {
    return noble.verify(unhex(sig), unhex(msg), unhex(pub));
  } catch {
    return false;
  }
}

/** Bundles the runtime crypto files the way a device build does (ES5, one IIFE, minified). */
async function bundleEd25519(withTableData: boolean): Promise<string> {
  const contents = [
    "export * from './runtime/signing/crypto/ed25519.ts';",
    "export { buildBaseTable, loadBaseTable } from './runtime/signing/crypto/edtable.ts';",
    "export { nativeSha512 } from './runtime/signing/crypto/espruino-sha512.ts';",
    "export { sha512 } from './runtime/signing/crypto/sha512.ts';",
    withTableData ? "export { ed25519TableB64 } from './runtime/signing/crypto/ed25519-table-data.ts';" : '',
  ].join('\n');
  const r = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'ts', sourcefile: 'ed25519-entry.ts' },
    bundle: true, format: 'iife', globalName: 'ED', target: 'es5', minify: true, write: false, logLevel: 'error',
  });
  return r.outputFiles[0].text;
}

// --- the cases, with noble's answers -------------------------------------------------------------------------
interface SignCase { name: string; seed: string; msg: string }
interface VerifyCase { name: string; sig: string; msg: string; pub: string }
const rfc: { priv: string; msg: string }[] = load('rfc8032-ed25519.json');
const SIGN: SignCase[] = rfc.map((v, i) => ({ name: `rfc8032-ed25519.json #${i}`, seed: v.priv, msg: v.msg }));
for (let i = 0; i < 3; i++) {
  const seed = createHash('sha256').update(`edgerule seed ${i}`).digest('hex');
  const msg = createHash('sha512').update(`edgerule msg ${i}`).digest('hex').repeat(i + 1).slice(0, 2 * (31 + 50 * i));
  SIGN.push({ name: `random #${i}`, seed, msg });
}
const VERIFY: VerifyCase[] = [];
for (const c of SIGN.slice(2, 5)) {
  const sig = hex(noble.sign(unhex(c.msg), unhex(c.seed)));
  const pub = hex(noble.getPublicKey(unhex(c.seed)));
  VERIFY.push({ name: `${c.name} (own signature)`, sig, msg: c.msg, pub });
  const bad = unhex(sig);
  bad[33] ^= 1;
  VERIFY.push({ name: `${c.name} (S bit flipped)`, sig: hex(bad), msg: c.msg, pub });
}
const wy = load('ed25519_test.json', { testGroups: [] });
for (const g of wy.testGroups) {
  for (const t of g.tests) {
    if ([1, 20, 27, 46, 48, 63, 65, 67].includes(t.tcId)) {
      VERIFY.push({ name: `ed25519_test.json tcId ${t.tcId} (${t.comment || t.flags.join(',')})`, sig: t.sig, msg: t.msg, pub: g.publicKey.pk });
    }
  }
}
const zip: { vk_bytes: string; sig_bytes: string }[] = load('zip215.json');
for (const i of VECTORS.present ? [0, 5, 60, 130, 195] : []) {
  VERIFY.push({ name: `zip215.json #${i}`, sig: zip[i].sig_bytes, msg: hex(new TextEncoder().encode('Zcash')), pub: zip[i].vk_bytes });
}
const edge: { message: string; pub_key: string; signature: string }[] = load('edge-cases.json');
edge.forEach((v, i) => VERIFY.push({ name: `edge-cases.json #${i}`, sig: v.signature, msg: v.message, pub: v.pub_key }));

const WANT_SIG = SIGN.map((c) => hex(noble.sign(unhex(c.msg), unhex(c.seed))));
const WANT_PUB = SIGN.map((c) => hex(noble.getPublicKey(unhex(c.seed))));
const WANT_VER = VERIFY.map((c) => nobleVerify(c.sig, c.msg, c.pub));

/** The ES5 driver: prints `pub i hex`, `sig i hex`, `sliced i hex`, `ver i 0|1`, then `done`. */
function driver(signCases: SignCase[], verifyCases: VerifyCase[], setup: string): string {
  return `
var HEX = '0123456789abcdef';
function hx(b) { var s = '', i; for (i = 0; i < b.length; i++) s += HEX.charAt(b[i] >> 4) + HEX.charAt(b[i] & 15); return s; }
function unhx(s) { var b = new Uint8Array(s.length / 2), i; for (i = 0; i < b.length; i++) b[i] = parseInt(s.substr(2 * i, 2), 16); return b; }
var S = ${JSON.stringify(signCases.map((c) => [c.seed, c.msg]))};
var V = ${JSON.stringify(verifyCases.map((c) => [c.sig, c.msg, c.pub]))};
${setup}
var i, key, ctx = ED.newSignCtx(), vctx = ED.newVerifyCtx();
for (i = 0; i < S.length; i++) {
  key = ED.keyFromSeed(unhx(S[i][0]));
  print('pub ' + i + ' ' + hx(key.publicKey));
  print('sig ' + i + ' ' + hx(ED.sign(unhx(S[i][1]), key)));
  if (i === 1) {
    ED.signBegin(ctx, unhx(S[i][1]), key);
    while (!ED.signStep(ctx, 0)) {}
    print('sliced ' + i + ' ' + hx(ctx.sig));
  }
}
for (i = 0; i < V.length; i++) {
  if (i === 0) {
    ED.verifyBegin(vctx, unhx(V[i][0]), unhx(V[i][1]), unhx(V[i][2]));
    while (!ED.verifyStep(vctx, 0)) {}
    print('slicedver ' + i + ' ' + (vctx.valid ? 1 : 0));
  }
  print('ver ' + i + ' ' + (ED.verify(unhx(V[i][0]), unhx(V[i][1]), unhx(V[i][2])) ? 1 : 0));
}
print('done');
`;
}

function check(engine: string, out: string, signCases: SignCase[], verifyCases: VerifyCase[], wantSig: string[], wantPub: string[], wantVer: boolean[]): void {
  const lines = out.trim().split('\n');
  expect(lines[lines.length - 1], `${engine}: driver did not finish:\n${out}`).toBe('done');
  const got = new Map(lines.map((l) => {
    const [k, i, v] = l.split(' ');
    return [`${k} ${i}`, v];
  }));
  signCases.forEach((c, i) => {
    expect(got.get(`pub ${i}`), `${engine}: public key of ${c.name}`).toBe(wantPub[i]);
    expect(got.get(`sig ${i}`), `${engine}: signature of ${c.name}`).toBe(wantSig[i]);
  });
  if (signCases.length > 1) expect(got.get('sliced 1'), `${engine}: sliced signature of ${signCases[1].name}`).toBe(wantSig[1]);
  verifyCases.forEach((c, i) => {
    expect(got.get(`ver ${i}`), `${engine}: verify ${c.name}`).toBe(wantVer[i] ? '1' : '0');
  });
  expect(got.get('slicedver 0'), `${engine}: sliced verify of ${verifyCases[0].name}`).toBe(wantVer[0] ? '1' : '0');
}

/** Engines whose signatures and verdicts equalled noble's (default setup). */
const matched = new Set<EngineName>();
const ALL = engines();
const banner = describeEngines();
const espruino = ALL.find((e) => e.name === 'espruino')!;

describe.skipIf(!VECTORS.present)(`ed25519 on every engine (byte-identical with @noble/ed25519 3.2)${VECTORS.skipped}`, () => {
  it('reports which engines run', () => {
    console.log(banner);
    if (!espruino.available) {
      console.warn(`\n!!! ed25519 on Espruino SKIPPED: ${espruino.why}\n`);
    }
    expect(ALL.some((e) => e.available)).toBe(true);
  });

  for (const e of ALL) {
    const name = e.name as EngineName;
    it.skipIf(!e.available)(`${name}: default setup (table built at first use, built-in SHA-512): ${SIGN.length} keys + signatures, ${VERIFY.length} verifications${e.available ? '' : ` — SKIPPED: ${e.why}`}`, async () => {
      const lib = await bundleEd25519(false);
      const r = await runScript(name, lib + driver(SIGN, VERIFY, ''), { timeoutMs: 600_000 });
      check(name, r.stdout, SIGN, VERIFY, WANT_SIG, WANT_PUB, WANT_VER);
      matched.add(name);
      console.log(`ed25519 on ${name}: ${SIGN.length} signatures byte-identical with noble, ${VERIFY.length} verdicts equal (${Math.round(r.ms)} ms)`);
    }, 900_000);

    it.skipIf(!e.available)(`${name}: shipped table (loadBaseTable) and, where the engine has one, native SHA-512${e.available ? '' : ` — SKIPPED: ${e.why}`}`, async () => {
      const lib = await bundleEd25519(true);
      const setup = `
ED.setBaseTable(ED.loadBaseTable(ED.ed25519TableB64()));
var nat = null;
try { if (typeof process !== 'undefined' && process.env && process.env.BOARD !== undefined) nat = ED.nativeSha512(require('crypto')); } catch (err) { nat = null; }
if (nat) ED.setSha512(nat);
print('native ' + (nat ? 1 : 0));
`;
      const s = SIGN.slice(1, 4);
      const v = VERIFY.slice(0, 4);
      // Espruino runs this one from Storage, as a device runs an app: the 33 KB base64 literal in code held
      // in RAM does not fit a 12,000-variable build next to the table.
      const r = await runScript(name, lib + driver(s, v, setup), { timeoutMs: 600_000, espruinoStorage: name === 'espruino' });
      const lines = r.stdout.split('\n');
      const native = lines.find((l) => l.startsWith('native '));
      if (name === 'espruino') expect(native, 'Espruino must use its native SHA-512 through nativeSha512').toBe('native 1');
      check(name, lines.filter((l) => !l.startsWith('native ')).join('\n'), s, v, WANT_SIG.slice(1, 4), WANT_PUB.slice(1, 4), WANT_VER.slice(0, 4));
      console.log(`ed25519 on ${name} with the shipped table${native === 'native 1' ? ' and native SHA-512' : ''}: byte-identical`);
    }, 900_000);
  }

  it(`every engine that must run matched noble (${enginesToCompare().join(', ')})`, () => {
    expect(enginesNotCompared(matched), 'engines without a matching run').toEqual([]);
  });
});
