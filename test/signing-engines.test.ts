// Signed bundles on every engine: the runtime artifact checks the signed rule library (sliced), then a sample
// of single-bit flips (header, payload and signature bits) and a few malformed inputs, and prints each fault
// code and byte offset; every engine must print exactly what Node prints, and Node must refuse every flip.
// Then arguments of the wrong type (a null trust, an active version that is not one, bytes in a plain Array, a null
// host) and a bundle "signed" for a small-order key without any secret: fault codes on every engine, never a throw.
// (test/signing-bundle.test.ts flips every bit on Node.) Espruino runs only when env ESPRUINO is set.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { compileFiles } from '../compiler/compile.ts';
import { generateKey } from '../signing/keys.ts';
import { signBundle } from '../signing/bundle.ts';
import { SMALL_ORDER_KEYS, signedWithoutSecret } from '../harness/weak-keys.ts';
import { signingArtifactSource as runtimeArtifactSource } from '../simulator/artifact.ts';
import { prng } from '../harness/fuzz/mutate.ts';
import { describeEngines, engines, enginesNotCompared, enginesToCompare, runScript, type EngineName } from '../harness/engines/engines.ts';

const seedOf = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());
const BUILD = generateKey('build', undefined, seedOf('edgerule test build key'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const DRIVER = `
function unhx(s) { var b = new Uint8Array(s.length / 2), i; for (i = 0; i < b.length; i++) b[i] = parseInt(s.substr(2 * i, 2), 16); return b; }
function runFlips(signedHex, keyHex, bits, cuts) {
  var ER = EdgeRule, nat = null, i, b, rt, c, steps = 0;
  try { if (typeof process !== 'undefined' && process.env && process.env.BOARD !== undefined) nat = ER.nativeSha512(require('crypto')); } catch (err) { nat = null; }
  if (nat) ER.setSha512(nat);
  var host = { emit: function () {}, output: function () {}, interval: function () {} };
  var trust = { key: unhx(keyHex), profile: 'full', active: 2 };
  var signed = unhx(signedHex);
  c = ER.checkBegin(signed, trust);
  while (!ER.checkStep(c, 4)) steps++;
  rt = ER.loadChecked(c, host);
  print('valid ' + rt.fault + ' ' + rt.version + ' ' + rt.signing + ' ' + (steps > 50 ? 'sliced' : 'one-go'));
  for (i = 0; i < bits.length; i++) {
    b = bits[i];
    signed[b >> 3] ^= 1 << (b & 7);
    rt = ER.loadSigned(signed, trust, host);
    signed[b >> 3] ^= 1 << (b & 7);
    print('bit ' + b + ' ' + rt.fault + ' ' + rt.faultAt + ' ' + rt.field);
  }
  for (i = 0; i < cuts.length; i++) {
    rt = ER.loadSigned(signed.subarray(0, cuts[i]), trust, host);
    print('cut ' + cuts[i] + ' ' + rt.fault + ' ' + rt.faultAt + ' ' + rt.field);
  }
  rt = ER.loadSigned(signed, { key: trust.key, profile: 'full', active: 4 }, host);
  print('rollback ' + rt.fault + ' ' + rt.faultAt);
}
function arg(name, rt) { print('arg ' + name + ' ' + rt.fault + ' ' + rt.faultAt + ' ' + rt.field); }
function runArguments(signedHex, keyHex, forgedHex, weakHex, strongHex) {
  var ER = EdgeRule, host = { emit: function () {}, output: function () {}, interval: function () {} };
  var signed = unhx(signedHex), key = unhx(keyHex), list = [], i;
  for (i = 0; i < signed.length; i++) list.push(signed[i]);
  arg('null-trust', ER.loadSigned(signed, null, host));
  arg('no-active', ER.loadSigned(signed, { key: key, profile: 'full' }, host));
  arg('nan-active', ER.loadSigned(signed, { key: key, profile: 'full', active: NaN }, host));
  arg('negative-active', ER.loadSigned(signed, { key: key, profile: 'full', active: -1 }, host));
  arg('null-bytes', ER.loadSigned(null, { key: key, profile: 'full', active: 0 }, host));
  arg('array-bytes', ER.loadSigned(list, { key: key, profile: 'full', active: 0 }, host));
  arg('array-key', ER.loadSigned(signed, { key: [].slice.call(key), profile: 'full', active: 0 }, host));
  arg('null-host', ER.loadSigned(signed, { key: key, profile: 'full', active: 0 }, null));
  arg('engine-null-bytes', ER.load(null, host));
  arg('small-order-key', ER.loadSigned(unhx(forgedHex), { key: unhx(weakHex.substr(0, 64)), profile: 'full', active: 0 }, host));
  for (i = 0; i < weakHex.length; i += 64) print('weak ' + weakHex.substr(i, 64) + ' ' + ER.isWeakPublicKey(unhx(weakHex.substr(i, 64))));
  print('strong ' + ER.isWeakPublicKey(unhx(strongHex)));
}
`;

function pickBits(len: number, payloadAt: number, n: number): number[] {
  const rand = prng(5);
  const regions: Array<[number, number]> = [[0, 4], [4, 71], [71, payloadAt], [payloadAt, len - 66], [len - 66, len]];
  const bits = new Set<number>([0, len * 8 - 1]);
  while (bits.size < n) {
    const [a, b] = regions[bits.size % regions.length];
    bits.add(a * 8 + Math.floor(rand() * (b - a) * 8));
  }
  return [...bits];
}

let signed: Uint8Array;
let forged: Uint8Array;
let reference: string;
const scripts = new Map<number, string>();
const script = (n: number) => {
  if (!scripts.has(n)) {
    const bits = pickBits(signed.length, 75, n);
    scripts.set(n, `${runtimeArtifactSource()}\n${DRIVER}\nrunFlips('${hex(signed)}', '${hex(BUILD.publicKey)}', ${JSON.stringify(bits)}, [0, 3, 71, 80, ${signed.length - 1}]);\n` +
      `runArguments('${hex(signed)}', '${hex(BUILD.publicKey)}', '${hex(forged)}', '${SMALL_ORDER_KEYS.map(hex).join('')}', '${hex(BUILD.publicKey)}');\nprint('DONE');\n`);
  }
  return scripts.get(n)!;
};
const FULL = 48;
const ESPRUINO_BITS = 16;

beforeAll(async () => {
  const bundle = (await compileFiles(['rules'])).bytes;
  signed = signBundle(bundle, BUILD, { version: 3, profile: 'full', signing: 'per-event' });
  forged = signedWithoutSecret(bundle, SMALL_ORDER_KEYS[0]);
  reference = (await runScript('node', script(FULL))).stdout;
}, 300_000);

/** Engines that refused every flip exactly as Node did (Node is the reference). */
const agreed = new Set<EngineName>(['node']);

describe('signed bundles on every engine', () => {
  test('which engines run; Node refuses every sampled flip', () => {
    console.log(describeEngines());
    const esp = engines().find((e) => e.name === 'espruino')!;
    if (!esp.available) console.warn(`\n!!! signed bundles on Espruino SKIPPED (not passed): ${esp.why}\n`);
    const lines = reference.trim().split('\n');
    expect(lines[0]).toBe('valid 0 3 0 sliced');
    expect(lines.filter((l) => l.startsWith('bit ')).length).toBe(FULL);
    for (const l of lines.filter((x) => x.startsWith('bit ') || x.startsWith('cut '))) expect(l.split(' ')[2], l).not.toBe('0');
    expect(lines).toContain('rollback 48 44');
    // Arguments of the wrong type and keys that prove nothing: fault codes (engine 24 ARGUMENT, 51 BAD_KEY,
    // 55 ARGUMENT, with their field ids), never a TypeError; every small-order encoding is weak, a real key is not.
    expect(lines.filter((l) => l.startsWith('arg '))).toEqual([
      'arg null-trust 55 0 18', 'arg no-active 55 0 19', 'arg nan-active 55 0 19', 'arg negative-active 55 0 19',
      'arg null-bytes 55 0 17', 'arg array-bytes 55 0 17', 'arg array-key 51 0 16', 'arg null-host 24 0 33',
      'arg engine-null-bytes 24 0 undefined', 'arg small-order-key 51 0 16',
    ]);
    expect(lines.filter((l) => l.startsWith('weak ')).map((l) => l.split(' ')[2])).toEqual(SMALL_ORDER_KEYS.map(() => 'true'));
    expect(lines).toContain('strong false');
    expect(lines[lines.length - 1]).toBe('DONE');
  });

  for (const info of engines()) {
    const name = info.name as EngineName;
    if (name === 'node') continue;
    const n = name === 'espruino' ? ESPRUINO_BITS : FULL;
    test.skipIf(!info.available)(`${name}: ${n} bit flips and 5 truncations give Node's exact faults and offsets${info.available ? '' : ` — SKIPPED: ${info.why}`}`, async () => {
      const r = await runScript(name, script(n), { timeoutMs: 900_000 });
      const want = n === FULL ? reference : (await runScript('node', script(n))).stdout;
      expect(r.stdout).toBe(want);
      agreed.add(name);
      console.log(`signed bundle on ${name}: ${n} flips + 5 cuts refused exactly as on Node (${Math.round(r.ms)} ms)`);
    }, 900_000);
  }

  test(`every engine that must run agreed with Node (${enginesToCompare().join(', ')})`, () => {
    expect(enginesNotCompared(agreed), 'engines without an agreeing run').toEqual([]);
  });
});
