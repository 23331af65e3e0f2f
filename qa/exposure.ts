/**
 * How much driving a recording holds, for rates "per 1,000 hours" and "per 10,000 km".
 *
 * Hours: the time between consecutive sample instants, except gaps longer than `maxGapMs` (a logger switched
 * off, a recording spliced from several days, a clock jump), which count as nothing.
 * Kilometres: great-circle distance between consecutive position fixes, except across such gaps and except
 * steps faster than 300 km/h (position glitches and jumps: no road vehicle moves like that).
 * Computed on the recording as read, before any scenario is overlaid (a spoofed position is not distance).
 */
import type { SampleColumns } from '../simulator/trace/samples.ts';
import { signalMeta } from '../compiler/dsl/catalogue.ts';

const EARTH_M = 6371008.8;
const MAX_STEP_MPS = 300 / 3.6;
const LAT = signalMeta('gnss.lat').id, LON = signalMeta('gnss.lon').id;

export interface Exposure { hours: number; km: number }

function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const a = Math.sin((lat2 - lat1) * r / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin((lon2 - lon1) * r / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

export function exposure(s: SampleColumns, maxGapMs: number): Exposure {
  return new ExposureMeter(maxGapMs).add(s).result();
}

/**
 * Exposure gathered chunk by chunk as a replay streams its recording (simulate()'s onRecorded hook), so a long
 * recording need not be held: the same sums as over the whole stream. A position fix is the (lat, lon) after the
 * last sample of an instant at which either was set (the report's fixes()).
 */
export class ExposureMeter {
  private ms = 0;
  private m = 0;
  private prevT = NaN;
  private lat = NaN;
  private lon = NaN;
  private changed = false;
  private fixT = NaN;
  private fixLat = NaN;
  private fixLon = NaN;

  constructor(private readonly maxGapMs: number) {}

  add(s: SampleColumns): this {
    const { t, sig, value } = s;
    for (let i = 0; i < s.length; i++) {
      const ti = t[i];
      if (ti !== this.prevT) {
        const dt = ti - this.prevT;
        if (dt > 0 && dt <= this.maxGapMs) this.ms += dt;
        if (this.changed) this.fix(this.prevT);
        this.prevT = ti;
      }
      const g = sig[i];
      if (g === LAT) { this.lat = value[i]; this.changed = true; } else if (g === LON) { this.lon = value[i]; this.changed = true; }
    }
    return this;
  }

  result(): Exposure {
    if (this.changed) this.fix(this.prevT);
    return { hours: this.ms / 3_600_000, km: this.m / 1000 };
  }

  private fix(t: number): void {
    this.changed = false;
    const lat = this.lat, lon = this.lon;
    if (!(lat === lat && lon === lon)) return;
    const dt = t - this.fixT;
    if (dt > 0 && dt <= this.maxGapMs) {
      const d = haversineM(this.fixLat, this.fixLon, lat, lon);
      if (d / (dt / 1000) <= MAX_STEP_MPS) this.m += d;
    }
    this.fixT = t; this.fixLat = lat; this.fixLon = lon;
  }
}
