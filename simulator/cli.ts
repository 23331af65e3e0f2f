/** `edgerule simulate` and `edgerule demo`. */
import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tint, type Command, type Io } from '../cli/command.ts';
import { terminalText } from '../cli/safe-text.ts';
import { CliError, UsageError } from '../cli/errors.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { loadBundle, type LoadedBundle } from './inputs.ts';
import { simulate, type SimResult } from './run.ts';
import { loadScenario } from './scenario.ts';
import { checkExpectations, expectationText, junitXml, loadExpectations, type ExpectationReport } from './expect.ts';
import { writeOutputs } from './outputs.ts';
import { eventLine, group, issueLines, machineSummary, terminalSummary } from './summary.ts';
import { progressBar } from './progress.ts';
import { batchUnits, parseShard, runBatch, shardUnits, skippedAtTop, type UnitResult } from './batch.ts';
import { parseDuration, formatRel } from './time.ts';
import { DEMO_DEVICE, type SignerConfig } from './signed-events.ts';
import { csvMapOption } from './csv-map.ts';
import { DEFAULT_MAX_GAP_MS, humanSpan } from './drives.ts';
import type { CsvMapping, TraceIssue } from './trace/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** "max" → Infinity; "1x", "10x", "0.5x" → virtual seconds per wall second. */
export function parseSpeed(text: string | undefined): number {
  if (text === undefined || text === 'max') return Infinity;
  const m = /^(\d+(?:\.\d+)?)x$/.exec(text.trim());
  if (!m || !(Number(m[1]) > 0)) throw new UsageError(`--speed ${text}: expected max or a factor like 1x, 10x, 0.5x`);
  return Number(m[1]);
}

function parseStart(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new UsageError(`--start ${text}: expected an ISO 8601 date-time, e.g. 2020-10-15T21:00:00+13:00`);
  return ms;
}

/** A duration option: ms, or 90s, 30m, 1h, 2.5h. */
function parseDurationOption(option: string, text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
  if (!(ms >= 0)) throw new UsageError(`${option} ${text}: expected ${what} (ms, 90s, 30m, 1h)`);
  return ms;
}

/** Colours for a terminal, plain text otherwise. */
const painter = (io: Io) => (c: 'green' | 'red', s: string) => tint(io, 'stdout', c, s);

const OPTIONS = {
  bundle: { type: 'string' }, map: { type: 'string' }, profile: { type: 'string' }, 'no-typecheck': { type: 'boolean' },
  trace: { type: 'string', multiple: true }, offset: { type: 'string', multiple: true }, 'csv-map': { type: 'string' }, 'max-gap': { type: 'string' },
  start: { type: 'string' }, scenario: { type: 'string' }, until: { type: 'string' }, speed: { type: 'string' }, out: { type: 'string' },
  'no-report': { type: 'boolean' }, expect: { type: 'string' }, junit: { type: 'string' }, strict: { type: 'boolean' }, json: { type: 'boolean' }, quiet: { type: 'boolean' },
  batch: { type: 'string' }, shard: { type: 'string' }, jobs: { type: 'string' },
  'device-key': { type: 'string' }, signing: { type: 'string' },
} as const;

export const simulateCommand: Command = {
  usage: `usage: edgerule simulate --bundle <bundle|rules> --trace <file>… [options]
       edgerule simulate --bundle <bundle|rules> --batch <folder> [--shard k/n] [options]

Replays recordings through dist/edgerule-runtime.js (the file devices run) on a virtual clock. Same inputs,
same outputs, byte for byte. Every problem the trace readers and the merge find is printed (and in summary.json);
exit code 1 when an expectation fails (or, with --strict, when there is any such issue), 3 when an input cannot be
used (a file that is no bundle, an unreadable trace).
  --bundle <file>     compiled bundle (its <bundle>.map.json names rules), or a rules folder / .ts file to compile
  --map <file>        the bundle's sidecar map, when it is not <bundle>.map.json
  --profile <name>    profile to compile rule sources for (default: full)
  --no-typecheck      compile rule sources without the type check
  --trace <file>      a recording (NMEA, GPX, CSV, native JSONL/CBOR; docs/FORMATS.md); repeat to merge several
  --offset <ms>       time shift of the matching --trace (repeat, in the same order)
  --csv-map <map>     columns of a CSV no preset knows: time=<col>:<unit>,<signal>=<col>[:<unit>],… or a .json file
  --max-gap <time>    report gaps in the recordings longer than this (default ${humanSpan(DEFAULT_MAX_GAP_MS)}); in --batch, files
                      further apart are separate drives
  --start <iso>       calendar start of recordings without a date (time since start), e.g. 2020-10-15T21:00+13:00
  --scenario <file>   events to overlay (.json or .ts): door, GNSS jam, spoofing, shock, power cut, tow
  --until <time>      keep the virtual clock running to this time from the start (e.g. 30m)
  --speed <s>         max (default) or a real-time factor: 1x paces in real time (demos with a device), 10x
  --out <dir>         write events.jsonl, report.html and summary.json there
  --no-report         skip report.html
  --expect <file>     expectations: events that must / must not occur; exit code 1 when one fails
  --junit <file>      JUnit XML of the expectations (and, with --strict, of the trace issues) for CI
  --strict            any reader or merge issue fails the replay (exit code 1), for CI gates
  --device-key <f>    device event key (edgerule keygen --role device): also write the signed event stream
                      events.cbor, made by the device's event writer (check it with edgerule verify)
  --signing <mode>    per-event (default) or checkpoint
  --json              print a machine summary on stdout instead of text
  --quiet             print only the summary (no event list)
  --batch <folder>    replay every recording in a folder on worker threads: each file, and each sub-folder's files
                      split into drives (merged only when they are one trip; the output says what was merged)
  --shard <k/n>       only the k-th of n deterministic shards of the batch
  --jobs <n>          worker threads for --batch (default: CPU count)`,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, allowPositionals: false, options: OPTIONS });
    if (!values.bundle) throw new UsageError('missing --bundle <bundle|rules>: a compiled bundle, or the rule files to compile');
    if (!values.trace?.length && !values.batch) throw new UsageError('missing --trace <file> (one or more) or --batch <folder>: the recordings to replay');
    if (values.trace?.length && values.batch) throw new UsageError('--trace and --batch do not go together: replay named files, or a folder');
    if (values.shard && !values.batch) throw new UsageError('--shard needs --batch');
    const offsets = (values.offset ?? []).map((o) => {
      const n = Number(o);
      if (!Number.isFinite(n)) throw new UsageError(`--offset ${o}: expected milliseconds`);
      return n;
    });
    if (offsets.length > (values.trace?.length ?? 0)) throw new UsageError(`${offsets.length} --offset values for ${values.trace?.length ?? 0} --trace files`);
    if (values.jobs !== undefined && !/^[1-9]\d*$/.test(values.jobs)) throw new UsageError(`--jobs ${values.jobs}: expected a whole number of worker threads, 1 or more`);
    const speed = parseSpeed(values.speed);
    const startMs = parseStart(values.start);
    const untilRel = parseDurationOption('--until', values.until, 'a duration from the recording start');
    const maxGapMs = parseDurationOption('--max-gap', values['max-gap'], 'a duration');
    const csvMap = csvMapOption(values['csv-map']);
    const signer = await signerFrom(values['device-key'], values.signing);
    const shard = values.shard ? shardOption(values.shard) : undefined;
    if (values.batch && Number.isFinite(speed)) throw new UsageError('--speed pacing is for single replays, not --batch');
    const bundle = await loadBundle(values.bundle, { profile: values.profile, map: values.map, typecheck: !values['no-typecheck'] });
    const common = { scenario: values.scenario, expect: values.expect, junit: values.junit, out: values.out, report: !values['no-report'], startMs, untilRel, json: !!values.json, signer, csvMap, maxGapMs, strict: !!values.strict };
    if (values.batch) return batch(io, bundle, values.batch, { ...common, shard, jobs: values.jobs ? Number(values.jobs) : undefined });
    return single(io, bundle, { ...common, traces: values.trace!, offsets, speed, quiet: !!values.quiet });
  },
};

function shardOption(text: string): { k: number; n: number } {
  try {
    return parseShard(text);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** --device-key / --signing → the event writer's configuration. */
async function signerFrom(keyFile: string | undefined, mode: string | undefined): Promise<SignerConfig | undefined> {
  if (mode !== undefined && mode !== 'per-event' && mode !== 'checkpoint') throw new UsageError(`--signing ${mode}: expected per-event or checkpoint`);
  if (!keyFile) {
    if (mode) throw new UsageError('--signing needs --device-key');
    return undefined;
  }
  const { readKeyFile } = await import('../signing/keys.ts');
  const key = readKeyFile(keyFile);
  if (key.role !== 'device' || !key.seed || key.device === undefined) throw new CliError(`--device-key ${keyFile}: is a ${key.role} ${key.seed ? 'secret' : 'public'} key; needs a device's secret key (edgerule keygen --role device --device <id>)`);
  return { seed: key.seed, device: key.device, signing: (mode ?? 'per-event') as SignerConfig['signing'] };
}

interface CommonOptions {
  scenario?: string; expect?: string; junit?: string; out?: string; report: boolean; startMs?: number; untilRel?: number; json: boolean;
  signer?: SignerConfig; csvMap?: CsvMapping; maxGapMs?: number; strict: boolean;
}

interface SingleOptions extends CommonOptions {
  traces: string[]; offsets?: number[]; speed: number; quiet: boolean; title?: string;
  /** Demo: check the signed stream with the device's public key and say so. */
  verifySigned?: boolean;
}

/** --strict: the trace issues as a failing JUnit suite (none when there are none). */
function strictReport(id: string, issues: readonly TraceIssue[]): ExpectationReport {
  return {
    name: 'trace issues', suite: `${id}: traces (--strict)`, passed: 0, failed: 1, ok: false,
    cases: [{ name: 'read and merged without issues', ok: false, message: `${issues.length} issue${issues.length === 1 ? '' : 's'}`, detail: issueLines(issues).join('\n') }],
  };
}

async function single(io: Io, bundle: LoadedBundle, o: SingleOptions): Promise<number> {
  const scenario = o.scenario ? { file: o.scenario, scenario: await loadScenario(o.scenario) } : undefined;
  const expectations = o.expect ? loadExpectations(o.expect, bundle.rules.map((r) => r.name)) : undefined;
  if (o.junit && !expectations && !o.strict) throw new UsageError('--junit needs --expect (or --strict): it reports their outcome');
  const live = Number.isFinite(o.speed) && !o.json && !o.quiet;
  const color = io.stdoutIsTTY;
  const paint = painter(io);
  let bar: ReturnType<typeof progressBar> | undefined;
  if (live) io.log(`replaying at ${o.speed}× real time; events as they happen:`);
  const r: SimResult = simulate({
    bundle, traces: o.traces, offsets: o.offsets, startMs: o.startMs, untilRel: o.untilRel, speed: o.speed, scenario, signer: o.signer,
    csvMap: o.csvMap, maxGapMs: o.maxGapMs,
    hooks: {
      onProgress: (fed, total) => { bar ??= progressBar(total, 'replay', io); bar.update(fed); },
      onEvent: live ? (e) => io.log('  ' + eventLine(e, color)) : undefined,
    },
  });
  bar?.done();
  const report = expectations ? checkExpectations(expectations, r.events, `${expectations.name} (${r.inputs.traces.map((t) => t.name).join(' + ')})`) : undefined;
  const strictFailed = o.strict && r.inputs.issues.length > 0;
  const written = o.out ? await writeOutputs(o.out, r, { expectation: report, report: o.report }) : undefined;
  if (o.junit) {
    mkdirSync(dirname(o.junit), { recursive: true });
    writeFileSync(o.junit, junitXml([...(report ? [report] : []), ...(strictFailed ? [strictReport(r.inputs.traces.map((t) => t.name).join(' + '), r.inputs.issues)] : [])]));
  }
  let verified: string | undefined;
  if (o.verifySigned && r.signed) {
    const { verifyEvents } = await import('../signing/verify-events.ts');
    const v = verifyEvents(r.signed.bytes, { publicKey: r.signed.publicKey, device: r.signed.device, file: 'events.cbor' });
    verified = v.ok ? `signed event stream verifies: ${v.records} records, ${v.events} events, ${v.checkpoints} checkpoints (${v.mode})` : `signed event stream does NOT verify:\n${v.text}`;
    if (!v.ok) throw new Error(verified);
  }
  const ok = (!report || report.ok) && !strictFailed;
  if (o.json) {
    const s = machineSummary(r);
    io.log(JSON.stringify({ ok, ...s, expectations: report ? { name: report.name, passed: report.passed, failed: report.failed, ok: report.ok, cases: report.cases } : undefined, strict: o.strict || undefined, outputs: written?.files, junit: o.junit }, null, 1));
  } else {
    io.log(terminalSummary(r, { color, listEvents: !o.quiet && !live }));
    if (verified) io.log('\n' + verified);
    if (report) io.log('\n' + expectationText(report, paint));
    if (strictFailed) io.log('\n' + paint('red', `--strict: ${r.inputs.issues.length} trace issue${r.inputs.issues.length === 1 ? '' : 's'} (above): the replay fails`));
    if (written) io.log(`\nwrote ${written.files.map((f) => relative(process.cwd(), f) || f).join(', ')}${o.junit ? ', ' + o.junit : ''}`);
  }
  return ok ? EXIT.OK : EXIT.CHECK_FAILED;
}

interface BatchOptions extends CommonOptions { shard?: { k: number; n: number }; jobs?: number }

async function batch(io: Io, bundle: LoadedBundle, folder: string, o: BatchOptions): Promise<number> {
  let all;
  try {
    all = batchUnits(folder);
  } catch (e) {
    throw new CliError(`--batch ${(e as Error).message}`);
  }
  const units = shardUnits(all, o.shard);
  if (o.expect) loadExpectations(o.expect, bundle.rules.map((r) => r.name)); // fail early on a bad file
  if (o.scenario) await loadScenario(o.scenario);
  const started = performance.now();
  const tty = !o.json && io.stderrIsTTY;
  const paint = painter(io);
  const results = await runBatch(bundle, units, {
    scenario: o.scenario, expect: o.expect, outDir: o.out, report: o.report, startMs: o.startMs, untilRel: o.untilRel, signer: o.signer,
    csvMap: o.csvMap, maxGapMs: o.maxGapMs, strict: o.strict,
  }, {
    jobs: o.jobs,
    onDone: (r, done, n) => { if (tty) io.writeErr(`\r${done}/${n} units done (${r[0]?.unit ?? ''})`.padEnd(70)); },
  });
  if (tty) io.writeErr('\r'.padEnd(71) + '\r');
  const wallMs = performance.now() - started;
  const reports = results.flatMap((r) => r.expectations);
  const strictReports = o.strict ? results.filter((r) => r.summary?.issues.length).map((r) => strictReport(r.id, r.summary!.issues)) : [];
  if (o.junit) {
    const errors: ExpectationReport[] = results.filter((r) => r.error).map((r) => ({ name: r.id, suite: `${r.id}: replay`, cases: [{ name: 'replay', ok: false, message: r.error }], passed: 0, failed: 1, ok: false }));
    mkdirSync(dirname(o.junit), { recursive: true });
    writeFileSync(o.junit, junitXml([...reports, ...strictReports, ...errors]));
  }
  const failed = results.filter((r) => !r.ok);
  const topNotes = skippedAtTop(folder);
  const drives = results.filter((r) => !r.skipped).length;
  if (o.json) {
    io.log(JSON.stringify({
      ok: failed.length === 0, folder, shard: o.shard ? `${o.shard.k}/${o.shard.n}` : undefined, units: all.length, replayed: units.length, drives, failed: failed.length, wallMs: Math.round(wallMs),
      notes: topNotes.length ? topNotes : undefined,
      results: results.map((r) => ({
        unit: r.unit, id: r.id, traces: r.traces, ok: r.ok, skipped: r.skipped, error: r.error, notes: r.notes.length ? r.notes : undefined,
        events: r.summary?.events.total, perRule: r.summary?.events.perRule.map((c) => ({ rule: c.rule, count: c.count })), samples: r.summary?.samples.replayed,
        durationMs: r.summary?.durationMs, issues: r.summary?.issues, expectations: r.expectations.map((e) => ({ name: e.suite, passed: e.passed, failed: e.failed })), out: r.outDir,
      })),
    }, null, 1));
  } else {
    io.log(`batch ${folder}: ${units.length} of ${all.length} units${o.shard ? ` (shard ${o.shard.k}/${o.shard.n})` : ''}, ${drives} drive${drives === 1 ? '' : 's'} replayed in ${(wallMs / 1000).toFixed(1)} s`);
    for (const n of topNotes) io.log(`  note: ${n}`);
    for (const lines of unitLines(results, paint)) io.log(lines);
    for (const rep of reports) if (!rep.ok) io.log(expectationText(rep, paint));
    if (o.strict && strictReports.length) io.log(paint('red', `--strict: ${strictReports.length} drive${strictReports.length === 1 ? '' : 's'} with trace issues fail`));
    if (o.junit) io.log(`wrote ${o.junit}`);
  }
  return failed.length ? EXIT.CHECK_FAILED : EXIT.OK;
}

/** Kinds of issue listed per drive in a batch's terminal output; all of them are in --json and summary.json. */
const BATCH_ISSUE_LINES = 3;

/**
 * The terminal lines of a batch, unit by unit: a unit that is one drive is one line; a unit split into drives gets a
 * heading with what was decided (merged, split, skipped) and one line per drive; each drive lists its first kinds
 * of issue.
 */
function unitLines(results: UnitResult[], paint: ReturnType<typeof painter>): string[] {
  const out: string[] = [];
  for (let i = 0; i < results.length;) {
    const unit = results.filter((r) => r.index === results[i].index);
    i += unit.length;
    const notes = unit[0].notes;
    if (unit.length === 1 && unit[0].skipped) {
      out.push(`  ${unit[0].unit}: skipped, no trace in it (${notes.length} file${notes.length === 1 ? '' : 's'}: ${notes.map((n) => n.split(' skipped: ')[0]).join(', ')})`);
      continue;
    }
    const split = unit.length > 1 || unit[0].id !== unit[0].unit;
    const indent = split ? '    ' : '  ';
    if (split) out.push(`  ${unit[0].unit}/: ${unit.length} drives`);
    if (!split) out.push(indent + batchLine(unit[0], paint));
    for (const n of notes) out.push(`${indent}${split ? '' : '    '}note: ${n}`);
    for (const r of unit) {
      if (split) out.push(indent + batchLine(r, paint));
      const kinds = r.summary ? issueLines(r.summary.issues) : [];
      for (const line of kinds.slice(0, BATCH_ISSUE_LINES)) out.push(`${indent}    issue: ${line}`);
      if (kinds.length > BATCH_ISSUE_LINES) out.push(`${indent}    … ${kinds.length - BATCH_ISSUE_LINES} more kinds of issue (all in --json${r.outDir ? ` and ${relative(process.cwd(), r.outDir) || r.outDir}/summary.json` : ''})`);
    }
  }
  return out;
}

function batchLine(r: UnitResult, paint: ReturnType<typeof painter>): string {
  if (r.skipped) return `${terminalText(r.id)}: skipped, nothing to replay`;
  if (r.error) return `${paint('red', 'ERROR')} ${terminalText(r.id)}: ${terminalText(r.error)}`;
  const s = r.summary!;
  const rules = s.events.perRule.map((c) => `${terminalText(c.rule)}×${c.count}`).join(', ');
  const exp = r.expectations.length ? ` — expectations ${r.expectations.every((e) => e.ok) ? paint('green', 'pass') : paint('red', 'FAIL')}` : '';
  const issues = s.issues.length ? `, ${s.issues.length} issue${s.issues.length === 1 ? '' : 's'}` : '';
  return `${terminalText(r.id)}: ${group(s.samples.replayed)} samples, ${formatRel(s.durationMs)}, ${s.events.total} events${rules ? ` (${rules})` : ''}${issues}${exp}`;
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
    for (const p of [DEMO.rules, ...DEMO.traces, DEMO.scenario]) if (!existsSync(p)) throw new CliError(`${p} is missing from this checkout`);
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
      out, report: true, json: !!values.json, quiet: false, strict: false,
      signer: { seed: DEMO_DEVICE.seed, device: DEMO_DEVICE.device, signing: 'per-event' }, verifySigned: true,
    });
  },
};
