/**
 * Fixtures the HIL tests and benchmarks share: the rule library signed with the link tests' build key (with its
 * sidecar map beside it, as `edgerule compile` and `sign` leave them), the test device's secret key file, the
 * real recordings and scenarios the runs use, and a transport that records or replays what a device sent (an
 * earlier run's output still waiting on the line).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFiles } from '../compiler/compile.ts';
import { formatKey } from '../signing/keys.ts';
import type { SigningMode } from '../compiler/dsl/rule.ts';
import type { Transport } from '../hil/link/transport.ts';
import { FrameReader, encodeFrame } from '../hil/link/codec.ts';
import { readEvents } from '../signing/event-record.ts';
import { MSG_EVENT, EQ_RECORD } from '../runtime/link/constants.ts';
import { loadHilBundle } from '../hil/run/reference.ts';
import { HIL_DEFAULTS, type HilOptions } from '../hil/run/run.ts';
import { loadScenario } from '../simulator/scenario.ts';
import { DEVICE_KEY, signedLibrary } from './link.ts';
import { PROJECT_ROOT, type SharedData } from './shared-data.ts';
import { EXIT } from '../cli/exit-codes.ts';

export interface HilFiles {
  dir: string;
  /** The signed rule library; its sidecar map is <bundle>.map.json. */
  bundle: string;
  /** The test device's (device 7's) secret event key. */
  deviceKey: string;
}

/** The library signed as version `version` in a fresh folder, with its map and the device key file. */
export async function hilFiles(o: { version?: number; signing?: SigningMode } = {}): Promise<HilFiles> {
  const dir = mkdtempSync(join(tmpdir(), 'edgerule-hil-'));
  const c = await compileFiles([join(PROJECT_ROOT, 'rules')]);
  const bundle = join(dir, 'lib.signed');
  writeFileSync(bundle, await signedLibrary({ version: o.version ?? 1, signing: o.signing ?? 'per-event' }, c.bytes));
  writeFileSync(bundle + '.map.json', JSON.stringify(c.map));
  const deviceKey = join(dir, 'device-7.key');
  writeFileSync(deviceKey, formatKey(DEVICE_KEY, 'secret'), { mode: 0o600 });
  return { dir, bundle, deviceKey };
}

export interface HilCase {
  name: string;
  traces: string[];
  /** Options for `edgerule hil` besides the traces (start, scenario, expect). */
  args: string[];
  /** Expectation cases the JUnit file must list (expect + forbid + onlyExpected). */
  expectations: number;
}

const EXAMPLES = join(PROJECT_ROOT, 'examples/scenarios');
const FIXTURES = join(PROJECT_ROOT, 'test/fixtures/hil');

/** Three real recordings with scenarios and expectations: a car with GPS and accelerometer, and two GPX drives. */
export function hilCases(shared: SharedData): HilCase[] {
  return [
    {
      name: 'quat-orient 22:00 trip (GPS + accelerometer) with door-theft',
      traces: [shared.path('combined/quat-orient/gps.2020-10-15-22.csv'), shared.path('combined/quat-orient/accel.2020-10-15-22.csv')],
      args: ['--start', '2020-10-15T22:00:00+13:00', '--scenario', join(EXAMPLES, 'door-theft.json'), '--expect', join(EXAMPLES, 'door-theft.expect.json')],
      expectations: 12,
    },
    {
      name: 'sbn.gpx (22 min urban drive) with door-theft',
      traces: [shared.path('gpx/sbn.gpx')],
      args: ['--scenario', join(EXAMPLES, 'door-theft.json'), '--expect', join(FIXTURES, 'sbn-door-theft.expect.json')],
      expectations: 7,
    },
    {
      name: 'sbn-v13.gpx (59 min drive) with jam-and-tow',
      traces: [shared.path('gpx/sbn-v13.gpx')],
      args: ['--scenario', join(EXAMPLES, 'jam-and-tow.ts'), '--expect', join(FIXTURES, 'sbn-v13-jam-and-tow.expect.json')],
      expectations: 5,
    },
  ];
}

/** `--trace a --trace b …` */
export const traceArgs = (traces: string[]) => traces.flatMap((t) => ['--trace', t]);

export interface HilCliResult {
  code: number;
  err: string;
  /** The --json document (undefined when the run printed none). */
  json: any; // HilResult as resultJson() writes it
  /** The JUnit file's text ('' when none was written). */
  junit: string;
  /** The --out folder. */
  out: string;
}

/**
 * `edgerule hil` (in this process) with `files`' library on `port`, for case `c`, --json, JUnit and --out; the device's
 * key as `key` says (default: --device-key with device 7's key file).
 */
export async function hilCli(files: HilFiles, port: string, c: HilCase, extra: string[] = [], key = ['--device-key', files.deviceKey]): Promise<HilCliResult> {
  const out = join(files.dir, `out-${Math.random().toString(36).slice(2, 8)}`);
  const junit = join(out, 'junit.xml');
  const { runCli } = await import('./cli.ts'); // the CLI's module graph only for those who run it
  const r = await runCli(['hil', '--port', port, '--bundle', files.bundle, ...key, ...traceArgs(c.traces), ...c.args, '--junit', junit, '--out', out, '--json', ...extra]);
  return { code: r.code, err: r.err, json: r.out ? JSON.parse(r.out) : undefined, junit: existsSync(junit) ? readFileSync(junit, 'utf8') : '', out };
}

/**
 * What a finished run's counts (hil.json `run`) fail to prove: every sample sent, received and evaluated once,
 * every record the device made held, none dropped. Empty when all hold.
 */
export function countProblems(run: Record<string, number>): string[] {
  const want: Array<[string, number, number]> = [
    ['sent', run.sent, run.samples], ['received', run.received, run.samples], ['evaluated', run.evaluated, run.samples],
    ['recordsReceived', run.recordsReceived, run.recordsMade], ['dropped', run.dropped, 0],
  ];
  return want.filter(([, have, should]) => have !== should).map(([k, have, should]) => `run.${k} is ${have}, not ${should}`);
}

/**
 * What keeps `edgerule hil`'s result for case `c` from being the end-to-end proof: exit code 0 and a PASS; records
 * byte-identical to the simulator's, signatures too, at least 5 of them; every record verified; the counts
 * (countProblems) and the JUnit file (junitProblems) whole; the device's records written to --out. Empty when whole.
 */
export function identicalRunProblems(r: HilCliResult, c: HilCase): string[] {
  const j = r.json;
  if (!j) return [`no --json document (exit code ${r.code}): ${r.err.slice(0, 300)}`];
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => { if (!ok) problems.push(what); };
  need(r.code === EXIT.OK && /^PASS: device 7 /.test(j.verdict), `exit code ${r.code}, verdict ${j.verdict}`);
  need(j.comparison?.identical === true && j.comparison?.signatures === true, `comparison ${JSON.stringify(j.comparison)}`);
  need(j.comparison?.deviceRecords === j.simulator?.records && j.simulator?.records >= 5, `device records ${j.comparison?.deviceRecords}, simulator's ${j.simulator?.records} (5 or more wanted)`);
  need(j.verification?.ok === true, 'a record does not verify');
  problems.push(...countProblems(j.run), ...junitProblems(j, r.junit, c.expectations));
  const events = join(r.out, 'events.cbor');
  need(existsSync(events) && readFileSync(events).length > 0, 'no events.cbor in --out');
  return problems;
}

/**
 * What the JUnit file of a passing byte-identical run lacks: the expectation suite with exactly `expectations` test
 * cases, one named for each expectation hil.json lists, and the case of the byte-identical check. Empty when whole.
 */
export function junitProblems(json: { expectations?: { suite: string; cases: Array<{ name: string }> } }, junit: string, expectations: number): string[] {
  const ex = json.expectations;
  if (!ex) return ['no expectations in the --json document (the run stopped before comparing)'];
  const esc = (x: string) => x.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  const suite = junit.split('<testsuite ').find((x) => x.includes('name="' + esc(ex.suite)));
  const n = (suite?.match(/<testcase /g) ?? []).length;
  const problems = n === expectations ? [] : [`the expectation suite has ${n} test cases, not ${expectations}`];
  for (const k of ex.cases) if (!junit.includes(`name="${esc(k.name)}"`)) problems.push(`no test case named ${k.name}`);
  if (!junit.includes(`name="${esc("records byte-identical to the simulator's (signatures too)")}"`)) problems.push('no test case for the byte-identical check');
  return problems;
}

/**
 * A transport around a real one that keeps every byte the device sent, grouped by how many host writes came
 * before it (`record`), or that, after the host's first write, delivers bytes recorded from an earlier run before
 * anything the device says now (`replay`): the output of a run that ended badly, still on the line.
 */
export function recordingTransport(t: Transport, replay?: Uint8Array): Transport & { recorded(): Uint8Array } {
  const got: Uint8Array[] = [];
  let cb: (b: Uint8Array) => void = () => {};
  let writes = 0;
  t.onData((b) => {
    got.push(b.slice());
    cb(b);
  });
  return {
    get path() { return t.path; },
    get isOpen() { return t.isOpen; },
    write(b) {
      t.write(b);
      if (writes++ === 0 && replay) setImmediate(() => cb(replay));
    },
    drain: () => t.drain(),
    onData(f) { cb = f; },
    onClose: (f) => t.onClose(f),
    close: () => t.close(),
    recorded: () => new Uint8Array(Buffer.concat(got)),
  };
}

/**
 * A transport around a real one on which one of the device's records never arrives: every EVENT frame carrying
 * record `seq` is lost on the line (the device resends it, in vain). The rest passes unchanged.
 */
export function losingRecordTransport(t: Transport, seq: number): Transport & { lost: number } {
  let cb: (b: Uint8Array) => void = () => {};
  const self = {
    lost: 0,
    get path() { return t.path; },
    get isOpen() { return t.isOpen; },
    write: (b: Uint8Array) => t.write(b),
    drain: () => t.drain(),
    onData(f: (b: Uint8Array) => void) { cb = f; },
    onClose: (f: (why: string) => void) => t.onClose(f),
    close: () => t.close(),
  };
  const reader = new FrameReader((f) => {
    const rec = f.body.get(EQ_RECORD);
    if (f.type === MSG_EVENT && rec instanceof Uint8Array && readEvents(rec).items[0]?.record?.seq === seq) self.lost++;
    else cb(encodeFrame(f.type, f.seq, f.body));
  });
  t.onData((b) => reader.push(b));
  return self;
}

/**
 * Options for runHil() in process (tests and the bench): the library of `files` on `port`, flashed if the device
 * runs another, device 7's key (signatures compared too), the recordings and scenario file given.
 */
export async function hilOptions(port: string, files: HilFiles, inputs: { traces: string[]; scenario?: string }, over: Partial<HilOptions> = {}): Promise<HilOptions> {
  const scenario = inputs.scenario ? { file: inputs.scenario, scenario: await loadScenario(inputs.scenario) } : undefined;
  return {
    ...HIL_DEFAULTS, port, bundle: loadHilBundle(files.bundle), flash: true, reset: false, deviceKey: DEVICE_KEY,
    inputs: { traces: inputs.traces, scenario }, ...over,
  };
}
