/**
 * Native trace format: records {"t": <ms epoch>, "<signal>": value, …} validated against the catalogue
 * schema (native-schema.ts), as JSON Lines (one record per line) or CBOR (a sequence of records, or
 * arrays of records, decoded with cbor-x). It carries every catalogue signal, discrete ones included.
 *
 * - Samples of a record are emitted in the record's key order; `null` (JSONL) or NaN (CBOR) = unknown.
 * - A record with accel.x/y/z but no accel.mag gets accel.mag derived (counted in `derivedMag`).
 * - Optional header record {"edgerule":"trace","version":1,"hasDate":…}; without it, hasDate is true
 *   when the first record's t is on or after 1971-01-01. Undated traces take opts.startMs as their start.
 * - Invalid records are issues naming file:line (JSONL) or the byte offset (CBOR) and the schema rule.
 * Accounting (JSONL): lines = blankLines + badJson + headerRecords + validRecords + invalidRecords, and
 * validRecords = records + droppedBackwards.
 */
import { Decoder, Encoder } from 'cbor-x';
import { SIGNAL_BY_ID, SIGNAL_NAMES, signalMeta } from '../../compiler/dsl/catalogue.ts';
import { snippet, type ReadOptions, type TraceIssue, type TraceResult } from './issues.ts';
import { headerValidator, recordError, recordValidator } from './native-schema.ts';
import { RecordSink } from './order.ts';
import { resolvePolicy } from './policy.ts';
import type { SampleColumns } from './samples.ts';

const SIG_ID = new Map<string, number>(SIGNAL_NAMES.map((n) => [n, signalMeta(n).id]));
const AX = signalMeta('accel.x').id, AY = signalMeta('accel.y').id, AZ = signalMeta('accel.z').id, AMAG = signalMeta('accel.mag').id;
const YEAR_1971 = 31_536_000_000;

interface Emitter {
  sink: RecordSink;
  issues: TraceIssue[];
  file: string;
  records: number; invalid: number; derivedMag: number; headers: number;
  hasDate: boolean | undefined;
  firstT: number;
  /** Keys that name no catalogue signal: how many records had each, and where the first was. */
  unknownKeys: Map<string, { records: number; line: number; offset?: number }>;
}

/** Catalogue names a misspelt key probably meant: same name in another case, or the part after the dot ("lat" → gnss.lat). */
function meant(key: string): string[] {
  const k = key.toLowerCase();
  return SIGNAL_NAMES.filter((n) => n.toLowerCase() === k || n.toLowerCase().split('.').pop() === k);
}

/** Counts the keys of a refused record that name no signal. */
function noteUnknownKeys(em: Emitter, r: Record<string, unknown>, where: { line: number; offset?: number }): void {
  for (const k in r) {
    if (k === 't' || SIG_ID.has(k)) continue;
    const seen = em.unknownKeys.get(k);
    if (seen) seen.records++;
    else em.unknownKeys.set(k, { records: 1, ...where });
  }
}

/** One issue naming every unknown key (with what it probably meant), at the first record that had one. */
function unknownKeysIssue(em: Emitter): TraceIssue | undefined {
  if (!em.unknownKeys.size) return undefined;
  const first = [...em.unknownKeys.values()].sort((a, b) => a.line - b.line || (a.offset ?? 0) - (b.offset ?? 0))[0];
  const keys = [...em.unknownKeys].map(([k, v]) => {
    const guess = meant(k);
    return `"${k}" (${v.records} record${v.records === 1 ? '' : 's'}${guess.length ? `; did you mean ${guess.join(' or ')}?` : ''})`;
  });
  return { file: em.file, line: first.line, ...(first.offset !== undefined ? { offset: first.offset } : {}),
    reason: `unknown keys, no catalogue signal has these names: ${keys.join(', ')}; the records with them were skipped (a record's keys are t and signal names, docs/FORMATS.md)` };
}

/** Validates and emits one decoded record; `where` places issues (line or offset). */
function emit(em: Emitter, rec: unknown, where: { line: number; offset?: number }, text?: string): void {
  if (rec !== null && typeof rec === 'object' && !Array.isArray(rec) && 'edgerule' in rec) {
    if (em.records === 0 && em.headers === 0 && headerValidator.Check(rec)) {
      em.headers++;
      const h = rec as { hasDate?: boolean };
      if (typeof h.hasDate === 'boolean') em.hasDate = h.hasDate;
      return;
    }
    em.invalid++;
    em.issues.push({ file: em.file, ...where, reason: 'header record not valid or not first; skipped', text });
    return;
  }
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
    em.invalid++;
    em.issues.push({ file: em.file, ...where, reason: `record is ${rec === null ? 'null' : Array.isArray(rec) ? 'an array' : typeof rec}, expected an object`, text });
    return;
  }
  const r = rec as Record<string, unknown>;
  if (r.t instanceof Date) r.t = r.t.getTime();
  for (const k in r) if (typeof r[k] === 'number' && Number.isNaN(r[k])) r[k] = null; // CBOR NaN = unknown
  if (!recordValidator.Check(r)) {
    em.invalid++;
    noteUnknownKeys(em, r, where);
    em.issues.push({ file: em.file, ...where, reason: `schema: ${recordError(r)}; record skipped`, text });
    return;
  }
  const t = r.t as number;
  if (!Number.isFinite(t)) {
    em.invalid++;
    em.issues.push({ file: em.file, ...where, reason: 'schema: /t must be a finite number; record skipped', text });
    return;
  }
  em.records++;
  if (em.records === 1) em.firstT = t;
  if (!em.sink.begin(t, where.line || (where.offset ?? 0))) return;
  let x = NaN, y = NaN, z = NaN, hasMag = false;
  for (const k in r) {
    if (k === 't') continue;
    const id = SIG_ID.get(k)!;
    const v = r[k] === null ? NaN : (r[k] as number);
    em.sink.push(id, v);
    if (id === AX) x = v; else if (id === AY) y = v; else if (id === AZ) z = v; else if (id === AMAG) hasMag = true;
  }
  if (!hasMag && x === x && y === y && z === z) {
    em.sink.push(AMAG, Math.sqrt(x * x + y * y + z * z));
    em.derivedMag++;
  }
}

function newEmitter(file: string, opts: ReadOptions, issues: TraceIssue[], capacity: number): Emitter {
  const sink = new RecordSink(file, issues, resolvePolicy(opts.policy), capacity);
  return {
    sink, issues, file,
    records: 0, invalid: 0, derivedMag: 0, headers: 0, hasDate: undefined, firstT: NaN, unknownKeys: new Map(),
  };
}

function finish(em: Emitter, format: string, stats: Record<string, number>, opts: ReadOptions): TraceResult {
  const hasDate = em.hasDate ?? (em.firstT >= YEAR_1971);
  if (!hasDate && opts.startMs !== undefined) em.sink.shiftAll(opts.startMs);
  const samples = em.sink.finish(stats);
  stats.validRecords = em.records;
  stats.invalidRecords = em.invalid;
  stats.headerRecords = em.headers;
  stats.derivedMag = em.derivedMag;
  const unknown = unknownKeysIssue(em);
  if (unknown) em.issues.push(unknown);
  em.issues.sort((a, b) => a.line - b.line || (a.offset ?? 0) - (b.offset ?? 0));
  return { file: em.file, format, samples, issues: em.issues, stats, hasDate };
}

export function readNativeJsonl(buf: Uint8Array, file: string, opts: ReadOptions = {}): TraceResult {
  const issues: TraceIssue[] = [];
  const stats: Record<string, number> = {};
  const em = newEmitter(file, opts, issues, Math.max(1024, (buf.length / 12) | 0));
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8');
  let lines = 0, blankLines = 0, badJson = 0;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    lines++;
    const line = text.slice(pos, nl).trim();
    pos = nl + 1;
    if (line === '') { blankLines++; continue; }
    let rec: unknown;
    try { rec = JSON.parse(line); } catch (e) {
      badJson++;
      issues.push({ file, line: lines, reason: `invalid JSON: ${(e as Error).message}`, text: snippet(line) });
      continue;
    }
    emit(em, rec, { line: lines }, snippet(line));
  }
  Object.assign(stats, { bytes: buf.length, lines, blankLines, badJson });
  return finish(em, 'jsonl', stats, opts);
}

/** End offset of the CBOR data item starting at p (throws RangeError if truncated or malformed). */
export function cborItemEnd(b: Uint8Array, p: number, depth = 0): number {
  if (depth > 64) throw new RangeError('CBOR nesting too deep');
  if (p >= b.length) throw new RangeError('truncated CBOR item');
  const ib = b[p++];
  const mt = ib >> 5, ai = ib & 31;
  let len = 0;
  if (ai < 24) len = ai;
  else if (ai === 24) { len = b[p]; p += 1; }
  else if (ai === 25) { len = (b[p] << 8) | b[p + 1]; p += 2; }
  else if (ai === 26) { len = ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]); p += 4; }
  else if (ai === 27) {
    len = (((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3])) * 2 ** 32 +
      (((b[p + 4] << 24) >>> 0) + ((b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7])); p += 8;
  } else if (ai === 31) len = -1;
  else throw new RangeError(`reserved CBOR additional info ${ai}`);
  if (p > b.length) throw new RangeError('truncated CBOR item');
  switch (mt) {
    case 0: case 1:
      if (len < 0) throw new RangeError('indefinite-length integer');
      return p;
    case 2: case 3:
      if (len < 0) { while (b[p] !== 0xff) { if (p >= b.length) throw new RangeError('truncated CBOR item'); p = cborItemEnd(b, p, depth + 1); } return p + 1; }
      if (p + len > b.length) throw new RangeError('truncated CBOR item');
      return p + len;
    case 4: case 5: {
      const items = mt === 5 ? 2 : 1;
      if (len < 0) { while (b[p] !== 0xff) { if (p >= b.length) throw new RangeError('truncated CBOR item'); p = cborItemEnd(b, p, depth + 1); } return p + 1; }
      for (let i = 0; i < len * items; i++) p = cborItemEnd(b, p, depth + 1);
      return p;
    }
    case 6:
      return cborItemEnd(b, p, depth + 1);
    default: // 7: simple values and floats; the head already covered their bytes
      if (len < 0) throw new RangeError('unexpected CBOR break');
      return p;
  }
}

const decoder = new Decoder({ mapsAsObjects: true, useRecords: false } as ConstructorParameters<typeof Decoder>[0]);

export function readNativeCbor(buf: Uint8Array, file: string, opts: ReadOptions = {}): TraceResult {
  const issues: TraceIssue[] = [];
  const stats: Record<string, number> = {};
  const em = newEmitter(file, opts, issues, Math.max(1024, (buf.length / 12) | 0));
  em.sink.byteOffsets = true;
  let items = 0, arrays = 0, undecodable = 0;
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);

  function one(s: number, e: number): void {
    items++;
    let rec: unknown;
    try { rec = decoder.decode(b.subarray(s, e)); } catch (err) {
      undecodable++;
      issues.push({ file, line: 0, offset: s, reason: `CBOR record not decodable: ${(err as Error).message}` });
      return;
    }
    if (rec instanceof Map) rec = Object.fromEntries(rec);
    emit(em, rec, { line: 0, offset: s });
  }

  let p = 0;
  while (p < b.length) {
    let end: number;
    try { end = cborItemEnd(b, p); } catch (err) {
      issues.push({ file, line: 0, offset: p, reason: `CBOR data unreadable from here (${(err as Error).message}); ${b.length - p} byte(s) skipped` });
      stats.unreadableBytes = b.length - p;
      break;
    }
    if (b[p] >> 5 === 4) { // array of records
      arrays++;
      const ai = b[p] & 31;
      let q = p + 1 + (ai < 24 ? 0 : ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : ai === 27 ? 8 : 0);
      const stop = ai === 31 ? end - 1 : end;
      while (q < stop) { const e = cborItemEnd(b, q); one(q, e); q = e; }
    } else one(p, end);
    p = end;
  }
  Object.assign(stats, { bytes: buf.length, items, arrays, undecodable });
  return finish(em, 'cbor', stats, opts);
}

export interface WriteNativeOptions {
  /** Write a header record first (keeps hasDate across a round trip of an undated trace). */
  header?: { hasDate: boolean; source?: string };
}

/**
 * Groups the samples into records (consecutive samples with equal t, until a signal repeats) so that
 * reading the result back gives the same columns in the same order.
 */
export function* nativeRecords(samples: SampleColumns): Generator<Record<string, number | null>> {
  const { t, sig, value, length } = samples;
  let rec: Record<string, number | null> | null = null;
  let curT = NaN, recNo = 0;
  const stamp = new Int32Array(256); // stamp[sig] === recNo: signal already in the current record
  for (let i = 0; i < length; i++) {
    const g = sig[i];
    if (rec === null || t[i] !== curT || stamp[g] === recNo) {
      if (rec) yield rec;
      rec = { t: t[i] };
      curT = t[i];
      recNo++;
    }
    stamp[g] = recNo;
    const v = value[i];
    rec[SIGNAL_BY_ID[g]] = Number.isNaN(v) ? null : v;
  }
  if (rec) yield rec;
}

export function writeNativeJsonl(samples: SampleColumns, opts: WriteNativeOptions = {}): string {
  const out: string[] = [];
  if (opts.header) out.push(JSON.stringify({ edgerule: 'trace', version: 1, ...opts.header }));
  for (const r of nativeRecords(samples)) out.push(JSON.stringify(r));
  return out.length ? out.join('\n') + '\n' : '';
}

/** CBOR sequence of the same records (NaN stays NaN). */
export function writeNativeCbor(samples: SampleColumns, opts: WriteNativeOptions = {}): Buffer {
  const enc = new Encoder({ useRecords: false, mapsAsObjects: true } as ConstructorParameters<typeof Encoder>[0]);
  const parts: Buffer[] = [];
  if (opts.header) parts.push(enc.encode({ edgerule: 'trace', version: 1, ...opts.header }));
  for (const r of nativeRecords(samples)) {
    for (const k in r) if (r[k] === null) r[k] = NaN;
    parts.push(enc.encode(r));
  }
  return Buffer.concat(parts);
}
