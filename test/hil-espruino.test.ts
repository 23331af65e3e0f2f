// edgerule hil on the Espruino virtual device (env ESPRUINO: the Linux build of Espruino): `edgerule device --pty
// --engine espruino` installs the build-runtime --target espruino files into the device's Storage and puts its
// link (Serial1) on a real pseudo-terminal; `edgerule hil` then flashes the signed library over it and drives it
// with a real recording and a scenario. Its signed records must be the simulator's byte for byte (signatures too),
// the end-of-run counts must prove every sample was taken once, and the JUnit file must list each expectation.
// Without ESPRUINO the suite says loudly that it is skipped, not passed.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { sharedData, PROJECT_ROOT } from '../harness/shared-data.ts';
import { BUILD_KEY } from '../harness/link.ts';
import { hilFiles, hilCases, hilCli, identicalRunProblems } from '../harness/hil.ts';
import { espruinoBinary } from '../hil/espruino/device.ts';
import { formatKey } from '../signing/keys.ts';

const esp = espruinoBinary();
const shared = sharedData('traces', 'the HIL run replays a real recording');
if (!esp.bin) console.warn(`\n!!! SKIPPED, not passed: hil on the Espruino virtual device: ${esp.why}\n`);
const skipped = !esp.bin ? ` — SKIPPED, not passed: ${esp.why}` : shared.skipped;
const BIN = join(PROJECT_ROOT, 'bin/edgerule.mjs');
const MINUTES = 60_000;
// The Linux build interprets the runtime from its Storage file: a flash checks the signature in pure JS (seconds),
// and every sample goes through the agent's framing in JS. Per-phase limits far above what a run takes, so a slow
// machine is not mistaken for a lost device; each still names what it waited for.
const SLOW = ['--timeout-connect', '120', '--timeout-flash', '900', '--timeout-inject', '120', '--timeout-drain', '300'];

let device: ChildProcess | undefined;
afterAll(async () => {
  if (!device || device.exitCode !== null) return;
  device.kill('SIGINT');
  await new Promise((r) => device!.once('exit', r));
});

/**
 * `edgerule device --pty --engine espruino` in a child process, run in the project (whose rules/ name the profile the
 * build is made for), its store in `dir`; resolves with its port once it prints it.
 */
function startDevice(dir: string, deviceKey: string): Promise<string> {
  writeFileSync(join(dir, 'build.key.pub'), formatKey(BUILD_KEY, 'public'));
  device = spawn(process.execPath, [BIN, 'device', '--pty', '--engine', 'espruino', '--store', join(dir, 'dev'), '--trust', join(dir, 'build.key.pub'), '--device-key', deviceKey, '--json'], {
    cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((res, rej) => {
    let out = '';
    device!.stdout!.on('data', (b: Buffer) => {
      out += b;
      if (out.includes('\n')) res(JSON.parse(out.split('\n')[0]).port);
    });
    device!.on('exit', (c) => rej(new Error(`edgerule device --engine espruino exited ${c} before printing its port`)));
  });
}

describe.skipIf(!esp.bin || !shared.present)(`hil on the Espruino virtual device${skipped}`, () => {
  test('the runtime installed, the library flashed by hil, a real recording with a scenario: records byte-identical to the simulator\'s, JUnit lists each expectation', async () => {
    const files = await hilFiles();
    const c = hilCases(shared).find((x) => x.name.startsWith('sbn.gpx'))!;
    const port = await startDevice(files.dir, files.deviceKey);
    const r = await hilCli(files, port, c, SLOW);
    console.log(`espruino, ${c.name}: ${r.json?.verdict}; ${r.json?.run.samples} samples, ${r.json?.run.recordsMade} records; ${Math.round(r.json?.metrics.samplesPerSecond)} samples/s; latency p50 ${r.json?.metrics.latencyMs.p50?.toFixed(1)} ms`);
    expect(identicalRunProblems(r, c)).toEqual([]);
    expect(r.json.verdict).toMatch(/^PASS: device 7 \(espruino 2v/);
    expect(r.json.flash?.verdict).toMatch(/^OK: device 7 runs /); // the device ran no bundle: hil flashed it
  }, 60 * MINUTES);
});
