// The HIL harness against the failure modes users of other harnesses reported (/work/shared/DEVICES.md): output
// of an earlier run taken for this one (twister), the device's first bytes after a reset lost because the reader
// was attached late (twister, labgrid), waiting forever for a silent device (twister, PlatformIO), and a pass
// reported although results were missing (PlatformIO). Also wall-clock mode: the device's own clock, events
// matched within the stated tolerance. Virtual devices behind real pseudo-terminals; real recordings.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sharedData } from '../harness/shared-data.ts';
import { startDevice } from '../harness/link.ts';
import { hilFiles, hilOptions, traceArgs, recordingTransport, losingRecordTransport, type HilFiles } from '../harness/hil.ts';
import { runCli } from '../harness/cli.ts';
import { ptyPair, type PtyPair } from '../hil/virtual/pty.ts';
import { openSerial } from '../hil/link/transport.ts';
import { runHil, HIL_DEFAULTS, type HilOptions } from '../hil/run/run.ts';
import { judge } from '../hil/run/verdict.ts';
import { loadScenario } from '../simulator/scenario.ts';
import { EXIT } from '../cli/exit-codes.ts';
import type { VirtualDevice } from '../hil/virtual/device.ts';

const shared = sharedData('traces', 'the HIL runs replay real recordings');
let files: HilFiles;
let d: VirtualDevice;
const ptys: PtyPair[] = [];

beforeAll(async () => {
  files = await hilFiles();
  d = await startDevice('node');
});
afterAll(async () => {
  for (const p of ptys) p.close();
  await d?.stop();
});

const SBN = () => shared.path('gpx/sbn.gpx');
const DOOR_THEFT = 'examples/scenarios/door-theft.json';

const options = (over: Partial<HilOptions> = {}) => hilOptions(d.port, files, { traces: [SBN()], scenario: DOOR_THEFT }, over);

test('usage errors name the option (exit 2); with --json the failure is one JSON document', async () => {
  const r = await runCli(['hil', '--bundle', files.bundle, '--trace', 'x.gpx', '--json']);
  expect(r.code).toBe(EXIT.USAGE);
  expect(r.err).toContain('edgerule hil: missing --port <port>: the serial port of the device');
  expect(JSON.parse(r.out)).toMatchObject({ ok: false, exitCode: EXIT.USAGE, error: expect.stringMatching(/^missing --port/) });
  const wall = await runCli(['hil', '--port', 'p', '--bundle', files.bundle, '--trace', 'x.gpx', '--clock', 'device']);
  expect([wall.code, wall.err.split('\n')[0]]).toEqual([EXIT.USAGE, 'edgerule hil: --clock device runs on the device\'s own clock: it needs --speed 1x']);
});

test('a silent device: the run ends with the message it waited for, exit code 3, no hang', async () => {
  const pty = await ptyPair(join(files.dir, 'silent'), join(files.dir, 'silent-other-end'));
  ptys.push(pty);
  const r = await runCli(['hil', '--port', pty.a, '--bundle', files.bundle, '--trace', 'examples/quat-orient/gps.2020-10-15-21.csv', '--timeout-connect', '2', '--json', '--junit', join(files.dir, 'silent.xml')]);
  expect(r.code).toBe(EXIT.CANNOT_CHECK);
  const j = JSON.parse(r.out);
  expect(j.verdict).toMatch(/^ERROR: connect: no reply to HELLO after \d+ tries in 2000 ms \(connect timeout\)$/);
  expect(j.error).toMatchObject({ phase: 'connect', lost: false });
});

describe(`against a virtual device${shared.skipped}`, () => {
  test.skipIf(!shared.present)('output of an earlier run still on the line (its HELLO reply with the same seq, its replies and records) is told apart by nonce and run id, and ignored', async () => {
    // run 1 ends badly, after 2,000 samples, with the device's output recorded; run 2 uses the same first seq, and
    // the host reads run 1's output (which includes the reply to a HELLO with run 2's seq) before the device's answer
    const firstSeq = 0x4000;
    let rec!: ReturnType<typeof recordingTransport>;
    const o1 = await options({ firstSeq, stopAfter: 2000, open: async () => (rec = recordingTransport(await openSerial(d.port, 115200, 5000))) });
    const r1 = judge(await runHil(o1), o1);
    expect(r1.verdict).toMatch(/stopped after 2\d{3} samples/);
    const stale = rec.recorded();
    expect(stale.length).toBeGreaterThan(1000);
    const o2 = await options({
      firstSeq, inputs: { traces: [SBN()], scenario: { file: 'jam-and-tow', scenario: await loadScenario('examples/scenarios/jam-and-tow.ts') } },
      open: async () => recordingTransport(await openSerial(d.port, 115200, 5000), stale),
    });
    const run2 = await runHil(o2);
    const r2 = judge(run2, o2);
    expect(r2.verdict).toMatch(/^PASS/);
    expect(r2.comparison?.identical).toBe(true);
    // the earlier HELLO reply (same seq, another nonce) and the earlier run's replies were waited past
    expect(run2.counts.strayReplies).toBeGreaterThanOrEqual(2);
    expect(r2.run.duplicates).toBe(0);
    console.log(`stale output: ${stale.length} bytes of run 1 read first; ${run2.counts.strayReplies} stray replies ignored; ${r2.verdict.slice(0, 100)}…`);
  });

  test.skipIf(!shared.present)('--reset: the port stays open across the restart, so the device\'s first bytes after it (its boot line) are read', async () => {
    const o = await options({ reset: true });
    const r = judge(await runHil(o), o);
    expect(r.verdict).toMatch(/^PASS/);
    expect(r.device?.boots.length).toBe(1);
    expect(r.device?.boots[0]).toBeGreaterThanOrEqual(2);
  });

  test.skipIf(!shared.present)('a device that emits fewer events than expected fails (exit code 1), naming the expectation', async () => {
    const r = await runCli(['hil', '--port', d.port, '--bundle', files.bundle, '--device-key', files.deviceKey, ...traceArgs([SBN()]), '--scenario', DOOR_THEFT,
      '--expect', 'test/fixtures/hil/sbn-door-at-rest.expect.json', '--json']);
    expect(r.code).toBe(EXIT.CHECK_FAILED);
    const j = JSON.parse(r.out);
    expect(j.comparison.identical).toBe(true); // the simulator agrees: the rule does not fire on this drive
    expect(j.verdict).toMatch(/^FAIL: .*1 expectation\(s\) failed: expect door-open-at-rest at \+16m00s ±1m00s — door-open-at-rest never fired$/);
  });

  test.skipIf(!shared.present)('a record that never arrives: no pass — the run ends naming the missing seq, exit code 3', async () => {
    let line!: ReturnType<typeof losingRecordTransport>;
    const o = await options({ timeouts: { ...HIL_DEFAULTS.timeouts, drainMs: 3000 }, open: async () => (line = losingRecordTransport(await openSerial(d.port, 115200, 5000), 3)) });
    const r = judge(await runHil(o), o);
    expect(line.lost).toBeGreaterThanOrEqual(1);
    expect(r.ok).toBe(false);
    expect(r.exit).toBe(EXIT.CANNOT_CHECK);
    expect(r.verdict).toMatch(/^ERROR: drain: no new record for 3000 ms: received \d+ of the (\d+) records the device made \(missing seq 3\b.*\); collected \d+ records \(each identical to the simulator's record of the same seq\)$/);
    expect(r.run.recordsReceived).toBeLessThan(r.run.recordsMade!);
  });

  test.skipIf(!shared.present)('wall-clock mode: the device stamps samples with its own clock; events match the simulator\'s within the tolerance', async () => {
    const r = await runCli(['hil', '--port', d.port, '--bundle', files.bundle, '--device-key', files.deviceKey, '--trace', shared.path('nmea/rst39.log'),
      '--scenario', 'test/fixtures/hil/impact-and-door.json', '--clock', 'device', '--speed', '1x', '--tolerance', '500ms', '--json']);
    const j = JSON.parse(r.out);
    expect(j.verdict).toMatch(/^PASS: .*2 events, each within ±500 ms of the simulator's/);
    expect(r.code).toBe(EXIT.OK);
    expect(j.tolerance).toMatchObject({ ok: true, matched: 2, missing: [], extra: [] });
    expect(j.comparison.identical).toBe(false); // own clock: close, not bit-exact
    console.log(`wall-clock mode: ${j.verdict}`);
  });
});
