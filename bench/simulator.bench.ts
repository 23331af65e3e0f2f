/**
 * Simulator throughput, end to end: read a CSV IMU recording, parse it, evaluate the whole rule library in the
 * runtime artifact, write events.jsonl — samples per second of wall time (one core), and the real-time factor
 * of a synthetic 24-hour 100 Hz recording. A sample is one catalogue value (a CSV row gives accel.x/y/z/mag).
 * Also checks that the replay loop allocates nothing per sample (heap growth and GC runs during the loop).
 *
 *   node --import ./cli/register-ts.mjs bench/simulator.bench.ts [--hours 24]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';
import { loadBundle, type LoadedBundle } from '../simulator/inputs.ts';
import { simulate, eventsJsonl } from '../simulator/run.ts';
import { Replayer } from '../simulator/replay.ts';
import { loadRuntimeArtifact } from '../simulator/artifact.ts';
import { median } from './stats.ts';
import { writeImuCsv } from './synthetic-imu.ts';

export interface Row {
  bench: string;
  input: string;
  runs: number;
  samples: number;
  events: number;
  /** Median wall time of read + parse + replay + write. */
  medianMs: number;
  samplesPerS: number;
  /** Recording duration ÷ wall time. */
  realTimeFactor: number;
  note?: string;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');



function endToEnd(bundle: LoadedBundle, input: string, path: string, outDir: string, runs: number, note?: string): Row {
  const times: number[] = [];
  let samples = 0, events = 0, duration = 0;
  for (let i = 0; i < (runs === 1 ? 1 : runs + 1); i++) {
    const t0 = performance.now();
    const r = simulate({ bundle, traces: [path] });
    writeFileSync(join(outDir, 'events.jsonl'), eventsJsonl(r.events));
    const ms = performance.now() - t0;
    if (i > 0 || runs === 1) times.push(ms); // with several runs, the first only warms the JIT up
    samples = r.counts.replayed; events = r.events.length; duration = r.until - r.t0;
  }
  const ms = median(times);
  return { bench: 'simulate csv-imu', input, runs: times.length, samples, events, medianMs: ms, samplesPerS: samples / (ms / 1000), realTimeFactor: duration / ms, note };
}

/** Bytes in V8's young generation: every JS allocation lands there first, so without a GC its growth is what was allocated. */
function newSpaceUsed(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_used_size ?? NaN;
}

/** Replay loop only, on in-memory columns: heap growth and GC runs while it runs (should be ~0). */
async function allocationCheck(bundle: LoadedBundle, rows: number): Promise<Row> {
  const n = rows * 4;
  const t = new Float64Array(n), sig = new Uint8Array(n), value = new Float64Array(n);
  let seed = 7;
  for (let i = 0; i < rows; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const noise = (seed / 4294967296 - 0.5) * 0.02;
    for (let k = 0; k < 4; k++) { t[i * 4 + k] = 1.6e12 + i * 10; sig[i * 4 + k] = 8 + k; value[i * 4 + k] = k === 2 || k === 3 ? 1 + noise : noise; }
  }
  const api = loadRuntimeArtifact();
  const cols = { t, sig, value, length: n };
  // The first quarter warms the JIT up (compiled code and its feedback live on the heap too); then measure.
  const r = new Replayer(api, bundle.bytes);
  const warm = n >> 2;
  r.feed(cols, 0, warm);
  // Young-generation growth per chunk (a chunk in which a GC ran shows a drop and is left out); the probe's own
  // allocation is measured with an empty chunk and subtracted.
  const chunk = 250_000;
  const probe0 = newSpaceUsed();
  const probe = newSpaceUsed() - probe0;
  const growth: number[] = [];
  const t0 = performance.now();
  for (let at = warm; at < n; at += chunk) {
    const before = newSpaceUsed();
    r.feed(cols, at, Math.min(n, at + chunk));
    const d = newSpaceUsed() - before - probe;
    if (d >= 0) growth.push(d / Math.min(chunk, n - at));
  }
  const ms = performance.now() - t0;
  r.finish();
  const measured = n - warm;
  return {
    bench: 'replay loop only', input: `${rows} rows in memory`, runs: 1, samples: measured, events: r.events.length, medianMs: ms,
    samplesPerS: measured / (ms / 1000), realTimeFactor: (measured / 4 * 10) / ms,
    note: `heap allocation in the loop: median ${median(growth).toFixed(4)} B/sample, max ${Math.max(...growth).toFixed(4)} B/sample over ${growth.length} chunks of ${chunk} samples (0 = allocation-free)`,
  };
}

export async function benchSimulator(opts: { hours?: number; runs?: number } = {}): Promise<Row[]> {
  const bundle = await loadBundle(join(ROOT, 'rules'));
  const dir = mkdtempSync(join(tmpdir(), 'edgerule-sim-bench-'));
  const rows: Row[] = [];
  try {
    const oneHour = join(dir, 'imu-1h-100hz.csv');
    writeImuCsv(oneHour, 1);
    rows.push(endToEnd(bundle, 'synthetic 1 h @ 100 Hz CSV', oneHour, dir, opts.runs ?? 5));
    const hours = opts.hours ?? 24;
    const day = join(dir, `imu-${hours}h-100hz.csv`);
    writeImuCsv(day, hours);
    rows.push(endToEnd(bundle, `synthetic ${hours} h @ 100 Hz CSV`, day, dir, 1, 'real-time factor = recording duration ÷ (read + parse + replay + write)'));
    rmSync(day, { force: true });
    rows.push(await allocationCheck(bundle, 2_000_000));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export function formatRows(rows: Row[]): string {
  const head = ['bench', 'input', 'runs', 'samples', 'events', 'median ms', 'M samples/s', 'real-time ×'];
  const body = rows.map((r) => [r.bench, r.input, String(r.runs), String(r.samples), String(r.events), r.medianMs.toFixed(0), (r.samplesPerS / 1e6).toFixed(2), Math.round(r.realTimeFactor).toLocaleString('en')]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.bench} / ${r.input}: ${r.note}`);
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--hours');
  const rows = await benchSimulator({ hours: i > 0 ? Number(process.argv[i + 1]) : undefined });
  console.log(formatRows(rows));
}
