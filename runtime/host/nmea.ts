/**
 * The device's NMEA 0183 reader: bytes from the GNSS receiver's UART in, samples out (gnss.fix, lat, lon,
 * speed, course, hdop, sats) through the host's sink, one group per epoch. RMC, GGA and VTG from any talker.
 *
 * - Each '$' or '!' starts a candidate sentence that runs to the next start or the line end, so binary garbage and
 *   fused lines resynchronise; a byte outside printable ASCII ends the candidate as garbage; a candidate longer
 *   than NMEA_MAX is dropped. Checksums are verified when present; a sentence without one is accepted only if it
 *   runs to the end of its line and is printable (as the simulator's reader, simulator/trace/nmea.ts).
 * - Epochs as the simulator's reader builds them (simulator/trace/nmea-epoch.ts): the sentences sharing a UTC
 *   time of day; VTG joins the open epoch; a repeated RMC/GGA/VTG without a time starts a new one. Within an
 *   epoch the first sentence to state a value wins, fix quality by source priority (nmea-defs.ts). An epoch is
 *   complete when the next one begins; `nmeaFlush` ends it early (the host calls it when the line goes quiet).
 *   A void fix gives only gnss.fix = 0; a value outside its catalogue range is left out.
 * - Samples are stamped with the board's clock when the epoch completes; the epoch's UTC time (date from RMC) is
 *   handed to `onTime` so a board without a clock can set one.
 *
 * Nothing is allocated per byte, sentence or epoch: one line buffer, field tables and fact arrays, made once.
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import { KNOT, T_RMC, T_GGA, T_VTG, T_SPLIT, Rmc, Gga, Vtg, FixRank, modeFix } from './nmea-defs.ts';
import { Sig, SIG_MIN, SIG_MAX } from './signals.generated.ts';
import { sinkSet, type Sink } from './sink.ts';

/** Longest candidate kept (NMEA allows 82 characters; some receivers write more). */
export var NMEA_MAX = 120;
var MAX_FIELDS = 24;
var DAY = 86400000;

/** Facts of one sentence, and of the epoch being collected (same layout); NaN / −1 mean "says nothing". */
enum F { TOD = 0, DATE = 1, FIX = 2, RANK = 3, LAT = 4, LON = 5, SPEED = 6, COURSE = 7, HDOP = 8, SATS = 9, SIZE = 10 }

/** Counters (NmeaStats[k]): every candidate is counted once among the last five. */
export enum NmeaStat { BYTES = 0, GARBAGE = 1, SENTENCES = 2, USED = 3, CHECKSUM = 4, MALFORMED = 5, IGNORED = 6, EPOCHS = 7, UNTIMED = 8, RANGE = 9, SIZE = 10 }

export interface Nmea {
  sink: Sink;
  /** The epoch's UTC time in ms since 1970 (NaN when no date has been seen yet), when it completes. */
  onTime: ((utc: number, t: number) => void) | null;
  line: Uint8Array;
  len: number;
  fs: Int16Array;
  fe: Int16Array;
  nf: number;
  f: Float64Array;
  ep: Float64Array;
  open: boolean;
  types: number;
  /** The last date seen (UTC midnight ms), for epochs whose own sentences carry none. */
  date: number;
  stats: Float64Array;
  pow10: Float64Array;
}

export function newNmea(sink: Sink): Nmea {
  var pow10 = new Float64Array(23);
  var i;
  pow10[0] = 1;
  for (i = 1; i < 23; i++) pow10[i] = pow10[i - 1] * 10; // exact up to 10^22
  return {
    sink: sink, onTime: null, line: new Uint8Array(NMEA_MAX), len: 0, fs: new Int16Array(MAX_FIELDS), fe: new Int16Array(MAX_FIELDS),
    nf: 0, f: new Float64Array(F.SIZE), ep: new Float64Array(F.SIZE), open: false, types: 0, date: NaN,
    stats: new Float64Array(NmeaStat.SIZE), pow10: pow10,
  };
}

function clearFacts(a: Float64Array): void {
  var i;
  for (i = 0; i < F.SIZE; i++) a[i] = NaN;
  a[F.TOD] = -1;
  a[F.FIX] = -1;
  a[F.RANK] = -1;
}

// ---- fields ----------------------------------------------------------------------------------------------

function empty(n: Nmea, i: number): boolean {
  return i >= n.nf || n.fs[i] >= n.fe[i];
}

function charAt(n: Nmea, i: number): number {
  return empty(n, i) ? 0 : n.line[n.fs[i]];
}

/** Field i as a decimal number (sign, digits, point, digits): one correctly rounded division, as the simulator's parseNum. */
function num(n: Nmea, i: number): number {
  var b = n.line;
  var s, e, neg, mant, digits, exp, c, v;
  if (i >= n.nf) return NaN;
  s = n.fs[i];
  e = n.fe[i];
  while (s < e && (b[s] === 32 || b[s] === 9)) s++;
  while (e > s && (b[e - 1] === 32 || b[e - 1] === 9)) e--;
  if (s >= e) return NaN;
  neg = b[s] === 45;
  if (neg || b[s] === 43) s++;
  mant = 0;
  digits = 0;
  exp = 0;
  while (s < e && b[s] >= 48 && b[s] <= 57) {
    mant = mant * 10 + (b[s] - 48);
    digits++;
    s++;
  }
  if (s < e && b[s] === 46) {
    s++;
    while (s < e && b[s] >= 48 && b[s] <= 57) {
      mant = mant * 10 + (b[s] - 48);
      digits++;
      exp++;
      s++;
    }
  }
  if (digits === 0 || s !== e || exp > 22) return NaN;
  v = exp > 0 ? mant / n.pow10[exp] : mant;
  return neg ? -v : v;
}

/** hhmmss[.sss] → ms of day; −1 for an empty field, −2 when malformed. */
function time(n: Nmea, i: number): number {
  var b = n.line;
  var s, e, k, c, v, ms, scale;
  if (empty(n, i)) return -1;
  s = n.fs[i];
  e = n.fe[i];
  if (e - s < 6) return -2;
  v = 0;
  for (k = 0; k < 6; k++) {
    c = b[s + k] - 48;
    if (c < 0 || c > 9) return -2;
    v = v * 10 + c;
  }
  if (Math.floor(v / 10000) > 23 || Math.floor(v / 100) % 100 > 59 || v % 100 > 60) return -2;
  ms = ((Math.floor(v / 10000) * 60 + (Math.floor(v / 100) % 100)) * 60 + (v % 100)) * 1000;
  if (e > s + 6) {
    if (b[s + 6] !== 46) return -2;
    scale = 100;
    for (k = s + 7; k < e; k++) {
      c = b[k] - 48;
      if (c < 0 || c > 9) return -2;
      if (scale >= 1) ms += c * scale;
      scale = scale / 10;
    }
  }
  return ms;
}

/** ddmm.mmmm in field i, hemisphere in field i+1 → degrees; NaN when empty; Infinity when malformed. */
function coord(n: Nmea, i: number, maxDeg: number): number {
  var v, h, deg, min, d;
  if (empty(n, i) || empty(n, i + 1)) return NaN;
  v = num(n, i);
  h = charAt(n, i + 1);
  if (v !== v || v < 0) return Infinity;
  deg = Math.floor(v / 100);
  min = v - deg * 100;
  d = deg + min / 60;
  if (min >= 60 || d > maxDeg) return Infinity;
  if (h === 83 || h === 87) return -d;
  if (h === 78 || h === 69) return d;
  return Infinity;
}

/** ddmmyy → UTC midnight in ms (years < 80 are 20xx); NaN when empty or malformed. */
function date(n: Nmea, i: number): number {
  var b = n.line;
  var s, k, c, v, dd, mo, y, era, yoe, doy, doe;
  if (empty(n, i) || n.fe[i] - n.fs[i] !== 6) return NaN;
  s = n.fs[i];
  v = 0;
  for (k = 0; k < 6; k++) {
    c = b[s + k] - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  dd = Math.floor(v / 10000);
  mo = Math.floor(v / 100) % 100;
  y = v % 100;
  if (dd < 1 || dd > 31 || mo < 1 || mo > 12) return NaN;
  y = y < 80 ? 2000 + y : 1900 + y;
  // days since 1970-01-01 of a proleptic Gregorian date (integer arithmetic only)
  if (mo <= 2) y--;
  era = Math.floor(y / 400);
  yoe = y - era * 400;
  doy = Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + dd - 1;
  doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return (era * 146097 + doe - 719468) * DAY;
}

// ---- sentences -------------------------------------------------------------------------------------------

/** Status A/V → 1/0, refined by a mode letter in field modeField; `otherwise` for any other status. */
function statusFix(n: Nmea, statusField: number, modeField: number, otherwise: number): number {
  var status = charAt(n, statusField);
  var level = status === 65 ? 1 : status === 86 ? 0 : otherwise;
  var m;
  if (level === 1 && !empty(n, modeField)) {
    m = modeFix(charAt(n, modeField));
    if (m >= 0) level = m;
  }
  return level;
}

/** Time and position of a sentence into n.f; false when either is malformed. */
function timeAndPosition(n: Nmea, ti: number, li: number): boolean {
  var f = n.f;
  f[F.TOD] = time(n, ti);
  if (f[F.TOD] === -2) return false;
  f[F.LAT] = coord(n, li, 90);
  f[F.LON] = coord(n, li + 2, 180);
  return f[F.LAT] !== Infinity && f[F.LON] !== Infinity;
}

/** A position (and what comes with it) counts only with a fix. */
function dropUnlessFix(f: Float64Array, hasFix: boolean): void {
  if (hasFix) return;
  f[F.LAT] = NaN;
  f[F.LON] = NaN;
  f[F.SPEED] = NaN;
  f[F.COURSE] = NaN;
  f[F.HDOP] = NaN;
  f[F.SATS] = NaN;
}

function rmc(n: Nmea): boolean {
  var f = n.f;
  if (!timeAndPosition(n, Rmc.TIME, Rmc.LAT)) return false;
  f[F.DATE] = date(n, Rmc.DATE);
  if (!empty(n, Rmc.DATE) && f[F.DATE] !== f[F.DATE]) return false;
  f[F.FIX] = statusFix(n, Rmc.STATUS, Rmc.MODE, -1);
  f[F.RANK] = FixRank.RMC;
  f[F.SPEED] = num(n, Rmc.SPEED_KNOTS) * KNOT;
  f[F.COURSE] = num(n, Rmc.COURSE);
  dropUnlessFix(f, f[F.FIX] > 0);
  return true;
}

function gga(n: Nmea): boolean {
  var f = n.f;
  var q;
  if (!timeAndPosition(n, Gga.TIME, Gga.LAT)) return false;
  q = empty(n, Gga.QUALITY) ? -1 : num(n, Gga.QUALITY);
  if (q === q && q >= 0 && q <= 8) {
    f[F.FIX] = q;
    f[F.RANK] = FixRank.GGA;
  }
  f[F.SATS] = num(n, Gga.SATS);
  f[F.HDOP] = num(n, Gga.HDOP);
  dropUnlessFix(f, q > 0);
  return true;
}

function vtg(n: Nmea): boolean {
  var f = n.f;
  var knots, kmh;
  var mode = -1;
  f[F.COURSE] = num(n, Vtg.COURSE);
  if (charAt(n, Vtg.UNIT_T) === 84 || charAt(n, Vtg.UNIT_M) === 77 || charAt(n, Vtg.UNIT_N) === 78 || charAt(n, Vtg.UNIT_K) === 75) {
    knots = num(n, Vtg.KNOTS);
    kmh = num(n, Vtg.KMH);
    if (!empty(n, Vtg.MODE)) mode = modeFix(charAt(n, Vtg.MODE));
  } else {
    knots = num(n, Vtg.KNOTS_V1);
    kmh = num(n, Vtg.KMH_V1);
  }
  f[F.SPEED] = kmh === kmh ? kmh / 3.6 : knots * KNOT;
  if (mode === 0) {
    f[F.SPEED] = NaN;
    f[F.COURSE] = NaN;
  }
  return true;
}

// ---- epochs ----------------------------------------------------------------------------------------------

function out(n: Nmea, sig: number, v: number, t: number): void {
  if (v < SIG_MIN[sig] || v > SIG_MAX[sig]) {
    n.stats[NmeaStat.RANGE]++;
    return;
  }
  sinkSet(n.sink, sig, v, t);
}

/** The complete epoch's samples, in the simulator's order: fix, lat, lon, speed, course, hdop, sats. */
function emitEpoch(n: Nmea, t: number): void {
  var ep = n.ep;
  var fix = ep[F.FIX];
  var hasPos = fix !== 0 && ep[F.LAT] === ep[F.LAT] && ep[F.LON] === ep[F.LON];
  var day = ep[F.DATE] === ep[F.DATE] ? ep[F.DATE] : n.date;
  if (!(fix >= 0 || hasPos || ep[F.SPEED] === ep[F.SPEED] || ep[F.COURSE] === ep[F.COURSE] || ep[F.HDOP] === ep[F.HDOP] || ep[F.SATS] === ep[F.SATS])) return;
  if (n.onTime) n.onTime(day + ep[F.TOD], t);
  if (fix === 0) {
    out(n, Sig.GNSS_FIX, 0, t);
    return;
  }
  if (fix >= 0) out(n, Sig.GNSS_FIX, fix, t);
  else if (hasPos) out(n, Sig.GNSS_FIX, 1, t);
  if (hasPos) {
    out(n, Sig.GNSS_LAT, ep[F.LAT], t);
    out(n, Sig.GNSS_LON, ep[F.LON], t);
  }
  if (ep[F.SPEED] === ep[F.SPEED]) out(n, Sig.GNSS_SPEED, ep[F.SPEED], t);
  if (ep[F.COURSE] === ep[F.COURSE]) out(n, Sig.GNSS_COURSE, ep[F.COURSE], t);
  if (ep[F.HDOP] === ep[F.HDOP]) out(n, Sig.GNSS_HDOP, ep[F.HDOP], t);
  if (ep[F.SATS] === ep[F.SATS]) out(n, Sig.GNSS_SATS, ep[F.SATS], t);
}

/** Ends the open epoch: its samples go to the sink at board time t (untimed epochs cannot be placed: dropped). */
export function nmeaFlush(n: Nmea, t: number): void {
  if (!n.open) return;
  n.stats[NmeaStat.EPOCHS]++;
  if (n.ep[F.TOD] < 0) n.stats[NmeaStat.UNTIMED]++;
  else emitEpoch(n, t);
  n.open = false;
  n.types = 0;
  clearFacts(n.ep);
}

/** First statement wins; fix quality by source rank. */
function take(ep: Float64Array, f: Float64Array): void {
  var k;
  if (f[F.DATE] === f[F.DATE] && ep[F.DATE] !== ep[F.DATE]) ep[F.DATE] = f[F.DATE];
  if (f[F.FIX] >= 0 && f[F.RANK] > ep[F.RANK]) {
    ep[F.FIX] = f[F.FIX];
    ep[F.RANK] = f[F.RANK];
  }
  if (ep[F.LAT] !== ep[F.LAT] && f[F.LAT] === f[F.LAT] && f[F.LON] === f[F.LON]) {
    ep[F.LAT] = f[F.LAT];
    ep[F.LON] = f[F.LON];
  }
  for (k = F.SPEED; k <= F.SATS; k++) if (ep[k] !== ep[k] && f[k] === f[k]) ep[k] = f[k];
}

function addToEpoch(n: Nmea, type: number, t: number): void {
  var f = n.f;
  var ep = n.ep;
  var repeated;
  if (n.open) {
    repeated = (n.types & type & T_SPLIT) !== 0;
    if (f[F.TOD] >= 0 ? (ep[F.TOD] >= 0 ? f[F.TOD] !== ep[F.TOD] : repeated) : repeated) nmeaFlush(n, t);
  }
  n.open = true;
  if (f[F.TOD] >= 0) ep[F.TOD] = f[F.TOD];
  if (f[F.DATE] === f[F.DATE]) n.date = f[F.DATE];
  n.types |= type;
  take(ep, f);
}

// ---- framing ---------------------------------------------------------------------------------------------

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** Splits line[1…end) at commas into the field tables. */
function split(n: Nmea, end: number): void {
  var k = 0;
  var p;
  n.fs[0] = 1;
  for (p = 1; p < end; p++) {
    if (n.line[p] === 44) {
      n.fe[k] = p;
      if (k + 1 < MAX_FIELDS) {
        k++;
        n.fs[k] = p + 1;
      }
    }
  }
  n.fe[k] = end;
  n.nf = k + 1;
}

/** The sentence type of a talker + type address (T_* bit), 0 for a type the device does not read, −1 for no NMEA address. */
function sentenceType(n: Nmea, end: number): number {
  var b = n.line;
  var a = 1;
  while (a < end && b[a] !== 44 && b[a] !== 42) a++;
  if (a - 1 >= 2 && b[1] === 80) return 0; // proprietary ($P…): nothing the catalogue has
  if (a - 1 !== 5 || !isUpper(b[1]) || !(isUpper(b[2]) || (b[2] >= 48 && b[2] <= 57)) || !isUpper(b[3]) || !isUpper(b[4]) || !isUpper(b[5])) return -1;
  if (b[3] === 82 && b[4] === 77 && b[5] === 67) return T_RMC;
  if (b[3] === 71 && b[4] === 71 && b[5] === 65) return T_GGA;
  if (b[3] === 86 && b[4] === 84 && b[5] === 71) return T_VTG;
  return 0;
}

/** A complete candidate in line[0…len); atEol: it ended at a line end (not at the next sentence's start). */
function sentence(n: Nmea, atEol: boolean, t: number): void {
  var b = n.line;
  var len = n.len;
  var x = 0;
  var k, h1, h2, type, ok;
  n.stats[NmeaStat.SENTENCES]++;
  while (atEol && len > 1 && (b[len - 1] === 32 || b[len - 1] === 9)) len--;
  for (k = 1; k < len && b[k] !== 42; k++) x ^= b[k];
  if (k === len) {
    if (!atEol) {
      n.stats[NmeaStat.MALFORMED]++; // cut short by the next sentence's start
      return;
    }
  } else {
    h1 = k + 1 < len ? hexVal(b[k + 1]) : -1;
    h2 = k + 2 < len ? hexVal(b[k + 2]) : -1;
    if (h1 < 0 || h2 < 0) {
      n.stats[NmeaStat.MALFORMED]++;
      return;
    }
    if (((h1 << 4) | h2) !== x) {
      n.stats[NmeaStat.CHECKSUM]++;
      return;
    }
  }
  type = sentenceType(n, k);
  if (type <= 0) {
    n.stats[type < 0 ? NmeaStat.MALFORMED : NmeaStat.IGNORED]++;
    return;
  }
  split(n, k);
  clearFacts(n.f);
  ok = type === T_RMC ? rmc(n) : type === T_GGA ? gga(n) : vtg(n);
  if (!ok) {
    n.stats[NmeaStat.MALFORMED]++;
    return;
  }
  n.stats[NmeaStat.USED]++;
  addToEpoch(n, type, t);
}

/** Bytes from the receiver's UART, arrived at board time t. */
export function nmeaInput(n: Nmea, buf: Uint8Array, start: number, len: number, t: number): void {
  var i, c;
  n.stats[NmeaStat.BYTES] += len;
  for (i = start; i < start + len; i++) {
    c = buf[i];
    if (c === 36 || c === 33) {
      if (n.len > 0) sentence(n, false, t);
      n.line[0] = c;
      n.len = 1;
    } else if (c === 10 || c === 13) {
      if (n.len > 0) sentence(n, true, t);
      n.len = 0;
    } else if (n.len === 0) {
      n.stats[NmeaStat.GARBAGE]++;
    } else if (c < 32 || c > 126 || n.len === NMEA_MAX) {
      n.stats[NmeaStat.GARBAGE] += n.len + 1; // binary bytes, or longer than any sentence: not NMEA
      n.len = 0;
    } else {
      n.line[n.len++] = c;
    }
  }
}

/** Starts the reader's epoch state (call once after newNmea). */
export function nmeaReset(n: Nmea): void {
  clearFacts(n.f);
  clearFacts(n.ep);
  n.open = false;
  n.types = 0;
  n.len = 0;
}
