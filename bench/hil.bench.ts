/**
 * Hardware in the loop (`edgerule hil`, docs/HIL.md), per engine of the virtual device (Node, Moddable XS, and the
 * Linux build of Espruino when env ESPRUINO names one) behind real pseudo-terminals, on real recordings with scenarios:
 *
 *   latency   injection-to-event latency (p50, p99, max over every event of the runs) through the relay paced to
 *             115200 baud 8N1 (11,520 B/s, a pty has no line rate of its own), sbn.gpx with door-theft sent at 60×
 *             the trace's pace (~265 samples/s, about half the line) — so the figure is the device's and the
 *             link's, not a queue's
 *   max rate  the highest sustained injection rate, on sbn-v13.gpx with jam-and-tow (23,578 samples): samples sent
 *             as fast as the device takes them (flow control: the host never has more bytes outstanding than the
 *             device's buffer has free), through the relay at
 *             115200 baud (the line's limit) and straight on the pty (the device's own limit); samples/s of the
 *             inject phase, median of the runs
 *
 * The Espruino virtual device takes ~80 samples/s (the agent decodes every byte in interpreted JS), so it gets its
 * own plan: latency at 10× the trace's pace (~44 samples/s, about half its rate), the highest rate on sbn.gpx
 * (5,849 samples) rather than sbn-v13, one run each unless --espruino-runs says more (a run takes minutes), and
 * generous phase timeouts; the device is installed and the library flashed (by the first run) before it is timed.
 *
 * Every run must PASS (records byte-identical to the simulator's); a run that does not is counted in `ok`.
 *
 *   npm run bench   (this section alone: npm run build && [ESPRUINO=/path/to/espruino] node --import ./cli/register-ts.mjs bench/hil.bench.ts [--runs N] [--espruino-runs N])
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startDevice, BUILD_KEY, DEVICE_KEY } from '../harness/link.ts';
import { hilFiles, hilOptions, type HilFiles } from '../harness/hil.ts';
import { sharedData } from '../harness/shared-data.ts';
import { engines } from '../harness/engines/engines.ts';
import { Relay } from '../hil/relay/relay.ts';
import { flash } from '../hil/link/flash.ts';
import { runHil, type HilOptions } from '../hil/run/run.ts';
import { judge, runLatencies } from '../hil/run/verdict.ts';
import { percentiles } from '../hil/run/metrics.ts';
import type { DeviceEngine } from '../hil/virtual/device.ts';
import { EspruinoDevice, espruinoBinary } from '../hil/espruino/device.ts';
import { median } from './stats.ts';

const BAUD = 115200;
const PACED = 60;
const ESPRUINO_PACED = 10;
// phase limits far above what an Espruino run takes: a loaded machine must not pass for a lost device
const ESPRUINO_TIMEOUTS = { connectMs: 120_000, flashMs: 900_000, injectMs: 120_000, drainMs: 300_000 };

export interface HilRow {
  engine: string;
  bench: string;
  runs: number;
  ok: number;
  samples: number;
  events: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samplesPerS: number;
  lineBps: number;
  evalUs: number;
}

interface Drive { name: string; traces: string[]; scenario: string }

function drives(): Drive[] {
  const shared = sharedData('traces', 'the HIL bench replays real recordings');
  if (!shared.present) throw new Error(`the HIL bench needs ../shared/traces${shared.skipped}`);
  return [
    { name: 'sbn.gpx + door-theft', traces: [shared.path('gpx/sbn.gpx')], scenario: 'examples/scenarios/door-theft.json' },
    { name: 'sbn-v13.gpx + jam-and-tow', traces: [shared.path('gpx/sbn-v13.gpx')], scenario: 'examples/scenarios/jam-and-tow.ts' },
  ];
}

interface Measured { ok: boolean; samples: number; latencies: number[]; samplesPerS: number; lineBps: number; evalUs: number }

async function once(port: string, files: HilFiles, d: Drive, over: Partial<HilOptions>): Promise<Measured> {
  const o = await hilOptions(port, files, d, over);
  const run = await runHil(o);
  const r = judge(run, o);
  if (!r.ok) console.log(`  ${d.name}: ${r.verdict}`);
  return {
    ok: r.ok, samples: r.run.samples, latencies: runLatencies(run, o, r.deviceEvents), samplesPerS: r.metrics.samplesPerSecond,
    lineBps: r.metrics.bytesToDevicePerSecond, evalUs: r.metrics.evalUsPerSample,
  };
}

/** `fn` on a fresh relay to `device`, paced to 115200 baud, clean. */
async function viaRelay(device: string, dir: string, seed: number, fn: (port: string) => Promise<Measured>): Promise<Measured> {
  const r = await Relay.start({ device, port: join(dir, `bench-relay-${seed}`), baud: BAUD, faults: { flip: 0, drop: 0, dup: 0 }, seed });
  try {
    return await fn(r.port);
  } finally {
    await r.stop();
  }
}

function row(engine: string, bench: string, runs: number, m: Measured[]): HilRow {
  const lat = percentiles(m.flatMap((x) => x.latencies));
  const r1 = (v: number) => Math.round(v * 10) / 10;
  return {
    engine, bench, runs, ok: m.filter((x) => x.ok).length, samples: m.reduce((a, x) => a + x.samples, 0), events: lat.n,
    p50Ms: r1(lat.p50), p99Ms: r1(lat.p99), maxMs: r1(lat.max), samplesPerS: Math.round(median(m.map((x) => x.samplesPerS))),
    lineBps: Math.round(median(m.map((x) => x.lineBps))), evalUs: r1(median(m.map((x) => x.evalUs))),
  };
}

/** The three rows of one device: latency at `pace` through the relay, the highest rate through it and on the pty. */
async function deviceRows(engine: string, port: string, files: HilFiles, runs: number, plan: { pace: number; rate: Drive; over: Partial<HilOptions> }, seed: () => number): Promise<HilRow[]> {
  const list = drives();
  const paced: Measured[] = [];
  const relayMax: Measured[] = [];
  const ptyMax: Measured[] = [];
  for (let i = 0; i < runs; i++) {
    paced.push(await viaRelay(port, files.dir, seed(), (p) => once(p, files, list[0], { ...plan.over, speed: plan.pace, baud: BAUD })));
    relayMax.push(await viaRelay(port, files.dir, seed(), (p) => once(p, files, plan.rate, { ...plan.over, baud: BAUD })));
    ptyMax.push(await once(port, files, plan.rate, plan.over));
  }
  return [
    row(engine, `latency: ${list[0].name} at ${plan.pace}×, relay ${BAUD} baud`, runs, paced),
    row(engine, `max rate: ${plan.rate.name}, relay ${BAUD} baud`, runs, relayMax),
    row(engine, `max rate: ${plan.rate.name}, pty (no line rate)`, runs, ptyMax),
  ];
}

/** The Espruino virtual device's rows, or none (said loudly) without ESPRUINO. */
async function espruinoRows(files: HilFiles, runs: number, seed: () => number): Promise<HilRow[]> {
  const esp = espruinoBinary();
  if (!esp.bin) {
    console.log(`!!! espruino: SKIPPED, not measured: ${esp.why}`);
    return [];
  }
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const d = await EspruinoDevice.start({
    dir: mkdtempSync(join(tmpdir(), 'edgerule-hil-bench-espruino-')), clock: 'real',
    identity: { device: 7, trust: hex(BUILD_KEY.publicKey), seed: hex(DEVICE_KEY.seed!) },
  });
  try {
    const list = drives();
    const over = { timeouts: ESPRUINO_TIMEOUTS };
    // the library flashed first, so no figure includes a flash
    const f = await flash('lib', new Uint8Array(readFileSync(files.bundle)), { port: d.port, timeoutMs: 20_000, tries: 6, reconnects: 6, activateMs: ESPRUINO_TIMEOUTS.flashMs });
    if (!f.ok) throw new Error(`espruino: flashing the library failed: ${f.verdict}`);
    return await deviceRows(`espruino (${esp.bin.split('/').pop()})`, d.port, files, runs, { pace: ESPRUINO_PACED, rate: list[0], over }, seed);
  } finally {
    await d.stop();
  }
}

export async function benchHil(o: { runs?: number; espruinoRuns?: number } = {}): Promise<HilRow[]> {
  const runs = o.runs ?? 3;
  const files = await hilFiles();
  const list = drives();
  const rows: HilRow[] = [];
  const available = engines().filter((e) => e.available).map((e) => e.name);
  let n = 1;
  const seed = () => n++;
  for (const engine of ['node', 'xs'] as DeviceEngine[]) {
    if (!available.includes(engine)) {
      console.log(`!!! ${engine}: not available on this machine; its HIL rows are left out`);
      continue;
    }
    const d = await startDevice(engine);
    try {
      rows.push(...await deviceRows(engine, d.port, files, runs, { pace: PACED, rate: list[1], over: {} }, seed));
    } finally {
      await d.stop();
    }
  }
  rows.push(...await espruinoRows(files, o.espruinoRuns ?? 1, seed));
  return rows;
}

export function formatRows(rows: HilRow[]): string {
  const head = ['engine', 'bench', 'runs ok', 'samples', 'events', 'latency p50 ms', 'p99 ms', 'max ms', 'samples/s', 'B/s to device', 'device µs/sample'];
  const body = rows.map((r) => [r.engine, r.bench, `${r.ok}/${r.runs}`, String(r.samples), String(r.events), String(r.p50Ms), String(r.p99Ms), String(r.maxMs), String(r.samplesPerS), String(r.lineBps), String(r.evalUs)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(w[i])).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line), '',
    `latency: from the first send of what let the device evaluate an event's time to the arrival of its record (docs/HIL.md); samples/s and B/s: the inject phase; medians of the runs. Line: ${BAUD / 10} B/s.`].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => (process.argv.indexOf(name) > 0 ? Number(process.argv[process.argv.indexOf(name) + 1]) : undefined);
  console.log(formatRows(await benchHil({ runs: arg('--runs'), espruinoRuns: arg('--espruino-runs') })));
  process.exit(0);
}
