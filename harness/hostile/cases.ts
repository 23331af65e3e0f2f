/**
 * Hostile bundles: each is refused with one exact fault code at one exact byte offset, on every engine, by one
 * named check of the verifier (its `// check: <name>` tag in runtime/engine/verify.ts). Every check has at least
 * one case (test/verifier-checks.test.ts). Built from a valid minimal rule (door open → event) by the assembler,
 * then broken in one way.
 */
import * as F from '../../runtime/engine/faults.ts';
import * as H from '../../runtime/engine/format.ts';
import { assemble, codeOffset, type Ins } from './assemble.ts';
import { LIMITS, OP } from '../../compiler/isa.ts';
import { SIGNAL_COUNT } from '../../compiler/dsl/catalogue.ts';

export interface HostileCase { name: string; check: string; bytes: Uint8Array; fault: number; at: number }

const DOOR = 13;
/**
 * A valid rule unit: door open (cooldown 0) → warning event.
 * Code offsets: LOAD 0, CONST 2, FIRE 4 (slot at 5), JZ 7 (target at 8), EMIT 10 (severity 11, count 12), END 13.
 */
const goodRule = (jump = 13): Ins[] => [['LOAD', DOOR], ['CONST', 0], ['FIRE', 0], ['JZ', jump], ['EMIT', 1, 0], ['END']];
export const VALID = assemble({ units: [{ deps: [DOOR], code: goodRule() }], consts: [0], nState: 2 });
const CODE = codeOffset(VALID);

/** A case whose fault lies `rel` bytes into its own code section. */
function inCode(name: string, check: string, bytes: Uint8Array, fault: number, rel: number): HostileCase {
  return { name, check, bytes, fault, at: codeOffset(bytes) + rel };
}
function rule(code: Ins[], extra: { consts?: number[]; nState?: number; deps?: number[] } = {}): Uint8Array {
  return assemble({ units: [{ deps: extra.deps, code }], consts: extra.consts ?? [0], nState: extra.nState ?? 2 });
}

function patched(base: Uint8Array, edits: Array<[number, number]>): Uint8Array {
  const b = base.slice();
  for (const [at, v] of edits) b[at] = v;
  return b;
}
function header16(base: Uint8Array, field: number, value: number): Uint8Array {
  const b = base.slice();
  new DataView(b.buffer).setUint16(field, value, true);
  return b;
}
function header32(base: Uint8Array, field: number, value: number): Uint8Array {
  const b = base.slice();
  new DataView(b.buffer).setUint32(field, value, true);
  return b;
}
/** VALID with one more code byte that no unit covers (header counts adjusted so only the tiling rule is broken). */
function strayCodeByte(): Uint8Array {
  const b = new Uint8Array(VALID.length + 1);
  b.set(VALID);
  const dv = new DataView(b.buffer);
  dv.setUint32(H.HDR_CODEBYTES, dv.getUint32(H.HDR_CODEBYTES, true) + 1, true);
  dv.setUint32(H.HDR_TOTAL, b.length, true);
  return b;
}
/** VALID with one more dependency byte that no unit covers (header counts adjusted so only the tiling rule is broken). */
function strayDependencyByte(): Uint8Array {
  const codeOff = codeOffset(VALID);
  const b = new Uint8Array(VALID.length + 1);
  b.set(VALID.subarray(0, codeOff));
  b[codeOff] = DOOR;
  b.set(VALID.subarray(codeOff), codeOff + 1);
  const dv = new DataView(b.buffer);
  dv.setUint32(H.HDR_DEPBYTES, dv.getUint32(H.HDR_DEPBYTES, true) + 1, true);
  dv.setUint32(H.HDR_TOTAL, b.length, true);
  return b;
}
/** Unit 0's record (after one f64 constant) and its fields. */
const UNIT0 = H.HEADER_SIZE + H.ConstBytes.F64;
const UNIT0_LENGTH = UNIT0 + H.UnitField.LENGTH;
/** A rule whose only geometry record (kind, first point, count) is broken; one point in the pool. */
function geometry(kind: number, first: number, count: number): Uint8Array {
  return assemble({ units: [{ deps: [DOOR], code: goodRule() }], consts: [0], nState: 2, geoms: [{ kind, first, count }], points: 1 });
}
const GEOM0 = H.HEADER_SIZE + H.ConstBytes.F64;
/** `n` nested JZs that all jump to the END after them (each LOAD door + JZ is 5 bytes). */
function nestedJumps(n: number): Ins[] {
  return [...Array.from({ length: n }, (): Ins[] => [['LOAD', DOOR], ['JZ', n * 5]]).flat(), ['END']];
}

export const HOSTILE_CASES: HostileCase[] = [
  // ── the argument ────────────────────────────────────────────────────────────────────────────────
  // The valid bundle's bytes in a plain Array (the engine scripts hand it over as one too): a fault, not a TypeError.
  { name: 'bytes in a plain Array', check: 'not-bytes', bytes: Array.from(VALID) as unknown as Uint8Array, fault: F.F_ARGUMENT, at: 0 },
  // ── header ──────────────────────────────────────────────────────────────────────────────────────
  { name: 'empty', check: 'header-truncated', bytes: new Uint8Array(0), fault: F.F_TRUNCATED, at: 0 },
  { name: 'truncated header', check: 'header-truncated', bytes: VALID.slice(0, 17), fault: F.F_TRUNCATED, at: 17 },
  { name: 'truncated code', check: 'sections-truncated', bytes: VALID.slice(0, VALID.length - 1), fault: F.F_TRUNCATED, at: VALID.length - 1 },
  { name: 'trailing byte', check: 'trailing-bytes', bytes: (() => { const b = new Uint8Array(VALID.length + 1); b.set(VALID); return b; })(), fault: F.F_LENGTH, at: VALID.length },
  { name: 'total length field disagrees with the sections', check: 'total-field', bytes: header32(VALID, H.HDR_TOTAL, VALID.length + 1), fault: F.F_LENGTH, at: H.HDR_TOTAL },
  { name: 'wrong magic', check: 'magic', bytes: patched(VALID, [[0, 0x46]]), fault: F.F_BAD_MAGIC, at: H.HDR_MAGIC },
  { name: 'wrong format version', check: 'version', bytes: header16(VALID, H.HDR_VERSION, H.FORMAT_VERSION + 1), fault: F.F_BAD_VERSION, at: H.HDR_VERSION },
  { name: 'other signal catalogue', check: 'catalogue-hash', bytes: patched(VALID, [[H.HDR_CATALOGUE, VALID[H.HDR_CATALOGUE] ^ 1]]), fault: F.F_CATALOGUE, at: H.HDR_CATALOGUE },
  { name: 'other signal count', check: 'signal-count', bytes: header16(VALID, H.HDR_SIGNALS, SIGNAL_COUNT + 1), fault: F.F_CATALOGUE, at: H.HDR_SIGNALS },
  { name: 'oversized derived values', check: 'too-many-values', bytes: header16(VALID, H.HDR_DERIVED, 300), fault: F.F_OVERSIZED, at: H.HDR_DERIVED },
  { name: 'oversized unit count', check: 'too-many-units', bytes: header16(VALID, H.HDR_UNITS, 1000), fault: F.F_OVERSIZED, at: H.HDR_UNITS },
  { name: 'oversized state', check: 'too-much-state', bytes: header16(VALID, H.HDR_STATE, 60000), fault: F.F_OVERSIZED, at: H.HDR_STATE },
  { name: 'oversized constant count', check: 'too-many-constants', bytes: header16(VALID, H.HDR_CONSTS, 300), fault: F.F_OVERSIZED, at: H.HDR_CONSTS },
  { name: 'more f32 constants than constants', check: 'more-f32-than-constants', bytes: header16(VALID, H.HDR_CONSTS32, 2), fault: F.F_OVERSIZED, at: H.HDR_CONSTS32 },
  { name: 'oversized geometry count', check: 'too-many-geometries', bytes: header16(VALID, H.HDR_GEOMS, 256), fault: F.F_OVERSIZED, at: H.HDR_GEOMS },
  { name: 'oversized point count', check: 'too-many-points', bytes: header32(VALID, H.HDR_POINTS, 70000), fault: F.F_OVERSIZED, at: H.HDR_POINTS },
  { name: 'oversized code section', check: 'too-much-code', bytes: header32(VALID, H.HDR_CODEBYTES, 70000), fault: F.F_OVERSIZED, at: H.HDR_CODEBYTES },
  { name: 'oversized dependency section', check: 'too-many-dependencies', bytes: header32(VALID, H.HDR_DEPBYTES, 70000), fault: F.F_OVERSIZED, at: H.HDR_DEPBYTES },
  // ── geometries ──────────────────────────────────────────────────────────────────────────────────
  { name: 'geometry of no known kind', check: 'geometry-kind', bytes: geometry(0, 0, 1), fault: F.F_BAD_GEOMETRY, at: GEOM0 },
  { name: 'polygon with two points', check: 'geometry-point-count', bytes: geometry(H.GEOM_POLYGON, 0, 2), fault: F.F_BAD_GEOMETRY, at: GEOM0 },
  { name: 'circle whose point lies past the point pool', check: 'geometry-points-past-pool', bytes: geometry(H.GEOM_CIRCLE, 1, 1), fault: F.F_BAD_GEOMETRY, at: GEOM0 },
  // ── units and dependencies ──────────────────────────────────────────────────────────────────────
  { name: 'unit of no known kind', check: 'unit-kind', bytes: patched(VALID, [[UNIT0 + H.UnitField.KIND, 2]]), fault: F.F_BAD_UNIT, at: UNIT0 + H.UnitField.KIND },
  { name: 'derived unit storing a signal', check: 'derived-unit-id', bytes: assemble({ units: [{ kind: 'derived', id: DOOR, code: [['END']] }], consts: [0] }), fault: F.F_BAD_UNIT, at: UNIT0 + H.UnitField.ID },
  { name: 'unit with no code', check: 'unit-empty', bytes: header16(VALID, UNIT0_LENGTH, 0), fault: F.F_BAD_UNIT, at: UNIT0_LENGTH },
  { name: 'unit code range past the code section', check: 'unit-past-code', bytes: header16(VALID, UNIT0_LENGTH, 200), fault: F.F_BAD_UNIT, at: UNIT0_LENGTH },
  { name: 'dependency list past the dependency section', check: 'dependencies-past-section', bytes: patched(VALID, [[UNIT0 + H.UnitField.DEPS, 5]]), fault: F.F_BAD_DEP, at: UNIT0 + H.UnitField.DEPS },
  { name: 'dependency on a missing value', check: 'dependency-value', bytes: assemble({ units: [{ deps: [99], code: goodRule() }], consts: [0], nState: 2 }), fault: F.F_BAD_DEP, at: CODE - 1 },
  inCode('code bytes that belong to no unit', 'code-outside-units', strayCodeByte(), F.F_BAD_UNIT, 14),
  { name: 'dependency bytes that belong to no unit', check: 'dependencies-outside-units', bytes: strayDependencyByte(), fault: F.F_BAD_DEP, at: CODE }, // just past unit 0's one dependency
  // ── instructions ────────────────────────────────────────────────────────────────────────────────
  inCode('unknown opcode', 'opcode', patched(VALID, [[CODE + 2, 0xee]]), F.F_BAD_OPCODE, 2),
  inCode('unassigned opcode inside the table', 'opcode', patched(VALID, [[CODE + 2, 0x04]]), F.F_BAD_OPCODE, 2),
  inCode('instruction cut by the unit end', 'instruction-past-unit', (() => {
    const b = rule([['CONST', 0], ['END']]);
    new DataView(b.buffer).setUint16(UNIT0_LENGTH, 1, true); // 1 of CONST's 2 bytes
    return b;
  })(), F.F_BAD_OPERAND, 0),
  inCode('rule op in a derived unit', 'scope', assemble({ units: [{ kind: 'derived', id: 24, code: [['CONST', 0], ['RATE'], ['END']] }], consts: [0], nDerived: 1 }), F.F_BAD_SCOPE, 2),
  inCode('missing END', 'missing-end', rule([['CONST', 0], ['OUT', 0]]), F.F_NO_END, 3),
  inCode('code after END', 'code-after-end', rule([['END'], ['END']]), F.F_NO_END, 1),
  // ── operands ────────────────────────────────────────────────────────────────────────────────────
  inCode('value id out of range', 'value-id', rule([['LOAD', 200], ['CONST', 0], ['FIRE', 0], ['JZ', 13], ['EMIT', 1, 0], ['END']]), F.F_BAD_VALUE, 1),
  inCode('short-form LOAD of a value that does not exist', 'value-id', rule([['LOADS', 40], ['END']]), F.F_BAD_VALUE, 0),
  inCode('STALE of a derived value', 'value-not-a-signal', assemble({ units: [{ code: [['CONST', 0], ['STALE', 24], ['END']] }], consts: [0], nDerived: 1 }), F.F_BAD_VALUE, 3),
  inCode('STORE into another unit\'s value', 'value-not-own', assemble({ units: [{ kind: 'derived', id: 24, code: [['CONST', 0], ['STORE', 25], ['END']] }], consts: [0], nDerived: 2 }), F.F_BAD_VALUE, 3),
  inCode('state slot out of range', 'state-slot', rule(goodRule(), { nState: 1 }), F.F_BAD_SLOT, 5),
  // FIRE owns slots 0 and 1; RISE (at 7) on slot 1 would rewrite FIRE's last firing time.
  inCode('two instructions sharing a state slot', 'state-overlap', rule([['LOAD', DOOR], ['CONST', 0], ['FIRE', 0], ['RISE', 1], ['JZ', 16], ['EMIT', 1, 0], ['END']]), F.F_BAD_SLOT, 8),
  // HOLD owns slot 1, which is COUNT's ring index: HOLD could send COUNT's writes anywhere.
  inCode('a COUNT ring over another op\'s slot', 'state-overlap', rule([['LOAD', DOOR], ['CONST', 0], ['HOLD', 1], ['OUT', 0], ['LOAD', DOOR], ['CONST', 0], ['COUNT', 0, 2], ['OUT', 1], ['END']], { nState: 4 }), F.F_BAD_SLOT, 14),
  inCode('constant out of range', 'constant-index', rule([['LOAD', DOOR], ['CONST', 7], ['FIRE', 0], ['JZ', 13], ['EMIT', 1, 0], ['END']]), F.F_BAD_CONST, 3),
  inCode('short-form constant out of range', 'constant-index', rule([['LOAD', DOOR], ['CONSTS', 7], ['END']]), F.F_BAD_CONST, 2),
  inCode('geometry out of range', 'geometry-index', rule([['LOAD', 0], ['LOAD', 1], ['INSIDE', 0], ['CONST', 0], ['FIRE', 0], ['JZ', 15], ['EMIT', 1, 0], ['END']]), F.F_BAD_GEOMETRY, 5),
  inCode('too many attachments', 'count-range', rule([['LOAD', DOOR], ['CONST', 0], ['FIRE', 0], ['JZ', 13], ['EMIT', 1, LIMITS.maxAttach + 1], ['END']]), F.F_BAD_COUNT, 12),
  inCode('sequence of fewer steps than its limit', 'count-range', rule([['CONST', 0], ['SEQ', 0, OP.SEQ.limits!.n![0] - 1], ['END']], { nState: 2 }), F.F_BAD_COUNT, 5),
  inCode('edge-count ring larger than its limit', 'count-range', rule([['LOAD', DOOR], ['CONST', 0], ['COUNT', 0, OP.COUNT.limits!.n![1] + 1], ['END']], { nState: 100 }), F.F_BAD_COUNT, 7),
  inCode('severity out of range', 'output-range', rule([['LOAD', DOOR], ['CONST', 0], ['FIRE', 0], ['JZ', 13], ['EMIT', 7, 0], ['END']]), F.F_BAD_COUNT, 11),
  // ── jumps ───────────────────────────────────────────────────────────────────────────────────────
  inCode('bad jump target (backwards)', 'jump-backwards', rule(goodRule(3)), F.F_BAD_JUMP, 8),
  inCode('bad jump target (past the unit)', 'jump-past-unit', rule(goodRule(40)), F.F_BAD_JUMP, 8),
  inCode('bad jump target (inside an instruction)', 'jump-into-instruction', rule(goodRule(11)), F.F_BAD_JUMP, 13),
  inCode('inner jump past the outer one', 'jump-not-nested', rule([['LOAD', DOOR], ['JZ', 10], ['LOAD', DOOR], ['JZ', 11], ['END'], ['END']]), F.F_BAD_JUMP, 8),
  inCode('more open jumps than the limit', 'too-many-open-jumps', rule(nestedJumps(LIMITS.maxOpenJumps + 1)), F.F_BAD_JUMP, LIMITS.maxOpenJumps * 5 + 3),
  // ── stack ───────────────────────────────────────────────────────────────────────────────────────
  inCode('stack overflow', 'stack-overflow', rule([...Array.from({ length: 17 }, (): Ins => ['CONST', 0]), ['END']]), F.F_STACK_OVERFLOW, 32),
  inCode('stack underflow', 'stack-underflow', rule([['CONST', 0], ['ADD'], ['END']]), F.F_STACK_UNDERFLOW, 2),
  inCode('value left on the stack at END', 'stack-at-end', rule([['CONST', 0], ['END']]), F.F_STACK_DIRTY, 2),
  inCode('JZ with values left on the stack', 'stack-at-jump', rule([['CONST', 0], ['LOAD', DOOR], ['CONST', 0], ['FIRE', 0], ['JZ', 16], ['EMIT', 1, 0], ['ADD'], ['END']]), F.F_STACK_DIRTY, 9),
  inCode('value left on the stack at a jump target', 'stack-at-jump-target', rule([['LOAD', DOOR], ['JZ', 7], ['CONST', 0], ['END']]), F.F_STACK_DIRTY, 7),
];
