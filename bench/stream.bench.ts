/**
 * Streaming replay (issue 13): peak memory of a replay by recording length, end-to-end throughput, and how
 * `--batch --jobs 2` scales.
 *
 *  - Peak RSS: a synthetic 100 Hz accelerometer CSV (bench/synthetic-imu.ts writeLongImuCsv, x-io layout, 4 samples a row) of 1 h,
 *    24 h and 7 days, written into a temp folder and deleted after; each replayed in a fresh process
 *    (bench/replay-child.ts: simulate() of the file through the compiled rule library, events.jsonl written), whose
 *    peak RSS (getrusage) is the figure. Target: < 300 MB whatever the length.
 *  - Throughput: samples replayed per second of that child's simulate() + events write: wall clock, and per CPU
 *    second of the whole process (what one core does, whatever else the host runs). Target: ≥ 4 M samples/s.
 *  - With --long (or EDGERULE_BENCH_LONG=1 under npm run bench; ~25 GB of disk, tens of minutes): 30 days as 30 daily
 *    files (hard links of one 24-h file, merged with per-file offsets of whole days, as `--offset` does for undated
 *    daily logs) and one ~10 GB file (28 days).
 *  - Batch scaling: `runBatch` over 12 equal units (10-minute CSVs, no report), wall time of --jobs 1 and --jobs 2
 *    alternated, medians; worker start-up included. Target: ≥ 1.8× on 2 cores (it needs 2 free cores to say much).
 *
 *   node --import ./cli/register-ts.mjs bench/stream.bench.ts [--long] [--runs 3]
 */
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFiles } from '../compiler/compile.ts';
import { mapPathFor } from '../compiler/sidecar.ts';
import { loadBundle } from '../simulator/inputs.ts';
import { batchUnits, runBatch } from '../simulator/batch.ts';
import type { ChildFigures } from './replay-child.ts';
import { median } from './stats.ts';
import { writeLongImuCsv } from './synthetic-imu.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const RSS_TARGET = 300 * 2 ** 20;
const RATE_TARGET = 4e6;
const SCALING_TARGET = 1.8;

export interface StreamRow {
  bench: string;
  input: string;
  figure: string;
  target?: string;
  pass?: boolean;
  note?: string;
}

function child(bundle: string, dir: string, traces: string[], offsets: number[] = []): ChildFigures {
  const args = ['--import', join(ROOT, 'cli/register-ts.mjs'), join(HERE, 'replay-child.ts'), ...(offsets.length ? ['--offsets', offsets.join(',')] : []), bundle, dir, ...traces];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildFigures;
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const gb = (b: number) => `${(b / 1e9).toFixed(2)} GB`;

function memoryRow(input: string, bytes: number, f: ChildFigures): StreamRow[] {
  return [
    { bench: 'replay peak RSS', input, figure: `${mb(f.maxRssBytes)} (${f.samples.toLocaleString('en')} samples, ${gb(bytes)} of CSV, ${f.events} events)`, target: '< 300 MB', pass: f.maxRssBytes < RSS_TARGET },
    {
      bench: 'throughput', input,
      figure: `${(f.samples / f.ms * 1000 / 1e6).toFixed(2)} M samples/s wall, ${(f.samples / f.cpuMs * 1000 / 1e6).toFixed(2)} M per CPU-second`,
      target: '≥ 4 M samples/s (one core: per CPU-second)', pass: f.samples / f.cpuMs * 1000 >= RATE_TARGET,
    },
  ];
}

/** --jobs 1 against --jobs 2 over 12 equal units (10 minutes of 100 Hz CSV each), worker start-up included. */
export async function batchScaling(bundle: string, dir: string, runs: number): Promise<StreamRow[]> {
  const folder = join(dir, 'batch');
  mkdirSync(folder, { recursive: true });
  for (let k = 0; k < 12; k++) writeLongImuCsv(join(folder, `unit-${String(k).padStart(2, '0')}.csv`), 1 / 6);
  const b = await loadBundle(bundle);
  const units = batchUnits(folder);
  await runBatch(b, units, { report: false }, { jobs: 1 }); // warm-up: prebuilds the worker script
  const wall: Record<number, number[]> = { 1: [], 2: [] };
  for (let i = 0; i < runs; i++) {
    for (const jobs of [1, 2]) {
      const t0 = performance.now();
      await runBatch(b, units, { report: false }, { jobs });
      wall[jobs].push(performance.now() - t0);
    }
  }
  rmSync(folder, { recursive: true, force: true });
  const one = median(wall[1]), two = median(wall[2]);
  return [{
    bench: 'batch --jobs 2 scaling', input: `${units.length} units of 10 min @ 100 Hz CSV (240,000 samples each)`,
    figure: `${(one / two).toFixed(2)}× (jobs 1: ${(one / 1000).toFixed(2)} s, jobs 2: ${(two / 1000).toFixed(2)} s, medians of ${runs}; ${availableParallelism()} CPUs, load average ${loadavg()[0].toFixed(1)})`,
    target: '≥ 1.8×', pass: one / two >= SCALING_TARGET,
  }];
}

export async function benchStream(opts: { long?: boolean; runs?: number } = {}): Promise<StreamRow[]> {
  const long = opts.long ?? process.env.EDGERULE_BENCH_LONG === '1';
  const dir = mkdtempSync(join(tmpdir(), 'edgerule-stream-bench-'));
  const rows: StreamRow[] = [];
  try {
    const bundle = join(dir, 'rules.erb');
    const compiled = await compileFiles([join(ROOT, 'rules')], { typecheck: false });
    writeFileSync(bundle, compiled.bytes);
    writeFileSync(mapPathFor(bundle), JSON.stringify(compiled.map));
    const sized = (name: string, hours: number): string => { const p = join(dir, name); writeLongImuCsv(p, hours); return p; };
    for (const [label, hours] of [['1 h', 1], ['24 h', 24], ['7 days', 168]] as const) {
      const file = sized(`imu-${hours}h.csv`, hours);
      rows.push(...memoryRow(`${label} @ 100 Hz CSV, one file`, statSync(file).size, child(bundle, dir, [file])));
      rmSync(file, { force: true });
    }
    if (long) {
      const day = sized('day-00.csv', 24);
      const days: string[] = [day];
      for (let d = 1; d < 30; d++) { const p = join(dir, `day-${String(d).padStart(2, '0')}.csv`); linkSync(day, p); days.push(p); }
      const f = child(bundle, dir, days, days.map((_, d) => d * 86_400_000));
      rows.push(...memoryRow('30 days @ 100 Hz CSV, 30 daily files', statSync(day).size * 30, f));
      for (const p of days) rmSync(p, { force: true });
      const big = sized('imu-28d.csv', 28 * 24);
      rows.push(...memoryRow('28 days @ 100 Hz CSV, one file', statSync(big).size, child(bundle, dir, [big])));
      rmSync(big, { force: true });
    } else {
      rows.push({ bench: 'replay peak RSS', input: '30 days in daily files; one 10 GB file', figure: 'not run: add --long (EDGERULE_BENCH_LONG=1 under npm run bench); ~25 GB of disk, tens of minutes' });
    }
    rows.push(...await batchScaling(bundle, dir, opts.runs ?? 3));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export function formatRows(rows: StreamRow[]): string {
  const head = ['bench', 'input', 'figure', 'target'];
  const body = rows.map((r) => [r.bench, r.input, r.figure, r.target ? `${r.target}: ${r.pass ? 'PASS' : 'MISS'}` : '']);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--runs');
  const rows = await benchStream({ long: process.argv.includes('--long') || undefined, runs: i > 0 ? Number(process.argv[i + 1]) : undefined });
  console.log(formatRows(rows));
}
