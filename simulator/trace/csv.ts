/**
 * CSV reader driven by a column mapping (built-in presets live in csv-presets.ts).
 *
 * value = raw × scale × unit factor + offset (offset in catalogue units). Rows become records: the
 * mapped columns are pushed in mapping order, then accel.mag (√(x²+y²+z²)) when the three axes are
 * mapped, so shock rules work on any accelerometer source. Empty cells are simply absent; a cell
 * that is not a number is an issue (the rest of the row is kept); a row without a usable time or with
 * too few fields is an issue and skipped. Accounting: lines = blankLines + commentLines + headerLines
 * + rows, and rows = records + badRows + droppedBackwards.
 */
import { Catalogue, signalMeta, type SignalName } from '../../compiler/dsl/catalogue.ts';
import type { CsvColumn, CsvMapping, CsvTimeUnit, CsvValueUnit } from './csv-mapping.ts';
import { snippet, type ReadOptions, type TraceIssue, type TraceResult } from './issues.ts';
import { RecordSink, SIG_MAX, SIG_MIN } from './order.ts';
import { resolvePolicy } from './policy.ts';
import { FIELD, latin1, parseIsoMs, parseNum, parseShifted, scanField } from './scan.ts';

const G = 9.80665;
const UNIT_FACTOR: Record<CsvValueUnit, number> = {
  g: 1, 'm/s2': 1 / G, 'm/s': 1, 'km/h': 1 / 3.6, knots: 1852 / 3600, mph: 0.44704, deg: 1, rad: 180 / Math.PI,
  ms: 1, s: 1000, 'as-is': 1,
};
/** Decimal-point shift from the time unit to ms (s → ms moves the point 3 places right). */
const TIME_SHIFT: Record<CsvTimeUnit, number> = { s: -3, ms: 0, us: 3, ns: 6, iso: 0 };
/** The units a mapping may name: for values (converted to the signal's catalogue unit) and for the time column. */
export const CSV_VALUE_UNITS = Object.keys(UNIT_FACTOR) as CsvValueUnit[];
export const CSV_TIME_UNITS = Object.keys(TIME_SHIFT) as CsvTimeUnit[];

const AX = signalMeta('accel.x').id, AY = signalMeta('accel.y').id, AZ = signalMeta('accel.z').id;
const AMAG = signalMeta('accel.mag').id, LAT = signalMeta('gnss.lat').id, LON = signalMeta('gnss.lon').id;
const FIX = signalMeta('gnss.fix').id;

/** Three axis columns in the file's order, e.g. axes('accel', ['z', 'y', 'x'], 'zyx', 'm/s2'). */
export function axes(prefix: 'accel', columns: readonly [string | number, string | number, string | number], order = 'xyz', unit?: CsvValueUnit): CsvColumn[] {
  const out: CsvColumn[] = [];
  for (const axis of 'xyz') {
    const k = order.indexOf(axis);
    if (k < 0 || order.length !== 3) throw new Error(`axis order "${order}" must be a permutation of xyz`);
    out.push({ column: columns[k], signal: `${prefix}.${axis}` as SignalName, unit });
  }
  return out;
}

/** Header cell → comparable key: lower case, collapsed blanks; `base` drops any "(unit)" / ":" suffix. */
export function headerKey(s: string): string { return s.trim().replace(/\s+/g, ' ').toLowerCase(); }
export function headerBase(s: string): string {
  const k = headerKey(s);
  const cut = k.search(/[(:]/);
  return (cut < 0 ? k : k.slice(0, cut)).trim();
}

export function findColumn(header: readonly string[], col: string | number): number {
  if (typeof col === 'number') return col < header.length || header.length === 0 ? col : -1;
  const key = headerKey(col);
  let i = header.findIndex((h) => headerKey(h) === key);
  if (i >= 0) return i;
  const base = headerBase(col);
  i = header.findIndex((h) => headerBase(h) === base);
  return i;
}

/** Splits one CSV line (quotes honoured) — for headers; rows use the byte-level loop. */
export function splitCsvLine(line: string, delim: string): string[] {
  const out: string[] = [];
  let cur = '', q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"') { if (line[i + 1] === '"') { cur += '"'; i++; } else q = false; }
      else cur += c;
    } else if (c === '"' && cur === '') q = true;
    else if (c === delim) { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out;
}

export function detectDelimiter(line: string): string {
  let best = ',', bestN = 0;
  for (const d of [',', ';', '\t']) {
    const k = line.split(d).length - 1;
    if (k > bestN) { best = d; bestN = k; }
  }
  return best;
}

/** Byte offsets of the header line: first line that is neither blank nor a '#' comment. */
export function headerLine(buf: Uint8Array): { start: number; end: number; next: number; lineNo: number; skipped: number; blank: number } {
  let pos = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  let lineNo = 0, skipped = 0, blank = 0;
  while (pos < buf.length) {
    let nl = buf.indexOf(10, pos);
    if (nl < 0) nl = buf.length;
    lineNo++;
    let e = nl;
    while (e > pos && (buf[e - 1] === 13 || buf[e - 1] === 32)) e--;
    let s = pos;
    while (s < e && (buf[s] === 32 || buf[s] === 9)) s++;
    if (s === e) blank++;
    else if (buf[s] === 35) skipped++;
    else return { start: s, end: e, next: nl + 1, lineNo, skipped, blank };
    pos = nl + 1;
  }
  return { start: pos, end: pos, next: buf.length, lineNo, skipped, blank };
}

export function readCsvHeader(buf: Uint8Array, delimiter?: string): { cells: string[]; delimiter: string } {
  const h = headerLine(buf);
  const text = Buffer.from(buf.buffer, buf.byteOffset + h.start, h.end - h.start).toString('utf8');
  const d = delimiter ?? detectDelimiter(text);
  return { cells: splitCsvLine(text, d), delimiter: d };
}

export function readCsv(buf: Uint8Array, file: string, mapping: CsvMapping, opts: ReadOptions = {}, format = 'csv'): TraceResult {
  const issues: TraceIssue[] = [];
  const stats: Record<string, number> = {};
  const hasHeader = mapping.header !== false;
  const h = headerLine(buf);
  const headerText = Buffer.from(buf.buffer, buf.byteOffset + h.start, h.end - h.start).toString('utf8');
  const delim = mapping.delimiter ?? detectDelimiter(headerText);
  if (delim.length !== 1) throw new Error(`${file}: CSV delimiter must be one character`);
  const D = delim.charCodeAt(0);
  const sep = mapping.decimalComma && D !== 44 ? 44 : 46;
  const header = hasHeader ? splitCsvLine(headerText, delim) : [];

  // column → slot
  const from = mapping.name ? `, from ${mapping.name}` : '';
  const columns = `(its columns: ${header.map((h) => JSON.stringify(h.trim())).join(', ')})`;
  const timeCol = findColumn(header, mapping.time.column);
  if (timeCol < 0) throw new Error(`${file}: time column "${mapping.time.column}"${from} not found in the CSV header ${columns}`);
  const tUnit = mapping.time.unit;
  if (!(tUnit in TIME_SHIFT)) throw new Error(`${file}: unknown time unit "${tUnit}"`);
  const iso = tUnit === 'iso';
  const absolute = mapping.time.absolute ?? iso;
  const tShift = TIME_SHIFT[tUnit];
  const tBase = absolute ? 0 : (opts.startMs ?? 0);
  const nSlots = mapping.columns.length;
  const slotCol = new Int32Array(nSlots), slotSig = new Uint8Array(nSlots);
  const slotFactor = new Float64Array(nSlots), slotOffset = new Float64Array(nSlots), slotHeld = new Uint8Array(nSlots);
  const heldSet = new Set(mapping.held ?? []);
  let maxCol = timeCol;
  for (let k = 0; k < nSlots; k++) {
    const c = mapping.columns[k];
    if (!(c.signal in Catalogue)) throw new Error(`${file}: "${c.signal}" is not a catalogue signal`);
    const idx = findColumn(header, c.column);
    if (idx < 0) throw new Error(`${file}: column "${c.column}" (for ${c.signal}${from}) not found in the CSV header ${columns}`);
    const unit = c.unit ?? 'as-is';
    if (!(unit in UNIT_FACTOR)) throw new Error(`${file}: unknown unit "${unit}" for ${c.signal}`);
    slotCol[k] = idx;
    slotSig[k] = signalMeta(c.signal).id;
    slotFactor[k] = (c.scale ?? 1) * UNIT_FACTOR[unit];
    slotOffset[k] = c.offset ?? 0;
    slotHeld[k] = heldSet.has(c.signal) ? 1 : 0;
    if (idx > maxCol) maxCol = idx;
  }
  const nCols = Math.max(maxCol + 1, header.length);
  const colSlot = new Int32Array(nCols + 1).fill(-1); // -2 = time
  colSlot[timeCol] = -2;
  for (let k = 0; k < nSlots; k++) {
    if (colSlot[slotCol[k]] !== -1) throw new Error(`${file}: column ${slotCol[k]} mapped twice`);
    colSlot[slotCol[k]] = k;
  }
  const sigs = Array.from(slotSig);
  const slotX = sigs.indexOf(AX), slotY = sigs.indexOf(AY), slotZ = sigs.indexOf(AZ);
  const doMag = (mapping.accelMag ?? (slotX >= 0 && slotY >= 0 && slotZ >= 0 && !sigs.includes(AMAG))) && slotX >= 0 && slotY >= 0 && slotZ >= 0;
  const slotLat = sigs.indexOf(LAT), slotLon = sigs.indexOf(LON);
  const doFix = (mapping.impliedFix ?? (slotLat >= 0 && slotLon >= 0 && !sigs.includes(FIX))) && slotLat >= 0 && slotLon >= 0;

  const rowVal = new Float64Array(nSlots);
  const countFields = false; // stats do not need the field count of each row beyond the mapped columns
  const lastHeld = new Float64Array(nSlots).fill(NaN);
  const sink = new RecordSink(file, issues, resolvePolicy(opts.policy), Math.max(1024, ((buf.length / (8 * (nCols || 1))) * (nSlots + 1)) | 0));

  let lines = h.lineNo - 1, blankLines = h.blank, commentLines = h.skipped, headerLines = 0;
  let rows = 0, badRows = 0, badValues = 0, emptyValues = 0, heldRepeats = 0, impliedFix = 0;
  let pos: number;
  if (hasHeader) { headerLines = 1; lines++; pos = h.next; }
  else { // the first non-comment line is data: start at its beginning
    pos = h.start;
    while (pos > 0 && buf[pos - 1] !== 10) pos--;
  }
  let lineNo = hasHeader ? h.lineNo : h.lineNo - 1;
  const n = buf.length;

  while (pos < n) {
    lineNo++;
    lines++;
    // blank / comment check
    let s = pos;
    while (s < n && (buf[s] === 32 || buf[s] === 9)) s++;
    const c0 = s < n ? buf[s] : 10;
    if (c0 === 10 || c0 === 13) {
      let nl = buf.indexOf(10, s);
      if (nl < 0) nl = n;
      // a line of only blanks/CR
      let only = true;
      for (let k = s; k < nl; k++) if (buf[k] !== 13 && buf[k] !== 32 && buf[k] !== 9) { only = false; break; }
      if (only) { blankLines++; pos = nl + 1; continue; }
    }
    if (c0 === 35) {
      let nl = buf.indexOf(10, s);
      if (nl < 0) nl = n;
      commentLines++; pos = nl + 1; continue;
    }
    rows++;
    // fields: mapped numeric columns are parsed while scanned (one pass)
    let col = 0, t = NaN, bad = -1, nFields = 0;
    for (let k = 0; k < nSlots; k++) rowVal[k] = NaN;
    let p = pos;
    for (;;) {
      const slot = col < nCols ? colSlot[col] : -1;
      if (buf[p] === 34 || (slot === -2 && iso)) { // quoted field or ISO time: find the end, then parse
        let fStart = p, fe: number;
        if (buf[p] === 34) {
          let q = p + 1;
          while (q < n && !(buf[q] === 34 && buf[q + 1] !== 34)) q += buf[q] === 34 ? 2 : 1;
          fStart = p + 1; fe = q; p = q + 1;
          while (p < n && buf[p] !== D && buf[p] !== 10) p++;
        } else {
          while (p < n && buf[p] !== D && buf[p] !== 10) p++;
          fe = p;
          if (fe > fStart && buf[fe - 1] === 13) fe--;
        }
        if (slot === -2) t = iso ? parseIsoMs(buf, fStart, fe) : parseShifted(buf, fStart, fe, tShift) + tBase;
        else if (slot >= 0) {
          const v = parseNum(buf, fStart, fe, sep);
          if (v === v) rowVal[slot] = v;
          else if (fe > fStart && !isNaWord(buf, fStart, fe)) { if (bad < 0) bad = slot; }
          else emptyValues++;
        }
      } else if (slot === -1) {
        while (p < n) { const c = buf[p]; if (c === D || c === 10) break; p++; }
      } else {
        const v = scanField(buf, p, n, D, sep, slot === -2 ? tShift : 0);
        p = FIELD.end;
        if (slot === -2) t = v + tBase;
        else if (FIELD.state === 0) rowVal[slot] = v;
        else if (FIELD.state === 1) emptyValues++;
        else {
          let fs = p; while (fs > 0 && buf[fs - 1] !== D && buf[fs - 1] !== 10) fs--;
          if (isNaWord(buf, fs, p - (buf[p - 1] === 13 ? 1 : 0))) emptyValues++; else if (bad < 0) bad = slot;
        }
      }
      col++;
      nFields++;
      if (p >= n || buf[p] === 10) { pos = p + 1; break; }
      p++;
      if (col > maxCol && !countFields) { // nothing mapped further right: jump to the end of the line
        const nl = buf.indexOf(10, p);
        pos = nl < 0 ? n : nl + 1;
        break;
      }
    }
    if (nFields <= maxCol) {
      badRows++;
      issues.push({ file, line: lineNo, reason: `row has ${nFields} field(s), the mapping needs ${maxCol + 1}; skipped`, text: rowText(buf, lineStart(buf, pos - 1)) });
      continue;
    }
    if (t !== t) {
      badRows++;
      issues.push({ file, line: lineNo, reason: `no usable time in column ${timeCol + 1}${header[timeCol] ? ` ("${header[timeCol].trim()}")` : ''}; row skipped`, text: rowText(buf, lineStart(buf, pos - 1)) });
      continue;
    }
    if (bad >= 0) {
      badValues++;
      issues.push({ file, line: lineNo, reason: `value for ${mapping.columns[bad].signal} in column ${slotCol[bad] + 1} is not a number; omitted`, text: rowText(buf, lineStart(buf, pos - 1)) });
    }
    if (!sink.begin(t, lineNo)) continue;
    // a held position is one unit: pushed (lat and lon) when either changed
    let posChanged = true;
    if (slotLat >= 0 && slotLon >= 0 && (slotHeld[slotLat] === 1 || slotHeld[slotLon] === 1)) {
      posChanged = rowVal[slotLat] * slotFactor[slotLat] + slotOffset[slotLat] !== lastHeld[slotLat] ||
        rowVal[slotLon] * slotFactor[slotLon] + slotOffset[slotLon] !== lastHeld[slotLon];
    }
    // write the row's samples straight into the sink's columns (the hot path of IMU files)
    sink.reserve(nSlots + 2);
    const T = sink.T, S = sink.S, V = sink.V;
    let m = sink.n;
    for (let k = 0; k < nSlots; k++) {
      const raw = rowVal[k];
      if (raw !== raw) continue;
      const v = raw * slotFactor[k] + slotOffset[k];
      if (slotHeld[k] === 1) {
        if (k === slotLat || k === slotLon ? !posChanged : v === lastHeld[k]) { heldRepeats++; continue; }
        lastHeld[k] = v;
      }
      const g = slotSig[k];
      if (v < SIG_MIN[g] || v > SIG_MAX[g]) { sink.rejectRange(g, v); continue; }
      if (doFix && k === slotLat && rowVal[slotLon] === rowVal[slotLon]) { T[m] = t; S[m] = FIX; V[m] = 1; m++; impliedFix++; }
      T[m] = t; S[m] = g; V[m] = v; m++;
    }
    if (doMag) {
      const x = rowVal[slotX], y = rowVal[slotY], z = rowVal[slotZ];
      if (x === x && y === y && z === z) {
        const fx = x * slotFactor[slotX] + slotOffset[slotX], fy = y * slotFactor[slotY] + slotOffset[slotY], fz = z * slotFactor[slotZ] + slotOffset[slotZ];
        const mag = Math.sqrt(fx * fx + fy * fy + fz * fz);
        if (mag <= SIG_MAX[AMAG]) { T[m] = t; S[m] = AMAG; V[m] = mag; m++; } else sink.rejectRange(AMAG, mag);
      }
    }
    sink.n = m;
  }

  const samples = sink.finish(stats);
  Object.assign(stats, { bytes: buf.length, lines, blankLines, commentLines, headerLines, rows, badRows, badValues, emptyValues, heldRepeats, impliedFix });
  issues.sort((a, b) => a.line - b.line);
  return { file, format, samples, issues, stats, hasDate: absolute };
}

function isNaWord(b: Uint8Array, s: number, e: number): boolean {
  const len = e - s;
  if (len === 3) { const w = (b[s] | 32) << 16 | (b[s + 1] | 32) << 8 | (b[s + 2] | 32); return w === 0x6e616e; } // nan
  if (len === 2) return (b[s] | 32) === 110 && (b[s + 1] | 32) === 97; // na
  return len === 1 && b[s] === 45; // "-"
}

function lineStart(b: Uint8Array, p: number): number {
  while (p > 0 && b[p - 1] !== 10) p--;
  return p;
}

function rowText(b: Uint8Array, from: number): string {
  const s = lineStart(b, Math.min(from, b.length));
  let e = b.indexOf(10, s);
  if (e < 0) e = b.length;
  return snippet(latin1(b, s, e).replace(/\r$/, ''));
}
