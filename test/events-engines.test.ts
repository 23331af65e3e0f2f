// Signed events are deterministic: the same keys, signed bundle and input give byte-identical records on every
// engine (Node, XS, Duktape, and Espruino when env ESPRUINO is set). One ES5 script runs the runtime artifact:
// it checks the signed bundle (sliced), loads it behind the event writer, replays samples that make the library's
// shock-or-tamper rule fire, emits synthetic info/warning events, lets the queue overflow, restarts the writer
// from its persisted state mid-way (with records still waiting for signatures), acknowledges, and prints every
// record handed over. Node's run of the artifact is the reference; the host verifier must accept it.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { compileFiles } from '../compiler/compile.ts';
import { generateKey } from '../signing/keys.ts';
import { signBundle } from '../signing/bundle.ts';
import { verifyEvents } from '../signing/verify-events.ts';
import { signingArtifactSource as runtimeArtifactSource } from '../simulator/artifact.ts';
import { describeEngines, engines, enginesNotCompared, enginesToCompare, runScript, type EngineName } from '../harness/engines/engines.ts';
import type { SigningMode } from '../compiler/dsl/rule.ts';

const seedOf = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());
const BUILD = generateKey('build', undefined, seedOf('edgerule test build key'));
const DEVICE = generateKey('device', 7, seedOf('edgerule test device 7'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const f64 = (v: number) => Buffer.from(new Float64Array([v]).buffer).toString('hex');

type Op = ['s', number, number, string] | ['e', number, number, number, ...string[]] | ['w', number] | ['W'] | ['a', number] | ['r'] | ['f', number];

// accel.mag = signal 11 (g); shock-or-tamper fires above 4 g (critical, cooldown 1 min).
const ACCEL = 11;
const OPS: Op[] = [
  ['s', 1000, 6, f64(1)],
  ['s', 2000, 0, f64(-36.8485)],
  ['e', 900, 0, 3000, f64(1.5), f64(-0.25)],
  ['s', 4000, ACCEL, f64(5.25)],
  ['s', 5000, ACCEL, f64(0.98)],
  ['w', 3],
  ['e', 901, 1, 70000],
  ['e', 900, 0, 80000, f64(NaN)],
  ['r'], // restart with records still waiting for their signatures
  ['s', 130000, ACCEL, f64(7.5)],
  ['s', 131000, ACCEL, f64(1)],
  ['e', 902, 0, 140000, f64(1 / 3)],
  ['e', 902, 0, 150000, f64(2 / 3)],
  ['e', 902, 0, 160000, f64(-0)],
  ['e', 902, 1, 170000],
  ['e', 902, 0, 180000], // the queue (6 slots) overflows from here on: oldest low-severity records go
  ['e', 902, 0, 190000],
  ['W'],
  ['a', 3],
  ['e', 903, 0, 400000, f64(42)],
  ['s', 500000, ACCEL, f64(9)],
  ['f', 600000],
];

const DRIVER = `
var HEX = '0123456789abcdef';
function hx(b) { var s = '', i; for (i = 0; i < b.length; i++) s += HEX.charAt(b[i] >> 4) + HEX.charAt(b[i] & 15); return s; }
function unhx(s) { var b = new Uint8Array(s.length / 2), i; for (i = 0; i < b.length; i++) b[i] = parseInt(s.substr(2 * i, 2), 16); return b; }
var F64 = new Float64Array(1), F8 = new Uint8Array(F64.buffer);
function rd(s) { var i; for (i = 0; i < 8; i++) F8[i] = parseInt(s.substr(i * 2, 2), 16); return F64[0]; }
function runEvents(signedHex, buildPubHex, seedHex, ops) {
  var ER = EdgeRule, nat = null;
  try { if (typeof process !== 'undefined' && process.env && process.env.BOARD !== undefined) nat = ER.nativeSha512(require('crypto')); } catch (err) { nat = null; }
  if (nat) ER.setSha512(nat);
  print('N ' + (nat ? 1 : 0));
  var store = {};
  var dev = {
    read: function (k) { return store[k] || null; },
    write: function (k, b) { if (b.length) { var c = new Uint8Array(b.length); c.set(b); store[k] = c; } else { delete store[k]; } },
    record: function (b, seq, cls) { print('R ' + seq + ' ' + cls + ' ' + hx(b)); }
  };
  var inner = { emit: function () {}, output: function (id, v) { print('O ' + id + ' ' + v); }, interval: function () {} };
  var c = ER.checkBegin(unhx(signedHex), { key: unhx(buildPubHex), profile: 'full', active: 0 });
  var slices = 0;
  while (!ER.checkStep(c, 8)) slices++;
  print('B ' + c.fault + ' ' + c.version + ' ' + c.signing + ' ' + (slices > 10 ? 'sliced' : 'one-go'));
  if (c.fault) return;
  var cfg = { device: 7, seed: unhx(seedHex), signing: c.signing, every: 3, period: 60000, capacity: 6 };
  var w = ER.eventWriter(cfg, dev);
  var rt = ER.loadChecked(c, ER.wrapHost(inner, w));
  print('L ' + rt.fault + ' ' + w.fault + ' ' + hx(w.publicKey));
  var E = new Float64Array(8), i, j, op, h = ER.wrapHost(inner, w);
  for (i = 0; i < ops.length; i++) {
    op = ops[i];
    if (op[0] === 's') { rt.advanceTo(op[1]); rt.set(op[2], rd(op[3]), op[1]); rt.step(op[1]); w.tick(op[1]); w.work(2); }
    else if (op[0] === 'e') { for (j = 4; j < op.length; j++) E[j - 4] = rd(op[j]); h.emit(op[1], op[2], op[3], E, op.length - 4); }
    else if (op[0] === 'w') { w.work(op[1]); }
    else if (op[0] === 'W') { while (!w.work(16)) {} }
    else if (op[0] === 'a') { w.ack(op[1]); print('A ' + op[1] + ' ' + w.queued()); }
    else if (op[0] === 'r') { print('restart ' + w.queued()); w = ER.eventWriter(cfg, dev); h = ER.wrapHost(inner, w); rt = ER.loadChecked(c, h); print('L ' + rt.fault + ' ' + w.fault + ' ' + w.nextSeq()); }
    else if (op[0] === 'f') { rt.advanceTo(op[1]); w.flush(op[1]); }
  }
  print('Q ' + w.queued() + ' ' + w.dropped() + ' ' + w.nextSeq() + ' ' + w.fault);
  for (i = 0; w.record(i); i++) print('K ' + i + ' ' + hx(w.record(i)));
}
`;

function script(signed: Uint8Array): string {
  return `${runtimeArtifactSource()}\n${DRIVER}\nrunEvents('${hex(signed)}', '${hex(BUILD.publicKey)}', '${hex(DEVICE.seed!)}', ${JSON.stringify(OPS)});\nprint('DONE');\n`;
}

/** The records an engine handed over, concatenated: the events file the backend receives. */
function eventsFile(stdout: string): Uint8Array {
  return new Uint8Array(Buffer.from(stdout.split('\n').filter((l) => l.startsWith('R ')).map((l) => l.split(' ')[3]).join(''), 'hex'));
}

const MODES: SigningMode[] = ['per-event', 'checkpoint'];
const signed = new Map<SigningMode, Uint8Array>();
const reference = new Map<SigningMode, string>();
/** Engines whose output matched Node's, per mode (Node is the reference). */
const identical = new Map<SigningMode, Set<EngineName>>(MODES.map((m) => [m, new Set<EngineName>(['node'])]));

beforeAll(async () => {
  const c = await compileFiles(['rules']);
  for (const m of MODES) signed.set(m, signBundle(c.bytes, BUILD, { version: 1, profile: 'full', signing: m }));
  for (const m of MODES) reference.set(m, (await runScript('node', script(signed.get(m)!))).stdout);
}, 300_000);

describe('signed events are byte-identical on every engine', () => {
  test('which engines run', () => {
    console.log(describeEngines());
    const esp = engines().find((e) => e.name === 'espruino')!;
    if (!esp.available) console.warn(`\n!!! events on Espruino SKIPPED (not passed): ${esp.why}\n`);
  });

  for (const mode of MODES) {
    test(`node (reference, ${mode}): the scenario hands over records that the host verifier accepts`, () => {
      const out = reference.get(mode)!;
      expect(out).toMatch(/^N 0\nB 0 1 \d sliced\nL 0 0 [0-9a-f]{64}\n/);
      expect(out.trim().endsWith('DONE')).toBe(true);
      const lines = out.split('\n');
      expect(lines.find((l) => l.startsWith('L ') && l.split(' ')[3] !== undefined && l.split(' ')[3].length < 10), 'restart line').toBeDefined();
      const report = verifyEvents(eventsFile(out), { publicKey: DEVICE.publicKey, device: 7, signing: mode, file: `node-${mode}` });
      console.log(report.text);
      expect(report.counts.dropped ?? 0, report.text).toBeGreaterThan(0);
      expect(report.ok, report.text).toBe(true);
      expect(report.events).toBeGreaterThanOrEqual(7);
    });
  }

  for (const info of engines()) {
    const name = info.name as EngineName;
    if (name === 'node') continue;
    for (const mode of MODES) {
      test.skipIf(!info.available)(`${name} (${mode}): output byte-identical with Node${info.available ? '' : ` — SKIPPED: ${info.why}`}`, async () => {
        const r = await runScript(name, script(signed.get(mode)!), { timeoutMs: 900_000 });
        const want = reference.get(mode)!.replace(/^N 0\n/, '');
        const got = r.stdout.replace(/^N [01]\n/, '');
        if (name === 'espruino') expect(r.stdout.startsWith('N 1\n'), 'Espruino uses its native SHA-512').toBe(true);
        expect(got).toBe(want);
        identical.get(mode)!.add(name);
        console.log(`events on ${name} (${mode}): ${got.split('\n').filter((l) => l.startsWith('R ')).length} records byte-identical with Node (${Math.round(r.ms)} ms)`);
      }, 900_000);
    }
  }

  test(`every engine that must run gave Node's bytes (${enginesToCompare().join(', ')})`, () => {
    for (const mode of MODES) expect(enginesNotCompared(identical.get(mode)!), `${mode}: engines without a byte-identical run`).toEqual([]);
  });
});
