import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signalMeta, type SignalName } from '../compiler/dsl/catalogue.ts';
import { readTrace } from '../simulator/trace/read.ts';
import { axes, readCsv } from '../simulator/trace/csv.ts';
import type { CsvMapping } from '../simulator/trace/csv-mapping.ts';
import { seriesOf } from '../simulator/trace/samples.ts';
import type { TraceResult } from '../simulator/trace/issues.ts';
import { sharedData } from '../harness/shared-data.ts';

const SHARED = sharedData('traces', 'the CSV presets are checked on real recordings from it');
const TRACES = SHARED.dir;
const G = 9.80665;
const series = (r: TraceResult, name: SignalName) => seriesOf(r.samples, signalMeta(name).id);
const tmp = mkdtempSync(join(tmpdir(), 'edgerule-csv-'));
function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}
const accounted = (r: TraceResult) => {
  const s = r.stats;
  expect(s.lines).toBe(s.blankLines + s.commentLines + s.headerLines + s.rows);
  expect(s.rows).toBe(s.records + s.badRows + s.droppedBackwards);
};

describe.skipIf(!SHARED.present)(`CSV presets on the real recordings${SHARED.skipped}`, () => {
  it('x-io fusion: accel in g, time in s since start (no date), accel.mag emitted', () => {
    const r = readTrace(TRACES + 'imu/x-io-fusion-sensor_data.csv');
    expect(r.format).toBe('csv:x-io');
    expect(r.hasDate).toBe(false);
    accounted(r);
    expect(r.stats.records).toBe(13514);
    expect(r.samples.length).toBe(13514 * 4);
    const [x, y, z] = [0.001015204, -0.02045836, 0.9970807];
    expect(Array.from(r.samples.value.subarray(0, 4))).toEqual([x, y, z, Math.sqrt(x * x + y * y + z * z)]);
    expect(Array.from(r.samples.sig.subarray(0, 4))).toEqual(['accel.x', 'accel.y', 'accel.z', 'accel.mag'].map((n) => signalMeta(n as SignalName).id));
    expect(series(r, 'accel.x').t[1]).toBeCloseTo(10.078907, 9);
    expect(series(r, 'accel.x').v).toContain(5.40e-05); // "5.40E-05" in the file
  });

  it('x-io gait: 205 duplicate timestamps kept and counted; impacts up to 5.6 g in accel.mag', () => {
    const r = readTrace(TRACES + 'imu/x-io-gait-short_walk.csv');
    accounted(r);
    expect(r.stats.duplicateTimestamps).toBe(205);
    expect(r.stats.records).toBe(16539);
    const mag = series(r, 'accel.mag').v;
    expect(Math.max(...mag)).toBeCloseTo(5.5933, 3);
  });

  it('quat-orient: accelerometer m/s² → g, GPS km/h → m/s, first fix 46 s after the accelerometer starts', () => {
    const a = readTrace(TRACES + 'combined/quat-orient/accel.2020-10-15-21.csv');
    expect(a.format).toBe('csv:quat-orient');
    accounted(a);
    expect(series(a, 'accel.x').v[0]).toBeCloseTo(-0.096 / G, 12);
    expect(series(a, 'accel.z').v[0]).toBeCloseTo(9.95 / G, 12);
    expect(series(a, 'accel.mag').v).toHaveLength(5975);
    expect(a.samples.t[0]).toBe(18);
    const g = readTrace(TRACES + 'combined/quat-orient/gps.2020-10-15-21.csv');
    expect(g.format).toBe('csv:quat-orient');
    accounted(g);
    expect(series(g, 'gnss.speed').v[0]).toBeCloseTo(25.2 / 3.6, 12);
    expect(series(g, 'gnss.course').v[0]).toBe(184.8);
    expect(series(g, 'gnss.lat').v[0]).toBe(-36.86006);
    expect(series(g, 'gnss.fix').v[0]).toBe(1);
    expect(g.samples.t[0]).toBe(45801);
    expect(series(g, 'gnss.sats').v).toHaveLength(0); // "Satellites in range" = in view, not used
    const g2 = readTrace(TRACES + 'combined/quat-orient/gps.2020-10-15-22.csv');
    expect(g2.stats.blankLines).toBe(1); // trailing blank line
    accounted(g2);
  });

  it('Sensor Logger: epoch-ns times, Location speed outlier kept, TotalAcceleration in z,y,x order', () => {
    const loc = readTrace(TRACES + 'combined/sensorlogger-2023-03-17/Location.csv');
    expect(loc.format).toBe('csv:sensorlogger-location');
    expect(loc.hasDate).toBe(true);
    accounted(loc);
    expect(new Date(loc.samples.t[0]).toISOString()).toBe('2023-03-17T15:50:48.793Z');
    const sp = series(loc, 'gnss.speed');
    const i = sp.v.findIndex((v) => v > 15);
    expect(sp.v[i]).toBeCloseTo(18.963, 3);
    expect(sp.t[i] - loc.samples.t[0] + 1594).toBeCloseTo(8257.39, 1); // t ≈ 8 s into the recording
    const acc = readTrace(TRACES + 'combined/sensorlogger-2023-03-17/TotalAcceleration.csv');
    expect(acc.format).toBe('csv:sensorlogger-accel');
    accounted(acc);
    expect(acc.stats.records).toBe(34667);
    expect(series(acc, 'accel.x').v[0]).toBeCloseTo(0.12689268589019775 / G, 12);
    expect(series(acc, 'accel.z').v[0]).toBeCloseTo(9.66539192199707 / G, 12);
    expect(acc.samples.t[0]).toBeCloseTo(1679068247375.69, 2);
  });

  it('Sensor Logger Metadata.csv reads as an empty trace with one issue; other z,y,x files are refused clearly', () => {
    const m = readTrace(TRACES + 'combined/sensorlogger-2023-03-17/Metadata.csv');
    expect(m.samples.length).toBe(0);
    expect(m.issues).toHaveLength(1);
    const gyro = file('Gyroscope.csv', 'time,seconds_elapsed,z,y,x\n1679068247375690000,0.1,0.01,0.02,0.03\n');
    expect(() => readTrace(gyro)).toThrow(/Gyroscope\.csv: Sensor Logger z,y,x file, but only TotalAcceleration\.csv/);
  });
});

describe('AndroSensor export (the app\'s own ";" format)', () => {
  const header = 'ACCELEROMETER X (m/s²);ACCELEROMETER Y (m/s²);ACCELEROMETER Z (m/s²);GRAVITY X (m/s²);LIGHT (lux);' +
    'LOCATION Latitude : ;LOCATION Longitude : ;LOCATION Altitude ( m);LOCATION Speed ( Kmh);LOCATION Accuracy ( m);' +
    'LOCATION ORIENTATION (°);Satellites in range;Time since start in ms ;YYYY-MO-DD HH-MI-SS_SSS';
  const rows = [
    '0.1;0.2;9.8;0.0;120;;;;;;;0;10;2020-10-15 21:00:00:010',
    '0,1;0,3;9,7;0,0;121;-36.86006;174.78288;101.3;36;5;184.8;13;110;2020-10-15 21:00:00:110',
    '0.2;0.3;9.7;0.0;121;-36.86006;174.78288;101.3;36;5;184.8;13;210;2020-10-15 21:00:00:210',
    '0.2;0.3;9.7;0.0;122;-36.86010;174.78288;101.3;40;5;185.0;13;310;2020-10-15 21:00:00:310',
  ];
  it('detects the preset, accepts decimal commas, pushes held location values only when they change', () => {
    const r = readTrace(file('Sensor_record_20201015_210000_AndroSensor.csv', header + '\n' + rows.join('\n') + '\n'));
    expect(r.format).toBe('csv:androsensor');
    accounted(r);
    expect(series(r, 'accel.x').v).toEqual([0.1 / G, 0.1 / G, 0.2 / G, 0.2 / G]);
    expect(series(r, 'gnss.lat').t).toEqual([110, 310]);
    expect(series(r, 'gnss.fix').t).toEqual([110, 310]);
    expect(series(r, 'gnss.speed').v).toEqual([10, 40 / 3.6]);
    expect(series(r, 'light').v).toEqual([120, 121, 121, 122]);
    expect(r.stats.heldRepeats).toBe(4); // lat, lon, speed, course of the row at 210 ms
  });
});

describe('CSV column mapping', () => {
  it('time units s/ms/us/ns/ISO, scale and offset, axis order, quoted fields', () => {
    const m: CsvMapping = {
      time: { column: 'when', unit: 'iso' },
      columns: [...axes('accel', ['a', 'b', 'c'], 'zxy', 'm/s2'), { column: 'temp_f', signal: 'temperature', scale: 5 / 9, offset: -32 * 5 / 9 },
        { column: 'door', signal: 'door' }],
    };
    const r = readCsv(Buffer.from('when,a,b,c,temp_f,door\n"2024-05-01T10:00:00Z",9.80665,0,1,212,1\n2024-05-01T12:00:00.5+02:00,0,0,0,32,"0"\n'), 'mem.csv', m);
    expect(r.hasDate).toBe(true);
    expect(series(r, 'accel.z').v).toEqual([1, 0]);
    expect(series(r, 'accel.x').v).toEqual([0, 0]);
    expect(series(r, 'temperature').v[0]).toBeCloseTo(100, 12);
    expect(series(r, 'door').v).toEqual([1, 0]);
    expect(series(r, 'accel.mag').v[0]).toBeCloseTo(Math.sqrt(1 + (1 / G) ** 2), 12);
    expect(r.samples.t[r.samples.length - 1]).toBe(Date.parse('2024-05-01T10:00:00.500Z'));
    for (const [unit, raw, ms] of [['s', '1.5', 1500], ['ms', '1.5', 1.5], ['us', '1500', 1.5], ['ns', '1500000', 1.5]] as const) {
      const x = readCsv(Buffer.from(`t,x\n${raw},1\n`), 'u.csv', { time: { column: 't', unit }, columns: [{ column: 'x', signal: 'ignition' }] }, { startMs: 1000 });
      expect(x.samples.t[0]).toBe(1000 + ms);
      expect(x.hasDate).toBe(false);
    }
  });

  it('malformed rows are issues with file:line; the rest is read', () => {
    const m: CsvMapping = { time: { column: 0, unit: 'ms', absolute: true }, columns: [{ column: 1, signal: 'battery' }, { column: 2, signal: 'cell.rssi' }] };
    const text = 't,battery,rssi\n1000,12.5,-70\n\n# note\n2000,12.4\nabc,12.3,-71\n3000,twelve,-72\n4000,NaN,-73\n5000,12.1,-74\n';
    const r = readCsv(Buffer.from(text), 'bad.csv', m);
    accounted(r);
    expect(r.stats).toMatchObject({ rows: 6, records: 4, badRows: 2, badValues: 1, blankLines: 1, commentLines: 1, emptyValues: 1 });
    expect(r.issues.map((i) => [i.file, i.line])).toEqual([['bad.csv', 5], ['bad.csv', 6], ['bad.csv', 7]]);
    expect(r.issues[0].reason).toMatch(/row has 2 field\(s\), the mapping needs 3/);
    expect(r.issues[1].reason).toMatch(/no usable time in column 1/);
    expect(r.issues[2].reason).toMatch(/value for battery in column 2 is not a number/);
    expect(series(r, 'battery').v).toEqual([12.5, 12.1]);
    expect(series(r, 'cell.rssi').v).toEqual([-70, -72, -73, -74]);
  });

  it('unknown headers and unknown columns are one clear error', () => {
    expect(() => readTrace(file('other.csv', 'foo,bar\n1,2\n'))).toThrow(/other\.csv: cannot read trace: CSV header not recognised by any preset \("foo", "bar"\)/);
    expect(() => readCsv(Buffer.from('a,b\n1,2\n'), 'm.csv', { time: { column: 'a', unit: 's' }, columns: [{ column: 'zz', signal: 'door' }] }))
      .toThrow(/m\.csv: column "zz" \(for door\) not found/);
  });
});
