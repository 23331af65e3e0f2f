/**
 * The bundle verifier: every structural check lives here and only here (compiler and device run the same code).
 * It walks each unit's code once, linearly (all jumps are forward, so one pass proves termination), and
 * records per-unit budgets (worst-case operations, stack depth, state slots) that the compiler reports.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use (Espruino hoists nothing).
 * On failure it returns a Program whose `fault` is a code from faults.ts and `faultAt` a byte offset in the bundle.
 */
import {
  MAGIC, FORMAT_VERSION, HDR_MAGIC, HDR_VERSION, HDR_CATALOGUE, HDR_SIGNALS, HDR_DERIVED, HDR_UNITS, HDR_STATE,
  HDR_CONSTS, HDR_CONSTS32, HDR_GEOMS, HDR_POINTS, HDR_DEPBYTES, HDR_CODEBYTES, HDR_TOTAL, HEADER_SIZE, GEOM_SIZE, POINT_SIZE, UNIT_SIZE,
  GEOM_POLYGON, GEOM_CIRCLE, GEOM_POLYLINE, GEOM_POINT, UNIT_DERIVED, UNIT_RULE,
} from './format.ts';
import {
  F_OK, F_TRUNCATED, F_BAD_MAGIC, F_BAD_VERSION, F_CATALOGUE, F_OVERSIZED, F_LENGTH, F_BAD_UNIT, F_BAD_DEP,
  F_BAD_OPCODE, F_BAD_OPERAND, F_BAD_VALUE, F_BAD_SLOT, F_BAD_CONST, F_BAD_GEOMETRY, F_BAD_JUMP,
  F_STACK_UNDERFLOW, F_STACK_OVERFLOW, F_STACK_DIRTY, F_NO_END, F_BAD_SCOPE, F_BAD_COUNT,
} from './faults.ts';
import {
  OPTAB, OPTAB_COLS, OP_LIMIT, COL_LEN, COL_F1, COL_F2, COL_POPS, COL_POPSN, COL_PUSH, COL_STATE, COL_STATEN,
  COL_COST, COL_COSTPT, COL_SCOPE, FMT_V, FMT_S, FMT_G, FMT_N, FMT_K, FMT_J, FMT_O, SCOPE_RULE, SCOPE_DERIVED,
  OP_END, OP_JZ, OP_STALE, OP_STORE, OP_EMIT, OP_SEQ, OP_COUNT,
  LIMIT_MAX_STACK, LIMIT_MAX_VALUES, LIMIT_MAX_UNITS, LIMIT_MAX_STATE, LIMIT_MAX_CONSTS, LIMIT_MAX_GEOMETRIES,
  LIMIT_MAX_POINTS, LIMIT_MAX_CODE, LIMIT_MAX_ATTACH,
} from './isa.generated.ts';
import { CATALOGUE_HASH, SIGNAL_COUNT } from './catalogue.generated.ts';
import { shortForm } from './decode.ts';

/** Largest ring a COUNT may keep and most steps a SEQ may have. */
export var MAX_RING = 64;
export var MAX_STEPS = 8;

export interface Program {
  fault: number;
  faultAt: number;
  bytes: Uint8Array;
  dv: DataView;
  nSignals: number;
  nDerived: number;
  nValues: number;
  nUnits: number;
  nState: number;
  nConsts: number;
  /** The first n32 constants are stored as f32. */
  n32: number;
  nGeoms: number;
  nPoints: number;
  constOff: number;
  geomOff: number;
  pointOff: number;
  unitOff: number;
  depOff: number;
  codeOff: number;
  /** Per unit, derived from the unit table (units tile the code and dependency sections in order). */
  unitKind: Uint8Array;
  unitId: Uint8Array;
  unitStart: Uint16Array;
  unitEnd: Uint16Array;
  unitDepStart: Uint16Array;
  unitDepCount: Uint8Array;
  /** Per unit: worst-case abstract operations for one evaluation. */
  unitCost: Uint32Array;
  /** Per unit: deepest stack. */
  unitStack: Uint8Array;
  /** Per unit: state slots its instructions use. */
  unitState: Uint32Array;
}

function emptyProgram(bytes: Uint8Array): Program {
  return {
    fault: F_OK, faultAt: 0, bytes: bytes, dv: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    nSignals: 0, nDerived: 0, nValues: 0, nUnits: 0, nState: 0, nConsts: 0, n32: 0, nGeoms: 0, nPoints: 0,
    constOff: 0, geomOff: 0, pointOff: 0, unitOff: 0, depOff: 0, codeOff: 0,
    unitKind: new Uint8Array(0), unitId: new Uint8Array(0), unitStart: new Uint16Array(0), unitEnd: new Uint16Array(0),
    unitDepStart: new Uint16Array(0), unitDepCount: new Uint8Array(0),
    unitCost: new Uint32Array(0), unitStack: new Uint8Array(0), unitState: new Uint32Array(0),
  };
}

function fail(p: Program, code: number, at: number): Program {
  p.fault = code;
  p.faultAt = at;
  return p;
}

/** Records a fault; returns false so checks read `if (...) return bad(p, F_X, offset);`. */
function bad(p: Program, code: number, at: number): boolean {
  fail(p, code, at);
  return false;
}

function verifyHeader(p: Program): boolean {
  var len = p.bytes.length;
  var dv = p.dv;
  if (len < HEADER_SIZE) return bad(p, F_TRUNCATED, len);
  if (dv.getUint32(HDR_MAGIC, true) !== MAGIC) return bad(p, F_BAD_MAGIC, HDR_MAGIC);
  if (dv.getUint16(HDR_VERSION, true) !== FORMAT_VERSION) return bad(p, F_BAD_VERSION, HDR_VERSION);
  if (dv.getUint32(HDR_CATALOGUE, true) !== CATALOGUE_HASH) return bad(p, F_CATALOGUE, HDR_CATALOGUE);
  p.nSignals = dv.getUint16(HDR_SIGNALS, true);
  if (p.nSignals !== SIGNAL_COUNT) return bad(p, F_CATALOGUE, HDR_SIGNALS);
  p.nDerived = dv.getUint16(HDR_DERIVED, true);
  p.nValues = p.nSignals + p.nDerived;
  p.nUnits = dv.getUint16(HDR_UNITS, true);
  p.nState = dv.getUint16(HDR_STATE, true);
  p.nConsts = dv.getUint16(HDR_CONSTS, true);
  p.n32 = dv.getUint16(HDR_CONSTS32, true);
  p.nGeoms = dv.getUint16(HDR_GEOMS, true);
  p.nPoints = dv.getUint32(HDR_POINTS, true);
  var depBytes = dv.getUint32(HDR_DEPBYTES, true);
  var codeBytes = dv.getUint32(HDR_CODEBYTES, true);
  if (p.nValues > LIMIT_MAX_VALUES) return bad(p, F_OVERSIZED, HDR_DERIVED);
  if (p.nUnits > LIMIT_MAX_UNITS) return bad(p, F_OVERSIZED, HDR_UNITS);
  if (p.nState > LIMIT_MAX_STATE) return bad(p, F_OVERSIZED, HDR_STATE);
  if (p.nConsts > LIMIT_MAX_CONSTS) return bad(p, F_OVERSIZED, HDR_CONSTS);
  if (p.n32 > p.nConsts) return bad(p, F_OVERSIZED, HDR_CONSTS32);
  if (p.nGeoms > LIMIT_MAX_GEOMETRIES) return bad(p, F_OVERSIZED, HDR_GEOMS);
  if (p.nPoints > LIMIT_MAX_POINTS) return bad(p, F_OVERSIZED, HDR_POINTS);
  if (codeBytes > LIMIT_MAX_CODE) return bad(p, F_OVERSIZED, HDR_CODEBYTES);
  if (depBytes > LIMIT_MAX_CODE) return bad(p, F_OVERSIZED, HDR_DEPBYTES);
  p.constOff = HEADER_SIZE;
  p.geomOff = p.constOff + p.n32 * 4 + (p.nConsts - p.n32) * 8;
  p.pointOff = p.geomOff + p.nGeoms * GEOM_SIZE;
  p.unitOff = p.pointOff + p.nPoints * POINT_SIZE;
  p.depOff = p.unitOff + p.nUnits * UNIT_SIZE;
  p.codeOff = p.depOff + depBytes;
  var total = p.codeOff + codeBytes;
  if (len < total) return bad(p, F_TRUNCATED, len);
  if (dv.getUint32(HDR_TOTAL, true) !== total) return bad(p, F_LENGTH, HDR_TOTAL);
  if (len !== total) return bad(p, F_LENGTH, total);
  return true;
}

function verifyGeometries(p: Program): boolean {
  var dv = p.dv;
  for (var g = 0; g < p.nGeoms; g++) {
    var at = p.geomOff + g * GEOM_SIZE;
    var kind = p.bytes[at];
    var count = dv.getUint16(at + 2, true);
    var first = dv.getUint32(at + 4, true);
    var okCount = (kind === GEOM_POLYGON && count >= 3) || (kind === GEOM_POLYLINE && count >= 2) ||
      ((kind === GEOM_CIRCLE || kind === GEOM_POINT) && count === 1);
    if (!okCount || first + count > p.nPoints) return bad(p, F_BAD_GEOMETRY, at);
  }
  return true;
}

function geometryPoints(p: Program, g: number): number {
  return p.dv.getUint16(p.geomOff + g * GEOM_SIZE + 2, true);
}

/**
 * Verifies one unit's record, dependency list and code; fills its budget. Units tile the code and dependency
 * sections in order, so a unit starts where the previous one ended (`start`, `depStart`).
 */
function verifyUnit(p: Program, u: number, start: number, depStart: number, codeBytes: number, depBytes: number, targets: Uint16Array): boolean {
  var dv = p.dv;
  var rec = p.unitOff + u * UNIT_SIZE;
  var kind = p.bytes[rec];
  var depCount = p.bytes[rec + 1];
  var id = p.bytes[rec + 2];
  var length = dv.getUint16(rec + 3, true);
  if (kind !== UNIT_DERIVED && kind !== UNIT_RULE) return bad(p, F_BAD_UNIT, rec);
  if (kind === UNIT_DERIVED && (id < p.nSignals || id >= p.nValues)) return bad(p, F_BAD_UNIT, rec + 2);
  if (length === 0 || start + length > codeBytes) return bad(p, F_BAD_UNIT, rec + 3);
  if (depStart + depCount > depBytes) return bad(p, F_BAD_DEP, rec + 1);
  for (var i = 0; i < depCount; i++) {
    if (p.bytes[p.depOff + depStart + i] >= p.nValues) return bad(p, F_BAD_DEP, p.depOff + depStart + i);
  }
  p.unitKind[u] = kind;
  p.unitId[u] = id;
  p.unitStart[u] = start;
  p.unitEnd[u] = start + length;
  p.unitDepStart[u] = depStart;
  p.unitDepCount[u] = depCount;
  var scope = kind === UNIT_RULE ? SCOPE_RULE : SCOPE_DERIVED;
  var end = start + length;
  var depth = 0;
  var maxDepth = 0;
  var cost = 0;
  var slots = 0;
  var open = 0; // number of pending jump targets (a stack in `targets`, innermost last)
  var pc = start;
  var sawEnd = false;
  while (pc < end) {
    var at = p.codeOff + pc;
    while (open > 0 && targets[open - 1] === pc) {
      if (depth !== 0) return bad(p, F_STACK_DIRTY, at);
      open--;
    }
    if (open > 0 && targets[open - 1] < pc) return bad(p, F_BAD_JUMP, at);
    if (sawEnd) return bad(p, F_NO_END, at);
    var op = p.bytes[at];
    var len = 1;
    var embedded = shortForm(op); // a short form's operand is in its opcode byte
    if (embedded >= 0) {
      op = embedded >> 8;
      embedded = embedded & 255;
    }
    var row = op * OPTAB_COLS;
    if (op >= OP_LIMIT || OPTAB[row + COL_LEN] === 0) return bad(p, F_BAD_OPCODE, at);
    if (embedded < 0) len = OPTAB[row + COL_LEN];
    if (pc + len > end) return bad(p, F_BAD_OPERAND, at);
    var opScope = OPTAB[row + COL_SCOPE];
    if (opScope !== 0 && opScope !== scope) return bad(p, F_BAD_SCOPE, at);
    // Decode up to two operands by format.
    var n = 0;
    var slot = -1;
    var geom = -1;
    var off = at + 1;
    for (var f = 0; f < 2; f++) {
      var fmt = OPTAB[row + (f === 0 ? COL_F1 : COL_F2)];
      if (fmt === 0) break;
      if (embedded >= 0) {
        // Short forms embed the one operand of LOAD (v) or CONST (k); `at` is where it lives.
        if (fmt === FMT_V && embedded >= p.nValues) return bad(p, F_BAD_VALUE, at);
        if (fmt === FMT_K && embedded >= p.nConsts) return bad(p, F_BAD_CONST, at);
        break;
      }
      if (fmt === FMT_V) {
        var v = p.bytes[off];
        if (v >= p.nValues || (op === OP_STALE && v >= p.nSignals) || (op === OP_STORE && v !== id)) {
          return bad(p, F_BAD_VALUE, off);
        }
        off += 1;
      } else if (fmt === FMT_S) {
        slot = dv.getUint16(off, true);
        off += 2;
      } else if (fmt === FMT_G) {
        geom = p.bytes[off];
        if (geom >= p.nGeoms) return bad(p, F_BAD_GEOMETRY, off);
        off += 1;
      } else if (fmt === FMT_N) {
        n = p.bytes[off];
        if ((op === OP_EMIT && n > LIMIT_MAX_ATTACH) || (op === OP_SEQ && (n < 1 || n > MAX_STEPS)) ||
          (op === OP_COUNT && (n < 1 || n > MAX_RING))) {
          return bad(p, F_BAD_COUNT, off);
        }
        off += 1;
      } else if (fmt === FMT_K) {
        if (p.bytes[off] >= p.nConsts) return bad(p, F_BAD_CONST, off);
        off += 1;
      } else if (fmt === FMT_J) {
        var target = dv.getUint16(off, true);
        if (target <= pc || target >= end || (open > 0 && target > targets[open - 1]) || open >= targets.length) {
          return bad(p, F_BAD_JUMP, off);
        }
        targets[open++] = target;
        off += 2;
      } else if (fmt === FMT_O) {
        if (op === OP_EMIT && p.bytes[off] > 2) return bad(p, F_BAD_COUNT, off);
        off += 1;
      }
    }
    if (slot >= 0) {
      var width = OPTAB[row + COL_STATE] + OPTAB[row + COL_STATEN] * n;
      if (slot + width > p.nState) return bad(p, F_BAD_SLOT, at + 1);
      slots += width;
    }
    depth -= OPTAB[row + COL_POPS] + OPTAB[row + COL_POPSN] * n;
    if (depth < 0) return bad(p, F_STACK_UNDERFLOW, at);
    if (op === OP_JZ && depth !== 0) return bad(p, F_STACK_DIRTY, at);
    depth += OPTAB[row + COL_PUSH];
    if (depth > LIMIT_MAX_STACK) return bad(p, F_STACK_OVERFLOW, at);
    if (depth > maxDepth) maxDepth = depth;
    cost += OPTAB[row + COL_COST] + (geom >= 0 ? OPTAB[row + COL_COSTPT] * geometryPoints(p, geom) : 0);
    if (op === OP_END) {
      if (depth !== 0) return bad(p, F_STACK_DIRTY, at);
      sawEnd = true;
    }
    pc += len;
  }
  if (!sawEnd || open > 0) return bad(p, F_NO_END, p.codeOff + end - 1);
  p.unitCost[u] = cost;
  p.unitStack[u] = maxDepth;
  p.unitState[u] = slots;
  return true;
}

/** Checks a whole bundle. Never throws on malformed input: every read is bounds-checked first. */
export function verify(bytes: Uint8Array): Program {
  var p = emptyProgram(bytes);
  if (!verifyHeader(p)) return p;
  if (!verifyGeometries(p)) return p;
  var codeBytes = p.dv.getUint32(HDR_CODEBYTES, true);
  var depBytes = p.dv.getUint32(HDR_DEPBYTES, true);
  var targets = new Uint16Array(LIMIT_MAX_STACK + 64);
  p.unitKind = new Uint8Array(p.nUnits);
  p.unitId = new Uint8Array(p.nUnits);
  p.unitStart = new Uint16Array(p.nUnits);
  p.unitEnd = new Uint16Array(p.nUnits);
  p.unitDepStart = new Uint16Array(p.nUnits);
  p.unitDepCount = new Uint8Array(p.nUnits);
  p.unitCost = new Uint32Array(p.nUnits);
  p.unitStack = new Uint8Array(p.nUnits);
  p.unitState = new Uint32Array(p.nUnits);
  var start = 0;
  var depStart = 0;
  for (var u = 0; u < p.nUnits; u++) {
    if (!verifyUnit(p, u, start, depStart, codeBytes, depBytes, targets)) return p;
    start = p.unitEnd[u];
    depStart += p.unitDepCount[u];
  }
  // The units must account for every code and dependency byte: nothing unreachable hides in the sections.
  if (start !== codeBytes) return fail(p, F_BAD_UNIT, p.codeOff + start);
  if (depStart !== depBytes) return fail(p, F_BAD_DEP, p.depOff + depStart);
  return p;
}
