/**
 * GPX 1.0 / 1.1 reader with a small byte-level tag scanner (no XML library).
 *
 * Replays <trkpt> and <rtept> in file order (all tracks and segments); <wpt> only when the file has no
 * track or route points (otherwise they are counted and reported once: waypoints are places, not a trace).
 * Per point: lat/lon attributes, <time>, <speed> (m/s), <course> (deg), <fix> (none/2d/3d/dgps/pps),
 * <sat>, <hdop>, and the same names inside <extensions> (Garmin TrackPointExtension gpxtpx:speed /
 * gpxtpx:course, or a bare <speed>); the first occurrence wins. Namespace prefixes are ignored.
 * A point without <fix> but with coordinates is replayed with gnss.fix = 1 (a logger records a point
 * only with a fix). fix = none gives gnss.fix = 0 and no position. Points without a usable <time> cannot
 * be replayed: each is an issue, counted in `pointsWithoutTime`.
 */
import { signalMeta } from '../../compiler/dsl/catalogue.ts';
import { snippet, type ReadOptions, type TraceIssue, type TraceResult } from './issues.ts';
import { RecordSink } from './order.ts';
import { resolvePolicy } from './policy.ts';
import { latin1, parseIsoMs, parseNum } from './scan.ts';

const LAT = signalMeta('gnss.lat').id, LON = signalMeta('gnss.lon').id, SPEED = signalMeta('gnss.speed').id;
const COURSE = signalMeta('gnss.course').id, HDOP = signalMeta('gnss.hdop').id, SATS = signalMeta('gnss.sats').id;
const FIX = signalMeta('gnss.fix').id;

interface Point {
  kind: string; line: number; lat: number; lon: number; t: number; timeText: string | null;
  speed: number; course: number; fix: number; sats: number; hdop: number; bad: string;
}

function newPoint(kind: string, line: number): Point {
  return { kind, line, lat: NaN, lon: NaN, t: NaN, timeText: null, speed: NaN, course: NaN, fix: -1, sats: NaN, hdop: NaN, bad: '' };
}

const FIX_WORDS: Record<string, number> = { none: 0, '2d': 1, '3d': 1, dgps: 2, pps: 3 };

export function readGpx(buf: Uint8Array, file: string, opts: ReadOptions = {}): TraceResult {
  const issues: TraceIssue[] = [];
  const stats: Record<string, number> = {};
  const sink = new RecordSink(file, issues, resolvePolicy(opts.policy), Math.max(1024, (buf.length / 20) | 0));
  const n = buf.length;
  let pos = 0, line = 1, counted = 0;
  let sawRoot = false, version = 0;
  let trkpts = 0, rtepts = 0, wpts = 0, tracks = 0, segments = 0, routes = 0;
  let pointsWithoutTime = 0, badPoints = 0, voidPoints = 0, replayed = 0, impliedFix = 0;
  let cur: Point | null = null;
  const waypoints: Point[] = [];
  const trackPoints: Point[] = [];
  let truncated = false;

  function lineAt(p: number): number {
    for (; counted < p; counted++) if (buf[counted] === 10) line++;
    return line;
  }
  function find(seq: string, from: number): number {
    const c0 = seq.charCodeAt(0);
    for (let i = buf.indexOf(c0, from); i >= 0 && i < n; i = buf.indexOf(c0, i + 1)) {
      let k = 1;
      while (k < seq.length && buf[i + k] === seq.charCodeAt(k)) k++;
      if (k === seq.length) return i;
    }
    return -1;
  }
  function attr(s: number, e: number, name: string): string | null {
    // scans name="value" / name='value' pairs in b[s, e)
    let i = s;
    while (i < e) {
      while (i < e && (buf[i] === 32 || buf[i] === 9 || buf[i] === 10 || buf[i] === 13)) i++;
      const ns = i;
      while (i < e && buf[i] !== 61 && buf[i] !== 32 && buf[i] !== 9 && buf[i] !== 10 && buf[i] !== 13) i++;
      const an = latin1(buf, ns, i);
      while (i < e && buf[i] !== 61) i++;
      i++;
      while (i < e && buf[i] !== 34 && buf[i] !== 39) i++;
      const q = buf[i];
      const vs = ++i;
      while (i < e && buf[i] !== q) i++;
      const local = an.slice(an.indexOf(':') + 1);
      if (local === name) return latin1(buf, vs, i);
      i++;
    }
    return null;
  }
  function text(from: number): [number, number] {
    let e = buf.indexOf(60, from);
    if (e < 0) e = n;
    return [from, e];
  }

  while (pos < n) {
    const lt = buf.indexOf(60, pos);
    if (lt < 0) break;
    const c1 = buf[lt + 1];
    if (c1 === 63) { // <? … ?>
      const e = find('?>', lt + 2);
      if (e < 0) { truncated = true; break; }
      pos = e + 2; continue;
    }
    if (c1 === 33) { // <!-- -->, <![CDATA[ ]]>, <!DOCTYPE>
      let e: number, skip: number;
      if (buf[lt + 2] === 45 && buf[lt + 3] === 45) { e = find('-->', lt + 4); skip = 3; }
      else if (buf[lt + 2] === 91) { e = find(']]>', lt + 3); skip = 3; }
      else { e = buf.indexOf(62, lt); skip = 1; }
      if (e < 0) { truncated = true; break; }
      pos = e + skip; continue;
    }
    let gt = lt + 1;
    let quote = 0;
    while (gt < n) { // find the tag's '>' outside attribute quotes
      const c = buf[gt];
      if (quote) { if (c === quote) quote = 0; }
      else if (c === 34 || c === 39) quote = c;
      else if (c === 62) break;
      gt++;
    }
    if (gt >= n) { truncated = true; break; }
    pos = gt + 1;
    const closing = c1 === 47;
    let ns = closing ? lt + 2 : lt + 1;
    let ne = ns;
    while (ne < gt && buf[ne] !== 32 && buf[ne] !== 9 && buf[ne] !== 10 && buf[ne] !== 13 && buf[ne] !== 47 && buf[ne] !== 62) ne++;
    for (let k = ne - 1; k >= ns; k--) if (buf[k] === 58) { ns = k + 1; break; } // drop namespace prefix
    const name = latin1(buf, ns, ne);
    const selfClosing = !closing && buf[gt - 1] === 47;
    if (closing) {
      if (cur && name === cur.kind) { endPoint(cur); cur = null; }
      continue;
    }
    switch (name) {
      case 'gpx': {
        sawRoot = true;
        const v = attr(ne, gt, 'version');
        version = v ? Number(v) : 0;
        break;
      }
      case 'trk': tracks++; break;
      case 'trkseg': segments++; break;
      case 'rte': routes++; break;
      case 'trkpt': case 'rtept': case 'wpt': {
        if (cur) { // unterminated point: close it where the next begins
          issues.push({ file, line: cur.line, reason: `<${cur.kind}> not closed before the next point` });
          endPoint(cur);
        }
        if (name === 'trkpt') trkpts++; else if (name === 'rtept') rtepts++; else wpts++;
        const p = newPoint(name, lineAt(lt));
        const la = attr(ne, gt, 'lat'), lo = attr(ne, gt, 'lon');
        p.lat = la === null ? NaN : Number(la);
        p.lon = lo === null ? NaN : Number(lo);
        if (la === null || lo === null) p.bad = 'missing lat/lon attribute';
        else if (!(Math.abs(p.lat) <= 90) || !(Math.abs(p.lon) <= 180)) p.bad = `bad coordinates lat="${la}" lon="${lo}"`;
        if (selfClosing) endPoint(p); else cur = p;
        break;
      }
      default: {
        if (!cur || selfClosing) break;
        const [s, e] = text(gt + 1);
        switch (name) {
          case 'time':
            if (cur.timeText === null) { cur.t = parseIsoMs(buf, s, e); cur.timeText = latin1(buf, s, e); }
            break;
          case 'speed': if (cur.speed !== cur.speed) cur.speed = parseNum(buf, s, e); break;
          case 'course': if (cur.course !== cur.course) cur.course = parseNum(buf, s, e); break;
          case 'sat': if (cur.sats !== cur.sats) cur.sats = parseNum(buf, s, e); break;
          case 'hdop': if (cur.hdop !== cur.hdop) cur.hdop = parseNum(buf, s, e); break;
          case 'fix': {
            const w = latin1(buf, s, e).trim().toLowerCase();
            const f = FIX_WORDS[w];
            if (f === undefined) issues.push({ file, line: lineAt(lt), reason: `unknown <fix> value "${snippet(w)}" ignored` });
            else if (cur.fix < 0) cur.fix = f;
            break;
          }
        }
      }
    }
  }
  if (cur) {
    issues.push({ file, line: cur.line, reason: `<${cur.kind}> not closed at end of file: the file is cut short (an unfinished download or copy?); the points up to here are replayed` });
    endPoint(cur);
  }
  if (truncated) issues.push({ file, line: lineAt(n), reason: 'file ends inside a tag, comment or CDATA section' });
  if (!sawRoot) throw new Error(`${file}: not a GPX file (no <gpx> root element)`);

  function endPoint(p: Point): void {
    if (p.kind === 'wpt') waypoints.push(p); else trackPoints.push(p);
  }

  function replay(p: Point): void {
    if (p.bad) { badPoints++; issues.push({ file, line: p.line, reason: `<${p.kind}> skipped: ${p.bad}` }); return; }
    if (p.timeText === null) { pointsWithoutTime++; issues.push({ file, line: p.line, reason: `<${p.kind}> without <time> skipped (a replay needs time)` }); return; }
    if (p.t !== p.t) { badPoints++; issues.push({ file, line: p.line, reason: `<${p.kind}> skipped: unparseable <time>`, text: snippet(p.timeText) }); return; }
    if (!sink.begin(p.t, p.line)) return;
    replayed++;
    if (p.fix === 0) { voidPoints++; sink.push(FIX, 0); return; }
    if (p.fix < 0) impliedFix++;
    sink.push(FIX, p.fix < 0 ? 1 : p.fix);
    sink.push(LAT, p.lat);
    sink.push(LON, p.lon);
    if (p.speed === p.speed) sink.push(SPEED, p.speed);
    if (p.course === p.course) sink.push(COURSE, p.course);
    if (p.hdop === p.hdop) sink.push(HDOP, p.hdop);
    if (p.sats === p.sats) sink.push(SATS, p.sats);
  }

  for (const p of trackPoints) replay(p);
  let waypointsSkipped = 0;
  if (trackPoints.length === 0) for (const p of waypoints) replay(p);
  else if (waypoints.length > 0) {
    waypointsSkipped = waypoints.length;
    issues.push({ file, line: waypoints[0].line, reason: `${waypoints.length} <wpt> waypoint(s) not replayed: the file has track/route points (waypoints are places, not a trace)` });
  }
  if (trackPoints.length + waypoints.length === 0) issues.push({ file, line: 0, reason: 'no <trkpt>, <rtept> or <wpt> in file' });

  const samples = sink.finish(stats);
  Object.assign(stats, {
    bytes: n, lines: lineAt(n), version, points: trkpts + rtepts + wpts, trkpts, rtepts, wpts, tracks, segments, routes,
    replayed, pointsWithoutTime, badPoints, voidPoints, impliedFix, waypointsSkipped,
  });
  issues.sort((a, b) => a.line - b.line);
  return { file, format: 'gpx', samples, issues, stats, hasDate: replayed > 0 };
}
