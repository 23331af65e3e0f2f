/** `edgerule simulate` and `edgerule demo`. */
import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tint, type Command, type Io } from '../cli/command.ts';
import { loadBundle, type LoadedBundle } from './inputs.ts';
import { simulate, type SimResult } from './run.ts';
import { loadScenario, ScenarioError } from './scenario.ts';
import { checkExpectations, expectationText, junitXml, loadExpectations, type ExpectationReport } from './expect.ts';
import { writeOutputs } from './outputs.ts';
import { eventLine, machineSummary, terminalSummary } from './summary.ts';
import { progressBar } from './progress.ts';
import { batchUnits, parseShard, runBatch, shardUnits, type UnitResult } from './batch.ts';
import { parseDuration, formatRel } from './time.ts';
import { DEMO_DEVICE, type SignerConfig } from './signed-events.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** "max" → Infinity; "1x", "10x", "0.5x" → virtual seconds per wall second. */
export function parseSpeed(text: string | undefined): number {
  if (text === undefined || text === 'max') return Infinity;
  const m = /^(\d+(?:\.\d+)?)x$/.exec(text.trim());
  if (!m || !(Number(m[1]) > 0)) throw new UsageError(`--speed ${text}: expected max or a factor like 1x, 10x, 0.5x`);
  return Number(m[1]);
}

class UsageError extends Error {}

function parseStart(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new UsageError(`--start ${text}: expected an ISO 8601 date-time, e.g. 2020-10-15T21:00:00+13:00`);
  return ms;
}

function parseUntil(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
  if (!(ms >= 0)) throw new UsageError(`--until ${text}: expected a duration from the recording start (ms, 90s, 30m, 1h)`);
  return ms;
}

/** Colours for a terminal, plain text otherwise. */
const painter = (io: Io) => (c: 'green' | 'red', s: string) => tint(io, 'stdout', c, s);

export const simulateCommand: Command = {
  summary: 'replay recorded GPS/IMU traces through the device runtime (events, report, QA gates)',
  usage: `usage: edgerule simulate --bundle <bundle|rules> --trace <file>… [options]
       edgerule simulate --bundle <bundle|rules> --batch <folder> [--shard k/n] [options]

Replays recordings through dist/edgerule-runtime.js (the file devices run) on a virtual clock. Same inputs,
same outputs, byte for byte.
  --bundle <file>     compiled bundle (its <bundle>.map.json names rules), or a rules folder / .ts file to compile
  --profile <name>    profile to compile rule sources for (default: full)
  --trace <file>      a recording (NMEA, GPX, CSV, native JSONL/CBOR); repeat to merge several
  --offset <ms>       time shift of the matching --trace (repeat, in the same order)
  --start <iso>       calendar start of recordings without a date (time since start), e.g. 2020-10-15T21:00+13:00
  --scenario <file>   events to overlay (.json or .ts): door, GNSS jam, spoofing, shock, power cut, tow
  --until <time>      keep the virtual clock running to this time from the start (e.g. 30m)
  --speed <s>         max (default) or a real-time factor: 1x paces in real time (demos with a device), 10x
  --out <dir>         write events.jsonl, report.html and summary.json there
  --no-report         skip report.html
  --expect <file>     expectations: events that must / must not occur; exit code 1 when one fails
  --junit <file>      JUnit XML of the expectations (for CI)
  --device-key <f>    device event key (edgerule keygen --role device): also write the signed event stream
                      events.cbor, made by the device's event writer (check it with edgerule verify)
  --signing <mode>    per-event (default) or checkpoint
  --json              print a machine summary on stdout instead of text
  --quiet             print only the summary (no event list)
  --batch <folder>    replay every recording in a folder (sub-folders: one merged replay each) on worker threads
  --shard <k/n>       only the k-th of n deterministic shards of the batch
  --jobs <n>          worker threads for --batch (default: CPU count)`,
  async run(argv, io) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv, allowPositionals: false,
        options: {
          bundle: { type: 'string' }, profile: { type: 'string' }, trace: { type: 'string', multiple: true }, offset: { type: 'string', multiple: true },
          start: { type: 'string' }, scenario: { type: 'string' }, until: { type: 'string' }, speed: { type: 'string' }, out: { type: 'string' },
          'no-report': { type: 'boolean' }, expect: { type: 'string' }, junit: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean' },
          batch: { type: 'string' }, shard: { type: 'string' }, jobs: { type: 'string' },
          'device-key': { type: 'string' }, signing: { type: 'string' },
        },
      }));
    } catch (e) {
      io.error(`edgerule simulate: ${(e as Error).message}\n\n${this.usage}`);
      return 2;
    }
    try {
      if (!values.bundle || (!values.trace?.length && !values.batch) || (values.trace?.length && values.batch)) throw new UsageError('give --bundle and either --trace (one or more) or --batch');
      if (values.shard && !values.batch) throw new UsageError('--shard needs --batch');
      const offsets = (values.offset ?? []).map((o) => {
        const n = Number(o);
        if (!Number.isFinite(n)) throw new UsageError(`--offset ${o}: expected milliseconds`);
        return n;
      });
      if (offsets.length > (values.trace?.length ?? 0)) throw new UsageError(`${offsets.length} --offset values for ${values.trace?.length ?? 0} --trace files`);
      const speed = parseSpeed(values.speed);
      const startMs = parseStart(values.start);
      const untilRel = parseUntil(values.until);
      const signer = await signerFrom(values['device-key'], values.signing);
      const bundle = await loadBundle(values.bundle, { profile: values.profile });
      if (values.batch) {
        if (Number.isFinite(speed)) throw new UsageError('--speed pacing is for single replays, not --batch');
        return await batch(io, bundle, values.batch, {
          shard: values.shard ? parseShard(values.shard) : undefined, jobs: values.jobs ? Number(values.jobs) : undefined,
          scenario: values.scenario, expect: values.expect, junit: values.junit, out: values.out, report: !values['no-report'], startMs, untilRel, json: !!values.json, signer,
        });
      }
      return await single(io, bundle, {
        traces: values.trace!, offsets, startMs, untilRel, speed, scenario: values.scenario, expect: values.expect, junit: values.junit,
        out: values.out, report: !values['no-report'], json: !!values.json, quiet: !!values.quiet, signer,
      });
    } catch (e) {
      if (e instanceof UsageError) {
        io.error(`edgerule simulate: ${e.message}\n\n${this.usage}`);
        return 2;
      }
      if (e instanceof ScenarioError) {
        io.error(tint(io, 'stderr', 'red', e.message));
        return 1;
      }
      throw e;
    }
  },
};

/** --device-key / --signing → the event writer's configuration. */
async function signerFrom(keyFile: string | undefined, mode: string | undefined): Promise<SignerConfig | undefined> {
  if (mode !== undefined && mode !== 'per-event' && mode !== 'checkpoint') throw new UsageError(`--signing ${mode}: expected per-event or checkpoint`);
  if (!keyFile) {
    if (mode) throw new UsageError('--signing needs --device-key');
    return undefined;
  }
  const { readKeyFile } = await import('../signing/keys.ts');
  const key = readKeyFile(keyFile);
  if (key.role !== 'device' || !key.seed || key.device === undefined) throw new UsageError(`--device-key ${keyFile}: needs a device's secret key (edgerule keygen --role device --device <id>)`);
  return { seed: key.seed, device: key.device, signing: (mode ?? 'per-event') as SignerConfig['signing'] };
}

interface SingleOptions {
  traces: string[]; offsets?: number[]; startMs?: number; untilRel?: number; speed: number; scenario?: string; expect?: string; junit?: string;
  out?: string; report: boolean; json: boolean; quiet: boolean; title?: string; signer?: SignerConfig;
  /** Demo: check the signed stream with the device's public key and say so. */
  verifySigned?: boolean;
}

async function single(io: Io, bundle: LoadedBundle, o: SingleOptions): Promise<number> {
  const scenario = o.scenario ? { file: o.scenario, scenario: await loadScenario(o.scenario) } : undefined;
  const expectations = o.expect ? loadExpectations(o.expect, bundle.rules.map((r) => r.name)) : undefined;
  if (o.junit && !expectations) throw new UsageError('--junit needs --expect');
  const live = Number.isFinite(o.speed) && !o.json && !o.quiet;
  const color = io.stdoutIsTTY;
  const paint = painter(io);
  let bar: ReturnType<typeof progressBar> | undefined;
  if (live) io.log(`replaying at ${o.speed}× real time; events as they happen:`);
  const r: SimResult = simulate({
    bundle, traces: o.traces, offsets: o.offsets, startMs: o.startMs, untilRel: o.untilRel, speed: o.speed, scenario, signer: o.signer,
    hooks: {
      onProgress: (fed, total) => { bar ??= progressBar(total, 'replay', io); bar.update(fed); },
      onEvent: live ? (e) => io.log('  ' + eventLine(e, color)) : undefined,
    },
  });
  bar?.done();
  const report = expectations ? checkExpectations(expectations, r.events, `${expectations.name} (${r.inputs.traces.map((t) => t.name).join(' + ')})`) : undefined;
  const written = o.out ? await writeOutputs(o.out, r, { expectation: report, report: o.report }) : undefined;
  if (o.junit && report) {
    mkdirSync(dirname(o.junit), { recursive: true });
    writeFileSync(o.junit, junitXml([report]));
  }
  let verified: string | undefined;
  if (o.verifySigned && r.signed) {
    const { verifyEvents } = await import('../signing/verify-events.ts');
    const v = verifyEvents(r.signed.bytes, { publicKey: r.signed.publicKey, device: r.signed.device, file: 'events.cbor' });
    verified = v.ok ? `signed event stream verifies: ${v.records} records, ${v.events} events, ${v.checkpoints} checkpoints (${v.mode})` : `signed event stream does NOT verify:\n${v.text}`;
    if (!v.ok) throw new Error(verified);
  }
  if (o.json) {
    const s = machineSummary(r);
    io.log(JSON.stringify({ ...s, expectations: report ? { name: report.name, passed: report.passed, failed: report.failed, ok: report.ok, cases: report.cases } : undefined, outputs: written?.files, junit: o.junit }, null, 1));
  } else {
    io.log(terminalSummary(r, { color, listEvents: !o.quiet && !live }));
    if (verified) io.log('\n' + verified);
    if (report) io.log('\n' + expectationText(report, paint));
    if (written) io.log(`\nwrote ${written.files.map((f) => relative(process.cwd(), f) || f).join(', ')}${o.junit ? ', ' + o.junit : ''}`);
  }
  return report && !report.ok ? 1 : 0;
}

interface BatchOptions {
  shard?: { k: number; n: number }; jobs?: number; scenario?: string; expect?: string; junit?: string; out?: string; report: boolean;
  startMs?: number; untilRel?: number; json: boolean; signer?: SignerConfig;
}

async function batch(io: Io, bundle: LoadedBundle, folder: string, o: BatchOptions): Promise<number> {
  const all = batchUnits(folder);
  const units = shardUnits(all, o.shard);
  if (o.expect) loadExpectations(o.expect, bundle.rules.map((r) => r.name)); // fail early on a bad file
  if (o.scenario) await loadScenario(o.scenario);
  const started = performance.now();
  const tty = !o.json && io.stderrIsTTY;
  const paint = painter(io);
  const results = await runBatch(bundle, units, { scenario: o.scenario, expect: o.expect, outDir: o.out, report: o.report, startMs: o.startMs, untilRel: o.untilRel, signer: o.signer }, {
    jobs: o.jobs,
    onDone: (r, done, n) => { if (tty) io.writeErr(`\r${done}/${n} replays done (${r.id})`.padEnd(70)); },
  });
  if (tty) io.writeErr('\r'.padEnd(71) + '\r');
  const wallMs = performance.now() - started;
  const reports = results.flatMap((r) => r.expectations);
  if (o.junit) {
    const errors: ExpectationReport[] = results.filter((r) => r.error).map((r) => ({ name: r.id, suite: `${r.id}: replay`, cases: [{ name: 'replay', ok: false, message: r.error }], passed: 0, failed: 1, ok: false }));
    mkdirSync(dirname(o.junit), { recursive: true });
    writeFileSync(o.junit, junitXml([...reports, ...errors]));
  }
  const failed = results.filter((r) => !r.ok);
  if (o.json) {
    io.log(JSON.stringify({
      folder, shard: o.shard ? `${o.shard.k}/${o.shard.n}` : undefined, units: all.length, replayed: units.length, failed: failed.length, wallMs: Math.round(wallMs),
      results: results.map((r) => ({ id: r.id, traces: r.traces, ok: r.ok, error: r.error, events: r.summary?.events.total, perRule: r.summary?.events.perRule.map((c) => ({ rule: c.rule, count: c.count })), samples: r.summary?.samples.replayed, expectations: r.expectations.map((e) => ({ name: e.suite, passed: e.passed, failed: e.failed })), out: r.outDir })),
    }, null, 1));
  } else {
    io.log(`batch ${folder}: ${units.length} of ${all.length} replays${o.shard ? ` (shard ${o.shard.k}/${o.shard.n})` : ''} in ${(wallMs / 1000).toFixed(1)} s`);
    for (const r of results) io.log(batchLine(r, paint));
    for (const rep of reports) if (!rep.ok) io.log(expectationText(rep, paint));
    if (o.junit) io.log(`wrote ${o.junit}`);
  }
  return failed.length ? 1 : 0;
}

function batchLine(r: UnitResult, paint: ReturnType<typeof painter>): string {
  if (r.error) return `  ${paint('red', 'ERROR')} ${r.id}: ${r.error}`;
  const s = r.summary!;
  const rules = s.events.perRule.map((c) => `${c.rule}×${c.count}`).join(', ');
  const exp = r.expectations.length ? ` — expectations ${r.expectations.every((e) => e.ok) ? paint('green', 'pass') : paint('red', 'FAIL')}` : '';
  return `  ${r.id}: ${s.samples.replayed} samples, ${formatRel(s.durationMs)}, ${s.events.total} events${rules ? ` (${rules})` : ''}${exp}`;
}

// ---------------------------------------------------------------------------------------------------------

/** The example drive that ships with the project (examples/quat-orient/README.md). */
export const DEMO = {
  rules: join(ROOT, 'rules'),
  traces: [join(ROOT, 'examples/quat-orient/gps.2020-10-15-21.csv'), join(ROOT, 'examples/quat-orient/accel.2020-10-15-21.csv')],
  /** The recording has times since its start only; the file name gives the date and hour (NZDT). Nominal. */
  start: '2020-10-15T21:00:00+13:00',
  scenario: join(ROOT, 'examples/scenarios/door-theft.json'),
  expect: join(ROOT, 'examples/scenarios/door-theft.expect.json'),
};

export const demoCommand: Command = {
  summary: 'compile the rule library and replay the example drive with a door-theft scenario (report in out/)',
  usage: `usage: edgerule demo [--out <dir>] [--speed max|1x|10x…] [--json]

Compiles rules/, replays examples/quat-orient (a real 5-minute car trip in Auckland, GPS + accelerometer)
with examples/scenarios/door-theft.json overlaid, prints the alerts, checks
examples/scenarios/door-theft.expect.json and writes events.jsonl, events.cbor (signed with a public demo device
key, demo-device.pub: verify with edgerule verify out/events.cbor --key out/demo-device.pub), report.html,
summary.json and junit.xml.
  --out <dir>    output folder (default: out)
  --speed <s>    max (default), or 1x to watch the alerts arrive in real time
  --json         machine summary on stdout`,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { out: { type: 'string' }, speed: { type: 'string' }, json: { type: 'boolean' } } });
    for (const p of [DEMO.rules, ...DEMO.traces, DEMO.scenario]) if (!existsSync(p)) throw new Error(`${p} is missing from this checkout`);
    const out = values.out ?? 'out';
    const started = performance.now();
    const bundle = await loadBundle(relative(process.cwd(), DEMO.rules) || DEMO.rules);
    if (!values.json) io.log(`compiled ${bundle.rules.length} rules from rules/ (${bundle.bytes.length} bytes) in ${(performance.now() - started).toFixed(0)} ms\n`);
    const rel = (p: string) => relative(process.cwd(), p) || p;
    // The demo signs its events with a fixed, public demo device key, and writes that key's public half beside them.
    const { generateKey, writePublicKey } = await import('../signing/keys.ts');
    const demoKey = generateKey('device', DEMO_DEVICE.device, DEMO_DEVICE.seed);
    mkdirSync(out, { recursive: true });
    writePublicKey(join(out, 'demo-device.pub'), demoKey, true);
    return single(io, bundle, {
      traces: DEMO.traces.map(rel), startMs: Date.parse(DEMO.start), speed: parseSpeed(values.speed), scenario: rel(DEMO.scenario),
      expect: existsSync(DEMO.expect) ? rel(DEMO.expect) : undefined, junit: existsSync(DEMO.expect) ? join(out, 'junit.xml') : undefined,
      out, report: true, json: !!values.json, quiet: false,
      signer: { seed: DEMO_DEVICE.seed, device: DEMO_DEVICE.device, signing: 'per-event' }, verifySigned: true,
    });
  },
};
