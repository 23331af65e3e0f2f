/**
 * Where every driver's samples go: into the running bundle, grouped by time exactly as the simulator's replay
 * feeds a trace (simulator/replay.ts): for each new sample time t, step the previous time's group, advanceTo(t),
 * then set() each sample of t; a group is stepped once, when a later time arrives or the board clock passes it.
 * Times never go backwards into the runtime: a sample older than the last group is stamped with that group's
 * time (counted as late). Samples that arrive while no bundle runs are lost, as on any device (counted).
 *
 * The running bundle comes from `src` (the link agent: it changes when a new bundle is activated), and each
 * stepped group is reported to it (STATS and the event writer's clock).
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use; nothing allocated per sample.
 */
import type { Runtime } from '../engine/runtime.ts';

/** What the sink feeds: the link agent, or any holder of a runtime. */
export interface RuntimeSource {
  runtime(): Runtime | null;
  account(samples: number, us: number, maxUs: number, t: number): void;
}

export interface Sink {
  src: RuntimeSource;
  /** The runtime the group belongs to (a new one starts a new time line). */
  rt: Runtime | null;
  /** Time of the group being collected (NaN: none yet), and the latest time the runtime was given. */
  cur: number;
  floor: number;
  pending: boolean;
  /** Samples in the pending group, and the board's µs clock when it began. */
  n: number;
  began: number;
  /** µs clock for the evaluation statistics. */
  micros: () => number;
  /** Samples set, samples stamped later than they came (older than the group before), samples lost (no bundle). */
  fed: number;
  late: number;
  lost: number;
}

export function newSink(src: RuntimeSource, micros: () => number): Sink {
  return { src: src, rt: null, cur: NaN, floor: -Infinity, pending: false, n: 0, began: 0, micros: micros, fed: 0, late: 0, lost: 0 };
}

/** Evaluates the pending group. */
function stepGroup(k: Sink): void {
  var us;
  if (!k.pending || !k.rt) return;
  k.rt.step(k.cur);
  us = k.micros() - k.began;
  k.pending = false;
  k.src.account(k.n, us, us, k.cur);
  k.n = 0;
}

/** The runtime to feed now (a new bundle starts a new time line); null when none runs. */
function current(k: Sink): Runtime | null {
  var rt = k.src.runtime();
  if (rt !== k.rt) {
    k.rt = rt;
    k.cur = NaN;
    k.floor = -Infinity;
    k.pending = false;
    k.n = 0;
  }
  return rt;
}

/** One sample: signal id, value, time (board wall-clock ms). */
export function sinkSet(k: Sink, sig: number, value: number, t: number): void {
  var rt = current(k);
  if (!rt) {
    k.lost++;
    return;
  }
  if (t < k.floor) {
    t = k.floor;
    k.late++;
  }
  if (!(k.pending && t === k.cur)) {
    stepGroup(k);
    rt.advanceTo(t);
    k.cur = t;
    k.floor = t;
    k.pending = true;
    k.n = 0;
    k.began = k.micros();
  }
  rt.set(sig, value, t);
  k.n++;
  k.fed++;
}

/** Evaluates the pending group now (the end of a batch of injected samples: no later sample will step it). */
export function sinkFlush(k: Sink): void {
  stepGroup(k);
}

/** The board clock reads t: a group older than t is complete (step it), and wake-ups due before t run. */
export function sinkAt(k: Sink, t: number): void {
  var rt = current(k);
  if (!rt) return;
  if (k.pending && t > k.cur) stepGroup(k);
  if (t > k.floor) {
    rt.advanceTo(t);
    k.floor = t;
  }
}
