/**
 * Real recordings as sample streams, for the tests and benchmarks that compare the rule engine with the
 * hand-written baseline (test/bench-equivalence.test.ts, bench/rules-real.ts): read and merged on the host by
 * the simulator's own readers (simulator/inputs.ts readInputs), then given times relative to the first sample's
 * whole millisecond, as the simulator's replay gives them to the runtime (simulator/replay.ts).
 *
 * The traces live in ../shared/traces (relative to the project root, never an absolute path); the quat-orient
 * trip is the copy in examples/. A missing file is an error that names it, never a silent skip.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readInputs } from '../simulator/inputs.ts';
import { applyScenario, validateScenario } from '../simulator/scenario.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Recording {
  name: string;
  /** What it is, for tables and docs. */
  what: string;
  /** Paths relative to the project root. */
  files: string[];
  /** Calendar start for undated recordings (only shifts the origin). */
  startMs?: number;
}

/** The shipped example scenario (door forced, power cut, jamming, spoofing, towing, …), to make more rules act on real data. */
export const DOOR_THEFT = 'examples/scenarios/door-theft.json';

export const RECORDINGS: Recording[] = [
  { name: 'sbn-v13', what: '59 min urban drive, GNSS 1 Hz (Europe: far from every geofence)', files: ['../shared/traces/gpx/sbn-v13.gpx'] },
  { name: 'dg100', what: '4 h highway in four trips over 84 days, GNSS 1 Hz (far from every geofence)', files: ['../shared/traces/gpx/dg100.gpx'] },
  {
    name: 'quat-orient', what: '6 min Auckland drive through the geofences, GNSS 1 Hz + accelerometer 16.7 Hz',
    files: ['examples/quat-orient/gps.2020-10-15-21.csv', 'examples/quat-orient/accel.2020-10-15-21.csv'],
    startMs: Date.parse('2020-10-15T21:00:00+13:00'),
  },
  { name: 'x-io-imu', what: '135 s handheld IMU, accelerometer 100 Hz, no GNSS', files: ['../shared/traces/imu/x-io-fusion-sensor_data.csv'], startMs: 0 },
];

export interface Stream {
  name: string;
  /** ms since `origin` */
  t: Float64Array;
  sig: Uint8Array;
  value: Float64Array;
  n: number;
  /** the first sample's whole millisecond (absolute) */
  origin: number;
  /** distinct sample times (one step each) */
  steps: number;
  /** distinct times that carry a GNSS fix sample (gnss.fix, or gnss.lat when there is no fix flag) */
  fixes: number;
}

const GNSS_LAT = 0;
const GNSS_FIX = 6;

export function recording(name: string): Recording {
  const r = RECORDINGS.find((x) => x.name === name);
  if (!r) throw new Error(`no recording named '${name}' (have ${RECORDINGS.map((x) => x.name).join(', ')})`);
  return r;
}

/**
 * The recording's merged sample stream, times relative to its origin; `scenario` (a JSON scenario file relative
 * to the project root) is overlaid as `edgerule simulate --scenario` does.
 */
export function readRecording(rec: Recording, scenario?: string): Stream {
  const paths = rec.files.map((f) => resolve(ROOT, f));
  for (const p of paths) {
    if (!existsSync(p)) throw new Error(`recording '${rec.name}': ${p} is missing (the real traces are expected in ../shared/traces beside the project)`);
  }
  let s = readInputs(paths, rec.startMs !== undefined ? { startMs: rec.startMs } : {}).samples;
  if (scenario) s = applyScenario(s, validateScenario(JSON.parse(readFileSync(resolve(ROOT, scenario), 'utf8')), scenario), scenario).samples;
  const n = s.length;
  if (!n) throw new Error(`recording '${rec.name}': no samples`);
  const origin = Math.floor(s.t[0]);
  const t = new Float64Array(n);
  let steps = 0, fixes = 0, prev = NaN, fixAt = NaN;
  let hasFixFlag = false;
  for (let i = 0; i < n; i++) if (s.sig[i] === GNSS_FIX) { hasFixFlag = true; break; }
  const fixSig = hasFixFlag ? GNSS_FIX : GNSS_LAT;
  for (let i = 0; i < n; i++) {
    t[i] = s.t[i] - origin;
    if (s.t[i] !== prev) { steps++; prev = s.t[i]; }
    if (s.sig[i] === fixSig && s.t[i] !== fixAt) { fixes++; fixAt = s.t[i]; }
  }
  return { name: scenario ? `${rec.name}+${scenario.replace(/^.*\//, '').replace(/\.json$/, '')}` : rec.name, t, sig: s.sig.slice(0, n), value: s.value.slice(0, n), n, origin, steps, fixes };
}
