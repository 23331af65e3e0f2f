import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { signalMeta, type SignalName } from '../compiler/dsl/catalogue.ts';
import { readTrace } from '../simulator/trace/read.ts';
import { readNmea } from '../simulator/trace/nmea.ts';
import { seriesOf } from '../simulator/trace/samples.ts';
import type { TraceResult } from '../simulator/trace/issues.ts';
import { sharedData } from '../harness/shared-data.ts';

const TRACES = sharedData('traces', 'the NMEA reader is checked on real logs from it');
const NMEA = TRACES.path('nmea') + '/';
const read = (f: string): TraceResult => readTrace(NMEA + f);
const series = (r: TraceResult, name: SignalName) => seriesOf(r.samples, signalMeta(name).id);
const reasons = (r: TraceResult, re: RegExp) => r.issues.filter((i) => re.test(i.reason));

function sentence(body: string): string {
  let x = 0;
  for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i);
  return `$${body}*${x.toString(16).toUpperCase().padStart(2, '0')}`;
}
const parse = (text: string | Buffer) => readNmea(typeof text === 'string' ? Buffer.from(text, 'latin1') : text, 'mem.nmea');

describe.skipIf(!TRACES.present)(`NMEA reader on the real gpsd/signalk logs${TRACES.skipped}`, () => {
  const files = TRACES.present ? readdirSync(NMEA).filter((f) => f.endsWith('.log')) : [];

  it.each(files)('%s reads, and its stats account for every line and sentence', (f) => {
    const r = read(f);
    const s = r.stats;
    expect(r.format).toBe('nmea');
    expect(s.lines).toBe(s.blankLines + s.commentLines + s.garbageLines + s.sentenceLines);
    expect(s.sentences).toBe(s.notNmea + s.checksumErrors + s.malformed + s.proprietary + s.ignored + s.used);
    for (let i = 1; i < r.samples.length; i++) expect(r.samples.t[i]).toBeGreaterThanOrEqual(r.samples.t[i - 1]);
    expect(r.samples.length).toBeGreaterThan(0);
  });

  it('firefly-II.log: all 23 GGA sentences fail the checksum, with file:line and both sums', () => {
    const r = read('firefly-II.log');
    const bad = reasons(r, /^checksum mismatch/);
    expect(bad).toHaveLength(23);
    expect(r.stats.checksumErrors).toBe(23);
    for (const i of bad) {
      expect(i.file).toContain('firefly-II.log');
      expect(i.text).toMatch(/^\$GPGGA,/);
      expect(i.reason).toMatch(/^checksum mismatch: got [0-9A-F]{2}, computed [0-9A-F]{2}$/);
    }
    expect(bad[0]).toMatchObject({ line: 6, reason: 'checksum mismatch: got 54, computed 56' });
    expect(series(r, 'gnss.sats').v).toHaveLength(0); // only GGA carries satellites: none was accepted
    expect(series(r, 'gnss.lat').v).toHaveLength(23); // the RMC of each epoch still gives the fix
  });

  it('gpsdf.log: 46 truncated $PGLOR sentences with a bogus *00 checksum', () => {
    const r = read('gpsdf.log');
    const bad = reasons(r, /^checksum mismatch/);
    expect(bad).toHaveLength(46);
    for (const i of bad) { expect(i.reason).toMatch(/^checksum mismatch: got 00, computed /); expect(i.text).toMatch(/^\$PGLOR,/); }
    expect(r.stats.proprietary).toBe(792);
    expect(r.stats['proprietary.PGLOR']).toBe(792);
    expect(reasons(r, /proprietary sentence \$PGLOR skipped \(792 in file/)).toHaveLength(1);
    expect(r.stats.blankLines).toBe(1501);
  });

  it('telit-he910.log: 37 void RMC epochs (no time-of-day: reported, not placed) and time backwards once', () => {
    const r = read('telit-he910.log');
    expect(r.stats.voidEpochs).toBe(37);
    expect(r.stats.untimedEpochs).toBe(37);
    expect(reasons(r, /epoch without UTC time-of-day .*void fix/)).toHaveLength(37);
    expect(r.stats.timeBackwards).toBe(1);
    expect(r.stats.droppedBackwards).toBe(1);
    const back = reasons(r, /time goes backwards/);
    expect(back).toHaveLength(1);
    expect(back[0].line).toBe(267); // $GPGGA,105153.408 after $GPGGA,105153.71
    expect(new Date(r.samples.t[0]).toISOString()).toBe('2019-03-12T10:51:53.710Z');
  });

  it('plaka.log: no date anywhere, 7,250 GLL fixes, 116,000 sentences', () => {
    const r = read('plaka.log');
    expect(r.hasDate).toBe(false);
    expect(r.stats.sentences).toBe(116_000);
    expect(r.stats.fixEpochs).toBe(7250);
    expect(series(r, 'gnss.lat').v).toHaveLength(7250);
    expect(series(r, 'gnss.lon').v).toHaveLength(7250);
    expect(new Date(r.samples.t[0]).toISOString()).toBe('1970-01-01T09:55:59.000Z');
    expect(r.stats['ignored.GSV']).toBe(7250);
    expect(r.stats.checksumErrors + r.stats.malformed + r.stats.notNmea).toBe(0);
    // VTG speed in knots (5.81 kn) → m/s
    expect(series(r, 'gnss.speed').v[0]).toBeCloseTo(5.81 * 1852 / 3600, 9);
    // a start date places it on the calendar; the log's own UTC time of day is kept
    const dated = readTrace(NMEA + 'plaka.log', { startMs: Date.parse('2019-06-01T15:00:00Z') });
    expect(new Date(dated.samples.t[0]).toISOString()).toBe('2019-06-01T09:55:59.000Z');
    expect(dated.hasDate).toBe(false);
  });

  it('sl869.log: $GPTXT without checksum is accepted; no fix → fix', () => {
    const r = read('sl869.log');
    expect(r.stats.noChecksum).toBe(1);
    expect(r.stats.checksumErrors + r.stats.malformed + r.stats.notNmea).toBe(0);
    expect(r.issues.filter((i) => i.line === 11 && !/sentence type TXT/.test(i.reason))).toHaveLength(0);
    expect(r.stats['ignored.TXT']).toBe(1);
    const fix = series(r, 'gnss.fix').v;
    expect(fix[0]).toBe(0);
    expect(fix[fix.length - 1]).toBeGreaterThan(0);
    expect(r.stats.voidEpochs).toBe(7);
  });

  it('venus634lp.log: the SkyTraq banner lines are not taken as NMEA', () => {
    const r = read('venus634lp.log');
    const not = reasons(r, /not an NMEA sentence/);
    expect(not.map((i) => i.line)).toEqual([5, 6, 7]);
    expect(not.map((i) => i.text)).toEqual(['$SkyTraq,Venus6', '$Kernel,v1.4.23,000006FE,19324205,F,16.367667MHz', '$ver,011023,rev,090210']);
    expect(r.stats.notNmea).toBe(3);
    expect(r.stats.noChecksum).toBe(0);
  });

  it('bt451.log: spliced captures: untimed no-fix epochs reported, time backwards once', () => {
    const r = read('bt451.log');
    expect(r.stats.untimedEpochs).toBe(4);
    expect(r.stats.timeBackwards).toBe(1);
    expect(reasons(r, /time goes backwards/)[0].line).toBe(112);
  });

  it('humminbird-M37.log: IN talker, time goes backwards (19:41:24 → 19:41:11)', () => {
    const r = read('humminbird-M37.log');
    expect(r.stats.timeBackwards).toBe(1);
    expect(reasons(r, /time goes backwards/)[0].reason).toMatch(/^time goes backwards: 19:41:11\.000 is 13 s before/);
    expect(series(r, 'gnss.lat').v.length).toBeGreaterThan(0);
  });

  it('void epochs give gnss.fix = 0 and no position (haicom void start, magellan none → fix → none)', () => {
    const h = read('haicom-305N.log');
    expect(series(h, 'gnss.fix').v.slice(0, 6)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(h.stats.voidEpochs).toBe(6);
    expect(series(h, 'gnss.lat').v).toHaveLength(h.stats.fixEpochs);
    const m = read('magellan-ec10.log');
    const fix = series(m, 'gnss.fix').v;
    const runs = fix.filter((v, i) => i === 0 || (v > 0) !== (fix[i - 1] > 0)).map((v) => (v > 0 ? 'fix' : 'none'));
    expect(runs).toEqual(['none', 'fix', 'none']);
  });

  it('one set of samples per epoch: RMC and GGA of the same time do not duplicate lat/lon (nmea-rtk, mixed GN/GP)', () => {
    const r = read('nmea-rtk.log');
    const lat = series(r, 'gnss.lat');
    expect(lat.v).toHaveLength(122);
    expect(new Set(lat.t).size).toBe(122);
    const fixes = new Set(series(r, 'gnss.fix').v);
    expect(fixes).toEqual(new Set([2, 4])); // GGA quality 2 (DGPS) and 4 (RTK fixed)
    // samples at equal t keep the reader's order: fix, lat, lon, speed, course, hdop, sats
    const t0 = r.samples.t[0];
    const first: number[] = [];
    for (let i = 0; i < r.samples.length && r.samples.t[i] === t0; i++) first.push(r.samples.sig[i]);
    expect(first).toEqual(['gnss.fix', 'gnss.lat', 'gnss.lon', 'gnss.speed', 'gnss.course', 'gnss.hdop', 'gnss.sats'].map((n) => signalMeta(n as SignalName).id));
  });

  it('beidou-bd.log: BD talker and GNS sentences, void → valid', () => {
    const r = read('beidou-bd.log');
    const fix = series(r, 'gnss.fix').v;
    expect(fix[0]).toBe(0);
    expect(fix[fix.length - 1]).toBeGreaterThan(0);
    expect(r.stats['proprietary.PSRFEPE']).toBe(10);
  });

  it('nl2008u.log: 9 epochs over 22 minutes, gaps counted', () => {
    const r = read('nl2008u.log');
    expect(r.stats.records).toBe(9);
    expect(r.stats.gaps).toBe(2); // 09:12:33 → 09:15:03 and 09:15:07 → 09:34:52
    expect(r.samples.t[r.samples.length - 1] - r.samples.t[0]).toBeGreaterThan(22 * 60_000);
  });

  it('rst39.log: proprietary $PASHR counted and reported once', () => {
    const r = read('rst39.log');
    expect(r.stats['proprietary.PASHR']).toBe(100);
    expect(reasons(r, /PASHR/)).toHaveLength(1);
  });
});

describe('NMEA reader edge cases', () => {
  it('knots and km/h convert to m/s; the date of RMC applies to the epoch', () => {
    const r = parse([
      sentence('GPRMC,120000.00,A,4807.038,N,01131.000,E,10.0,84.4,230394,003.1,W'),
      sentence('GPVTG,084.4,T,,M,010.0,N,018.52,K'),
      '',
    ].join('\r\n'));
    expect(r.hasDate).toBe(true);
    expect(new Date(r.samples.t[0]).toISOString()).toBe('1994-03-23T12:00:00.000Z');
    expect(series(r, 'gnss.speed').v).toEqual([10 * 1852 / 3600]);
    expect(series(r, 'gnss.lat').v[0]).toBeCloseTo(48 + 7.038 / 60, 12);
    expect(series(r, 'gnss.lon').v[0]).toBeCloseTo(11 + 31 / 60, 12);
    const v = parse(sentence('GPVTG,084.4,T,,M,010.0,N,018.52,K') + '\n' + sentence('GPGGA,120001,4807.038,S,01131.000,W,1,08,0.9,545.4,M,46.9,M,,') + '\n');
    expect(series(v, 'gnss.speed').v).toEqual([18.52 / 3.6]);
    expect(series(v, 'gnss.lat').v[0]).toBeLessThan(0);
    expect(series(v, 'gnss.lon').v[0]).toBeLessThan(0);
    expect(series(v, 'gnss.sats').v).toEqual([8]);
    expect(series(v, 'gnss.hdop').v).toEqual([0.9]);
  });

  it('resynchronises after binary garbage and splits fused sentences', () => {
    const gga = sentence('GPGGA,120000,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,');
    const rmc = sentence('GPRMC,120001,A,4807.040,N,01131.000,E,1.0,84.4,230394,,');
    const buf = Buffer.concat([Buffer.from([0xb5, 0x62, 0x01, 0x07, 0x00, 0xff]), Buffer.from(gga + rmc + '\n' + '\x00\x01garbage' + '\n', 'latin1')]);
    const r = parse(buf);
    expect(r.stats.used).toBe(2);
    expect(r.stats.fusedLines).toBe(1);
    expect(r.stats.garbageBytes).toBe(6);
    expect(r.stats.garbageLines).toBe(1);
    expect(series(r, 'gnss.lat').v).toHaveLength(2);
    expect(reasons(r, /non-NMEA data before/)[0].line).toBe(1);
    expect(reasons(r, /no NMEA sentence on this line/)[0].line).toBe(2);
  });

  it('a sentence cut short by the next "$" (no checksum) is malformed, not accepted', () => {
    const r = parse('$GPGGA,120000,4807.03' + sentence('GPRMC,120001,A,4807.040,N,01131.000,E,1.0,84.4,230394,,') + '\n');
    expect(r.stats.malformed).toBe(1);
    expect(r.stats.used).toBe(1);
    expect(reasons(r, /truncated sentence/)).toHaveLength(1);
  });

  it('sentences without checksum are accepted at end of line; "#" lines are headers', () => {
    const r = parse('# device: test\n$GPGGA,120000,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,\n');
    expect(r.stats.commentLines).toBe(1);
    expect(r.stats.noChecksum).toBe(1);
    expect(series(r, 'gnss.fix').v).toEqual([1]);
  });

  it('no date: time counts from 1970-01-01 and advances a day at midnight', () => {
    const r = parse([sentence('GPGGA,235959.50,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,'), sentence('GPGGA,000000.50,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,')].join('\n'));
    expect(r.hasDate).toBe(false);
    expect(series(r, 'gnss.fix').t).toEqual([86_399_500, 86_400_500]);
    expect(r.stats.dayRollovers).toBe(1);
  });

  it('epochs before the first date are placed on that date; a dated midnight rollover advances the day', () => {
    const r = parse([
      sentence('GPGGA,235959,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,'),
      sentence('GPRMC,000000,A,4807.038,N,01131.000,E,0.0,0.0,010120,,'),
      sentence('GPGGA,000001,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,'),
    ].join('\n'));
    expect(series(r, 'gnss.fix').t.map((t) => new Date(t).toISOString())).toEqual([
      '2019-12-31T23:59:59.000Z', '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:01.000Z']);
  });

  it('a void RMC gives gnss.fix = 0 only', () => {
    const r = parse(sentence('GPRMC,120000,V,4807.038,N,01131.000,E,0.0,0.0,010120,,') + '\n');
    expect(series(r, 'gnss.fix').v).toEqual([0]);
    expect(r.samples.length).toBe(1);
  });
});
