/**
 * readTrace: detects a recording's format from its extension and content and dispatches to the reader.
 * Throws one Error naming the file and the reason when the file cannot be read at all (missing, a
 * directory, empty, a known binary format such as PNG, no recognisable trace content).
 */
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import type { ReadOptions, TraceResult } from './issues.ts';
import { readNmea } from './nmea.ts';
import { readGpx } from './gpx.ts';
import { readCsv, readCsvHeader } from './csv.ts';
import type { CsvMapping } from './csv-mapping.ts';
import { csvPresetByName, detectCsvPreset, isSensorLoggerMetadata } from './csv-presets.ts';
import { readNativeCbor, readNativeJsonl } from './native.ts';
import { emptySamples } from './samples.ts';
import { policyStats, resolvePolicy } from './policy.ts';

export type TraceFormat = 'nmea' | 'gpx' | 'csv' | 'jsonl' | 'cbor';

const MAGIC: Array<[number[], string]> = [
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive'],
  [[0x1f, 0x8b], 'gzip-compressed data (decompress it first)'],
  [[0x7f, 0x45, 0x4c, 0x46], 'an ELF executable'],
];

function knownBinary(b: Uint8Array): string | null {
  for (const [sig, what] of MAGIC) if (sig.every((c, i) => b[i] === c)) return what;
  return null;
}

/** First `k` lines that are neither blank nor '#' comments ('' when missing). */
function contentLines(b: Uint8Array, k: number, limit = 65536): string[] {
  const text = Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, limit)).toString('latin1');
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (l && !l.startsWith('#')) { out.push(l); if (out.length === k) break; }
  }
  while (out.length < k) out.push('');
  return out;
}

/** A header and a first row with the same (non-zero) number of one delimiter. */
function looksCsv(a: string, b: string): boolean {
  for (const d of [',', ';', '\t']) {
    const na = a.split(d).length - 1;
    if (na > 0 && (b === '' || b.split(d).length - 1 === na)) return true;
  }
  return false;
}

function looksNmea(b: Uint8Array): boolean {
  const n = Math.min(b.length, 262144);
  for (let i = b.indexOf(36); i >= 0 && i < n - 6; i = b.indexOf(36, i + 1)) {
    const a = b[i + 1], c = b[i + 2];
    if (a >= 65 && a <= 90 && ((c >= 65 && c <= 90) || (c >= 48 && c <= 57))) {
      let k = i + 3;
      while (k < n && k < i + 12 && ((b[k] >= 65 && b[k] <= 90) || (b[k] >= 48 && b[k] <= 57))) k++;
      if (b[k] === 44 || b[k] === 42) return true;
    }
  }
  return false;
}

function looksGpx(b: Uint8Array): boolean {
  const head = Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, 4096)).toString('latin1');
  return /<gpx[\s>]/.test(head);
}

function looksCbor(b: Uint8Array): boolean {
  const mt = b[0] >> 5;
  return mt === 4 || mt === 5 || (b[0] === 0xd9 && b[1] === 0xd9 && b[2] === 0xf7);
}

function isText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 4096);
  let bad = 0;
  for (let i = 0; i < n; i++) { const c = b[i]; if (c === 0 || (c < 32 && c !== 9 && c !== 10 && c !== 13)) bad++; }
  return bad <= n * 0.01;
}

/** Detects the format: extension first, checked against the content; content alone otherwise. */
export function detectFormat(path: string, b: Uint8Array): TraceFormat {
  const ext = extname(path).toLowerCase();
  const fail = (why: string): never => { throw new Error(`${path}: cannot read trace: ${why}`); };
  const binary = knownBinary(b);
  if (binary) fail(`the file is ${binary}, not a trace`);
  switch (ext) {
    case '.gpx': return looksGpx(b) ? 'gpx' : fail('extension .gpx but no <gpx> element in the first 4 KB');
    case '.jsonl': case '.ndjson': return 'jsonl';
    case '.cbor': case '.cbors': return 'cbor';
    case '.csv': case '.tsv': return isText(b) ? 'csv' : fail('extension .csv but the content is binary');
    case '.nmea': case '.log': case '.nma': case '.txt':
      if (looksNmea(b)) return 'nmea';
      if (ext !== '.txt' && ext !== '.log') fail('no NMEA sentence found');
  }
  if (looksGpx(b)) return 'gpx';
  if (looksNmea(b)) return 'nmea';
  if (isText(b)) {
    const [first, second] = contentLines(b, 2);
    if (first.startsWith('{')) return 'jsonl';
    if (looksCsv(first, second)) return 'csv';
    return fail(`unrecognised text format (first line: ${JSON.stringify(first.slice(0, 60))})`);
  }
  if (looksCbor(b)) return 'cbor';
  return fail('unrecognised binary content (not CBOR, NMEA, GPX, CSV or JSON Lines)');
}

export function readTrace(path: string, opts: ReadOptions = {}): TraceResult {
  let buf: Buffer;
  try {
    if (statSync(path).isDirectory()) throw new Error('it is a directory');
    buf = readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new Error(`${path}: cannot read trace: ${why}`);
  }
  let blank = true;
  for (let i = 0; i < buf.length && blank; i++) { const c = buf[i]; if (c !== 32 && c !== 9 && c !== 10 && c !== 13) blank = false; }
  if (blank) throw new Error(`${path}: cannot read trace: the file is empty`);
  const format = opts.format ?? detectFormat(path, buf);
  try {
    switch (format) {
      case 'nmea': return readNmea(buf, path, opts);
      case 'gpx': return readGpx(buf, path, opts);
      case 'jsonl': return readNativeJsonl(buf, path, opts);
      case 'cbor': return readNativeCbor(buf, path, opts);
      case 'csv': return readCsvTrace(buf, path, opts);
      default: throw new Error(`unknown format "${String(format)}"`);
    }
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(msg.startsWith(path) ? msg : `${path}: cannot read trace: ${msg}`);
  }
}

function readCsvTrace(buf: Buffer, path: string, opts: ReadOptions): TraceResult {
  let mapping: CsvMapping;
  if (opts.csv && typeof opts.csv === 'object') mapping = opts.csv;
  else {
    const { cells, delimiter } = readCsvHeader(buf);
    if (typeof opts.csv === 'string') mapping = csvPresetByName(opts.csv, cells, delimiter, path);
    else {
      const found = detectCsvPreset(cells, delimiter, path);
      if (!found) {
        if (isSensorLoggerMetadata(cells)) {
          const stats: Record<string, number> = { bytes: buf.length, samples: 0, records: 0 };
          policyStats(resolvePolicy(opts.policy), stats);
          return {
            file: path, format: 'csv:sensorlogger-metadata', samples: emptySamples(), stats, hasDate: false,
            issues: [{ file: path, line: 1, reason: 'Sensor Logger metadata (device, sensors, rates): no samples in this file' }],
          };
        }
        if (!opts.csvFallback) {
          throw new Error(`${path}: cannot read trace: CSV header not recognised by any preset (${cells.slice(0, 6).map((c) => JSON.stringify(c.trim())).join(', ')}${cells.length > 6 ? ', …' : ''}); ` +
            'map its columns with --csv-map time=<column>:<unit>,<signal>=<column>[:<unit>],… or --csv-map <mapping.json> (docs/FORMATS.md, "CSV column mappings")');
        }
        mapping = opts.csvFallback;
      } else {
        mapping = found;
      }
    }
  }
  return readCsv(buf, path, mapping, opts, `csv:${mapping.name ?? 'custom'}`);
}
