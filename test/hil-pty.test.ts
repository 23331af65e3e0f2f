// edgerule hil end to end over real pseudo-terminals: the virtual device (Node and Moddable XS) is driven with
// three real recordings and their scenarios; its signed records must be byte-identical to the simulator's for the
// same bundle, inputs and device key, and the JUnit file must list each expectation. The same runs through the
// byte-mangling relay (bit flips, lost and doubled bytes at 1e-4 per byte each): identical records, and the
// end-of-run counts prove no sample was lost or taken twice. A relay that cuts the link mid-run gives a clear
// "device lost at sample N" verdict and exit code 3, within the run's own timeouts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sharedData } from '../harness/shared-data.ts';
import { startDevice, BUILD_KEY, DEVICE_KEY } from '../harness/link.ts';
import { writeRegistry, REGISTRY_FORMAT, REGISTRY_VERSION } from '../signing/registry.ts';
import { keyId, generateKey } from '../signing/keys.ts';
import { hilFiles, hilCases, traceArgs, type HilFiles } from '../harness/hil.ts';
import { runCli } from '../harness/cli.ts';
import { engines } from '../harness/engines/engines.ts';
import { Relay } from '../hil/relay/relay.ts';
import { EXIT } from '../cli/exit-codes.ts';
import type { VirtualDevice } from '../hil/virtual/device.ts';

const shared = sharedData('traces', 'the HIL runs replay real recordings');
const cases = shared.present ? hilCases(shared) : [];
const xs = engines().find((e) => e.name === 'xs')!;
/** Another device's key under the same id: what the registry holds when device 7 is not the device on the port. */
const OTHER_DEVICE_KEY = generateKey('device', 7, new Uint8Array(32).fill(17));
const runXs = xs.available || process.env.CI === 'true';

let files: HilFiles;
const devices: VirtualDevice[] = [];
const relays: Relay[] = [];

beforeAll(async () => { files = await hilFiles(); });
afterAll(async () => {
  for (const r of relays) await r.stop();
  for (const d of devices) await d.stop();
});

async function hil(port: string, c: (typeof cases)[number], extra: string[] = [], key = ['--device-key', files.deviceKey]) {
  const out = join(files.dir, `out-${Math.random().toString(36).slice(2, 8)}`);
  const junit = join(out, 'junit.xml');
  const r = await runCli(['hil', '--port', port, '--bundle', files.bundle, ...key, ...traceArgs(c.traces), ...c.args, '--junit', junit, '--out', out, '--json', ...extra]);
  const json = r.out ? JSON.parse(r.out) : undefined;
  return { ...r, json, junit: existsSync(junit) ? readFileSync(junit, 'utf8') : '', out };
}

/** The counts of a finished run: every sample sent, received and evaluated once; every record made is held. */
function expectCountsProveIt(j: { run: Record<string, number> }) {
  expect(j.run.sent).toBe(j.run.samples);
  expect(j.run.received).toBe(j.run.samples);
  expect(j.run.evaluated).toBe(j.run.samples);
  expect(j.run.recordsReceived).toBe(j.run.recordsMade);
  expect(j.run.dropped).toBe(0);
}

describe.each(['node', 'xs'] as const)(`hil on the %s virtual device${shared.skipped}`, (engine) => {
  let d: VirtualDevice;
  const skip = !shared.present || (engine === 'xs' && !runXs);
  beforeAll(async () => {
    if (skip) return;
    d = await startDevice(engine);
    devices.push(d);
  });

  test.skipIf(skip).each(cases.map((c) => [c.name, c] as const))(`%s: records byte-identical to the simulator's, JUnit lists each expectation${engine === 'xs' && !runXs ? ` — SKIPPED: ${xs.why}` : ''}`, async (_, c) => {
    const r = await hil(d.port, c);
    expect(r.json.verdict).toMatch(/^PASS: device 7 /);
    expect(r.code).toBe(EXIT.OK);
    expect(r.json.comparison).toMatchObject({ identical: true, signatures: true });
    expect(r.json.comparison.deviceRecords).toBe(r.json.simulator.records);
    expect(r.json.simulator.records).toBeGreaterThanOrEqual(5);
    expect(r.json.verification.ok).toBe(true);
    expectCountsProveIt(r.json);
    const expectations = r.junit.split('<testsuite ').find((s) => s.includes('name="' + r.json.expectations.suite.replace(/&/g, '&amp;')));
    expect((expectations?.match(/<testcase /g) ?? []).length).toBe(c.expectations);
    for (const k of r.json.expectations.cases) expect(r.junit).toContain(`name="${k.name.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`);
    expect(r.junit).toContain("name=\"records byte-identical to the simulator's (signatures too)\"");
    expect(readFileSync(join(r.out, 'events.cbor')).length).toBeGreaterThan(0);
    expect(readFileSync(join(r.out, 'report.html'), 'utf8')).toContain('class="dev"');
    console.log(`${engine}, ${c.name}: ${r.json.run.samples} samples, ${r.json.run.recordsMade} records; ${Math.round(r.json.metrics.samplesPerSecond)} samples/s; latency p50 ${r.json.metrics.latencyMs.p50?.toFixed(1)} ms`);
  });
});

describe(`the device's key from the registry${shared.skipped}`, () => {
  test.skipIf(!shared.present)('without --device-key the records verify with the registry\'s key; a device announcing another key is refused', async () => {
    const d = await startDevice('node');
    devices.push(d);
    const registry = (key: Uint8Array) => {
      const file = join(files.dir, `registry-${Math.random().toString(36).slice(2, 8)}.json`);
      writeRegistry(file, { format: REGISTRY_FORMAT, version: REGISTRY_VERSION, devices: [{ device: 7, anchor: { key: Buffer.from(BUILD_KEY.publicKey).toString('hex'), version: 0 }, keys: [{ epoch: 0, public: Buffer.from(key).toString('hex'), from: 1 }] }] });
      return file;
    };
    const wrong = await hil(d.port, cases[0], [], ['--registry', registry(OTHER_DEVICE_KEY.publicKey)]);
    expect(wrong.code).toBe(EXIT.CHECK_FAILED);
    expect(wrong.json.verdict).toMatch(new RegExp(`^FAIL: connect: device 7 announces event key id ${keyId(DEVICE_KEY.publicKey)}, but the registry \\S+ holds key id ${keyId(OTHER_DEVICE_KEY.publicKey)} \\(epoch 0\\) for device 7: its records would not verify`));
    const r = await hil(d.port, cases[0], [], ['--registry', registry(DEVICE_KEY.publicKey)]);
    expect(r.json.verdict).toMatch(/^PASS: device 7 /);
    expect(r.json.device.keyFrom).toMatch(/^the registry \S+ \(device 7, key epoch 0\)$/);
    expect([r.json.verification.ok, r.json.comparison.identical, r.json.comparison.signatures]).toEqual([true, true, false]);
  });
});

describe(`through the relay${shared.skipped}`, () => {
  let d: VirtualDevice;
  beforeAll(async () => {
    if (!shared.present) return;
    d = await startDevice('node');
    devices.push(d);
  });

  test.skipIf(!shared.present).each(cases.map((c, i) => [c.name, c, i] as const))('%s, bit flips, lost and doubled bytes at 1e-4 per byte: identical records, no sample lost or doubled', async (_, c, i) => {
    const relay = await Relay.start({ device: d.port, port: join(files.dir, `relay-${i}`), faults: { flip: 1e-4, drop: 1e-4, dup: 1e-4 }, seed: 40 + i });
    relays.push(relay);
    const r = await hil(relay.port, c);
    await relay.stop();
    const faults = (k: 'flipped' | 'dropped' | 'duplicated') => relay.counts.toDevice[k] + relay.counts.toHost[k];
    console.log(`through the relay, ${c.name}: ${r.json.verdict.slice(0, 60)}…; relay ${faults('flipped')} flipped, ${faults('dropped')} dropped, ${faults('duplicated')} doubled bytes; host resent ${r.json.metrics.resentFrames} INJECT frames (${r.json.metrics.gaps} gaps, ${r.json.metrics.timeouts} timeouts), ${r.json.run.duplicates} resent records dropped`);
    expect(r.json.verdict).toMatch(/^PASS/);
    expect(r.code).toBe(EXIT.OK);
    expect(r.json.comparison.identical).toBe(true);
    expectCountsProveIt(r.json);
    expect(faults('flipped') + faults('dropped') + faults('duplicated')).toBeGreaterThan(0);
    expect(r.json.metrics.resentFrames + r.json.metrics.resentRequests + r.json.metrics.crcErrors + r.json.metrics.framingErrors).toBeGreaterThan(0);
  });

  test.skipIf(!shared.present)('a link cut for good mid-run: "device lost at sample N (t = …)", exit code 3, what was collected kept', async () => {
    const c = cases[0];
    const relay = await Relay.start({ device: d.port, port: join(files.dir, 'relay-cut'), cutAfter: 150_000 });
    relays.push(relay);
    const r = await hil(relay.port, c, ['--timeout-inject', '3', '--timeout-drain', '3']);
    await relay.stop();
    expect(r.code).toBe(EXIT.CANNOT_CHECK);
    expect(r.json.verdict).toMatch(/^ERROR: device lost at sample (\d+) \(t = \+\d+m\d+(\.\d+)?s, 20\d\d-\d\d-\d\dT[\d:.]+Z\) during inject: /);
    const at = Number(/sample (\d+)/.exec(r.json.verdict)![1]);
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(r.json.run.samples);
    expect(r.json.error).toMatchObject({ phase: 'inject', lost: true, atSample: at });
    expect(r.junit).toMatch(/<failure message="ERROR: device lost at sample/);
    const held = r.json.run.recordsReceived;
    expect(held).toBeGreaterThanOrEqual(1);
    expect(r.json.verdict).toContain(`collected ${held} record${held === 1 ? ' (identical' : 's (each identical'} to the simulator's record of the same seq)`);
    expect(readFileSync(join(r.out, 'events.cbor')).length).toBeGreaterThan(0);
    console.log(`cut after 150,000 bytes: ${r.json.verdict}`);
  });
});
