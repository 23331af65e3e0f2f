/**
 * Digital inputs (door contact, tamper switch, ignition, external power) with debounce. The board calls
 * digitalEdge() from its pin watch (Espruino setWatch, Moddable Digital's onReadable, a test script) with the
 * level and the time of the edge; a level counts once it has held for `debounce` ms, and its sample carries the
 * time it was confirmed (edge + debounce), so a contact bouncing for a few ms gives one clean change. The
 * debounce is the host's own, not the pin hardware's, so every platform debounces alike.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import { sinkSet, type Sink } from './sink.ts';
import { schedAdd, schedAt, type Sched } from './sched.ts';

export interface DigitalInput {
  sig: number;
  invert: boolean;
  debounce: number;
  /** The pin's level now, the time it last changed, the level last reported (−1: never). */
  raw: number;
  changed: number;
  stable: number;
  task: number;
}

/** The signal value of a level (0/1) after inversion. */
function value(d: DigitalInput, level: number): number {
  return d.invert ? 1 - level : level;
}

/** The debounce check: the level has held since `changed`; report it if it differs from the last report. */
function confirmTask(d: DigitalInput, sink: Sink): (t: number) => void {
  return function (t: number) {
    if (t - d.changed < d.debounce || d.raw === d.stable) return;
    d.stable = d.raw;
    sinkSet(sink, d.sig, value(d, d.raw), t);
  };
}

export function newDigitalInput(sched: Sched, sink: Sink, sig: number, invert: boolean, debounce: number, level: number): DigitalInput {
  var d: DigitalInput = { sig: sig, invert: invert, debounce: debounce > 0 ? debounce : 0, raw: level ? 1 : 0, changed: -Infinity, stable: -1, task: -1 };
  d.task = schedAdd(sched, confirmTask(d, sink), 0, Infinity);
  return d;
}

/** An edge (or any reading) of the pin: level 0/1 at board time t. */
export function digitalEdge(sched: Sched, sink: Sink, d: DigitalInput, level: number, t: number): void {
  var l = level ? 1 : 0;
  if (l === d.raw) return;
  d.raw = l;
  d.changed = t;
  if (d.debounce === 0) {
    d.stable = l;
    sinkSet(sink, d.sig, value(d, l), t);
    return;
  }
  schedAt(sched, d.task, t + d.debounce);
}

/** Reports the input's current (confirmed) level at t — to a bundle that has just started. */
export function digitalAnnounce(sink: Sink, d: DigitalInput, t: number): void {
  if (d.stable < 0 && t - d.changed >= d.debounce) d.stable = d.raw;
  if (d.stable >= 0) sinkSet(sink, d.sig, value(d, d.stable), t);
}
