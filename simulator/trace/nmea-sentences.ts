/**
 * NMEA 0183 sentence parsers: RMC, GGA, GLL, VTG, GSA, GNS and ZDA from any talker. Each reads its fields and
 * states what the sentence says about its epoch (SentenceFacts) — or why it is malformed — without knowing
 * about epochs; nmea-epoch.ts assembles the facts into samples.
 */
import { NmeaFields, BAD_TIME, EMPTY_TIME } from './nmea-fields.ts';
import { KNOT, T_RMC, T_GGA, T_GLL, T_VTG, T_GNS, T_GSA, T_ZDA, Rmc, Gga, Vtg, FixRank, modeFix } from '../../runtime/host/nmea-defs.ts';

// The sentence facts the device's NMEA reader shares (field positions, FAA modes, fix ranks): runtime/host/nmea-defs.ts.
export { T_RMC, T_GGA, T_GLL, T_VTG, T_GNS, T_GSA, T_ZDA };

/** What one sentence says. NaN / −1 mean "says nothing about it". */
export interface SentenceFacts {
  /** T_* bit of the sentence type. */
  type: number;
  /** UTC time of day in ms, or −1 (VTG, GSA, an empty time field). */
  tod: number;
  /** UTC midnight of the date it carries, or NaN. */
  date: number;
  /** Fix level (0 void, 1 GPS, 2 DGPS, …) or −1, and the priority of this source for it (GGA > GNS > RMC > GLL > GSA). */
  fix: number;
  fixRank: number;
  lat: number;
  lon: number;
  /** m/s */
  speed: number;
  course: number;
  hdop: number;
  sats: number;
  /** Why the sentence is malformed ('' when it is not); a malformed sentence says nothing. */
  bad: string;
}

export function newFacts(): SentenceFacts {
  return { type: 0, tod: EMPTY_TIME, date: NaN, fix: -1, fixRank: -1, lat: NaN, lon: NaN, speed: NaN, course: NaN, hdop: NaN, sats: NaN, bad: '' };
}

function clear(s: SentenceFacts, type: number): void {
  s.type = type; s.tod = EMPTY_TIME; s.date = NaN; s.fix = -1; s.fixRank = -1;
  s.lat = NaN; s.lon = NaN; s.speed = NaN; s.course = NaN; s.hdop = NaN; s.sats = NaN; s.bad = '';
}

/** Status A/V → 1/0, refined by a mode indicator in field `modeField`; `otherwise` for any other status. */
function statusFix(f: NmeaFields, statusField: number, modeField: number, otherwise: number): number {
  const status = f.char(statusField);
  let level = status === 65 ? 1 : status === 86 ? 0 : otherwise;
  if (level === 1 && !f.empty(modeField)) { const m = modeFix(f.char(modeField)); if (m >= 0) level = m; }
  return level;
}

/** Time (field ti) and position (fields li…li+3); false with s.bad set when either is malformed. */
function timeAndPosition(f: NmeaFields, s: SentenceFacts, ti: number, li: number, timeFirst: boolean): boolean {
  if (timeFirst) {
    s.tod = f.time(ti);
    if (s.tod === BAD_TIME) { s.bad = 'bad time field'; return false; }
  }
  s.lat = f.coord(li, 90);
  s.lon = f.coord(li + 2, 180);
  if (s.lat === Infinity || s.lon === Infinity) { s.bad = 'bad latitude/longitude field'; return false; }
  if (!timeFirst) {
    s.tod = f.time(ti);
    if (s.tod === BAD_TIME) { s.bad = 'bad time field'; return false; }
  }
  return true;
}

/** A position (and what comes with it) counts only with a fix. */
function dropUnlessFix(s: SentenceFacts, hasFix: boolean): void {
  if (hasFix) return;
  s.lat = NaN; s.lon = NaN; s.speed = NaN; s.course = NaN; s.hdop = NaN; s.sats = NaN;
}

function rmc(f: NmeaFields, s: SentenceFacts): void {
  if (!timeAndPosition(f, s, Rmc.TIME, Rmc.LAT, true)) return;
  s.date = f.date(Rmc.DATE);
  if (!f.empty(Rmc.DATE) && s.date !== s.date) { s.bad = 'bad date field'; return; }
  s.fix = statusFix(f, Rmc.STATUS, Rmc.MODE, -1);
  s.fixRank = FixRank.RMC;
  const sp = f.num(Rmc.SPEED_KNOTS);
  s.speed = sp * KNOT;
  s.course = f.num(Rmc.COURSE);
  dropUnlessFix(s, s.fix > 0);
}

function gga(f: NmeaFields, s: SentenceFacts): void {
  if (!timeAndPosition(f, s, Gga.TIME, Gga.LAT, true)) return;
  const q = f.empty(Gga.QUALITY) ? -1 : f.num(Gga.QUALITY);
  if (q === q && q >= 0 && q <= 8) { s.fix = q; s.fixRank = FixRank.GGA; }
  s.sats = f.num(Gga.SATS);
  s.hdop = f.num(Gga.HDOP);
  dropUnlessFix(s, q > 0);
}

function gll(f: NmeaFields, s: SentenceFacts): void {
  if (!timeAndPosition(f, s, 5, 1, false)) return;
  s.fix = statusFix(f, 6, 7, s.lat === s.lat ? 1 : -1); // NMEA 1.x GLL has no status
  s.fixRank = FixRank.GLL;
  dropUnlessFix(s, s.fix > 0);
}

function gns(f: NmeaFields, s: SentenceFacts): void {
  if (!timeAndPosition(f, s, 1, 2, true)) return;
  let level = -1;
  if (!f.empty(6)) for (let k = f.start[6]; k < f.end[6]; k++) level = Math.max(level, modeFix(f.buf[k]));
  s.fix = level;
  s.fixRank = FixRank.GNS;
  s.sats = f.num(7);
  s.hdop = f.num(8);
  dropUnlessFix(s, level > 0);
}

function vtg(f: NmeaFields, s: SentenceFacts): void {
  let knots: number, kmh: number, mode = -1;
  s.course = f.num(Vtg.COURSE);
  if (f.char(Vtg.UNIT_T) === 84 || f.char(Vtg.UNIT_M) === 77 || f.char(Vtg.UNIT_N) === 78 || f.char(Vtg.UNIT_K) === 75) { // NMEA 2+: value,unit pairs
    knots = f.num(Vtg.KNOTS); kmh = f.num(Vtg.KMH);
    if (!f.empty(Vtg.MODE)) mode = modeFix(f.char(Vtg.MODE));
  } else { knots = f.num(Vtg.KNOTS_V1); kmh = f.num(Vtg.KMH_V1); } // NMEA 1.x: true, magnetic, knots, km/h
  s.speed = kmh === kmh ? kmh / 3.6 : knots * KNOT;
  if (mode === 0) { s.speed = NaN; s.course = NaN; }
}

function gsa(f: NmeaFields, s: SentenceFacts): void {
  const type = f.num(2);
  if (type === 1) { s.fix = 0; s.fixRank = FixRank.GSA; } else if (type === 2 || type === 3) { s.fix = 1; s.fixRank = FixRank.GSA; }
  if (type >= 2) s.hdop = f.num(16);
}

function zda(f: NmeaFields, s: SentenceFacts): void {
  s.tod = f.time(1);
  if (s.tod === BAD_TIME) { s.bad = 'bad time field'; return; }
  const d = f.num(2), m = f.num(3), y = f.num(4);
  if (d === d && m === m && y === y) {
    if (d < 1 || d > 31 || m < 1 || m > 12 || y < 1980 || y > 2200) { s.bad = 'bad date field'; return; }
    s.date = Date.UTC(y, m - 1, d);
  }
}

function code3(a: number, b: number, c: number): number { return (a << 16) | (b << 8) | c; }

/** Parser and type bit by the sentence type's three letters (code3 of their bytes). */
const PARSERS = new Map<number, { type: number; parse: (f: NmeaFields, s: SentenceFacts) => void }>([
  [code3(82, 77, 67), { type: T_RMC, parse: rmc }],
  [code3(71, 71, 65), { type: T_GGA, parse: gga }],
  [code3(71, 76, 76), { type: T_GLL, parse: gll }],
  [code3(86, 84, 71), { type: T_VTG, parse: vtg }],
  [code3(71, 83, 65), { type: T_GSA, parse: gsa }],
  [code3(71, 78, 83), { type: T_GNS, parse: gns }],
  [code3(90, 68, 65), { type: T_ZDA, parse: zda }],
]);

/** The sentence type of an address at buf[at] (talker + 3 letters), as a number for counting. */
export function sentenceType(buf: Uint8Array, at: number): number {
  return code3(buf[at + 2], buf[at + 3], buf[at + 4]);
}

/** Parses the fields as sentence `type` into s; false when the type carries no catalogue signal. */
export function parseSentence(type: number, f: NmeaFields, s: SentenceFacts): boolean {
  const p = PARSERS.get(type);
  if (!p) return false;
  clear(s, p.type);
  p.parse(f, s);
  return true;
}
