import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signalMeta, type SignalName } from '../compiler/dsl/catalogue.ts';
import { readTrace } from '../simulator/trace/read.ts';
import { readGpx } from '../simulator/trace/gpx.ts';
import { seriesOf } from '../simulator/trace/samples.ts';
import type { TraceResult } from '../simulator/trace/issues.ts';
import { sharedData } from '../harness/shared-data.ts';

const SHARED = sharedData('traces', 'the GPX reader is checked on the GPSBabel reference files in it');
const GPX = SHARED.path('gpx') + '/';
const read = (f: string): TraceResult => readTrace(GPX + f);
const series = (r: TraceResult, name: SignalName) => seriesOf(r.samples, signalMeta(name).id);
const parse = (xml: string) => readGpx(Buffer.from(xml, 'utf8'), 'mem.gpx');

describe.skipIf(!SHARED.present)(`GPX reader on the GPSBabel reference files${SHARED.skipped}`, () => {
  const files = SHARED.present ? readdirSync(GPX).filter((f) => f.endsWith('.gpx')) : [];

  it.each(files)('%s reads; every point is replayed or accounted for', (f) => {
    const r = read(f);
    const s = r.stats;
    expect(r.format).toBe('gpx');
    expect(r.hasDate).toBe(true);
    expect(s.points).toBe(s.replayed + s.pointsWithoutTime + s.badPoints + s.waypointsSkipped + s.droppedBackwards);
    for (let i = 1; i < r.samples.length; i++) expect(r.samples.t[i]).toBeGreaterThanOrEqual(r.samples.t[i - 1]);
  });

  it('mtk_logger_m241.gpx: 78 duplicate timestamps kept and counted; dgps fixes; 7 waypoints not replayed', () => {
    const r = read('mtk_logger_m241.gpx');
    expect(r.stats.duplicateTimestamps).toBe(78);
    expect(r.stats.replayed).toBe(1199);
    expect(r.stats.waypointsSkipped).toBe(7);
    expect(r.issues.filter((i) => /7 <wpt> waypoint\(s\) not replayed/.test(i.reason))).toHaveLength(1);
    const fix = series(r, 'gnss.fix').v;
    expect(fix.filter((v) => v === 2)).toHaveLength(138);
    expect(fix.filter((v) => v === 1)).toHaveLength(1061);
    expect(series(r, 'gnss.sats').v).toHaveLength(1199);
  });

  it('skytraq-miniHomer2_8.gpx: 7,372 duplicate timestamps; impossible speeds (> 200 m/s) not replayed, counted', () => {
    const r = read('skytraq-miniHomer2_8.gpx');
    expect(r.stats.duplicateTimestamps).toBe(7372);
    expect(r.stats['outOfRange.gnss.speed']).toBe(6951);
    expect(Math.max(...series(r, 'gnss.speed').v)).toBeLessThanOrEqual(200);
    expect(r.issues.filter((i) => /6951 gnss.speed value\(s\) outside the catalogue range \[0, 200\]/.test(i.reason))).toHaveLength(1);
  });

  it('googletakeout.gpx: most track points have no timestamp (562 of 778), each reported and skipped', () => {
    const r = read('googletakeout.gpx');
    expect(r.stats.trkpts).toBe(778);
    expect(r.stats.pointsWithoutTime).toBe(562);
    expect(r.stats.replayed).toBe(216);
    const noTime = r.issues.filter((i) => /without <time> skipped/.test(i.reason));
    expect(noTime).toHaveLength(562);
    expect(noTime[0].line).toBe(673);
    expect(r.stats.tracks).toBe(221);
    expect(r.stats.waypointsSkipped).toBe(111);
  });

  it('iblue747~csv.gpx: 46 gaps > 30 s kept and counted', () => {
    const r = read('iblue747~csv.gpx');
    expect(r.stats.gaps).toBe(46);
    expect(r.stats.replayed).toBe(747);
  });

  it('sbn-v13.gpx: fix=none points with coordinates give gnss.fix = 0 and no position', () => {
    const r = read('sbn-v13.gpx');
    expect(r.stats.voidPoints).toBe(89);
    expect(series(r, 'gnss.fix').v.filter((v) => v === 0)).toHaveLength(89);
    expect(series(r, 'gnss.lat').v).toHaveLength(3453 - 89);
    expect(new Date(r.samples.t[0]).toISOString()).toBe('2010-02-01T12:31:38.545Z');
    // speed, course, hdop, sat of a point, in the reader's order after fix/lat/lon
    const first: number[] = [];
    for (let i = 0; i < r.samples.length && r.samples.t[i] === r.samples.t[0]; i++) first.push(r.samples.sig[i]);
    expect(first).toEqual([signalMeta('gnss.fix').id]);
  });

  it('dg100.gpx: 12,027 points with speed; skytraq-realdata.gpx: the 2.6-year jump is a gap, not an error', () => {
    const d = read('dg100.gpx');
    expect(series(d, 'gnss.speed').v).toHaveLength(12027);
    expect(series(d, 'gnss.fix').v.every((v) => v === 1)).toBe(true); // no <fix>: a logged point implies a fix
    const s = read('skytraq-realdata.gpx');
    const t = series(s, 'gnss.lat').t;
    let maxJump = 0;
    for (let i = 1; i < t.length; i++) maxJump = Math.max(maxJump, t[i] - t[i - 1]);
    expect(maxJump / (365.25 * 86_400_000)).toBeGreaterThan(2.6);
    expect(s.stats.gaps).toBe(1);
  });
});

describe('GPX reader: 1.1, extensions, structure', () => {
  const gpx11 = `<?xml version="1.0" encoding="UTF-8"?>
<!-- exported by a test -->
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"
     xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2">
  <metadata><time>2020-01-01T00:00:00Z</time></metadata>
  <trk><name><![CDATA[a <trkpt> in a name]]></name>
    <trkseg>
      <trkpt lat="47.5" lon="8.5"><ele>400</ele><time>2021-06-01T10:00:00Z</time><fix>3d</fix><sat>9</sat><hdop>0.8</hdop>
        <extensions><gpxtpx:TrackPointExtension><gpxtpx:speed>12.5</gpxtpx:speed><gpxtpx:course>271.0</gpxtpx:course></gpxtpx:TrackPointExtension></extensions>
      </trkpt>
      <trkpt lat='47.501' lon='8.501'><time>2021-06-01T12:00:01+02:00</time><extensions><speed>3.5</speed></extensions></trkpt>
    </trkseg>
    <trkseg>
      <trkpt lat="47.502" lon="8.502"/>
      <trkpt lat="47.503" lon="8.503"><time>2021-06-01T10:00:05.250Z</time><fix>none</fix></trkpt>
    </trkseg>
  </trk>
  <trk><trkseg><trkpt lat="47.504" lon="8.504"><time>2021-06-01T10:00:06Z</time><fix>dgps</fix></trkpt></trkseg></trk>
  <rte><rtept lat="47.6" lon="8.6"><time>2021-06-01T10:00:07Z</time><fix>pps</fix></rtept></rte>
</gpx>`;

  it('reads Garmin TrackPointExtension and <extensions><speed>, several tracks and segments, rtept', () => {
    const r = parse(gpx11);
    expect(r.stats).toMatchObject({ version: 1.1, tracks: 2, segments: 3, routes: 1, trkpts: 5, rtepts: 1, replayed: 5, pointsWithoutTime: 1 });
    expect(series(r, 'gnss.speed').v).toEqual([12.5, 3.5]);
    expect(series(r, 'gnss.course').v).toEqual([271]);
    expect(series(r, 'gnss.sats').v).toEqual([9]);
    expect(series(r, 'gnss.hdop').v).toEqual([0.8]);
    expect(series(r, 'gnss.fix').v).toEqual([1, 1, 0, 2, 3]);
    expect(series(r, 'gnss.lat').t.map((t) => new Date(t).toISOString())).toEqual([
      '2021-06-01T10:00:00.000Z', '2021-06-01T10:00:01.000Z', '2021-06-01T10:00:06.000Z', '2021-06-01T10:00:07.000Z']);
    const noTime = r.issues.find((i) => /without <time>/.test(i.reason));
    expect(noTime?.line).toBe(14);
  });

  it('waypoints are replayed when the file has no track', () => {
    const r = parse('<gpx version="1.0"><wpt lat="1" lon="2"><time>2020-01-01T00:00:00Z</time></wpt><wpt lat="1.1" lon="2.1"><time>2020-01-01T00:01:00Z</time></wpt></gpx>');
    expect(r.stats.replayed).toBe(2);
    expect(r.stats.gaps).toBe(1);
  });

  it('bad coordinates and unparseable times are issues, not samples', () => {
    const r = parse('<gpx version="1.0"><trk><trkseg><trkpt lat="95" lon="2"><time>2020-01-01T00:00:00Z</time></trkpt><trkpt lat="1" lon="2"><time>yesterday</time></trkpt><trkpt lon="2"><time>2020-01-01T00:00:02Z</time></trkpt></trkseg></trk></gpx>');
    expect(r.stats.badPoints).toBe(3);
    expect(r.samples.length).toBe(0);
    expect(r.issues.map((i) => i.reason)).toEqual([
      '<trkpt> skipped: bad coordinates lat="95" lon="2"', '<trkpt> skipped: unparseable <time>', '<trkpt> skipped: missing lat/lon attribute']);
  });

  it('a .gpx file without a <gpx> element cannot be read at all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgerule-gpx-'));
    const p = join(dir, 'x.gpx');
    writeFileSync(p, '<?xml version="1.0"?><kml></kml>');
    expect(() => readTrace(p)).toThrow(/x\.gpx: cannot read trace: extension \.gpx but no <gpx> element/);
  });
});
