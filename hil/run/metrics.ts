/**
 * Figures of a HIL run: injection-to-event latency (from the moment the host first sent what let the device
 * evaluate an event's time, to the moment the host received the event's record), and percentiles.
 *
 * With injected time the device evaluates a sample time when the next later sample arrives, or when a group-end
 * tag says the time is complete; an event raised by a timer between samples is evaluated when the first later
 * sample arrives; one due after the last sample, at END_RUN. With the device's own clock the reference moment is
 * when the host's paced clock reached the event's time.
 */
import type { InjectSource } from './samples.ts';
import type { InjectStats } from './inject.ts';

export interface Percentiles { n: number; p50: number; p99: number; max: number }

/** Nearest-rank percentiles of ms values (NaN when there are none). */
export function percentiles(values: number[]): Percentiles {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const at = (p: number) => (v.length ? v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))] : NaN);
  return { n: v.length, p50: at(0.5), p99: at(0.99), max: v.length ? v[v.length - 1] : NaN };
}

/** When the device could first evaluate sample time `rel` (performance.now() ms), by injected time. */
export function triggerTime(rel: number, src: InjectSource, st: InjectStats, endSentAt: number): number {
  const k = src.firstAfter(rel);
  let t = k < src.length ? st.firstSent[k] : endSentAt;
  if (k > 0 && st.groupEndSent[k - 1] < t) t = st.groupEndSent[k - 1];
  return t;
}

/** Latency of each event record: arrival (performance.now() ms) minus its trigger; `rels` are the events' times relative to the origin. */
export function eventLatencies(events: Array<{ rel: number; arrivedAt: number }>, src: InjectSource, st: InjectStats, endSentAt: number, wall: { startedAt: number; speed: number } | undefined): number[] {
  return events.map((e) => {
    const trigger = wall ? wall.startedAt + (e.rel - src.rel[0]) / wall.speed : triggerTime(e.rel, src, st, endSentAt);
    return e.arrivedAt - trigger;
  });
}
