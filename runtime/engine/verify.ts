/**
 * The bundle verifier: every structural check lives here and only here (compiler and device run the same code).
 * It walks each unit's code once, linearly (all jumps are forward, so one pass proves termination), and
 * records per-unit budgets (worst-case operations, stack depth, state slots) that the compiler reports.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use (Espruino hoists nothing).
 * On failure it returns a Program whose `fault` is a code from faults.ts and `faultAt` a byte offset in the bundle.
 *
 * Every check ends in `bad(p, …)` or `fail(p, …)` on a line tagged `// check: <name>`; each name has a hostile
 * bundle in harness/hostile/cases.ts that reaches exactly that check (test/verifier-checks.test.ts).
 */
import {
  MAGIC, FORMAT_VERSION, HDR_MAGIC, HDR_VERSION, HDR_CATALOGUE, HDR_SIGNALS, HDR_DERIVED, HDR_UNITS, HDR_STATE,
  HDR_CONSTS, HDR_CONSTS32, HDR_GEOMS, HDR_POINTS, HDR_DEPBYTES, HDR_CODEBYTES, HDR_TOTAL, HEADER_SIZE, GEOM_SIZE, UNIT_SIZE,
  GeomField, UnitField, GEOM_POLYGON, GEOM_CIRCLE, GEOM_POLYLINE, GEOM_POINT, UNIT_DERIVED, UNIT_RULE, sectionOffsets, Sections,
} from './format.ts';
import {
  F_OK, F_TRUNCATED, F_BAD_MAGIC, F_BAD_VERSION, F_CATALOGUE, F_OVERSIZED, F_LENGTH, F_BAD_UNIT, F_BAD_DEP,
  F_BAD_OPCODE, F_BAD_OPERAND, F_BAD_VALUE, F_BAD_SLOT, F_BAD_CONST, F_BAD_GEOMETRY, F_BAD_JUMP,
  F_STACK_UNDERFLOW, F_STACK_OVERFLOW, F_STACK_DIRTY, F_NO_END, F_BAD_SCOPE, F_BAD_COUNT, F_ARGUMENT,
} from './faults.ts';
import { OPTAB, Col, Fmt, Scope, Flag, Op, Limit } from './isa.generated.ts';
import { CATALOGUE_HASH, SIGNAL_COUNT } from './catalogue.generated.ts';
import { decodeInstruction, newInstruction, Instruction } from './instruction.ts';

/** A bundle's counts, section offsets (Sections, from format.ts) and per-unit tables, as verified. */
export interface Program extends Sections {
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
  /**
   * Wake-up passes one advanceTo() call may run (runtime.ts): per op that wakes its unit, 1 + its `n` operand
   * (a timer fires once; each of a COUNT's n edges can leave its window once). Bounds the work of one call.
   */
  wakeBudget: number;
}

function emptyProgram(bytes: Uint8Array): Program {
  return {
    fault: F_OK, faultAt: 0, bytes: bytes, dv: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    nSignals: 0, nDerived: 0, nValues: 0, nUnits: 0, nState: 0, nConsts: 0, n32: 0, nGeoms: 0, nPoints: 0,
    constOff: 0, geomOff: 0, pointOff: 0, unitOff: 0, depOff: 0, codeOff: 0,
    unitKind: new Uint8Array(0), unitId: new Uint8Array(0), unitStart: new Uint16Array(0), unitEnd: new Uint16Array(0),
    unitDepStart: new Uint16Array(0), unitDepCount: new Uint8Array(0),
    unitCost: new Uint32Array(0), unitStack: new Uint8Array(0), unitState: new Uint32Array(0), wakeBudget: 0,
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
  if (len < HEADER_SIZE) return bad(p, F_TRUNCATED, len); // check: header-truncated
  if (dv.getUint32(HDR_MAGIC, true) !== MAGIC) return bad(p, F_BAD_MAGIC, HDR_MAGIC); // check: magic
  if (dv.getUint16(HDR_VERSION, true) !== FORMAT_VERSION) return bad(p, F_BAD_VERSION, HDR_VERSION); // check: version
  if (dv.getUint32(HDR_CATALOGUE, true) !== CATALOGUE_HASH) return bad(p, F_CATALOGUE, HDR_CATALOGUE); // check: catalogue-hash
  p.nSignals = dv.getUint16(HDR_SIGNALS, true);
  if (p.nSignals !== SIGNAL_COUNT) return bad(p, F_CATALOGUE, HDR_SIGNALS); // check: signal-count
  p.nDerived = dv.getUint16(HDR_DERIVED, true);
  p.nValues = p.nSignals + p.nDerived;
  p.nUnits = dv.getUint16(HDR_UNITS, true);
  p.nState = dv.getUint16(HDR_STATE, true);
  p.nConsts = dv.getUint16(HDR_CONSTS, true);
  p.n32 = dv.getUint16(HDR_CONSTS32, true);
  p.nGeoms = dv.getUint16(HDR_GEOMS, true);
  p.nPoints = dv.getUint32(HDR_POINTS, true);
  if (p.nValues > Limit.MAX_VALUES) return bad(p, F_OVERSIZED, HDR_DERIVED); // check: too-many-values
  if (p.nUnits > Limit.MAX_UNITS) return bad(p, F_OVERSIZED, HDR_UNITS); // check: too-many-units
  if (p.nState > Limit.MAX_STATE) return bad(p, F_OVERSIZED, HDR_STATE); // check: too-much-state
  if (p.nConsts > Limit.MAX_CONSTS) return bad(p, F_OVERSIZED, HDR_CONSTS); // check: too-many-constants
  if (p.n32 > p.nConsts) return bad(p, F_OVERSIZED, HDR_CONSTS32); // check: more-f32-than-constants
  if (p.nGeoms > Limit.MAX_GEOMETRIES) return bad(p, F_OVERSIZED, HDR_GEOMS); // check: too-many-geometries
  if (p.nPoints > Limit.MAX_POINTS) return bad(p, F_OVERSIZED, HDR_POINTS); // check: too-many-points
  if (dv.getUint32(HDR_CODEBYTES, true) > Limit.MAX_CODE) return bad(p, F_OVERSIZED, HDR_CODEBYTES); // check: too-much-code
  if (dv.getUint32(HDR_DEPBYTES, true) > Limit.MAX_CODE) return bad(p, F_OVERSIZED, HDR_DEPBYTES); // check: too-many-dependencies
  var total = sectionOffsets(dv, p);
  if (len < total) return bad(p, F_TRUNCATED, len); // check: sections-truncated
  if (dv.getUint32(HDR_TOTAL, true) !== total) return bad(p, F_LENGTH, HDR_TOTAL); // check: total-field
  if (len !== total) return bad(p, F_LENGTH, total); // check: trailing-bytes
  return true;
}

function verifyGeometries(p: Program): boolean {
  var dv = p.dv;
  for (var g = 0; g < p.nGeoms; g++) {
    var at = p.geomOff + g * GEOM_SIZE;
    var kind = p.bytes[at + GeomField.KIND];
    var count = dv.getUint16(at + GeomField.COUNT, true);
    var first = dv.getUint32(at + GeomField.FIRST, true);
    if (kind !== GEOM_POLYGON && kind !== GEOM_POLYLINE && kind !== GEOM_CIRCLE && kind !== GEOM_POINT) return bad(p, F_BAD_GEOMETRY, at); // check: geometry-kind
    var okCount = (kind === GEOM_POLYGON && count >= 3) || (kind === GEOM_POLYLINE && count >= 2) || (kind !== GEOM_POLYGON && kind !== GEOM_POLYLINE && count === 1);
    if (!okCount) return bad(p, F_BAD_GEOMETRY, at); // check: geometry-point-count
    if (first + count > p.nPoints) return bad(p, F_BAD_GEOMETRY, at); // check: geometry-points-past-pool
  }
  return true;
}

function geometryPoints(p: Program, g: number): number {
  return p.dv.getUint16(p.geomOff + g * GEOM_SIZE + GeomField.COUNT, true);
}

/** Checks a unit's record and dependency list and fills its entries in the per-unit tables. */
function verifyUnitRecord(p: Program, u: number, start: number, depStart: number, codeBytes: number, depBytes: number): boolean {
  var rec = p.unitOff + u * UNIT_SIZE;
  var kind = p.bytes[rec + UnitField.KIND];
  var depCount = p.bytes[rec + UnitField.DEPS];
  var id = p.bytes[rec + UnitField.ID];
  var length = p.dv.getUint16(rec + UnitField.LENGTH, true);
  if (kind !== UNIT_DERIVED && kind !== UNIT_RULE) return bad(p, F_BAD_UNIT, rec + UnitField.KIND); // check: unit-kind
  if (kind === UNIT_DERIVED && (id < p.nSignals || id >= p.nValues)) return bad(p, F_BAD_UNIT, rec + UnitField.ID); // check: derived-unit-id
  if (length === 0) return bad(p, F_BAD_UNIT, rec + UnitField.LENGTH); // check: unit-empty
  if (start + length > codeBytes) return bad(p, F_BAD_UNIT, rec + UnitField.LENGTH); // check: unit-past-code
  if (depStart + depCount > depBytes) return bad(p, F_BAD_DEP, rec + UnitField.DEPS); // check: dependencies-past-section
  for (var i = 0; i < depCount; i++) {
    if (p.bytes[p.depOff + depStart + i] >= p.nValues) return bad(p, F_BAD_DEP, p.depOff + depStart + i); // check: dependency-value
  }
  p.unitKind[u] = kind;
  p.unitId[u] = id;
  p.unitStart[u] = start;
  p.unitEnd[u] = start + length;
  p.unitDepStart[u] = depStart;
  p.unitDepCount[u] = depCount;
  return true;
}

/**
 * Checks one operand by its format against the bundle's counts and the op's limits in the table; `targets` is the
 * stack of open jump targets, of which `open` are in use. Returns false on a fault.
 */
function verifyOperand(p: Program, row: number, format: number, v: number, at: number, pc: number, end: number, unitId: number, targets: Uint16Array, open: number): boolean {
  if (format === Fmt.V) {
    if (v >= p.nValues) return bad(p, F_BAD_VALUE, at); // check: value-id
    if ((OPTAB[row + Col.FLAGS] & Flag.VALUE_SIGNALS) !== 0 && v >= p.nSignals) return bad(p, F_BAD_VALUE, at); // check: value-not-a-signal
    if ((OPTAB[row + Col.FLAGS] & Flag.VALUE_OWN) !== 0 && v !== unitId) return bad(p, F_BAD_VALUE, at); // check: value-not-own
  }
  if (format === Fmt.G && v >= p.nGeoms) return bad(p, F_BAD_GEOMETRY, at); // check: geometry-index
  if (format === Fmt.K && v >= p.nConsts) return bad(p, F_BAD_CONST, at); // check: constant-index
  if (format === Fmt.N && (v < OPTAB[row + Col.NMIN] || v > OPTAB[row + Col.NMAX])) return bad(p, F_BAD_COUNT, at); // check: count-range
  if (format === Fmt.O && v > OPTAB[row + Col.OMAX]) return bad(p, F_BAD_COUNT, at); // check: output-range
  if (format === Fmt.J) {
    if (v <= pc) return bad(p, F_BAD_JUMP, at); // check: jump-backwards
    if (v >= end) return bad(p, F_BAD_JUMP, at); // check: jump-past-unit
    if (open > 0 && v > targets[open - 1]) return bad(p, F_BAD_JUMP, at); // check: jump-not-nested
    if (open >= Limit.MAX_OPEN_JUMPS) return bad(p, F_BAD_JUMP, at); // check: too-many-open-jumps
  }
  return true;
}

/**
 * Marks state slots first…first+width−1 as one instruction's region in the bitmap `owned`; false when any of them
 * already belongs to another instruction. Disjoint regions are what make a verified bundle safe to run: an op
 * that trusts its own state (COUNT's ring index, a timer's start time) cannot have it rewritten by another op.
 */
function claimSlots(owned: Uint8Array, first: number, width: number): boolean {
  for (var k = first; k < first + width; k++) {
    if ((owned[k >> 3] >> (k & 7)) & 1) return false;
    owned[k >> 3] |= 1 << (k & 7);
  }
  return true;
}

/**
 * Verifies one unit: its record, dependency list and code; fills its budget. Units tile the code and dependency
 * sections in order, so a unit starts where the previous one ended (`start`, `depStart`).
 */
function verifyUnit(p: Program, u: number, start: number, depStart: number, codeBytes: number, depBytes: number, targets: Uint16Array, ins: Instruction, owned: Uint8Array): boolean {
  if (!verifyUnitRecord(p, u, start, depStart, codeBytes, depBytes)) return false;
  var id = p.unitId[u];
  var scope = p.unitKind[u] === UNIT_RULE ? Scope.RULE : Scope.DERIVED;
  var end = p.unitEnd[u];
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
      if (depth !== 0) return bad(p, F_STACK_DIRTY, at); // check: stack-at-jump-target
      open--;
    }
    if (open > 0 && targets[open - 1] < pc) return bad(p, F_BAD_JUMP, at); // check: jump-into-instruction
    if (sawEnd) return bad(p, F_NO_END, at); // check: code-after-end
    decodeInstruction(p.bytes, at, p.codeOff + end, ins);
    if (ins.op < 0) return bad(p, F_BAD_OPCODE, at); // check: opcode
    if (!ins.complete) return bad(p, F_BAD_OPERAND, at); // check: instruction-past-unit
    var row = ins.row;
    var opScope = OPTAB[row + Col.SCOPE];
    if (opScope !== Scope.ANY && opScope !== scope) return bad(p, F_BAD_SCOPE, at); // check: scope
    var f1 = OPTAB[row + Col.F1];
    var f2 = OPTAB[row + Col.F2];
    if (f1 !== 0 && !verifyOperand(p, row, f1, ins.a, ins.aAt, pc, end, id, targets, open)) return false;
    if (f2 !== 0 && !verifyOperand(p, row, f2, ins.b, ins.bAt, pc, end, id, targets, open)) return false;
    if (f1 === Fmt.J) targets[open++] = ins.a;
    var n = f1 === Fmt.N ? ins.a : f2 === Fmt.N ? ins.b : 0;
    if (f1 === Fmt.S) {
      var width = OPTAB[row + Col.STATE] + OPTAB[row + Col.STATEN] * n;
      if (ins.a + width > p.nState) return bad(p, F_BAD_SLOT, ins.aAt); // check: state-slot
      if (!claimSlots(owned, ins.a, width)) return bad(p, F_BAD_SLOT, ins.aAt); // check: state-overlap
      slots += width;
    }
    if ((OPTAB[row + Col.FLAGS] & Flag.WAKES) !== 0) p.wakeBudget += 1 + n;
    depth -= OPTAB[row + Col.POPS] + OPTAB[row + Col.POPSN] * n;
    if (depth < 0) return bad(p, F_STACK_UNDERFLOW, at); // check: stack-underflow
    if (ins.op === Op.JZ && depth !== 0) return bad(p, F_STACK_DIRTY, at); // check: stack-at-jump
    depth += OPTAB[row + Col.PUSH];
    if (depth > Limit.MAX_STACK) return bad(p, F_STACK_OVERFLOW, at); // check: stack-overflow
    if (depth > maxDepth) maxDepth = depth;
    cost += OPTAB[row + Col.COST] + (f1 === Fmt.G ? OPTAB[row + Col.COSTPT] * geometryPoints(p, ins.a) : 0);
    if (ins.op === Op.END) {
      if (depth !== 0) return bad(p, F_STACK_DIRTY, at); // check: stack-at-end
      sawEnd = true;
    }
    pc += ins.size;
  }
  // No jump can still be open here: a target lies before `end` and after the instruction that set it, and the walk
  // either stopped at it or failed jump-into-instruction. So the one thing left to check is that END was reached.
  if (!sawEnd) return bad(p, F_NO_END, p.codeOff + end - 1); // check: missing-end
  p.unitCost[u] = cost;
  p.unitStack[u] = maxDepth;
  p.unitState[u] = slots;
  return true;
}

/** Checks a whole bundle. Never throws, whatever it is given: every read is bounds-checked first. */
export function verify(bytes: Uint8Array): Program {
  var isBytes = bytes instanceof Uint8Array;
  var p = emptyProgram(isBytes ? bytes : new Uint8Array(0));
  if (!isBytes) return fail(p, F_ARGUMENT, 0); // check: not-bytes
  if (!verifyHeader(p)) return p;
  if (!verifyGeometries(p)) return p;
  var codeBytes = p.dv.getUint32(HDR_CODEBYTES, true);
  var depBytes = p.dv.getUint32(HDR_DEPBYTES, true);
  var targets = new Uint16Array(Limit.MAX_OPEN_JUMPS);
  var owned = new Uint8Array((p.nState + 7) >> 3); // one bit per state slot: claimed by an instruction
  var ins = newInstruction();
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
    if (!verifyUnit(p, u, start, depStart, codeBytes, depBytes, targets, ins, owned)) return p;
    start = p.unitEnd[u];
    depStart += p.unitDepCount[u];
  }
  // The units must account for every code and dependency byte: nothing unreachable hides in the sections.
  if (start !== codeBytes) return fail(p, F_BAD_UNIT, p.codeOff + start); // check: code-outside-units
  if (depStart !== depBytes) return fail(p, F_BAD_DEP, p.depOff + depStart); // check: dependencies-outside-units
  return p;
}
