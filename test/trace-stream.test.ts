/**
 * Streaming replay (issue 13): a recording read block by block and merged chunk by chunk gives exactly what the
 * whole-file read and merge give (samples, issues with file:line, stats, events, summary.json, report), and what
 * is held at once is bounded by the block and chunk sizes, not by the recording's length.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { readTrace } from '../simulator/trace/read.ts';
import { openTrace, ResultSource } from '../simulator/trace/source.ts';
import { MergeStream, mergeTraces } from '../simulator/trace/merge.ts';
import type { SampleColumns } from '../simulator/trace/samples.ts';
import { SeriesKeeper } from '../simulator/series.ts';
import { loadBundle, readInputs } from '../simulator/inputs.ts';
import { simulate, eventsJsonl } from '../simulator/run.ts';
import { stableSummary } from '../simulator/outputs.ts';
import { renderReport } from '../simulator/report/html.ts';
import { sharedData } from '../harness/shared-data.ts';
import { PROJECT_ROOT } from '../harness/shared-data.ts';
import { ExposureMeter, exposure } from '../qa/exposure.ts';

const SHARED = sharedData('traces', 'streamed reads are compared with whole-file reads of the real CSV recordings');
const tmp = mkdtempSync(join(tmpdir(), 'edgerule-stream-'));
function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}
const arr = (s: SampleColumns) => ({ t: Array.from(s.t.subarray(0, s.length)), sig: Array.from(s.sig.subarray(0, s.length)), value: Array.from(s.value.subarray(0, s.length)) });

/** Every chunk of a stream, copied (a chunk is valid until the next call), and the largest chunk's length. */
function drain(next: () => SampleColumns | null): { all: ReturnType<typeof arr>; chunks: number; largest: number } {
  const all = { t: [] as number[], sig: [] as number[], value: [] as number[] };
  let chunks = 0, largest = 0;
  for (let c = next(); c; c = next()) {
    const a = arr(c);
    all.t.push(...a.t); all.sig.push(...a.sig); all.value.push(...a.value);
    chunks++; largest = Math.max(largest, c.length);
  }
  return { all, chunks, largest };
}

// x-io layout: time in s, accel in g; every reader policy on show: backwards (dropped, with their lines), duplicate
// times, a value that is not a number, a row without time, a short row, blank and comment lines, CRLF, quotes,
// a 1.1-hour gap, and no newline at the end.
const ROWS = ['Time (s),Accelerometer X (g),Accelerometer Y (g),Accelerometer Z (g)'];
for (let i = 0; i < 400; i++) {
  const t = (i * 0.01).toFixed(2);
  if (i === 50) ROWS.push('0.2,0,0,1');                  // backwards
  if (i === 60) ROWS.push(`${t},0,0,1`);                 // duplicate time
  if (i === 70) ROWS.push(`${t},x,0,1`);                 // not a number
  if (i === 80) ROWS.push(',0,0,1');                     // no time
  if (i === 90) ROWS.push('0.95,0');                     // short row
  if (i === 100) ROWS.push('', '# a comment');
  if (i === 110) ROWS.push(`"${t}","0.5",0,1\r`);        // quoted, CRLF
  if (i === 300) ROWS.push('4000,0,0,9');                // after a gap, then backwards again
  ROWS.push(`${i >= 300 ? (4000 + i * 0.01).toFixed(2) : t},${(i % 7) * 0.01},-0.02,0.99`);
}
function longestLine(path: string): number {
  return Math.max(...readFileSync(path, 'latin1').split('\n').map((l) => l.length));
}
const POLICIES = file('policies.csv', ROWS.join('\n'));

describe('a CSV file read block by block gives what the whole file gives', () => {
  const cases = [POLICIES, ...(SHARED.present ? ['imu/x-io-gait-short_walk.csv', 'combined/quat-orient/gps.2020-10-15-21.csv', 'combined/sensorlogger-2023-03-17/TotalAcceleration.csv'].map((f) => SHARED.path(f)) : [])];
  for (const path of cases) {
    it(`${path.replace(/.*\/(traces|edgerule-stream-[^/]+)\//, '')}${SHARED.present || path === POLICIES ? '' : SHARED.skipped}`, () => {
      const whole = readTrace(path);
      for (const block of [64, 1000, 65_536]) {
        const src = openTrace(path, {}, block);
        const got = drain(() => src.next());
        const r = src.result();
        expect(got.all).toEqual(arr(whole.samples));
        expect(r.issues).toEqual(whole.issues);
        expect(r.stats).toEqual(whole.stats);
        expect([r.format, r.hasDate]).toEqual([whole.format, whole.hasDate]);
        // It streamed (a file larger than a block): several chunks, none larger than the rows of one block can give (a
        // block grows to twice a line longer than it); a row of at least 2 bytes gives at most 5 samples.
        if (statSync(path).size > block) expect(got.chunks).toBeGreaterThan(1);
        expect(got.largest).toBeLessThanOrEqual(Math.ceil(Math.max(block, 2 * (longestLine(path) + 1)) / 2) * 5);
      }
    });
  }

  it('a named pipe (size unknown until its end) is read whole from the descriptor: the same samples, issues and stats', async () => {
    const fifo = join(tmp, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `cat '${POLICIES}' > '${fifo}'`]);
    const src = openTrace(fifo, {}, 64);
    const got = drain(() => src.next());
    await new Promise((resolve) => writer.on('close', resolve));
    const whole = readTrace(POLICIES);
    expect(got.all).toEqual(arr(whole.samples));
    expect(src.result().issues.map((i) => [i.line, i.reason])).toEqual(whole.issues.map((i) => [i.line, i.reason]));
  });

  it('the issues keep their file:line across block boundaries', () => {
    const src = openTrace(POLICIES, {}, 64);
    drain(() => src.next());
    const lines = src.result().issues.map((i) => `${i.line}: ${i.reason.slice(0, 24)}`);
    expect(lines).toEqual(readTrace(POLICIES).issues.map((i) => `${i.line}: ${i.reason.slice(0, 24)}`));
    expect(lines.some((l) => l.startsWith('52: time goes backwards'))).toBe(true);
  });
});

describe('MergeStream', () => {
  const a = file('m-a.csv', 'Time (s),Accelerometer X (g),Accelerometer Y (g),Accelerometer Z (g)\n' + Array.from({ length: 300 }, (_, i) => `${(i * 0.02).toFixed(2)},0,0,1`).join('\n') + '\n');
  const b = file('m-b.csv', 'Time (s),Accelerometer X (g),Accelerometer Y (g),Accelerometer Z (g)\n' + Array.from({ length: 300 }, (_, i) => `${(i * 0.03).toFixed(2)},1,0,1`).join('\n') + '\n');

  it('merges streams chunk by chunk exactly as mergeTraces merges whole files (ties: file order), each chunk within its capacity', () => {
    const offsets = [0, 10];
    const whole = mergeTraces([readTrace(a), readTrace(b), readTrace(a)], offsets);
    const m = new MergeStream([openTrace(a, {}, 100), openTrace(b, {}, 100), openTrace(a, {}, 100)], offsets, 30_000, 7);
    const got = drain(() => m.next());
    expect(got.all).toEqual(arr(whole.samples));
    expect(got.largest).toBeLessThanOrEqual(7);
    expect(m.mergedGaps).toBe(whole.stats.mergedGaps);
  });

  it('holds one chunk per source: a source is asked for its next chunk only when the merge has used up the last', () => {
    const asked = [0, 0];
    const src = (r: ReturnType<typeof readTrace>, k: number) => {
      const inner = new ResultSource(r);
      return { file: r.file, next: () => { asked[k]++; return inner.next(); }, result: () => inner.result() };
    };
    const m = new MergeStream([src(readTrace(a), 0), src(readTrace(b), 1)], [0, 100_000], 30_000, 16);
    m.next();
    expect(asked).toEqual([1, 1]); // each source's head, nothing more
    drain(() => m.next());
    expect(asked).toEqual([2, 2]); // then each source's end
  });
});

describe('SeriesKeeper: what the report keeps is bounded', () => {
  function feed(keeper: SeriesKeeper, rows: number, chunk: number): void {
    const c = { t: new Float64Array(chunk * 2), sig: new Uint8Array(chunk * 2), value: new Float64Array(chunk * 2), length: 0 };
    for (let at = 0; at < rows; at += chunk) {
      let n = 0;
      for (let i = at; i < Math.min(rows, at + chunk); i++) {
        c.t[n] = 1e12 + i * 10; c.sig[n] = 11; c.value[n] = i === 123_457 ? 9 : i === 234_567 ? -9 : Math.sin(i / 1000); n++;
        c.t[n] = 1e12 + i * 10; c.sig[n] = 8; c.value[n] = (i % 100) / 100; n++;
      }
      c.length = n;
      keeper.add(c);
    }
  }

  it('keeps every sample up to its cap', () => {
    const k = new SeriesKeeper(10_000);
    feed(k, 5000, 777);
    expect(k.thinned).toBe(false);
    expect(k.samples().length).toBe(10_000);
  });

  it('past its cap keeps at most the cap, in time order, with every extreme and the last value', () => {
    const k = new SeriesKeeper(10_000);
    feed(k, 500_000, 4096);
    const s = k.samples();
    expect(k.thinned).toBe(true);
    expect(s.length).toBeLessThanOrEqual(10_000);
    expect(s.length).toBeGreaterThan(2_000);
    for (let i = 1; i < s.length; i++) expect(s.t[i] >= s.t[i - 1]).toBe(true);
    const mag = Array.from(s.value.subarray(0, s.length)).filter((_, i) => s.sig[i] === 11);
    expect(Math.max(...mag)).toBe(9);
    expect(Math.min(...mag)).toBe(-9);
    expect(s.t[s.length - 1]).toBe(1e12 + 499_999 * 10);
  });
});

describe.skipIf(!SHARED.present)(`simulate() streaming from disk = simulate() on recordings read whole${SHARED.skipped}`, () => {
  it('quat-orient (4 CSV files, --start): same events, summary.json and report with 512-byte blocks', async () => {
    const bundle = await loadBundle(join(PROJECT_ROOT, 'rules'), { typecheck: false });
    const q = SHARED.path('combined/quat-orient');
    const traces = ['gps.2020-10-15-21.csv', 'accel.2020-10-15-21.csv', 'gps.2020-10-15-22.csv', 'accel.2020-10-15-22.csv'].map((f) => join(q, f));
    const startMs = Date.parse('2020-10-15T21:00:00+13:00');
    const streamed = simulate({ bundle, traces, startMs, block: 512 });
    const whole = simulate({ bundle, traces, startMs, inputs: readInputs(traces, { startMs }) });
    expect(eventsJsonl(streamed.events)).toBe(eventsJsonl(whole.events));
    expect(stableSummary(streamed)).toBe(stableSummary(whole));
    expect(renderReport(streamed)).toBe(renderReport(whole));
    expect(streamed.counts.read).toBe(51_110);
  });

  it('QA exposure gathered chunk by chunk as the replay streams equals exposure over the whole recording', () => {
    const q = SHARED.path('combined/quat-orient');
    const s = readInputs(['gps.2020-10-15-21.csv', 'accel.2020-10-15-21.csv'].map((f) => join(q, f)), { startMs: 0 }).samples;
    const meter = new ExposureMeter(300_000);
    for (let at = 0; at < s.length; at += 997) {
      const end = Math.min(s.length, at + 997);
      meter.add({ t: s.t.subarray(at, end), sig: s.sig.subarray(at, end), value: s.value.subarray(at, end), length: end - at });
    }
    const whole = exposure(s, 300_000);
    expect(meter.result()).toEqual(whole);
    expect(whole.km).toBeGreaterThan(1);
  });
});
