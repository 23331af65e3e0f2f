/**
 * The records the event queue had to drop, as at most MAX_RANGES ranges [first, last, count, prev]: `count`
 * of the sequence numbers first…last were dropped (all of them when count = last − first + 1), `prev` is the
 * prev hash of record `first`, so a verifier can follow the hash chain across the gap. Every record the writer
 * makes carries the current ranges (docs/EVENTS.md, key 8) until a record carrying them is acknowledged.
 * When a fifth range would be needed, the two closest ranges merge (count < length marks such a range).
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
export var MAX_RANGES = 4;

export interface DropRanges {
  n: number;
  first: Float64Array;
  last: Float64Array;
  count: Float64Array;
  /** Seq of the first record that carried this range as it is now (0: not carried yet). */
  rep: Float64Array;
  prev: Uint8Array;
}

export function newDropRanges(): DropRanges {
  return {
    n: 0, first: new Float64Array(MAX_RANGES), last: new Float64Array(MAX_RANGES), count: new Float64Array(MAX_RANGES),
    rep: new Float64Array(MAX_RANGES), prev: new Uint8Array(MAX_RANGES * 32),
  };
}

function move(d: DropRanges, to: number, from: number): void {
  d.first[to] = d.first[from];
  d.last[to] = d.last[from];
  d.count[to] = d.count[from];
  d.rep[to] = d.rep[from];
  d.prev.set(d.prev.subarray(from * 32, from * 32 + 32), to * 32);
}

function remove(d: DropRanges, k: number): void {
  for (var j = k; j < d.n - 1; j++) move(d, j, j + 1);
  d.n--;
}

/** Merges the two ranges with the smallest gap between them. */
function mergeClosest(d: DropRanges): void {
  var best = 0;
  var j;
  for (j = 1; j < d.n - 1; j++) if (d.first[j + 1] - d.last[j] < d.first[best + 1] - d.last[best]) best = j;
  d.last[best] = d.last[best + 1];
  d.count[best] += d.count[best + 1];
  d.rep[best] = 0;
  remove(d, best + 1);
}

/** True when a range already includes seq (first ≤ seq ≤ last). */
export function dropCovers(d: DropRanges, seq: number): boolean {
  for (var j = 0; j < d.n; j++) if (d.first[j] <= seq && seq <= d.last[j]) return true;
  return false;
}

/** Records that record `seq`, whose prev hash is src[at…at+31], was dropped. */
export function dropAdd(d: DropRanges, seq: number, src: Uint8Array, at: number): void {
  var k = 0;
  var pass, j;
  for (pass = 0; pass < 2; pass++) {
    for (k = 0; k < d.n && d.first[k] < seq; k++) {
      // find the first range starting after seq
    }
    if (k > 0 && d.last[k - 1] >= seq) {
      // inside a merged (inexact) range
      d.count[k - 1]++;
      d.rep[k - 1] = 0;
      return;
    }
    if (k > 0 && d.last[k - 1] + 1 === seq) {
      d.last[k - 1] = seq;
      d.count[k - 1]++;
      d.rep[k - 1] = 0;
      if (k < d.n && d.first[k] === seq + 1) {
        d.last[k - 1] = d.last[k];
        d.count[k - 1] += d.count[k];
        remove(d, k);
      }
      return;
    }
    if (k < d.n && d.first[k] === seq + 1) {
      d.first[k] = seq;
      d.count[k]++;
      d.rep[k] = 0;
      d.prev.set(src.subarray(at, at + 32), k * 32);
      return;
    }
    if (d.n < MAX_RANGES) break;
    mergeClosest(d); // then look again: seq may now lie inside the merged range
  }
  for (j = d.n; j > k; j--) move(d, j, j - 1);
  d.first[k] = seq;
  d.last[k] = seq;
  d.count[k] = 1;
  d.rep[k] = 0;
  d.prev.set(src.subarray(at, at + 32), k * 32);
  d.n++;
}

/** Ranges not yet carried are now carried by record `seq`. */
export function dropReported(d: DropRanges, seq: number): void {
  for (var j = 0; j < d.n; j++) if (d.rep[j] === 0) d.rep[j] = seq;
}

/** Records up to `upTo` were acknowledged: ranges they carried have reached the backend. */
export function dropAcked(d: DropRanges, upTo: number): void {
  var j = 0;
  while (j < d.n) {
    if (d.rep[j] > 0 && d.rep[j] <= upTo) remove(d, j);
    else j++;
  }
}
