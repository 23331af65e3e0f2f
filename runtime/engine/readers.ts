/**
 * Which units read each value (signal or derived), as a compressed list: units[start[v] … start[v + 1]) in
 * unit order. Built once at load from the units' dependency lists: `set()` marks a signal's readers with masks made
 * from it (signalMasks), and the translator compiles a derived value's readers into the code that stores it.
 *
 * Marks are bits: unit u is bit u & 31 of dirty word u >> 5 (Q in runtime.ts), so marking every reader of a value
 * is one OR per word instead of a write per reader.
 */
import { Program } from './verify.ts';

export interface Readers { start: Uint16Array; units: Uint8Array }

export function valueReaders(p: Program): Readers {
  var start = new Uint16Array(p.nValues + 1);
  var u: number; var i: number; var v: number;
  // Count readers per value (into start[v + 1]), turn the counts into offsets, then fill in unit order.
  for (u = 0; u < p.nUnits; u++) {
    for (i = 0; i < p.unitDepCount[u]; i++) start[p.bytes[p.depOff + p.unitDepStart[u] + i] + 1]++;
  }
  for (v = 0; v < p.nValues; v++) start[v + 1] += start[v];
  var units = new Uint8Array(start[p.nValues]);
  var next = new Uint16Array(p.nValues);
  for (v = 0; v < p.nValues; v++) next[v] = start[v];
  for (u = 0; u < p.nUnits; u++) {
    for (i = 0; i < p.unitDepCount[u]; i++) units[next[p.bytes[p.depOff + p.unitDepStart[u] + i]]++] = u;
  }
  return { start: start, units: units };
}

/** Dirty words for a program's units (at least one, so set() has a word to OR into). */
export function dirtyWords(nUnits: number): number {
  return nUnits > 32 ? (nUnits + 31) >> 5 : 1;
}

/** Per signal s, the bits of its readers: words M[s × nw … s × nw + nw − 1]. */
export function signalMasks(p: Program, r: Readers, nw: number): Int32Array {
  var M = new Int32Array(p.nSignals * nw);
  for (var s = 0; s < p.nSignals; s++) {
    for (var j = r.start[s]; j < r.start[s + 1]; j++) M[s * nw + (r.units[j] >> 5)] |= 1 << (r.units[j] & 31);
  }
  return M;
}
