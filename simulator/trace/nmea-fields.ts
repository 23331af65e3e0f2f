/**
 * The fields of one NMEA 0183 sentence, straight from the bytes: where each comma-separated field lies
 * (field 0 is the address, e.g. GPRMC) and the parsers for the field kinds the sentences use.
 */
import { parseNum } from './scan.ts';

/** Fields beyond this many are folded into the last one (no sentence the reader uses has more). */
const MAX_FIELDS = 64;

/** hhmmss[.s…] → ms of day; EMPTY_TIME for an empty field, BAD_TIME when malformed. */
export const EMPTY_TIME = -1;
export const BAD_TIME = -2;

export class NmeaFields {
  /** Field i is buf[start[i]…end[i]−1]. */
  readonly start = new Int32Array(MAX_FIELDS);
  readonly end = new Int32Array(MAX_FIELDS);
  count = 0;

  constructor(readonly buf: Uint8Array) {}

  /** Splits buf[from…to−1] (the sentence after its start character, up to any '*') at commas. */
  split(from: number, to: number): void {
    const buf = this.buf;
    let n = 0;
    this.start[0] = from;
    for (let p = from; p < to; p++) {
      if (buf[p] === 44) {
        this.end[n] = p;
        if (n + 1 < MAX_FIELDS) { n++; this.start[n] = p + 1; }
      }
    }
    this.end[n] = to;
    this.count = n + 1;
  }

  empty(i: number): boolean { return i >= this.count || this.start[i] >= this.end[i]; }
  num(i: number): number { return i < this.count ? parseNum(this.buf, this.start[i], this.end[i]) : NaN; }
  /** The field's first byte, 0 when empty. */
  char(i: number): number { return i < this.count && this.end[i] > this.start[i] ? this.buf[this.start[i]] : 0; }

  /** hhmmss[.s…] → ms of day; EMPTY_TIME, or BAD_TIME when malformed. */
  time(i: number): number {
    if (this.empty(i)) return EMPTY_TIME;
    const buf = this.buf, s = this.start[i], e = this.end[i];
    if (e - s < 6) return BAD_TIME;
    let v = 0;
    for (let k = 0; k < 6; k++) { const c = buf[s + k] - 48; if (c < 0 || c > 9) return BAD_TIME; v = v * 10 + c; }
    const hh = (v / 10000) | 0, mm = ((v / 100) | 0) % 100, ss = v % 100;
    if (hh > 23 || mm > 59 || ss > 60) return BAD_TIME;
    let ms = ((hh * 60 + mm) * 60 + ss) * 1000;
    if (e > s + 6) {
      if (buf[s + 6] !== 46) return BAD_TIME;
      let scale = 100, frac = 0;
      for (let k = s + 7; k < e; k++) {
        const c = buf[k] - 48;
        if (c < 0 || c > 9) return BAD_TIME;
        frac += c * scale; scale /= 10;
      }
      ms += Math.round(frac * 1000) / 1000;
    }
    return ms;
  }

  /** ddmm.mmmm in field i + hemisphere in field i+1 → degrees; NaN when empty; Infinity when malformed. */
  coord(i: number, maxDeg: number): number {
    if (this.empty(i) || this.empty(i + 1)) return NaN;
    const v = this.num(i);
    const h = this.char(i + 1);
    if (v !== v || v < 0) return Infinity;
    const deg = Math.trunc(v / 100);
    const min = v - deg * 100;
    const d = deg + min / 60;
    if (min >= 60 || d > maxDeg) return Infinity;
    if (h === 83 || h === 87) return -d;
    if (h === 78 || h === 69) return d;
    return Infinity;
  }

  /** ddmmyy → UTC midnight in ms (years < 80 are 20xx); NaN when empty or malformed. */
  date(i: number): number {
    if (this.empty(i) || this.end[i] - this.start[i] !== 6) return NaN;
    let v = 0;
    for (let k = this.start[i]; k < this.end[i]; k++) { const c = this.buf[k] - 48; if (c < 0 || c > 9) return NaN; v = v * 10 + c; }
    const dd = (v / 10000) | 0, mo = ((v / 100) | 0) % 100, yy = v % 100;
    if (dd < 1 || dd > 31 || mo < 1 || mo > 12) return NaN;
    return Date.UTC(yy < 80 ? 2000 + yy : 1900 + yy, mo - 1, dd);
  }
}
