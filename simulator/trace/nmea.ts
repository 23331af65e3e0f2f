/**
 * NMEA 0183 reader: RMC, GGA, GLL, VTG, GSA, GNS and ZDA from any talker, straight from the bytes.
 *
 * - Every '$' or '!' starts a candidate sentence, so binary garbage and fused sentences resynchronise.
 *   The address must be a talker + type (`[A-Z][A-Z0-9][A-Z]{3}`) or proprietary (`P…`); anything else
 *   (e.g. SkyTraq's `$SkyTraq,Venus6` banner) is not NMEA and gets an issue.
 * - Checksums are verified when present; a sentence without one is accepted only if it runs to the end
 *   of its line (a '$' before any '*' means it was cut short).
 * - Epoch = the sentences sharing a UTC time-of-day. Sentences without a time (VTG, GSA, or an empty
 *   time field) join the open epoch; a repeated RMC/GGA/GLL/VTG/GNS without time starts a new one.
 *   An epoch never given a time cannot be placed and is reported. Each placed epoch emits one set of
 *   samples (fix first, then lat, lon, speed, course, hdop, sats); a void fix emits only gnss.fix = 0.
 *   Fix quality by source priority GGA > GNS > RMC > GLL > GSA.
 * - Date from RMC/ZDA; epochs before the first date are shifted once it is known. With no date at all,
 *   t counts from 1970-01-01 (hasDate = false), or from the UTC day of opts.startMs. Time-of-day falling
 *   by more than 12 h is a midnight rollover (next day).
 *
 * Accounting: lines = blankLines + commentLines + garbageLines + sentenceLines, and
 * sentences = notNmea + checksumErrors + malformed + proprietary + ignored + used.
 */
import { signalMeta } from '../../compiler/dsl/catalogue.ts';
import { KindCounter, snippet, type ReadOptions, type TraceIssue, type TraceResult } from './issues.ts';
import { RecordSink } from './order.ts';
import { resolvePolicy } from './policy.ts';
import { latin1, parseNum } from './scan.ts';

const LAT = signalMeta('gnss.lat').id, LON = signalMeta('gnss.lon').id, SPEED = signalMeta('gnss.speed').id;
const COURSE = signalMeta('gnss.course').id, HDOP = signalMeta('gnss.hdop').id, SATS = signalMeta('gnss.sats').id;
const FIX = signalMeta('gnss.fix').id;

const KNOT = 1852 / 3600;
const DAY = 86_400_000;

// sentence type bits
const T_RMC = 1, T_GGA = 2, T_GLL = 4, T_VTG = 8, T_GNS = 16, T_GSA = 32, T_ZDA = 64;
/** Types whose repetition (without a time) ends an epoch. */
const SPLIT = T_RMC | T_GGA | T_GLL | T_VTG | T_GNS;

function code3(a: number, b: number, c: number): number { return (a << 16) | (b << 8) | c; }
const C_RMC = code3(82, 77, 67), C_GGA = code3(71, 71, 65), C_GLL = code3(71, 76, 76), C_VTG = code3(86, 84, 71);
const C_GSA = code3(71, 83, 65), C_GNS = code3(71, 78, 83), C_ZDA = code3(90, 68, 65);

function isUpper(c: number): boolean { return c >= 65 && c <= 90; }
function isUpperDigit(c: number): boolean { return (c >= 65 && c <= 90) || (c >= 48 && c <= 57); }
function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}
const HEX = '0123456789ABCDEF';
function hex2(v: number): string { return HEX[v >> 4] + HEX[v & 15]; }

/** FAA mode indicator → fix level (NMEA 2.3+ RMC/GLL/VTG/GNS); -1 unknown. */
function modeFix(c: number): number {
  switch (c) {
    case 78: return 0;          // N not valid
    case 65: case 80: return 1; // A autonomous, P precise
    case 68: return 2;          // D differential
    case 82: return 4;          // R RTK fixed
    case 70: return 5;          // F RTK float
    case 69: return 6;          // E estimated / dead reckoning
    case 77: return 7;          // M manual
    case 83: return 8;          // S simulator
    default: return -1;
  }
}

const MAXF = 64;

export function readNmea(buf: Uint8Array, file: string, opts: ReadOptions = {}): TraceResult {
  const issues: TraceIssue[] = [];
  const stats: Record<string, number> = {};
  const policy = resolvePolicy(opts.policy);
  const sink = new RecordSink(file, issues, policy, Math.max(1024, (buf.length / 40) | 0));
  const proprietary = new KindCounter();
  const ignored = new KindCounter();

  // field boundaries of the current sentence (fs[i]..fe[i]), field 0 = address
  const fs = new Int32Array(MAXF), fe = new Int32Array(MAXF);
  let nf = 0;

  let lines = 0, blankLines = 0, commentLines = 0, garbageLines = 0, sentenceLines = 0, fusedLines = 0;
  let garbageBytes = 0, sentences = 0, notNmea = 0, checksumErrors = 0, malformed = 0, nProprietary = 0;
  let nIgnored = 0, used = 0, noChecksum = 0;
  let epochs = 0, untimedEpochs = 0, emptyEpochs = 0, voidEpochs = 0, fixEpochs = 0, dayRollovers = 0;

  // time state
  let hasDate = false;
  let dayMs = 0;        // UTC midnight of the current day (provisional 0 = 1970-01-01 until a date is seen)
  let prevTod = -1;

  // open epoch
  let epHas = false, epTypes = 0, epTod = -1, epLine = 0, epLastLine = 0, epSent = 0;
  let epLat = NaN, epLon = NaN, epSpeed = NaN, epCourse = NaN, epHdop = NaN, epSats = NaN;
  let epFix = -1, epFixRank = -1, epDate = NaN;

  function resetEpoch(): void {
    epHas = false; epTypes = 0; epTod = -1; epSent = 0;
    epLat = NaN; epLon = NaN; epSpeed = NaN; epCourse = NaN; epHdop = NaN; epSats = NaN;
    epFix = -1; epFixRank = -1; epDate = NaN;
  }

  function closeEpoch(): void {
    if (!epHas) return;
    epochs++;
    const fix = epFix;
    if (epTod < 0) {
      untimedEpochs++;
      if (fix === 0) voidEpochs++;
      issues.push({
        file, line: epLine,
        reason: `epoch without UTC time-of-day (${epSent} sentence${epSent === 1 ? '' : 's'}, lines ${epLine}–${epLastLine}${fix === 0 ? ', void fix' : ''}): cannot be placed in time, skipped`,
      });
      resetEpoch();
      return;
    }
    const rollover = prevTod >= 0 && epTod < prevTod - DAY / 2;
    if (epDate === epDate) {
      if (!hasDate) {
        const provisional = rollover ? dayMs + DAY : dayMs;
        const delta = epDate - provisional;
        if (delta !== 0) sink.shiftAll(delta);
        hasDate = true;
      } else if (rollover) dayRollovers++;
      dayMs = epDate;
    } else if (rollover) {
      dayMs += DAY;
      dayRollovers++;
    }
    prevTod = epTod;
    const hasPos = fix !== 0 && epLat === epLat && epLon === epLon;
    const any = fix >= 0 || hasPos || epSpeed === epSpeed || epCourse === epCourse || epHdop === epHdop || epSats === epSats;
    if (!any) { emptyEpochs++; resetEpoch(); return; }
    if (fix === 0) voidEpochs++;
    else if (fix > 0 || hasPos) fixEpochs++;
    if (sink.begin(dayMs + epTod, epLine)) {
      if (fix === 0) sink.push(FIX, 0);
      else {
        if (fix >= 0) sink.push(FIX, fix);
        else if (hasPos) sink.push(FIX, 1);
        if (hasPos) { sink.push(LAT, epLat); sink.push(LON, epLon); }
        if (epSpeed === epSpeed) sink.push(SPEED, epSpeed);
        if (epCourse === epCourse) sink.push(COURSE, epCourse);
        if (epHdop === epHdop) sink.push(HDOP, epHdop);
        if (epSats === epSats) sink.push(SATS, epSats);
      }
    }
    resetEpoch();
  }

  /** Adds a sentence of type `bit` with time-of-day `tod` (-1 = none) to the epoch structure. */
  function enter(bit: number, tod: number, line: number): void {
    if (epHas) {
      if (tod >= 0) {
        if (epTod >= 0 ? tod !== epTod : (epTypes & bit & SPLIT) !== 0) closeEpoch();
      } else if ((epTypes & bit & SPLIT) !== 0) closeEpoch();
    }
    if (!epHas) { epHas = true; epLine = line; }
    if (tod >= 0) epTod = tod;
    epTypes |= bit;
    epSent++;
    epLastLine = line;
  }

  function setFix(level: number, rank: number): void {
    if (level >= 0 && rank > epFixRank) { epFix = level; epFixRank = rank; }
  }

  function fieldEmpty(i: number): boolean { return i >= nf || fs[i] >= fe[i]; }
  function fnum(i: number): number { return i < nf ? parseNum(buf, fs[i], fe[i]) : NaN; }
  function fchar(i: number): number { return i < nf && fe[i] > fs[i] ? buf[fs[i]] : 0; }

  /** hhmmss[.s…] → ms of day; -1 empty; -2 malformed. */
  function ftime(i: number): number {
    if (fieldEmpty(i)) return -1;
    const s = fs[i], e = fe[i];
    if (e - s < 6) return -2;
    let v = 0;
    for (let k = 0; k < 6; k++) { const c = buf[s + k] - 48; if (c < 0 || c > 9) return -2; v = v * 10 + c; }
    const hh = (v / 10000) | 0, mm = ((v / 100) | 0) % 100, ss = v % 100;
    if (hh > 23 || mm > 59 || ss > 60) return -2;
    let ms = ((hh * 60 + mm) * 60 + ss) * 1000;
    if (e > s + 6) {
      if (buf[s + 6] !== 46) return -2;
      let scale = 100, frac = 0;
      for (let k = s + 7; k < e; k++) {
        const c = buf[k] - 48;
        if (c < 0 || c > 9) return -2;
        frac += c * scale; scale /= 10;
      }
      ms += Math.round(frac * 1000) / 1000;
    }
    return ms;
  }

  /** ddmm.mmmm + hemisphere → degrees; NaN empty; Infinity malformed. */
  function fcoord(i: number, maxDeg: number): number {
    if (fieldEmpty(i) || fieldEmpty(i + 1)) return NaN;
    const v = fnum(i);
    const h = fchar(i + 1);
    if (v !== v || v < 0) return Infinity;
    const deg = Math.trunc(v / 100);
    const min = v - deg * 100;
    const d = deg + min / 60;
    if (min >= 60 || d > maxDeg) return Infinity;
    if (h === 83 || h === 87) return -d;
    if (h === 78 || h === 69) return d;
    return Infinity;
  }

  let bad = '';  // reason set by a sentence parser when the sentence is malformed
  function setPos(lat: number, lon: number): void {
    if (lat === Infinity || lon === Infinity) { bad = 'bad latitude/longitude field'; return; }
    if (epLat !== epLat && lat === lat && lon === lon) { epLat = lat; epLon = lon; }
  }

  function dateFromDDMMYY(i: number): number {
    if (fieldEmpty(i) || fe[i] - fs[i] !== 6) return NaN;
    let v = 0;
    for (let k = fs[i]; k < fe[i]; k++) { const c = buf[k] - 48; if (c < 0 || c > 9) return NaN; v = v * 10 + c; }
    const dd = (v / 10000) | 0, mo = ((v / 100) | 0) % 100, yy = v % 100;
    if (dd < 1 || dd > 31 || mo < 1 || mo > 12) return NaN;
    return Date.UTC(yy < 80 ? 2000 + yy : 1900 + yy, mo - 1, dd);
  }

  // ---- sentence parsers: return true if used; set `bad` when malformed -------------------------------
  function rmc(line: number): void {
    const tod = ftime(1);
    if (tod === -2) { bad = 'bad time field'; return; }
    const status = fchar(2);
    const lat = fcoord(3, 90), lon = fcoord(5, 180);
    if (lat === Infinity || lon === Infinity) { bad = 'bad latitude/longitude field'; return; }
    const date = dateFromDDMMYY(9);
    if (!fieldEmpty(9) && date !== date) { bad = 'bad date field'; return; }
    enter(T_RMC, tod, line);
    if (date === date && epDate !== epDate) epDate = date;
    let level = status === 65 ? 1 : status === 86 ? 0 : -1;
    if (level === 1 && !fieldEmpty(12)) { const m = modeFix(fchar(12)); if (m >= 0) level = m; }
    setFix(level, 2);
    if (level > 0) {
      setPos(lat, lon);
      const sp = fnum(7), co = fnum(8);
      if (epSpeed !== epSpeed && sp === sp) epSpeed = sp * KNOT;
      if (epCourse !== epCourse && co === co) epCourse = co;
    }
  }

  function gga(line: number): void {
    const tod = ftime(1);
    if (tod === -2) { bad = 'bad time field'; return; }
    const lat = fcoord(2, 90), lon = fcoord(4, 180);
    if (lat === Infinity || lon === Infinity) { bad = 'bad latitude/longitude field'; return; }
    const q = fieldEmpty(6) ? -1 : fnum(6);
    enter(T_GGA, tod, line);
    if (q === q && q >= 0 && q <= 8) setFix(q, 4);
    if (q > 0) {
      setPos(lat, lon);
      const sats = fnum(7), hdop = fnum(8);
      if (epSats !== epSats && sats === sats) epSats = sats;
      if (epHdop !== epHdop && hdop === hdop) epHdop = hdop;
    }
  }

  function gll(line: number): void {
    const lat = fcoord(1, 90), lon = fcoord(3, 180);
    if (lat === Infinity || lon === Infinity) { bad = 'bad latitude/longitude field'; return; }
    const tod = ftime(5);
    if (tod === -2) { bad = 'bad time field'; return; }
    const status = fchar(6);
    enter(T_GLL, tod, line);
    let level = status === 65 ? 1 : status === 86 ? 0 : (lat === lat ? 1 : -1); // NMEA 1.x GLL has no status
    if (level === 1 && !fieldEmpty(7)) { const m = modeFix(fchar(7)); if (m >= 0) level = m; }
    setFix(level, 1);
    if (level > 0) setPos(lat, lon);
  }

  function gns(line: number): void {
    const tod = ftime(1);
    if (tod === -2) { bad = 'bad time field'; return; }
    const lat = fcoord(2, 90), lon = fcoord(4, 180);
    if (lat === Infinity || lon === Infinity) { bad = 'bad latitude/longitude field'; return; }
    enter(T_GNS, tod, line);
    let level = -1;
    if (!fieldEmpty(6)) for (let k = fs[6]; k < fe[6]; k++) level = Math.max(level, modeFix(buf[k]));
    setFix(level, 3);
    if (level > 0) {
      setPos(lat, lon);
      const sats = fnum(7), hdop = fnum(8);
      if (epSats !== epSats && sats === sats) epSats = sats;
      if (epHdop !== epHdop && hdop === hdop) epHdop = hdop;
    }
  }

  function vtg(line: number): void {
    enter(T_VTG, -1, line);
    let course: number, knots: number, kmh: number, mode = -1;
    if (fchar(2) === 84 || fchar(4) === 77 || fchar(6) === 78 || fchar(8) === 75) { // NMEA 2+: value,unit pairs
      course = fnum(1); knots = fnum(5); kmh = fnum(7);
      if (!fieldEmpty(9)) mode = modeFix(fchar(9));
    } else { course = fnum(1); knots = fnum(3); kmh = fnum(4); } // NMEA 1.x: true, magnetic, knots, km/h
    if (mode === 0) return;
    if (epSpeed !== epSpeed) { if (kmh === kmh) epSpeed = kmh / 3.6; else if (knots === knots) epSpeed = knots * KNOT; }
    if (epCourse !== epCourse && course === course) epCourse = course;
  }

  function gsa(line: number): void {
    enter(T_GSA, -1, line);
    const type = fnum(2);
    if (type === 1) setFix(0, 0);
    else if (type === 2 || type === 3) setFix(1, 0);
    const hdop = fnum(16);
    if (type >= 2 && epHdop !== epHdop && hdop === hdop) epHdop = hdop;
  }

  function zda(line: number): void {
    const tod = ftime(1);
    if (tod === -2) { bad = 'bad time field'; return; }
    const d = fnum(2), m = fnum(3), y = fnum(4);
    let date = NaN;
    if (d === d && m === m && y === y) {
      if (d < 1 || d > 31 || m < 1 || m > 12 || y < 1980 || y > 2200) { bad = 'bad date field'; return; }
      date = Date.UTC(y, m - 1, d);
    }
    enter(T_ZDA, tod, line);
    if (date === date && epDate !== epDate) epDate = date;
  }

  // ---- main loop over lines -----------------------------------------------------------------------------
  const n = buf.length;
  let pos = 0;
  let lineNo = 0;
  while (pos < n) {
    let nl = indexOfByte(buf, 10, pos);
    if (nl < 0) nl = n;
    lineNo++;
    lines++;
    let ls = pos, le = nl;
    pos = nl + 1;
    while (le > ls && (buf[le - 1] === 13 || buf[le - 1] === 32 || buf[le - 1] === 9)) le--;
    while (ls < le && (buf[ls] === 32 || buf[ls] === 9)) ls++;
    if (ls === le) { blankLines++; continue; }
    if (buf[ls] === 35) { commentLines++; continue; }
    // first sentence start
    let cs = ls;
    while (cs < le && buf[cs] !== 36 && buf[cs] !== 33) cs++;
    if (cs === le) {
      garbageLines++;
      issues.push({ file, line: lineNo, reason: 'no NMEA sentence on this line', text: snippet(latin1(buf, ls, le)) });
      continue;
    }
    if (cs > ls) {
      garbageBytes += cs - ls;
      issues.push({ file, line: lineNo, reason: `${cs - ls} byte(s) of non-NMEA data before '${String.fromCharCode(buf[cs])}' skipped`, text: snippet(latin1(buf, ls, cs)) });
    }
    sentenceLines++;
    let inLine = 0;
    while (cs < le) {
      // candidate runs to the next '$'/'!' or the end of the line
      let ce = cs + 1;
      while (ce < le && buf[ce] !== 36 && buf[ce] !== 33) ce++;
      inLine++;
      sentences++;
      handleSentence(cs, ce, ce === le, lineNo);
      cs = ce;
    }
    if (inLine > 1) fusedLines++;
  }
  closeEpoch();

  function handleSentence(cs: number, ce: number, atEol: boolean, line: number): void {
    // address
    let a = cs + 1;
    while (a < ce && buf[a] !== 44 && buf[a] !== 42) a++;
    const alen = a - cs - 1;
    const c0 = buf[cs + 1];
    let prop = false;
    if (alen >= 2 && c0 === 80) {
      prop = true;
      for (let k = cs + 1; k < a; k++) if (!isUpperDigit(buf[k])) { prop = false; break; }
      if (!prop) return notNmeaSentence(cs, ce, line);
    } else if (alen !== 5 || !isUpper(c0) || !isUpperDigit(buf[cs + 2]) || !isUpper(buf[cs + 3]) || !isUpper(buf[cs + 4]) || !isUpper(buf[cs + 5])) {
      return notNmeaSentence(cs, ce, line);
    }
    // checksum: XOR of the bytes between the start character and '*'
    let x = 0, k = cs + 1, printable = true;
    for (; k < ce; k++) {
      const c = buf[k];
      if (c === 42) break;
      if (c < 32 || c > 126) printable = false;
      x ^= c;
    }
    let bodyEnd = k;
    if (k < ce) {
      const h1 = k + 1 < ce ? hexVal(buf[k + 1]) : -1, h2 = k + 2 < ce ? hexVal(buf[k + 2]) : -1;
      if (h1 < 0 || h2 < 0) {
        malformed++;
        issues.push({ file, line, reason: 'malformed checksum field', text: snippet(latin1(buf, cs, ce)) });
        return;
      }
      const got = (h1 << 4) | h2;
      let tail = k + 3;
      while (tail < ce && (buf[tail] === 32 || buf[tail] === 9 || buf[tail] === 13)) tail++;
      if (tail < ce) {
        garbageBytes += ce - (k + 3);
        issues.push({ file, line, reason: `${ce - (k + 3)} byte(s) of non-NMEA data after the checksum skipped`, text: snippet(latin1(buf, k + 3, ce)) });
      }
      if (got !== x) {
        checksumErrors++;
        issues.push({ file, line, reason: `checksum mismatch: got ${hex2(got)}, computed ${hex2(x)}`, text: snippet(latin1(buf, cs, k + 3)) });
        return;
      }
    } else {
      if (!atEol) {
        malformed++;
        issues.push({ file, line, reason: "truncated sentence: no checksum before the next sentence start", text: snippet(latin1(buf, cs, ce)) });
        return;
      }
      if (!printable) {
        malformed++;
        issues.push({ file, line, reason: 'sentence without checksum contains non-printable bytes', text: snippet(latin1(buf, cs, ce)) });
        return;
      }
      noChecksum++;
    }
    if (prop) {
      nProprietary++;
      let key = 0;
      for (let q = cs + 1; q < a && q < cs + 9; q++) key = key * 43 + (buf[q] - 47);
      key = key * 16 + Math.min(alen, 15);
      if (!proprietary.bump(key)) proprietary.first(key, latin1(buf, cs + 1, a), line, snippet(latin1(buf, cs, bodyEnd)));
      return;
    }
    const type = code3(buf[cs + 3], buf[cs + 4], buf[cs + 5]);
    // split fields: field 0 = address
    nf = 0;
    let f = cs + 1;
    fs[0] = f;
    for (let p = f; p < bodyEnd; p++) {
      if (buf[p] === 44) {
        fe[nf] = p;
        if (nf + 1 < MAXF) { nf++; fs[nf] = p + 1; }
      }
    }
    fe[nf] = bodyEnd;
    nf++;
    bad = '';
    switch (type) {
      case C_RMC: rmc(line); break;
      case C_GGA: gga(line); break;
      case C_GLL: gll(line); break;
      case C_VTG: vtg(line); break;
      case C_GSA: gsa(line); break;
      case C_GNS: gns(line); break;
      case C_ZDA: zda(line); break;
      default:
        nIgnored++;
        if (!ignored.bump(type)) ignored.first(type, latin1(buf, cs + 3, cs + 6), line, snippet(latin1(buf, cs, bodyEnd)));
        return;
    }
    if (bad) {
      malformed++;
      issues.push({ file, line, reason: `malformed ${latin1(buf, cs + 1, a)}: ${bad}`, text: snippet(latin1(buf, cs, bodyEnd)) });
      return;
    }
    used++;
  }

  function notNmeaSentence(cs: number, ce: number, line: number): void {
    notNmea++;
    issues.push({ file, line, reason: 'not an NMEA sentence (invalid address field)', text: snippet(latin1(buf, cs, ce)) });
  }

  proprietary.flush(file, issues, stats, 'proprietary.', (k, c) => `proprietary sentence $${k} skipped (${c} in file, first on this line)`);
  ignored.flush(file, issues, stats, 'ignored.', (k, c) => `sentence type ${k} carries no catalogue signal, skipped (${c} in file, first on this line)`);
  // no date in the log: opts.startMs supplies the UTC date of the first day (its time of day is ignored)
  if (!hasDate && opts.startMs !== undefined) sink.shiftAll(Math.floor(opts.startMs / DAY) * DAY);
  const samples = sink.finish(stats);
  Object.assign(stats, {
    bytes: buf.length, lines, blankLines, commentLines, garbageLines, sentenceLines, fusedLines, garbageBytes,
    sentences, notNmea, checksumErrors, malformed, proprietary: nProprietary, ignored: nIgnored, used, noChecksum,
    epochs, untimedEpochs, emptyEpochs, voidEpochs, fixEpochs, dayRollovers,
  });
  issues.sort((p, q) => p.line - q.line);
  return { file, format: 'nmea', samples, issues, stats, hasDate };
}

function indexOfByte(b: Uint8Array, c: number, from: number): number {
  return b.indexOf(c, from);
}
