/**
 * The device runtime: load a bundle (verify → allocate → translate), then feed it samples.
 *
 *   var rt = load(bytes, host);          // rt.fault !== 0: refused, rt.faultAt = byte offset
 *   rt.set(signalId, value, t);          // a sample; marks the units that read the signal
 *   rt.step(t);                          // evaluates marked units and units whose wake-up time has come
 *   rt.nextDue();                        // earliest wake-up time (Infinity if none): call step(then) if no sample comes first
 *   rt.advanceTo(t);                     // runs the wake-ups due before t; call it before set()/step(t) of a sample at t
 *
 * All state lives in typed arrays sized here, at load; set() and step() allocate nothing.
 * Times are milliseconds (any epoch) and should not go backwards; any number is safe, though (docs/BYTECODE.md,
 * "Work per call"): step(t) runs each unit at most once, advanceTo(t) at most program.wakeBudget wake-up passes.
 */
import { verify, parse, Program } from './verify.ts';
import { keptRecord, readKept, Kept } from './kept.ts';
import { translate } from './translate.ts';
import { valueReaders, dirtyWords, signalMasks } from './readers.ts';
import { makeOutOfLineOps, Geometry, OutOfLineOps, BOX_MARGIN } from './out-of-line-ops.ts';
import { GEOM_SIZE, POINT_SIZE, GEOM_CIRCLE, GeomField, PointField, readConstant } from './format.ts';
import { F_OK, F_TRANSLATE, F_ARGUMENT, F_HOST } from './faults.ts';
import { missingCallback } from './host-check.ts';
import { Limit } from './isa.generated.ts';

/** What the runtime needs from the device (or the simulator). */
export interface Host {
  /** An event: rule id, severity (0 info, 1 warning, 2 critical), time, attached values E[0…n−1] (valid during the call). */
  emit(rule: number, severity: number, t: number, values: Float64Array, n: number): void;
  /** A rule set output `id` (e.g. 0 = remote unlock enable) to `value`. */
  output(id: number, value: number): void;
  /** A rule asked for a reporting interval of `ms`. */
  interval(ms: number): void;
  /**
   * Optional: keep the translated code somewhere cheaper than RAM and return it as a string (Espruino: write
   * it to Storage and return `require("Storage").read(name)`, a flash-backed string that costs a few
   * variables instead of ~700 for the whole library). Without it the code stays in RAM.
   */
  keepCode?: (source: string) => string;
  /**
   * Optional: the string keepCode() returned at an earlier load (Espruino: `require("Storage").read(name)`). When it
   * is the kept translation of this very bundle by this very runtime build (kept.ts), load() skips verifying the code
   * and translating it: a device's boot then costs reading and instantiating the code. Anything else is ignored.
   */
  keptCode?: string;
  /**
   * Optional, for simulators and reports: called when a rule's condition becomes true (active 1) or false (0),
   * whether or not it fires. Only a host that has it at load gets the calls compiled in: devices pay nothing.
   */
  state?: (rule: number, active: number, t: number) => void;
  /**
   * Optional, for coverage in QA runs: called with every value a unit reads as a condition (an operand of
   * AND/OR/NOT, a temporal operator's input, a rule's condition), keyed by the code offset of the instruction
   * that produced it, so the sidecar source map names it. Only a host that has it at load gets the calls
   * compiled in: devices pay nothing.
   */
  probe?: (at: number, value: boolean) => void;
}

export interface Runtime {
  fault: number;
  faultAt: number;
  program: Program;
  set(signal: number, value: number, t: number): boolean;
  step(t: number): void;
  nextDue(): number;
  /** True when every wake-up due before t has run; false when the call stopped at its budget (call it again). */
  advanceTo(t: number): boolean;
}

/**
 * The typed arrays a verified program runs on (translate.ts names them), and its out-of-line ops over them:
 *   V values   U update times   S state   K constants   N unit wake-up times
 *   R registers (R[0] start time, R[1] wake-up asked by an out-of-line op, R[2] lower bound of all wake-ups)
 *   E attachment buffer   F out-of-line ops
 */
export interface Memory {
  V: Float64Array; U: Float64Array; S: Float64Array; K: Float64Array; N: Float64Array; R: Float64Array;
  E: Float64Array; F: OutOfLineOps; G: Geometry;
}

/** Geometry g's box (Geometry.box): around its points, or around the circle for a circle, widened by BOX_MARGIN. */
function geometryBox(geo: Geometry, g: number): void {
  var first = geo.first[g];
  var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  if (geo.kind[g] === GEOM_CIRCLE) {
    var r = geo.count[g] > 0 ? geo.px[first] : 0;
    if (r < 0) r = -r;
    x0 = -r; x1 = r; y0 = -r; y1 = r;
  } else {
    for (var i = first; i < first + geo.count[g]; i++) {
      if (geo.px[i] < x0) x0 = geo.px[i];
      if (geo.px[i] > x1) x1 = geo.px[i];
      if (geo.py[i] < y0) y0 = geo.py[i];
      if (geo.py[i] > y1) y1 = geo.py[i];
    }
  }
  // The margin grows with the coordinates (rounding in the exact tests is relative to them); float32 rounding of
  // the widened edges moves them by far less than it.
  var big = x0 < 0 ? -x0 : x0;
  if (x1 > big) big = x1;
  if (-y0 > big) big = -y0;
  if (y1 > big) big = y1;
  var m = BOX_MARGIN + big / 1048576;
  geo.box[g * 4] = x0 - m;
  geo.box[g * 4 + 1] = x1 + m;
  geo.box[g * 4 + 2] = y0 - m;
  geo.box[g * 4 + 3] = y1 + m;
}

/**
 * The boxes, in degrees, around the geometry sets the translated code tests positions against (translate.ts: sets
 * as [count, g…]): south, north, west, east per set, around each geometry's box widened once more by its margin
 * (so rounding here cannot cut a position inside off). A geometry whose projection is not a positive finite scale
 * gets no box (±Infinity): its own test decides.
 */
function setBoxes(geo: Geometry, sets: number[]): Float64Array {
  var n = 0;
  for (var at = 0; at < sets.length; at += sets[at] + 1) n++;
  var B = new Float64Array(n * 4);
  var b = 0;
  for (at = 0; at < sets.length; at += sets[at] + 1) {
    B[b] = Infinity; B[b + 1] = -Infinity; B[b + 2] = Infinity; B[b + 3] = -Infinity;
    for (var k = 1; k <= sets[at]; k++) {
      var o = sets[at + k] * 4;
      var kx = geo.ref[o + 2], ky = geo.ref[o + 3];
      var x0 = geo.box[o], x1 = geo.box[o + 1], y0 = geo.box[o + 2], y1 = geo.box[o + 3];
      var m = BOX_MARGIN + ((x0 < 0 ? -x0 : x0) + (x1 < 0 ? -x1 : x1) + (y0 < 0 ? -y0 : y0) + (y1 < 0 ? -y1 : y1)) / 1048576;
      if (!(kx > 0 && kx < Infinity && ky > 0 && ky < Infinity)) {
        B[b] = -Infinity; B[b + 1] = Infinity; B[b + 2] = -Infinity; B[b + 3] = Infinity;
        continue;
      }
      var s = geo.ref[o] + (y0 - m) / ky, nn = geo.ref[o] + (y1 + m) / ky;
      var w = geo.ref[o + 1] + (x0 - m) / kx, e = geo.ref[o + 1] + (x1 + m) / kx;
      if (s < B[b]) B[b] = s;
      if (nn > B[b + 1]) B[b + 1] = nn;
      if (w < B[b + 2]) B[b + 2] = w;
      if (e > B[b + 3]) B[b + 3] = e;
    }
    b += 4;
  }
  return B;
}

/** What the translated code returns (translate.ts). */
interface Translated {
  step(t: number): void;
  set(signal: number, value: number, t: number): boolean;
}

export function loadGeometry(p: Program): Geometry {
  var dv = p.dv;
  var geo: Geometry = {
    kind: new Uint8Array(p.nGeoms), first: new Uint32Array(p.nGeoms), count: new Uint16Array(p.nGeoms),
    ref: new Float64Array(p.nGeoms * 4), px: new Float32Array(p.nPoints), py: new Float32Array(p.nPoints),
    box: new Float32Array(p.nGeoms * 4),
  };
  for (var g = 0; g < p.nGeoms; g++) {
    var at = p.geomOff + g * GEOM_SIZE;
    geo.kind[g] = p.bytes[at + GeomField.KIND];
    geo.count[g] = dv.getUint16(at + GeomField.COUNT, true);
    geo.first[g] = dv.getUint32(at + GeomField.FIRST, true);
    geo.ref[g * 4] = dv.getFloat64(at + GeomField.LAT0, true);
    geo.ref[g * 4 + 1] = dv.getFloat64(at + GeomField.LON0, true);
    geo.ref[g * 4 + 2] = dv.getFloat32(at + GeomField.KX, true);
    geo.ref[g * 4 + 3] = dv.getFloat32(at + GeomField.KY, true);
    // Points are i16 multiples of the geometry's scale (metres); the product is exact in a Float32Array
    // only to float32 precision, which is the same on every engine.
    var scale = dv.getFloat32(at + GeomField.SCALE, true);
    for (var i = geo.first[g]; i < geo.first[g] + geo.count[g]; i++) {
      geo.px[i] = dv.getInt16(p.pointOff + i * POINT_SIZE + PointField.X, true) * scale;
      geo.py[i] = dv.getInt16(p.pointOff + i * POINT_SIZE + PointField.Y, true) * scale;
    }
    geometryBox(geo, g);
  }
  return geo;
}

function filled(n: number, v: number): Float64Array {
  var a = new Float64Array(n);
  for (var i = 0; i < n; i++) a[i] = v;
  return a;
}

function refused(p: Program, code: number, at: number): Runtime {
  return {
    fault: code, faultAt: at, program: p,
    set: function () { return false; }, step: function () {}, nextDue: function () { return Infinity; }, advanceTo: function () { return true; },
  };
}

/**
 * The per-sample API. Built in a function of its own so its closures keep only what they use alive
 * (Espruino keeps a closure's whole enclosing scope: load()'s temporaries would stay in RAM otherwise).
 */
function api(p: Program, N: Float64Array, R: Float64Array, code: Translated): Runtime {
  var nUnits = p.nUnits;
  var budget = p.wakeBudget;
  var run = code.step;
  function nextDue(): number {
    var due = Infinity;
    for (var j = 0; j < nUnits; j++) if (N[j] < due) due = N[j];
    R[2] = due; // exact again (translated code lowers it whenever a unit asks for an earlier wake-up)
    return due;
  }
  /**
   * Wake-ups strictly before t, in time order, so an event raised by a timer carries the time it was due. At most
   * `budget` passes per call, whatever t is (Infinity, 1e300): timers that keep restarting each other (possible in
   * a verified bundle) cannot hold the device here. Returns false when wake-ups before t are left for the next call.
   */
  function advanceTo(t: number): boolean {
    if (!(R[2] < t)) return true; // nothing can be due before t: the common case costs one comparison
    var due = nextDue();
    var last = -Infinity;
    var passes = 0;
    // `due > last`: each pass runs strictly later than the one before, even when a rounding error in fractional
    // times would make a timer ask for the same moment again.
    while (due < t && due > last) {
      if (passes === budget) return false;
      run(due);
      passes++;
      last = due;
      due = nextDue();
    }
    return true;
  }
  return { fault: F_OK, faultAt: 0, program: p, set: code.set, step: run, nextDue: nextDue, advanceTo: advanceTo };
}

/** The JS the runtime would run for a bundle ('' if it does not verify): for `edgerule inspect --translated`. */
export function translated(bytes: Uint8Array): string {
  var p = verify(bytes);
  return p.fault === F_OK ? translate(p, valueReaders(p), false) : '';
}

/** Allocates the memory of a verified program: every typed array it will ever use, sized from its header. */
export function memory(p: Program): Memory {
  var V = filled(p.nValues, NaN);
  var U = filled(p.nSignals, NaN);
  var S = filled(p.nState, NaN);
  var K = new Float64Array(p.nConsts);
  for (var i = 0; i < p.nConsts; i++) K[i] = readConstant(p.dv, p.constOff, p.n32, i);
  var N = filled(p.nUnits, Infinity);
  var R = filled(3, NaN);
  R[2] = Infinity;
  var G = loadGeometry(p);
  return { V: V, U: U, S: S, K: K, N: N, R: R, E: new Float64Array(Limit.MAX_ATTACH), F: makeOutOfLineOps(G, V, U, S, R), G: G };
}

/**
 * Translates a verified program and starts it on memory m (from memory(p)). `watched` (tests only,
 * harness/fuzz/watched-runtime.ts): every unit run starts with a call of m.F.run(unit). `kept`: host.keptCode is
 * this program's kept translation (readKept), run instead of translating.
 */
export function start(p: Program, m: Memory, host: Host, watched?: boolean, kept?: Kept | null): Runtime {
  var readers = valueReaders(p);
  var sets: number[] = kept ? kept.sets : [];
  var source = kept ? host.keptCode! : translate(p, readers, !!host.state, !!host.probe, watched, sets);
  // Only a device's translation (no reporting hooks, not watched) is kept as a record a later load may reuse.
  if (!kept && host.keepCode) source = host.keepCode(host.state || host.probe || watched ? source : keptRecord(p.bytes, p.wakeBudget, sets, source));
  var B = setBoxes(m.G, sets);
  var M = signalMasks(p, readers, dirtyWords(p.nUnits));
  var code: Translated;
  try {
    // One parameter per argument: some engines do not split a comma-joined parameter string.
    code = new Function('V', 'U', 'S', 'K', 'M', 'N', 'R', 'E', 'H', 'F', 'B', source)(m.V, m.U, m.S, m.K, M, m.N, m.R, m.E, host, m.F, B);
  } catch (e) {
    return refused(p, F_TRANSLATE, 0);
  }
  return api(p, m.N, m.R, code);
}

export function load(bytes: Uint8Array, host: Host): Runtime {
  // A kept translation is only for hosts without the reporting hooks (devices): those change the translation.
  var kept = host && typeof host === 'object' && !host.state && !host.probe && bytes instanceof Uint8Array ? readKept(host.keptCode, bytes) : null;
  var p = kept ? parse(bytes, kept.wakeBudget) : verify(bytes);
  if (p.fault !== F_OK) return refused(p, p.fault, p.faultAt);
  if (!host || typeof host !== 'object') return refused(p, F_ARGUMENT, 0);
  var lacking = missingCallback(p, host);
  if (lacking >= 0) return refused(p, F_HOST, lacking);
  return start(p, memory(p), host, false, kept);
}
