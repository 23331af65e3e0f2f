/**
 * Trace reader throughput: NMEA MB/s (plaka.log, the largest real log) and CSV IMU samples/s (the real
 * x-io recordings and a synthetic 24-hour 100 Hz accelerometer CSV written to a temp dir).
 * Each figure is the median of several runs of the reader on an in-memory Buffer (file I/O excluded),
 * as wall time and as process CPU time (the latter is steadier when the machine is shared).
 *
 *   node --import ./cli/register-ts.mjs bench/trace.bench.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNmea } from '../simulator/trace/nmea.ts';
import { readCsv, readCsvHeader } from '../simulator/trace/csv.ts';
import { detectCsvPreset } from '../simulator/trace/csv-presets.ts';
import type { TraceResult } from '../simulator/trace/issues.ts';
import { median } from './stats.ts';
import { writeImuCsv } from './synthetic-imu.ts';
import { sharedData } from '../harness/shared-data.ts';

export interface Row {
  bench: string;
  input: string;
  runs: number;
  bytes: number;
  samples: number;
  /** Median wall time of one read. */
  medianMs: number;
  /** Median process CPU time of one read (less sensitive to other load on a shared machine). */
  cpuMedianMs: number;
  mbPerS: number;
  samplesPerS: number;
  cpuMbPerS: number;
  cpuSamplesPerS: number;
}



function measure(bench: string, input: string, buf: Buffer, runs: number, read: (b: Buffer) => TraceResult): Row {
  read(buf); // warm-up (JIT)
  const wall: number[] = [], cpu: number[] = [];
  let samples = 0;
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = read(buf);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    samples = r.samples.length;
  }
  const ms = median(wall), cms = median(cpu);
  return {
    bench, input, runs, bytes: buf.length, samples, medianMs: ms, cpuMedianMs: cms,
    mbPerS: buf.length / 1e6 / (ms / 1000), samplesPerS: samples / (ms / 1000),
    cpuMbPerS: buf.length / 1e6 / (cms / 1000), cpuSamplesPerS: samples / (cms / 1000),
  };
}

function csvReader(path: string): (b: Buffer) => TraceResult {
  const probe = readFileSync(path);
  const { cells, delimiter } = readCsvHeader(probe);
  const mapping = detectCsvPreset(cells, delimiter, path);
  if (!mapping) throw new Error(`${path}: no preset`);
  return (b) => readCsv(b, path, mapping);
}


export async function benchTrace(opts: { runs?: number; syntheticRuns?: number; syntheticHours?: number } = {}): Promise<Row[]> {
  const runs = opts.runs ?? 9;
  const rows: Row[] = [];
  const traces = sharedData('traces', 'the NMEA and real IMU rows read recordings from it (the synthetic row runs without)');
  if (traces.present) {
    const plaka = readFileSync(traces.path('nmea/plaka.log'));
    rows.push(measure('nmea', 'nmea/plaka.log', plaka, runs, (b) => readNmea(b, 'plaka.log')));
    for (const f of ['imu/x-io-fusion-sensor_data.csv', 'imu/x-io-gait-short_walk.csv']) {
      const p = traces.path(f);
      rows.push(measure('csv-imu', f, readFileSync(p), runs, csvReader(p)));
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'edgerule-trace-bench-'));
  try {
    const hours = opts.syntheticHours ?? 24;
    const p = join(dir, `synthetic-${hours}h-100hz.csv`);
    writeImuCsv(p, hours);
    rows.push(measure('csv-imu', `synthetic ${hours} h @ 100 Hz`, readFileSync(p), opts.syntheticRuns ?? 5, csvReader(p)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export function formatRows(rows: Row[]): string {
  const head = ['bench', 'input', 'runs', 'MB', 'samples', 'median ms', 'MB/s', 'M samples/s', 'cpu ms', 'cpu MB/s', 'cpu M samples/s'];
  const body = rows.map((r) => [r.bench, r.input, String(r.runs), (r.bytes / 1e6).toFixed(1), String(r.samples),
    r.medianMs.toFixed(1), r.mbPerS.toFixed(1), (r.samplesPerS / 1e6).toFixed(2),
    r.cpuMedianMs.toFixed(1), r.cpuMbPerS.toFixed(1), (r.cpuSamplesPerS / 1e6).toFixed(2)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rows = await benchTrace();
  console.log(formatRows(rows));
}
