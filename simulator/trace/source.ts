/**
 * Recordings as streams of sample chunks, so a replay holds a block of each file at a time instead of the whole
 * trace (a week at 100 Hz is 8 GB of samples).
 *
 * A TraceSource hands over its samples in time order, chunk by chunk; each chunk's columns are valid until the
 * next call. CSV files are read block by block (BLOCK bytes, whole lines; a line longer than a block grows it)
 * through the same reader that reads a whole file (csv.ts), so the samples, issues (file:line) and stats are the
 * ones a whole-file read gives. The other formats (NMEA, GPX, native JSON Lines and CBOR) are read whole and
 * handed over as one chunk: their files are GNSS logs, small next to an IMU's; so is a CSV read with the
 * `backwards: 'sort'` policy (sorting needs the whole file).
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import type { ReadOptions, TraceResult } from './issues.ts';
import { emptySamples, type SampleColumns } from './samples.ts';
import { csvFormat, csvMappingFor, detectFormat, fileAccess, isBlank, parseTrace, readTrace } from './read.ts';
import { CsvReader } from './csv.ts';
import { resolvePolicy } from './policy.ts';

export interface TraceSource {
  readonly file: string;
  /** The next chunk of samples (never empty), or null after the last. Valid until the next call. */
  next(): SampleColumns | null;
  /** After next() returned null: issues, stats (stats.samples counts every sample handed over) and format; `samples` is empty. */
  result(): TraceResult;
  /** Share of the file read so far, 0 to 1 (progress bars). */
  readonly done?: number;
}

/** Bytes read at a time from a streamed file (the samples of one block are what a file holds in memory). */
export const BLOCK = 4 << 20;

/** A recording already in memory, handed over as one chunk. */
export class ResultSource implements TraceSource {
  private given = false;
  readonly file: string;
  constructor(private readonly r: TraceResult) { this.file = r.file; }
  get done(): number { return this.given ? 1 : 0; }
  next(): SampleColumns | null {
    if (this.given) return null;
    this.given = true;
    return this.r.samples.length ? this.r.samples : null;
  }
  result(): TraceResult {
    return { ...this.r, samples: emptySamples(), stats: { ...this.r.stats, samples: this.r.stats.samples ?? this.r.samples.length } };
  }
}

/** What a CSV stream parses first (its head), so a file that waits its turn in a merge of many holds little. */
const FIRST = 64 << 10;

/** A CSV file read block by block; its memory is released after the last chunk. */
class CsvFileSource implements TraceSource {
  private buf: Buffer;
  private have = 0;      // bytes in buf
  private at: number;    // file offset of buf[have]
  private start: number; // where the unparsed lines begin in buf
  private eof = false;
  private primed = false;
  private reader: CsvReader | null;
  private final?: TraceResult;

  constructor(readonly file: string, private fd: number, private readonly size: number, head: Uint8Array, reader: CsvReader, private readonly block: number) {
    this.buf = Buffer.from(head); // a copy: the head the format was detected from is not kept
    this.have = head.length;
    this.at = head.length;
    this.start = reader.dataStart;
    this.reader = reader;
  }

  next(): SampleColumns | null {
    while (!this.final) {
      const reader = this.reader!;
      const end = this.wholeLines();
      reader.parse(this.buf, this.start, end);
      this.start = end;
      const chunk = reader.take();
      if (this.eof && this.start >= this.have) {
        closeSync(this.fd);
        this.final = { ...reader.finish(this.size), samples: emptySamples() };
        this.reader = null;
        this.buf = Buffer.alloc(0);
        if (chunk.length) return chunk; // its columns stay alive while the caller holds them
        break;
      }
      if (chunk.length) return chunk;
    }
    return null;
  }

  /** Fills the buffer after the unparsed rest and returns the end of its last whole line (the data's end at EOF). */
  private wholeLines(): number {
    if (!this.primed) { // the head first, as it is
      this.primed = true;
      const nl = this.buf.lastIndexOf(10, this.have - 1);
      if (this.at >= this.size) { this.eof = true; return this.have; }
      if (nl >= this.start) return nl + 1;
    }
    if (this.buf.length < this.block) {
      const grown = Buffer.allocUnsafe(this.block);
      this.buf.copy(grown, 0, this.start, this.have);
      this.have -= this.start;
      this.start = 0;
      this.buf = grown;
    }
    for (;;) {
      if (this.start > 0) { // keep the unparsed part of the last block at the front
        this.buf.copyWithin(0, this.start, this.have);
        this.have -= this.start;
        this.start = 0;
      }
      if (!this.eof && this.have < this.buf.length) {
        const n = readSync(this.fd, this.buf, this.have, this.buf.length - this.have, this.at);
        this.have += n; this.at += n;
        if (n === 0 || this.at >= this.size) this.eof = true;
      }
      const nl = this.buf.lastIndexOf(10, this.have - 1);
      if (this.eof) return this.have;
      if (nl >= 0) return nl + 1;
      const grown = Buffer.allocUnsafe(this.buf.length * 2); // a line longer than the block
      this.buf.copy(grown, 0, 0, this.have);
      this.buf = grown;
    }
  }

  get done(): number { return this.size ? this.at / this.size : 1; }

  result(): TraceResult {
    if (!this.final) throw new Error(`${this.file}: result() before the last chunk`);
    return this.final;
  }
}

/**
 * Opens a recording as a stream (CSV), or reads it whole (the other formats). The same refusals as readTrace:
 * missing, a directory, empty, a known binary format, unrecognised content, a CSV header no preset knows.
 */
export function openTrace(path: string, opts: ReadOptions = {}, block = BLOCK): TraceSource {
  const fd = fileAccess(path, () => openSync(path, 'r'));
  let owned = true;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) { // a pipe or a device: its size is unknown until its end, so it is read whole, from this descriptor
      const whole = readFileSync(fd);
      if (isBlank(whole)) throw new Error(`${path}: cannot read trace: the file is empty`);
      return new ResultSource(parseTrace(whole, path, opts.format ?? detectFormat(path, whole), opts));
    }
    const size = st.size;
    const head = Buffer.allocUnsafe(Math.min(size, Math.max(block, 1 << 18))); // detection looks at the first 256 KB at most
    const got = readSync(fd, head, 0, head.length, 0);
    const first = head.subarray(0, got);
    if (got < size && isBlank(first)) return new ResultSource(readTrace(path, opts)); // blank so far: decided by the whole file
    if (isBlank(first)) throw new Error(`${path}: cannot read trace: the file is empty`);
    const format = opts.format ?? detectFormat(path, first);
    if (format !== 'csv' || resolvePolicy(opts.policy).backwards === 'sort') {
      if (got === size) return new ResultSource(parseTrace(first, path, format, opts));
      return new ResultSource(readTrace(path, { ...opts, format }));
    }
    if (size <= block) return new ResultSource(parseTrace(first, path, format, opts));
    let mapping;
    try {
      mapping = csvMappingFor(first, size, path, opts);
    } catch (e) {
      const msg = (e as Error).message;
      throw new Error(msg.startsWith(path) ? msg : `${path}: cannot read trace: ${msg}`);
    }
    if ('samples' in mapping) return new ResultSource(mapping);
    const reader = new CsvReader(first, path, mapping, opts, csvFormat(mapping), 4096);
    owned = false;
    return new CsvFileSource(path, fd, size, first.subarray(0, Math.min(first.length, Math.max(Math.min(FIRST, block), reader.dataStart + 1))), reader, block);
  } finally {
    if (owned) closeSync(fd);
  }
}
