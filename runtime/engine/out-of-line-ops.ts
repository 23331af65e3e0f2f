/**
 * Out-of-line ops: the operations too long to inline, which translated code calls as F.inside(…) etc. instead of
 * writing them out: geometry tests, the implied-speed check and the edge-counting window. They allocate nothing
 * and use only + − × ÷ and comparisons, so every engine computes the same bits (Espruino's Math.sqrt/Math.pow may
 * be 1 ulp off; they are not used).
 *
 * Geometry is stored as float32 metres east (x) / north (y) of a per-geometry reference point (lat0, lon0);
 * a position is projected with the reference's metres-per-degree (kx, ky), computed by the compiler.
 */
import { GEOM_POLYGON, GEOM_CIRCLE, GEOM_POLYLINE } from './format.ts';
import { ImplicitRead } from './isa.generated.ts';
import { M_PER_DEG_ROUNDED } from './geodesy.ts';

export interface Geometry {
  kind: Uint8Array;      // per geometry
  first: Uint32Array;    // first point index
  count: Uint16Array;    // points
  ref: Float64Array;     // per geometry: lat0, lon0, kx, ky
  px: Float32Array;      // point x (m)
  py: Float32Array;      // point y (m)
  /**
   * Per geometry: the box around its points (a circle: around the circle) in metres, widened by BOX_MARGIN:
   * xmin, xmax, ymin, ymax. Derived at load (loadGeometry), for the early exits of inside() and near().
   */
  box: Float32Array;
}

/**
 * Metres a geometry's box is widened by (plus a millionth of its largest coordinate), far beyond any rounding of
 * the exact tests, so a position outside the box gets exactly the answer the full test would give.
 */
export var BOX_MARGIN = 1;

/**
 * What translated code calls through F. The implied-speed op (IMPLIED_SPEED2) is reached as `jump2`, its name
 * before the opcode was renamed: the translated text is pinned byte for byte (test/pinned.test.ts), so the key stays.
 */
export interface OutOfLineOps {
  inside(g: number, lat: number, lon: number): boolean;
  dist2(g: number, lat: number, lon: number): number;
  near(g: number, lat: number, lon: number, k: number, op: number): boolean;
  /** Only in a watched run (tests): called as each unit starts (runtime.ts start()). */
  run?: (unit: number) => void;
  jump2(s: number): number;
  count(s: number, n: number, c: boolean, w: number, t: number): number;
}

/** Fixes closer together than this (ms) are one epoch for the implied-speed check. */
var MIN_FIX_GAP = 200;

/** cos(latitude in degrees) by its Taylor series to r^14: only + − × ÷, error < 1e-8 for |lat| ≤ 90. */
function cosDeg(lat: number): number {
  var r = lat * Math.PI / 180;
  var r2 = r * r;
  return 1 - r2 / 2 * (1 - r2 / 12 * (1 - r2 / 30 * (1 - r2 / 56 * (1 - r2 / 90 * (1 - r2 / 132 * (1 - r2 / 182))))));
}

/**
 * Builds the out-of-line ops over the loaded geometry and the state array.
 * R is the runtime's register file: R[1] receives the earliest wake-up time an op needs.
 */
export function makeOutOfLineOps(geo: Geometry, V: Float64Array, U: Float64Array, S: Float64Array, R: Float64Array): OutOfLineOps {
  var box = geo.box;
  /** Per geometry: the segment found within reach last time, where near() starts looking (a route is followed). */
  var hint = new Uint16Array(geo.kind.length);

  function inside(g: number, lat: number, lon: number): boolean {
    if (!(lat === lat && lon === lon)) return false;
    var o = g * 4;
    var x = (lon - geo.ref[o + 1]) * geo.ref[o + 2];
    var y = (lat - geo.ref[o]) * geo.ref[o + 3];
    // Outside the box: outside the shape (the crossing count below would find no crossing).
    if (!(x >= box[o] && x <= box[o + 1] && y >= box[o + 2] && y <= box[o + 3])) return false;
    var first = geo.first[g];
    if (geo.kind[g] === GEOM_CIRCLE) {
      var r = geo.px[first];
      return x * x + y * y <= r * r;
    }
    if (geo.kind[g] !== GEOM_POLYGON) return false;
    // Crossing number: count edges that a ray from (x, y) towards +x crosses.
    var n = geo.count[g];
    var inside = false;
    var j = first + n - 1;
    for (var i = first; i < first + n; i++) {
      var yi = geo.py[i];
      var yj = geo.py[j];
      if ((yi > y) !== (yj > y)) {
        var xCross = geo.px[i] + (y - yi) * (geo.px[j] - geo.px[i]) / (yj - yi);
        if (x < xCross) inside = !inside;
      }
      j = i;
    }
    return inside;
  }

  /** Squared distance from (x, y) to segment a→b. */
  function segDist2(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
    var dx = bx - ax;
    var dy = by - ay;
    var len2 = dx * dx + dy * dy;
    var u = len2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / len2 : 0;
    if (u < 0) u = 0; else if (u > 1) u = 1;
    var ex = x - (ax + u * dx);
    var ey = y - (ay + u * dy);
    return ex * ex + ey * ey;
  }

  function dist2(g: number, lat: number, lon: number): number {
    if (!(lat === lat && lon === lon)) return NaN;
    var o = g * 4;
    var x = (lon - geo.ref[o + 1]) * geo.ref[o + 2];
    var y = (lat - geo.ref[o]) * geo.ref[o + 3];
    var kind = geo.kind[g];
    var first = geo.first[g];
    if (kind !== GEOM_POLYLINE && kind !== GEOM_POLYGON) {
      // Point or circle: distance to the reference point (the centre).
      return x * x + y * y;
    }
    if (kind === GEOM_POLYGON && inside(g, lat, lon)) return 0;
    var n = geo.count[g];
    var best = Infinity;
    var last = kind === GEOM_POLYGON ? first + n : first + n - 1;
    for (var i = first; i < last; i++) {
      var j = i + 1 < first + n ? i + 1 : first;
      var d = segDist2(x, y, geo.px[i], geo.py[i], geo.px[j], geo.py[j]);
      if (d < best) best = d;
    }
    return best;
  }

  /** Squared distance from (x, y) to the box [x0, x1] × [y0, y1] (0 inside): a lower bound for what the box holds. */
  function boxGap2(x: number, y: number, x0: number, x1: number, y0: number, y1: number): number {
    var ex = x < x0 ? x0 - x : x > x1 ? x - x1 : 0;
    var ey = y < y0 ? y0 - y : y > y1 ? y - y1 : 0;
    return ex * ex + ey * ey;
  }

  /**
   * Whether some segment of polyline or polygon g (not inside it) lies within squared distance k of (x, y): d < k
   * when `strict`, else d ≤ k, with d exactly segDist2's. Segments whose widened box is beyond k cannot qualify
   * and are skipped; the search starts at the segment that qualified last time and stops at the first that does.
   */
  function segmentWithin(g: number, x: number, y: number, k: number, kk: number, strict: boolean): boolean {
    var first = geo.first[g];
    var n = geo.count[g];
    var segs = geo.kind[g] === GEOM_POLYGON ? n : n - 1;
    var s = hint[g] < segs ? hint[g] : 0;
    for (var m = 0; m < segs; m++) {
      var i = first + s;
      var j = s + 1 < n ? i + 1 : first;
      var ax = geo.px[i], ay = geo.py[i], bx = geo.px[j], by = geo.py[j];
      var gap = boxGap2(x, y, (ax < bx ? ax : bx) - BOX_MARGIN, (ax < bx ? bx : ax) + BOX_MARGIN,
        (ay < by ? ay : by) - BOX_MARGIN, (ay < by ? by : ay) + BOX_MARGIN);
      if (!(gap > kk)) {
        var d = segDist2(x, y, ax, ay, bx, by);
        if (strict ? d < k : d <= k) { hint[g] = s; return true; }
      }
      s = s + 1 < segs ? s + 1 : 0;
    }
    return false;
  }

  /**
   * dist2(g, lat, lon) compared with k (op 0 <, 1 ≤, 2 >, 3 ≥): exactly the comparison of the full distance, with
   * early exits: a position beyond k of g's box is far, and the first segment within k answers. Translated code
   * calls it for a DIST2 compared with a constant (translate.ts), the common "more than 500 m off the route" test.
   */
  function near(g: number, lat: number, lon: number, k: number, op: number): boolean {
    var kind = geo.kind[g];
    if (!(lat === lat && lon === lon) || !(k > -Infinity && k < Infinity) || (kind !== GEOM_POLYLINE && kind !== GEOM_POLYGON)) {
      var d = dist2(g, lat, lon);
      return op === 0 ? d < k : op === 1 ? d <= k : op === 2 ? d > k : d >= k;
    }
    var strict = op === 0 || op === 3; // < and ≥ ask whether some point is strictly within k; ≤ and > whether within or at k
    var o = g * 4;
    var x = (lon - geo.ref[o + 1]) * geo.ref[o + 2];
    var y = (lat - geo.ref[o]) * geo.ref[o + 3];
    // A box is beyond k only when it is beyond k and a relative hair more: squares of long distances round.
    var kk = k > 0 ? k + k / 1073741824 : k;
    var within = !(boxGap2(x, y, box[o], box[o + 1], box[o + 2], box[o + 3]) > kk) &&
      (kind === GEOM_POLYGON && inside(g, lat, lon) ? (strict ? 0 < k : 0 <= k) : segmentWithin(g, x, y, k, kk, strict));
    return op < 2 ? within : !within;
  }

  /**
   * Implied speed² between the two latest fixes. State: prevLat, prevLon, prevT, curLat, curLon, curT, result.
   * Reads the values the table names as IMPLIED_SPEED2's implicit reads, keyed on the latitude's update time,
   * so re-evaluating without a new fix changes nothing. (Translated code also passes the time t; the fix's own
   * update time is what counts, so it is ignored.)
   */
  function impliedSpeed2(s: number): number {
    var fixT = U[ImplicitRead.IMPLIED_SPEED2_LAT];
    var lat = V[ImplicitRead.IMPLIED_SPEED2_LAT];
    var lon = V[ImplicitRead.IMPLIED_SPEED2_LON];
    if (fixT === fixT && fixT !== S[s + 5] && lat === lat && lon === lon) {
      // A fix within MIN_FIX_GAP of the last one is the same epoch reported twice (real logs do this, 1 ms
      // apart): it replaces the latest fix instead of becoming a pair whose tiny time step fakes a huge speed.
      if (!(fixT - S[s + 5] < MIN_FIX_GAP)) {
        S[s] = S[s + 3]; S[s + 1] = S[s + 4]; S[s + 2] = S[s + 5];
      }
      S[s + 3] = lat; S[s + 4] = lon; S[s + 5] = fixT;
      var dt = (S[s + 5] - S[s + 2]) / 1000;
      if (S[s + 2] === S[s + 2] && dt > 0) {
        var dy = (S[s + 3] - S[s]) * M_PER_DEG_ROUNDED;
        var dx = (S[s + 4] - S[s + 1]) * M_PER_DEG_ROUNDED * cosDeg(S[s + 3]);
        S[s + 6] = (dx * dx + dy * dy) / (dt * dt);
      } else {
        S[s + 6] = 0;
      }
    }
    return S[s + 6] === S[s + 6] ? S[s + 6] : 0;
  }

  /**
   * Rising edges of c within the last w ms, saturating at n. State: previous c, next ring index, n edge times.
   * Sets R[1] to when the oldest counted edge leaves the window, so the unit wakes and the count drops on time.
   */
  function count(s: number, n: number, c: boolean, w: number, t: number): number {
    var ring = s + 2;
    if (c && !(S[s] > 0)) {
      var head = S[s + 1] === S[s + 1] ? S[s + 1] : 0;
      S[ring + head] = t;
      S[s + 1] = head + 1 < n ? head + 1 : 0;
    }
    S[s] = c ? 1 : 0;
    var k = 0;
    var oldest = Infinity;
    for (var i = 0; i < n; i++) {
      var e = S[ring + i];
      if (e === e && t - e < w) {
        k++;
        if (e < oldest) oldest = e;
      }
    }
    R[1] = oldest + w;
    return k;
  }

  return { inside: inside, dist2: dist2, near: near, jump2: impliedSpeed2, count: count };
}
