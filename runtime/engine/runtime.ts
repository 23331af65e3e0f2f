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
import { verify, Program } from './verify.ts';
import { translate } from './translate.ts';
import { valueReaders } from './readers.ts';
import { makeOutOfLineOps, Geometry, OutOfLineOps } from './out-of-line-ops.ts';
import { GEOM_SIZE, POINT_SIZE, GeomField, PointField, readConstant } from './format.ts';
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
 *   V values   U update times   S state   K constants   Q unit dirty flags   N unit wake-up times
 *   R registers (R[0] start time, R[1] wake-up asked by an out-of-line op, R[2] lower bound of all wake-ups)
 *   E attachment buffer   F out-of-line ops
 */
export interface Memory {
  V: Float64Array; U: Float64Array; S: Float64Array; K: Float64Array; Q: Uint8Array; N: Float64Array; R: Float64Array;
  E: Float64Array; F: OutOfLineOps;
}

export function loadGeometry(p: Program): Geometry {
  var dv = p.dv;
  var geo: Geometry = {
    kind: new Uint8Array(p.nGeoms), first: new Uint32Array(p.nGeoms), count: new Uint16Array(p.nGeoms),
    ref: new Float64Array(p.nGeoms * 4), px: new Float32Array(p.nPoints), py: new Float32Array(p.nPoints),
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
function api(p: Program, V: Float64Array, U: Float64Array, Q: Uint8Array, N: Float64Array, R: Float64Array,
  rStart: Uint16Array, rUnits: Uint8Array, run: (t: number) => void): Runtime {
  var nSignals = p.nSignals;
  var nUnits = p.nUnits;
  var budget = p.wakeBudget;
  function set(signal: number, value: number, t: number): boolean {
    if (!(signal >= 0 && signal < nSignals)) return false;
    V[signal] = value;
    U[signal] = t;
    for (var j = rStart[signal]; j < rStart[signal + 1]; j++) Q[rUnits[j]] = 1;
    return true;
  }
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
  return { fault: F_OK, faultAt: 0, program: p, set: set, step: run, nextDue: nextDue, advanceTo: advanceTo };
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
  var Q = new Uint8Array(p.nUnits);
  for (i = 0; i < p.nUnits; i++) Q[i] = 1; // first step evaluates everything once
  var N = filled(p.nUnits, Infinity);
  var R = filled(3, NaN);
  R[2] = Infinity;
  return { V: V, U: U, S: S, K: K, Q: Q, N: N, R: R, E: new Float64Array(Limit.MAX_ATTACH), F: makeOutOfLineOps(loadGeometry(p), V, U, S, R) };
}

/** Translates a verified program and starts it on memory m (from memory(p)). */
export function start(p: Program, m: Memory, host: Host): Runtime {
  var readers = valueReaders(p);
  var source = translate(p, readers, !!host.state, !!host.probe);
  if (host.keepCode) source = host.keepCode(source);
  var run: (t: number) => void;
  try {
    // One parameter per argument: some engines do not split a comma-joined parameter string.
    run = new Function('V', 'U', 'S', 'K', 'Q', 'N', 'R', 'E', 'H', 'F', source)(m.V, m.U, m.S, m.K, m.Q, m.N, m.R, m.E, host, m.F);
  } catch (e) {
    return refused(p, F_TRANSLATE, 0);
  }
  return api(p, m.V, m.U, m.Q, m.N, m.R, readers.start, readers.units, run);
}

export function load(bytes: Uint8Array, host: Host): Runtime {
  var p = verify(bytes);
  if (p.fault !== F_OK) return refused(p, p.fault, p.faultAt);
  if (!host || typeof host !== 'object') return refused(p, F_ARGUMENT, 0);
  var lacking = missingCallback(p, host);
  if (lacking >= 0) return refused(p, F_HOST, lacking);
  return start(p, memory(p), host);
}
