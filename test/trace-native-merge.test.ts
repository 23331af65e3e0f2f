import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { encode } from 'cbor-x';
import { Catalogue, SIGNAL_COUNT, SIGNAL_NAMES, signalMeta, type SignalName } from '../compiler/dsl/catalogue.ts';
import { readTrace } from '../simulator/trace/read.ts';
import { mergeTraces } from '../simulator/trace/merge.ts';
import { readNativeCbor, readNativeJsonl, writeNativeCbor, writeNativeJsonl } from '../simulator/trace/native.ts';
import { NativeRecord } from '../simulator/trace/native-schema.ts';
import { seriesOf, type SampleColumns } from '../simulator/trace/samples.ts';
import type { TraceResult } from '../simulator/trace/issues.ts';
import { sharedData } from '../harness/shared-data.ts';

const SHARED = sharedData('traces', 'the readers and mergeTraces are checked on every recording in it');
const TRACES = SHARED.dir;
const tmp = mkdtempSync(join(tmpdir(), 'edgerule-native-'));
function file(name: string, data: string | Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, data);
  return p;
}
const id = (n: SignalName) => signalMeta(n).id;
const cols = (s: SampleColumns) => ({ t: Array.from(s.t.subarray(0, s.length)), sig: Array.from(s.sig.subarray(0, s.length)), value: Array.from(s.value.subarray(0, s.length)) });
function isSorted(s: SampleColumns): boolean {
  for (let i = 1; i < s.length; i++) if (s.t[i] < s.t[i - 1]) return false;
  return true;
}

describe.skipIf(!SHARED.present)(`readTrace on every file in shared/traces${SHARED.skipped}`, () => {
  function walk(d: string): string[] {
    return readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
  }
  const all = SHARED.present ? walk(TRACES).map((p) => relative(TRACES, p)).sort() : [];
  const recordings = all.filter((f) => /\.(log|gpx|csv)$/.test(f));
  const documents = all.filter((f) => !recordings.includes(f));

  it('finds the 17 NMEA logs, 9 GPX files and 9 CSV files', () => {
    expect(recordings.filter((f) => f.endsWith('.log'))).toHaveLength(17);
    expect(recordings.filter((f) => f.endsWith('.gpx'))).toHaveLength(9);
    expect(recordings.filter((f) => f.endsWith('.csv'))).toHaveLength(9);
  });

  it.each(recordings)('%s reads without throwing, time-ordered', (f) => {
    const r = readTrace(TRACES + f);
    expect(isSorted(r.samples)).toBe(true);
    expect(r.stats.samples).toBe(r.samples.length);
  });

  it.each(documents)('%s (not a recording) is refused with one clear error naming it', (f) => {
    expect(() => readTrace(TRACES + f)).toThrow(new RegExp(`^${(TRACES + f).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read trace: `));
  });
});

describe('files that cannot be read at all', () => {
  it('PNG, empty, blank, missing, directory, unknown binary: one Error naming the file and why', () => {
    const png = file('photo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]));
    expect(() => readTrace(png)).toThrow(`${png}: cannot read trace: the file is a PNG image, not a trace`);
    const pngAsLog = file('photo.log', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(() => readTrace(pngAsLog)).toThrow(`${pngAsLog}: cannot read trace: the file is a PNG image, not a trace`);
    const empty = file('empty.log', '');
    expect(() => readTrace(empty)).toThrow(`${empty}: cannot read trace: the file is empty`);
    const blank = file('blank.csv', '\n\r\n  \n');
    expect(() => readTrace(blank)).toThrow(`${blank}: cannot read trace: the file is empty`);
    expect(() => readTrace(join(tmp, 'missing.gpx'))).toThrow(`${join(tmp, 'missing.gpx')}: cannot read trace: no such file`);
    const dir = join(tmp, 'a-dir.log');
    mkdirSync(dir);
    expect(() => readTrace(dir)).toThrow(`${dir}: cannot read trace: it is a directory`);
    const bin = file('noise.bin', Buffer.from([0x00, 0x01, 0x02, 0x03, 0xfe, 0x00, 0x10]));
    expect(() => readTrace(bin)).toThrow(/noise\.bin: cannot read trace: unrecognised binary content/);
    const prose = file('notes.log', 'just some notes\nno sentences here\n');
    expect(() => readTrace(prose)).toThrow(/notes\.log: cannot read trace: unrecognised text format/);
  });
});

describe('native trace format (JSON Lines and CBOR)', () => {
  it('the schema has every catalogue signal, optional, with the catalogue range', () => {
    const props = (NativeRecord as unknown as { properties: Record<string, unknown>; required?: string[] }).properties;
    expect(Object.keys(props).sort()).toEqual(['t', ...SIGNAL_NAMES].sort());
    expect((NativeRecord as unknown as { required: string[] }).required).toEqual(['t']);
  });

  it('carries every catalogue signal, discrete ones included', () => {
    const rec: Record<string, number> = { t: 1_700_000_000_000 };
    for (const n of SIGNAL_NAMES) {
      const { minimum, maximum } = Catalogue[n] as unknown as { minimum: number; maximum: number };
      rec[n] = n === 'cell.id' ? 4_294_967_295 : Math.max(minimum, Math.min(maximum, 1)); // door, tamper, … = 1
    }
    const r = readTrace(file('all.jsonl', JSON.stringify(rec) + '\n'));
    expect(r.format).toBe('jsonl');
    expect(r.issues).toEqual([]);
    expect(new Set(Array.from(r.samples.sig.subarray(0, r.samples.length))).size).toBe(SIGNAL_COUNT);
    expect(seriesOf(r.samples, id('door')).v).toEqual([1]);
    expect(seriesOf(r.samples, id('cell.id')).v).toEqual([4_294_967_295]);
    expect(r.hasDate).toBe(true);
  });

  it('invalid JSONL records are issues naming file:line and the schema rule', () => {
    const p = file('bad.jsonl', [
      '{"t":1700000000000,"door":1,"ignition":0}',
      '{"t":1700000001000,"door":2}',
      '{"t":1700000002000,"doors":1}',
      '{"door":1}',
      '',
      '{"t":1700000003000,"gnss.sats":7.5}',
      '{"t":1700000004000,"gnss.lat":"north"}',
      'not json',
      '[1,2]',
      '{"t":1700000005000,"tamper":1,"gnss.lat":null}',
    ].join('\n'));
    const r = readTrace(p);
    expect(r.issues.map((i) => [i.file, i.line, i.reason])).toEqual([
      [p, 2, 'schema: /door must be <= 1 (maximum); record skipped'],
      [p, 3, 'schema: unknown signal "doors" (additionalProperties: false); record skipped'],
      [p, 3, 'unknown keys, no catalogue signal has these names: "doors" (1 record); the records with them were skipped (a record\'s keys are t and signal names, docs/FORMATS.md)'],
      [p, 4, 'schema: / must have required properties t (required); record skipped'],
      [p, 6, 'schema: /gnss.sats must be integer (type); record skipped'],
      [p, 7, 'schema: /gnss.lat must be number (type); record skipped'],
      [p, 8, expect.stringMatching(/^invalid JSON: /)],
      [p, 9, 'record is an array, expected an object'],
    ]);
    expect(r.stats).toMatchObject({ lines: 10, blankLines: 1, validRecords: 2, invalidRecords: 6, badJson: 1 });
    const s = r.stats;
    expect(s.lines).toBe(s.blankLines + s.badJson + s.headerRecords + s.validRecords + s.invalidRecords);
    expect(seriesOf(r.samples, id('gnss.lat')).v).toEqual([NaN]); // null = unknown
  });

  it('CBOR: a sequence or an array of records; invalid records reported by byte offset', () => {
    const a = encode({ t: 1_700_000_000_000, door: 1 });
    const b = encode({ t: 1_700_000_001_000, door: 3 });
    const c = encode({ t: 1_700_000_002_000, 'accel.x': 0, 'accel.y': 0, 'accel.z': 1 });
    const seq = readNativeCbor(Buffer.concat([a, b, c]), 'seq.cbor');
    expect(seq.issues).toEqual([{ file: 'seq.cbor', line: 0, offset: a.length, reason: 'schema: /door must be <= 1 (maximum); record skipped' }]);
    expect(seq.stats.derivedMag).toBe(1);
    expect(seriesOf(seq.samples, id('accel.mag')).v).toEqual([1]);
    const arr = readTrace(file('arr.cbor', encode([{ t: 1_700_000_000_000, tamper: 1 }, { t: 1_700_000_000_500, tamper: 0, 'power.external': 1 }])));
    expect(arr.format).toBe('cbor');
    expect(arr.issues).toEqual([]);
    expect(cols(arr.samples).sig).toEqual([id('tamper'), id('tamper'), id('power.external')]);
    const trunc = readNativeCbor(Buffer.concat([a, c.subarray(0, 5)]), 't.cbor');
    expect(trunc.issues[0]).toMatchObject({ offset: a.length, reason: expect.stringMatching(/^CBOR data unreadable from here/) });
    expect(trunc.stats.validRecords).toBe(1);
  });

  it.skipIf(!SHARED.present)(`round trips real traces through writeNativeJsonl / writeNativeCbor unchanged (duplicate timestamps too)${SHARED.skipped}`, () => {
    for (const f of ['nmea/telit-he910.log', 'imu/x-io-gait-short_walk.csv', 'gpx/mtk_logger_m241.gpx', 'nmea/plaka.log']) {
      const src = readTrace(TRACES + f);
      const header = { hasDate: src.hasDate };
      const j = readNativeJsonl(Buffer.from(writeNativeJsonl(src.samples, { header })), 'rt.jsonl');
      expect(j.issues).toEqual([]);
      expect(j.hasDate).toBe(src.hasDate);
      expect(cols(j.samples)).toEqual(cols(src.samples));
      expect(j.stats.duplicateTimestamps).toBe(src.stats.duplicateTimestamps);
      const c = readNativeCbor(writeNativeCbor(src.samples, { header }), 'rt.cbor');
      expect(c.issues).toEqual([]);
      expect(cols(c.samples)).toEqual(cols(src.samples));
    }
  });

  it('without a header, hasDate follows the first t (before 1971 = undated)', () => {
    expect(readNativeJsonl(Buffer.from('{"t":5000,"door":1}\n'), 'x.jsonl').hasDate).toBe(false);
  });
});

describe('mergeTraces', () => {
  const quat = SHARED.present ? ['gps.2020-10-15-21.csv', 'accel.2020-10-15-21.csv'].map((f) => readTrace(TRACES + 'combined/quat-orient/' + f)) : [];

  it.skipIf(!SHARED.present)(`merges GPS and accelerometer of one trip into one time-ordered stream, file order at equal t${SHARED.skipped}`, () => {
    const m = mergeTraces(quat);
    expect(m.samples.length).toBe(quat[0].samples.length + quat[1].samples.length);
    expect(isSorted(m.samples)).toBe(true);
    expect(m.stats).toMatchObject({ files: 2, samples: m.samples.length, 'policy.backwardsDrop': 1, 'policy.duplicatesKept': 1, 'policy.gapsKept': 1, 'policy.gapMs': 30_000 });
    // the first fix arrives 45.8 s into the accelerometer stream
    const firstFix = m.samples.sig.indexOf(id('gnss.fix'));
    expect(m.samples.t[firstFix]).toBe(45801);
    expect(Array.from(m.samples.sig.subarray(0, 4))).toEqual([id('accel.x'), id('accel.y'), id('accel.z'), id('accel.mag')]);
  });

  it.skipIf(!SHARED.present)(`merges Sensor Logger Location and TotalAcceleration (epoch ns)${SHARED.skipped}`, () => {
    const sl = ['Location.csv', 'TotalAcceleration.csv'].map((f) => readTrace(TRACES + 'combined/sensorlogger-2023-03-17/' + f));
    const m = mergeTraces(sl);
    expect(isSorted(m.samples)).toBe(true);
    expect(m.samples.length).toBe(sl[0].samples.length + sl[1].samples.length);
  });

  it('applies per-file offsets; at equal t the earlier file comes first, each file keeps its order', () => {
    const mk = (t: number[], sig: SignalName, v: number): TraceResult => ({
      file: sig, format: 'test', hasDate: false, issues: [], stats: {},
      samples: { t: Float64Array.from(t), sig: Uint8Array.from(t, () => id(sig)), value: Float64Array.from(t, (_, i) => v + i), length: t.length },
    });
    const m = mergeTraces([mk([0, 10, 20], 'door', 0), mk([0, 5, 10], 'light', 100)], [0, 5]);
    expect(cols(m.samples)).toEqual({
      t: [0, 5, 10, 10, 15, 20],
      sig: [id('door'), id('light'), id('door'), id('light'), id('light'), id('door')],
      value: [0, 100, 1, 101, 102, 2],
    });
    expect(m.stats['offsetMs.1']).toBe(5);
  });

  it('an input still out of order gets the policy: dropped with an issue, or sorted', () => {
    const bad: TraceResult = {
      file: 'hand.jsonl', format: 'test', hasDate: false, issues: [], stats: {},
      samples: { t: Float64Array.from([0, 10, 5, 6, 20]), sig: new Uint8Array(5), value: Float64Array.from([0, 1, 2, 3, 4]), length: 5 },
    };
    const d = mergeTraces([bad]);
    expect(cols(d.samples).t).toEqual([0, 10, 20]);
    expect(d.stats).toMatchObject({ mergeDroppedSamples: 2, timeBackwards: 1 });
    expect(d.issues).toEqual([{ file: 'hand.jsonl', line: 0, reason: 'time goes backwards at sample #2: 2 sample(s) earlier than the last kept sample dropped at merge' }]);
    const s = mergeTraces([bad], [], { backwards: 'sort' });
    expect(cols(s.samples).t).toEqual([0, 5, 6, 10, 20]);
    expect(s.stats['policy.backwardsSort']).toBe(1);
  });

  it.skipIf(!SHARED.present)(`policy while reading: drop (default) reports each dropped record with file:line; sort keeps them${SHARED.skipped}`, () => {
    const drop = readTrace(TRACES + 'nmea/bt451.log');
    const sort = readTrace(TRACES + 'nmea/bt451.log', { policy: { backwards: 'sort' } });
    expect(drop.stats.droppedBackwards).toBe(drop.issues.filter((i) => /record dropped/.test(i.reason)).length);
    expect(sort.stats.droppedBackwards).toBe(0);
    expect(sort.stats.timeBackwards).toBe(1);
    expect(sort.stats.records).toBe(drop.stats.records + drop.stats.droppedBackwards);
    expect(isSorted(sort.samples)).toBe(true);
    const m = mergeTraces([drop, readTrace(TRACES + 'nmea/humminbird-M37.log')]);
    expect(m.stats.timeBackwards).toBe(2);
    expect(m.stats.droppedBackwards).toBe(drop.stats.droppedBackwards + 9);
  });
});
