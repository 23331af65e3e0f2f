/**
 * What a new user trips over, through the CLI as they meet it (in process, harness/cli.ts), with the exact text and
 * exit codes: trace problems are never silent (a half-written GPX, a JSONL file with bad keys, merges nobody meant,
 * --strict), CSV headers no preset knows and --csv-map, --batch folders split into drives, a file that is no bundle,
 * --version, --json on failure, usage errors that name the option, units on values.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../harness/cli.ts';
import { sharedData } from '../harness/shared-data.ts';
import { FORMAT_VERSION } from '../runtime/engine/format.ts';

const TRACES = sharedData('traces', 'the trace-issue CLI tests replay real recordings from it');
const tmp = mkdtempSync(join(tmpdir(), 'edgerule-ux-'));
const BUNDLE = join(tmp, 'library.erb');
const sim = (...args: string[]) => runCli(['simulate', '--bundle', BUNDLE, ...args]);
/** The lines of the terminal summary from "issues:" up to the blank line after them. */
const issuesOf = (out: string) => out.slice(out.indexOf('\nissues: ') + 1).split('\n\n')[0].split('\n');

beforeAll(async () => {
  const r = await runCli(['compile', 'rules', '-o', BUNDLE, '-q', '--no-typecheck']);
  expect([r.code, r.err]).toEqual([0, '']);
});

describe('trace problems are never silent', () => {
  test.skipIf(!TRACES.present)(`a GPX file cut half-way: the issue in the terminal and summary.json; --strict fails it${TRACES.skipped}`, async () => {
    const half = join(tmp, 'half.gpx');
    writeFileSync(half, readFileSync(TRACES.path('gpx/sbn.gpx')).subarray(0, 60_000));
    const reason = '<trkpt> not closed at end of file: the file is cut short (an unfinished download or copy?); the points up to here are replayed';
    const r = await sim('--trace', half, '--quiet', '--out', join(tmp, 'half'), '--no-report');
    expect(r.code).toBe(0);
    expect(issuesOf(r.out)).toEqual(['issues: 1 (every one in summary.json and --json)', `  ${half}:1940: ${reason}`]);
    expect(r.out).not.toContain('skipped by the readers: none');
    expect(JSON.parse(readFileSync(join(tmp, 'half/summary.json'), 'utf8')).issues).toEqual([{ file: half, line: 1940, reason }]);
    const strict = await sim('--trace', half, '--quiet', '--strict', '--junit', join(tmp, 'half.xml'));
    expect(strict.code).toBe(1);
    expect(strict.out).toContain('\n--strict: 1 trace issue (above): the replay fails\n');
    expect(readFileSync(join(tmp, 'half.xml'), 'utf8')).toContain('<testsuite name="half.gpx: traces (--strict)" tests="1" failures="1"');
  });

  test('a native JSONL file whose keys match no signal: every unknown key named, with what it probably meant', async () => {
    const file = join(tmp, 'bad-keys.jsonl');
    writeFileSync(file, [
      '{"t":1700000000000,"gnss.lat":-36.8,"gnss.lon":174.7,"speed":3}',
      '{"t":1700000001000,"lat":-36.8,"lon":174.7}',
      '{"t":1700000002000,"gnss.lat":-36.8,"gnss.lon":174.7}',
    ].join('\n'));
    const r = await sim('--trace', file, '--quiet');
    expect(r.code).toBe(0);
    expect(issuesOf(r.out)).toEqual([
      'issues: 3 (every one in summary.json and --json)',
      `  ${file}:1: schema: unknown signal "speed" (additionalProperties: false); record skipped — {"t":1700000000000,"gnss.lat":-36.8,"gnss.lon":174.7,"speed":3}`,
      `  ${file}:1: unknown keys, no catalogue signal has these names: "speed" (1 record; did you mean gnss.speed?), "lat" (1 record; did you mean gnss.lat?), "lon" (1 record; did you mean gnss.lon?); the records with them were skipped (a record's keys are t and signal names, docs/FORMATS.md)`,
      `  ${file}:2: schema: unknown signal "lat", "lon" (additionalProperties: false); record skipped — {"t":1700000001000,"lat":-36.8,"lon":174.7}`,
    ]);
    expect(r.out).toContain('\n  skipped by the readers:\n           2  native records that break the schema\n');
    const json = JSON.parse((await sim('--trace', file, '--json')).out);
    expect(json.issues).toHaveLength(3);
    expect(json.ok).toBe(true);
  });

  test.skipIf(!TRACES.present)(`a dated and an undated file merged: both sides of the problem said${TRACES.skipped}`, async () => {
    const r = await sim('--trace', '../shared/traces/gpx/sbn.gpx', '--trace', 'examples/quat-orient/gps.2020-10-15-21.csv', '--quiet');
    expect(r.code).toBe(0);
    expect(issuesOf(r.out)).toEqual([
      'issues: 2 (every one in summary.json and --json)',
      '  examples/quat-orient/gps.2020-10-15-21.csv: has no date (times since its start) but ../shared/traces/gpx/sbn.gpx has one: merged as given, it is placed at 1970-01-01T00:00:45.801Z, far from the dated file; give --start <iso date-time> to place it (and --offset to align it)',
      '  ../shared/traces/gpx/sbn.gpx: starts 39 years after examples/quat-orient/gps.2020-10-15-21.csv ends (1970-01-01T00:05:36.805Z to 2008-11-07T09:59:38.000Z): merged as given, the replay\'s clock jumps over the gap; are these one drive? (a longer gap limit: --max-gap)',
    ]);
    // With --start the undated file is placed on the calendar as asked, 9 minutes after the GPX ends: no issue at all.
    const placed = await sim('--trace', '../shared/traces/gpx/sbn.gpx', '--trace', 'examples/quat-orient/gps.2020-10-15-21.csv', '--start', '2008-11-07T10:30:00Z', '--quiet', '--strict');
    expect(placed.code).toBe(0);
    expect(placed.out).not.toContain('\nissues: ');
  });

  test.skipIf(!TRACES.present)(`two recordings of the same signals at the same time, and a 2.6-year gap${TRACES.skipped}`, async () => {
    const overlap = await sim('--trace', 'examples/quat-orient/gps.2020-10-15-21.csv', '--trace', '../shared/traces/combined/quat-orient/gps.2020-10-15-22.csv', '--quiet');
    expect(issuesOf(overlap.out)).toEqual([
      'issues: 1 (every one in summary.json and --json)',
      '  ../shared/traces/combined/quat-orient/gps.2020-10-15-22.csv: overlaps examples/quat-orient/gps.2020-10-15-21.csv in time (1970-01-01T00:00:45.801Z to 1970-01-01T00:05:06.811Z) and both record gnss.lat, gnss.lon, gnss.speed, gnss.course and 1 more: their samples interleave; if one continues the other give --offset, if they are two devices or two trips replay them separately',
    ]);
    const stated = await sim('--trace', 'examples/quat-orient/gps.2020-10-15-21.csv', '--trace', '../shared/traces/combined/quat-orient/gps.2020-10-15-22.csv', '--offset', '0', '--offset', '400000', '--quiet');
    expect(stated.out).not.toContain('overlaps');
    const gap = await sim('--trace', '../shared/traces/gpx/skytraq-realdata.gpx', '--quiet');
    expect(issuesOf(gap.out)).toEqual([
      'issues: 1 (every one in summary.json and --json)',
      '  ../shared/traces/gpx/skytraq-realdata.gpx: gap of 2.6 years in the recording (nothing from 2009-09-10T05:37:37.000Z to 2012-05-01T01:33:44.000Z): the replay\'s clock jumps over it; timers fire inside it (a longer gap limit: --max-gap)',
    ]);
    const shorter = await sim('--trace', '../shared/traces/gpx/skytraq-realdata.gpx', '--quiet', '--max-gap', '1000h', '--strict');
    expect([shorter.code, shorter.out.includes('\nissues: ')]).toEqual([1, true]); // 1000 h is shorter than 2.6 years
    expect((await sim('--trace', '../shared/traces/gpx/skytraq-realdata.gpx', '--quiet', '--max-gap', '25000h', '--strict')).code).toBe(0);
  });
});

describe('CSV headers no preset knows', () => {
  const csv = join(tmp, 'custom.csv');
  beforeAll(() => writeFileSync(csv, 'ts,lat,lon,spd\n1700000000000,-36.85,174.76,10\n1700000001000,-36.8501,174.7601,12\n'));

  test('the error names --csv-map, which maps the columns (inline or as a file)', async () => {
    const refused = await sim('--trace', csv);
    expect([refused.code, refused.out, refused.err]).toEqual([3, '',
      `edgerule simulate: ${csv}: cannot read trace: CSV header not recognised by any preset ("ts", "lat", "lon", "spd"); map its columns with --csv-map time=<column>:<unit>,<signal>=<column>[:<unit>],… or --csv-map <mapping.json> (docs/FORMATS.md, "CSV column mappings")\n`]);
    const mapped = await sim('--trace', csv, '--quiet', '--csv-map', 'time=ts:epoch-ms,gnss.lat=lat,gnss.lon=lon,gnss.speed=spd:km/h', '--json');
    expect(mapped.code).toBe(0);
    expect(JSON.parse(mapped.out).traces).toEqual([{ file: csv, format: 'csv:--csv-map', samples: 8, hasDate: true, issues: 0 }]);
    const file = join(tmp, 'map.json');
    writeFileSync(file, JSON.stringify({ time: { column: 'ts', unit: 'ms', absolute: true }, columns: [{ column: 'lat', signal: 'gnss.lat' }, { column: 'lon', signal: 'gnss.lon' }] }));
    expect(JSON.parse((await sim('--trace', csv, '--csv-map', file, '--json')).out).traces[0].samples).toBe(6);
  });

  test('mistakes in a mapping name the option, the part and the columns the file has', async () => {
    const badSignal = await sim('--trace', csv, '--csv-map', 'time=ts:epoch-ms,gnss.sped=spd');
    expect(badSignal.code).toBe(2);
    expect(badSignal.err.split('\n')[0]).toMatch(/^edgerule simulate: --csv-map: gnss\.sped=spd: "gnss\.sped" is not a catalogue signal \(signals: gnss\.lat, /);
    const badColumn = await sim('--trace', csv, '--csv-map', 'time=ts:epoch-ms,gnss.lat=latitude');
    expect([badColumn.code, badColumn.err]).toEqual([3, `edgerule simulate: ${csv}: column "latitude" (for gnss.lat, from --csv-map) not found in the CSV header (its columns: "ts", "lat", "lon", "spd")\n`]);
    const badUnit = await sim('--trace', csv, '--csv-map', 'time=ts:fortnights,gnss.lat=lat');
    expect([badUnit.code, badUnit.err.split('\n')[0]]).toEqual([2, 'edgerule simulate: --csv-map: time=ts:fortnights: unknown time unit "fortnights"; use s, ms, us, ns, iso, or epoch-s, epoch-ms, epoch-us, epoch-ns for Unix time']);
  });
});

describe.skipIf(!TRACES.present)(`--batch${TRACES.skipped}`, () => {
  test('a folder of unrelated logs is not one drive; licence folders and READMEs are skipped with a note', async () => {
    const folder = join(tmp, 'batch');
    mkdirSync(join(folder, 'nmea'), { recursive: true });
    mkdirSync(join(folder, 'LICENSES'));
    mkdirSync(join(folder, 'trip'));
    for (const f of ['bt451.log', 'nl2008u.log']) symlinkSync(TRACES.path('nmea', f), join(folder, 'nmea', f));
    symlinkSync(TRACES.path('LICENSES/gpsd-COPYING.txt'), join(folder, 'LICENSES/gpsd-COPYING.txt'));
    for (const f of ['gps.2020-10-15-21.csv', 'accel.2020-10-15-21.csv']) symlinkSync(join(process.cwd(), 'examples/quat-orient', f), join(folder, 'trip', f));
    writeFileSync(join(folder, 'README.md'), 'recordings of March\n');
    const r = await runCli(['simulate', '--bundle', BUNDLE, '--batch', folder, '--jobs', '1', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.notes).toEqual(['README.md skipped: not a trace by its name']);
    expect(doc.results.map((x: { unit: string; id: string; skipped?: boolean }) => [x.unit, x.id, !!x.skipped])).toEqual([
      ['LICENSES', 'LICENSES', true],
      ['nmea', 'nmea/bt451.log', false],
      ['nmea', 'nmea/nl2008u.log', false],
      ['trip', 'trip', false],
    ]);
    expect(doc.results[0].notes).toEqual(['gpsd-COPYING.txt skipped: not a trace (unrecognised text format (first line: "COPYRIGHTS"))']);
    expect(doc.results[1].notes).toEqual(['2 separate drives: some are more than 1 h apart (a longer gap limit: --max-gap)']);
    expect(doc.results[3].notes).toEqual(['merged accel.2020-10-15-21.csv + gps.2020-10-15-21.csv: they record different signals over the same time']);
    const text = await runCli(['simulate', '--bundle', BUNDLE, '--batch', folder, '--jobs', '1']);
    expect(text.out).toContain('\n  note: README.md skipped: not a trace by its name\n  LICENSES: skipped, no trace in it (1 file: gpsd-COPYING.txt)\n  nmea/: 2 drives\n    note: 2 separate drives: some are more than 1 h apart (a longer gap limit: --max-gap)\n    nmea/bt451.log: 52 samples, 4s, 0 events, 12 issues\n');
    expect(text.out).toContain('\n  trip: 25,385 samples, 5m55.36s, 1 events (depot-exit-without-seal×1)\n      note: merged accel.2020-10-15-21.csv + gps.2020-10-15-21.csv: they record different signals over the same time\n');
  });
});

describe('messages that name the mistake', () => {
  test('simulate given a file that is not a bundle says what inspect says (file, byte, fault, rule broken)', async () => {
    const refusal = 'README.md: byte 0: fault 2 BAD_MAGIC: the bundle must start with the magic "ERB1"\n  it is text (a rule source, a trace?): a bundle is the file edgerule compile -o writes';
    const s = await runCli(['simulate', '--bundle', 'README.md', '--trace', 'examples/quat-orient/gps.2020-10-15-21.csv']);
    expect([s.code, s.out, s.err]).toEqual([3, '', `edgerule simulate: ${refusal}\n`]);
    const i = await runCli(['inspect', 'README.md']);
    expect([i.code, i.out, i.err]).toEqual([1, '', `${refusal}\n`]);
  });

  test('--version for the tool and for every command, the same line', async () => {
    const top = await runCli(['--version']);
    expect(top.code).toBe(0);
    expect(top.out).toMatch(new RegExp(`^edgerule \\d+\\.\\d+\\.\\d+ \\(bundle format ${FORMAT_VERSION}, catalogue 0x[0-9a-f]{8}\\)\n$`));
    for (const c of ['compile', 'inspect', 'simulate', 'demo', 'verify']) expect(await runCli([c, '--version'])).toEqual({ code: 0, out: top.out, err: '' });
  });

  test('usage errors name the missing option (exit 2); with --json the failure is a JSON document too', async () => {
    const noBundle = await runCli(['simulate', '--trace', 'x.gpx']);
    expect([noBundle.code, noBundle.err.split('\n')[0]]).toEqual([2, 'edgerule simulate: missing --bundle <bundle|rules>: a compiled bundle, or the rule files to compile']);
    const noTrace = await runCli(['simulate', '--bundle', BUNDLE]);
    expect(noTrace.err.split('\n')[0]).toBe('edgerule simulate: missing --trace <file> (one or more) or --batch <folder>: the recordings to replay');
    const noInspect = await runCli(['inspect']);
    expect([noInspect.code, noInspect.err.split('\n')[0]]).toEqual([2, 'edgerule inspect: missing <bundle>: the file edgerule compile -o wrote']);
    const json = await runCli(['simulate', '--bundle', 'no-such.erb', '--trace', 'x.gpx', '--json']);
    expect([json.code, JSON.parse(json.out)]).toEqual([3, { ok: false, exitCode: 3, error: 'no-such.erb: no such bundle or rule folder' }]);
    const unknown = await runCli(['simulat']);
    expect([unknown.code, unknown.err]).toEqual([2, "edgerule: unknown command 'simulat'; did you mean simulate?\ncommands: compile, inspect, keygen, pubkey, sign, verify, simulate, demo, qa, tune, worker, ports, flash, monitor, device, relay, provision, devices, build-runtime, install-runtime, hil (edgerule --help says what each does)\n"]);
  });

  test('inspect --json is the disassembly as data, with each rule\'s severity', async () => {
    const r = await runCli(['inspect', BUNDLE, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.ok).toBe(true);
    expect(doc.units.find((u: { name?: string }) => u.name === 'door-open-at-rest')).toMatchObject({ kind: 'rule', id: 1, severity: 'critical', reads: ['gnss.speed', 'door'] });
    expect(doc.budget).toHaveLength(17);
  });

  test('attached values carry units: km/h and degrees in the terminal, catalogue units named in JSON', async () => {
    const r = await runCli(['simulate', '--bundle', BUNDLE, '--start', '2020-10-15T21:00:00+13:00', '--trace', 'examples/quat-orient/gps.2020-10-15-21.csv',
      '--trace', 'examples/quat-orient/accel.2020-10-15-21.csv', '--scenario', 'examples/scenarios/door-theft.json', '--out', join(tmp, 'units')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(' critical moving-after-power-cut  speed=52.2 km/h battery=3.9 V lat=-36.86392° lon=174.78658°\n');
    const summary = JSON.parse(readFileSync(join(tmp, 'units/summary.json'), 'utf8'));
    expect(summary.rules.find((x: { name: string }) => x.name === 'moving-after-power-cut').attach).toEqual([
      { name: 'speed', unit: 'm/s' }, { name: 'battery', unit: 'V' }, { name: 'lat', unit: 'deg' }, { name: 'lon', unit: 'deg' }, { name: 'cellId', unit: 'id' },
    ]);
    // events.jsonl keeps catalogue units (m/s): the same value as a number.
    const event = readFileSync(join(tmp, 'units/events.jsonl'), 'utf8').split('\n').map((l) => (l ? JSON.parse(l) : undefined)).find((e) => e?.rule === 'moving-after-power-cut');
    expect(+(event.values.speed * 3.6).toPrecision(3)).toBe(52.2);
  });
});
