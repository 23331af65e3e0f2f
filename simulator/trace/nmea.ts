/**
 * NMEA 0183 reader: RMC, GGA, GLL, VTG, GSA, GNS and ZDA from any talker, straight from the bytes.
 *
 * - Every '$' or '!' starts a candidate sentence, so binary garbage and fused sentences resynchronise.
 *   The address must be a talker + type (`[A-Z][A-Z0-9][A-Z]{3}`) or proprietary (`P…`); anything else
 *   (e.g. SkyTraq's `$SkyTraq,Venus6` banner) is not NMEA and gets an issue.
 * - Checksums are verified when present; a sentence without one is accepted only if it runs to the end
 *   of its line (a '$' before any '*' means it was cut short).
 * - Sentences are parsed by nmea-sentences.ts (fields by nmea-fields.ts) and assembled into epochs, and epochs
 *   into samples, by nmea-epoch.ts (which says how times, dates and fix quality are decided).
 *
 * Accounting: lines = blankLines + commentLines + garbageLines + sentenceLines, and
 * sentences = notNmea + checksumErrors + malformed + proprietary + ignored + used.
 */
import { KindCounter, snippet, type ReadOptions, type TraceIssue, type TraceResult } from './issues.ts';
import { RecordSink } from './order.ts';
import { resolvePolicy } from './policy.ts';
import { latin1 } from './scan.ts';
import { NmeaFields } from './nmea-fields.ts';
import { newFacts, parseSentence, sentenceType } from './nmea-sentences.ts';
import { EpochAssembler } from './nmea-epoch.ts';

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

/** Counts that account for every line and every sentence (see the file comment). */
class Counts {
  lines = 0; blankLines = 0; commentLines = 0; garbageLines = 0; sentenceLines = 0; fusedLines = 0;
  garbageBytes = 0; sentences = 0; notNmea = 0; checksumErrors = 0; malformed = 0; proprietary = 0;
  ignored = 0; used = 0; noChecksum = 0;
}

/** One file's reading: line framing, sentence framing and checksums; parsing and epochs are delegated. */
class NmeaReader {
  readonly n = new Counts();
  readonly proprietary = new KindCounter();
  readonly ignored = new KindCounter();
  readonly fields: NmeaFields;
  readonly facts = newFacts();
  readonly epochs: EpochAssembler;

  constructor(readonly buf: Uint8Array, readonly file: string, readonly issues: TraceIssue[], sink: RecordSink) {
    this.fields = new NmeaFields(buf);
    this.epochs = new EpochAssembler(file, issues, sink);
  }

  issue(line: number, reason: string, from: number, to: number): void {
    this.issues.push({ file: this.file, line, reason, text: snippet(latin1(this.buf, from, to)) });
  }

  /** Reads line after line; each '$' or '!' starts a candidate sentence, running to the next one or the line end. */
  readLines(): void {
    const buf = this.buf, n = buf.length;
    let pos = 0, lineNo = 0;
    while (pos < n) {
      let nl = buf.indexOf(10, pos);
      if (nl < 0) nl = n;
      lineNo++;
      this.n.lines++;
      let ls = pos, le = nl;
      pos = nl + 1;
      while (le > ls && (buf[le - 1] === 13 || buf[le - 1] === 32 || buf[le - 1] === 9)) le--;
      while (ls < le && (buf[ls] === 32 || buf[ls] === 9)) ls++;
      this.readLine(ls, le, lineNo);
    }
  }

  readLine(ls: number, le: number, line: number): void {
    const buf = this.buf;
    if (ls === le) { this.n.blankLines++; return; }
    if (buf[ls] === 35) { this.n.commentLines++; return; }
    let cs = ls;
    while (cs < le && buf[cs] !== 36 && buf[cs] !== 33) cs++;
    if (cs === le) {
      this.n.garbageLines++;
      this.issue(line, 'no NMEA sentence on this line', ls, le);
      return;
    }
    if (cs > ls) {
      this.n.garbageBytes += cs - ls;
      this.issue(line, `${cs - ls} byte(s) of non-NMEA data before '${String.fromCharCode(buf[cs])}' skipped`, ls, cs);
    }
    this.n.sentenceLines++;
    let inLine = 0;
    while (cs < le) {
      let ce = cs + 1;
      while (ce < le && buf[ce] !== 36 && buf[ce] !== 33) ce++;
      inLine++;
      this.n.sentences++;
      this.sentence(cs, ce, ce === le, line);
      cs = ce;
    }
    if (inLine > 1) this.n.fusedLines++;
  }

  /** The address field's end, or −1 when the address is neither talker + type nor proprietary (P…). */
  addressEnd(cs: number, ce: number): number {
    const buf = this.buf;
    let a = cs + 1;
    while (a < ce && buf[a] !== 44 && buf[a] !== 42) a++;
    const alen = a - cs - 1;
    if (alen >= 2 && buf[cs + 1] === 80) {
      for (let k = cs + 1; k < a; k++) if (!isUpperDigit(buf[k])) return -1;
      return a;
    }
    const talkerAndType = alen === 5 && isUpper(buf[cs + 1]) && isUpperDigit(buf[cs + 2]) && isUpper(buf[cs + 3]) && isUpper(buf[cs + 4]) && isUpper(buf[cs + 5]);
    return talkerAndType ? a : -1;
  }

  /**
   * Checks the checksum (XOR of the bytes between the start character and '*') when there is one; a sentence
   * without one must run to the end of its line and be printable. Returns where the body ends, −1 if refused.
   */
  checksum(cs: number, ce: number, atEol: boolean, line: number): number {
    const buf = this.buf;
    let x = 0, k = cs + 1, printable = true;
    for (; k < ce; k++) {
      const c = buf[k];
      if (c === 42) break;
      if (c < 32 || c > 126) printable = false;
      x ^= c;
    }
    if (k === ce) {
      const refused = !atEol ? 'truncated sentence: no checksum before the next sentence start'
        : !printable ? 'sentence without checksum contains non-printable bytes' : '';
      if (refused) { this.n.malformed++; this.issue(line, refused, cs, ce); return -1; }
      this.n.noChecksum++;
      return k;
    }
    const h1 = k + 1 < ce ? hexVal(buf[k + 1]) : -1, h2 = k + 2 < ce ? hexVal(buf[k + 2]) : -1;
    if (h1 < 0 || h2 < 0) { this.n.malformed++; this.issue(line, 'malformed checksum field', cs, ce); return -1; }
    const got = (h1 << 4) | h2;
    let tail = k + 3;
    while (tail < ce && (buf[tail] === 32 || buf[tail] === 9 || buf[tail] === 13)) tail++;
    if (tail < ce) {
      this.n.garbageBytes += ce - (k + 3);
      this.issue(line, `${ce - (k + 3)} byte(s) of non-NMEA data after the checksum skipped`, k + 3, ce);
    }
    if (got !== x) {
      this.n.checksumErrors++;
      this.issue(line, `checksum mismatch: got ${hex2(got)}, computed ${hex2(x)}`, cs, k + 3);
      return -1;
    }
    return k;
  }

  sentence(cs: number, ce: number, atEol: boolean, line: number): void {
    const buf = this.buf;
    const a = this.addressEnd(cs, ce);
    if (a < 0) {
      this.n.notNmea++;
      this.issue(line, 'not an NMEA sentence (invalid address field)', cs, ce);
      return;
    }
    const bodyEnd = this.checksum(cs, ce, atEol, line);
    if (bodyEnd < 0) return;
    if (buf[cs + 1] === 80 && a - cs - 1 >= 2) return this.proprietarySentence(cs, a, bodyEnd, line);
    const type = sentenceType(buf, cs + 1);
    this.fields.split(cs + 1, bodyEnd);
    if (!parseSentence(type, this.fields, this.facts)) {
      this.n.ignored++;
      if (!this.ignored.bump(type)) this.ignored.first(type, latin1(buf, cs + 3, cs + 6), line, snippet(latin1(buf, cs, bodyEnd)));
      return;
    }
    if (this.facts.bad) {
      this.n.malformed++;
      this.issue(line, `malformed ${latin1(buf, cs + 1, a)}: ${this.facts.bad}`, cs, bodyEnd);
      return;
    }
    this.epochs.add(this.facts, line);
    this.n.used++;
  }

  /** Proprietary sentences carry no catalogue signal: counted per kind, reported once. */
  proprietarySentence(cs: number, a: number, bodyEnd: number, line: number): void {
    const buf = this.buf;
    this.n.proprietary++;
    let key = 0;
    for (let q = cs + 1; q < a && q < cs + 9; q++) key = key * 43 + (buf[q] - 47);
    key = key * 16 + Math.min(a - cs - 1, 15);
    if (!this.proprietary.bump(key)) this.proprietary.first(key, latin1(buf, cs + 1, a), line, snippet(latin1(buf, cs, bodyEnd)));
  }
}

export function readNmea(buf: Uint8Array, file: string, opts: ReadOptions = {}): TraceResult {
  const stats: Record<string, number> = {};
  const issues: TraceIssue[] = [];
  const sink = new RecordSink(file, issues, resolvePolicy(opts.policy), Math.max(1024, (buf.length / 40) | 0));
  const r = new NmeaReader(buf, file, issues, sink);
  r.readLines();
  r.epochs.finish(opts.startMs);
  r.proprietary.flush(file, r.issues, stats, 'proprietary.', (k, c) => `proprietary sentence $${k} skipped (${c} in file, first on this line)`);
  r.ignored.flush(file, r.issues, stats, 'ignored.', (k, c) => `sentence type ${k} carries no catalogue signal, skipped (${c} in file, first on this line)`);
  const samples = sink.finish(stats);
  Object.assign(stats, { bytes: buf.length, ...r.n, ...r.epochs.stats() });
  issues.sort((p, q) => p.line - q.line);
  return { file, format: 'nmea', samples, issues, stats, hasDate: r.epochs.hasDate };
}
