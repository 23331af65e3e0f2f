/**
 * Which units read each value (signal or derived), as a compressed list: units[start[v] … start[v + 1]) in
 * unit order. Built once at load from the units' dependency lists: `set()` marks a signal's readers with it,
 * and the translator compiles a derived value's readers into the code that stores it.
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
