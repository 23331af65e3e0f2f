/**
 * How much driving a recording holds, for rates "per 1,000 hours" and "per 10,000 km".
 *
 * Hours: the time between consecutive sample instants, except gaps longer than `maxGapMs` (a logger switched
 * off, a recording spliced from several days, a clock jump), which count as nothing.
 * Kilometres: great-circle distance between consecutive position fixes, except across such gaps and except
 * steps faster than 300 km/h (position glitches and jumps: no road vehicle moves like that).
 * Computed on the recording as read, before any scenario is overlaid (a spoofed position is not distance).
 */
import { fixes } from '../simulator/report/html.ts';
import type { SampleColumns } from '../simulator/trace/samples.ts';

const EARTH_M = 6371008.8;
const MAX_STEP_MPS = 300 / 3.6;

export interface Exposure { hours: number; km: number }

function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const a = Math.sin((lat2 - lat1) * r / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin((lon2 - lon1) * r / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

export function exposure(s: SampleColumns, maxGapMs: number): Exposure {
  let ms = 0;
  for (let i = 1; i < s.length; i++) {
    const dt = s.t[i] - s.t[i - 1];
    if (dt > 0 && dt <= maxGapMs) ms += dt;
  }
  let m = 0;
  const track = fixes(s);
  for (let i = 1; i < track.length; i++) {
    const a = track[i - 1], b = track[i];
    const dt = b.t - a.t;
    if (!(dt > 0 && dt <= maxGapMs)) continue;
    const d = haversineM(a.lat, a.lon, b.lat, b.lon);
    if (d / (dt / 1000) <= MAX_STEP_MPS) m += d;
  }
  return { hours: ms / 3_600_000, km: m / 1000 };
}
