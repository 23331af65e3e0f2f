/**
 * Hostile bundles: each is refused with one exact fault code at one exact byte offset, on every engine.
 * Built from a valid minimal rule (door open → event) by the assembler, then broken in one way.
 */
import * as F from '../../runtime/engine/faults.ts';
import * as H from '../../runtime/engine/format.ts';
import { assemble, codeOffset, type Ins } from './assemble.ts';

export interface HostileCase { name: string; bytes: Uint8Array; fault: number; at: number }

const DOOR = 13;
/**
 * A valid rule unit: door open (cooldown 0) → warning event.
 * Code offsets: LOAD 0, CONST 2, FIRE 4 (slot at 5), JZ 7 (target at 8), EMIT 10 (severity 11, count 12), END 13.
 */
const goodRule = (jump = 13): Ins[] => [['LOAD', DOOR], ['CONST', 0], ['FIRE', 0], ['JZ', jump], ['EMIT', 1, 0], ['END']];
export const VALID = assemble({ units: [{ deps: [DOOR], code: goodRule() }], consts: [0], nState: 2 });
const CODE = codeOffset(VALID);

/** A case whose fault lies `rel` bytes into its own code section. */
function inCode(name: string, bytes: Uint8Array, fault: number, rel: number): HostileCase {
  return { name, bytes, fault, at: codeOffset(bytes) + rel };
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
/** VALID with one more code byte that no unit covers (header counts adjusted so only the tiling rule is broken). */
function strayCodeByte(): Uint8Array {
  const b = new Uint8Array(VALID.length + 1);
  b.set(VALID);
  const dv = new DataView(b.buffer);
  dv.setUint32(H.HDR_CODEBYTES, dv.getUint32(H.HDR_CODEBYTES, true) + 1, true);
  dv.setUint32(H.HDR_TOTAL, b.length, true);
  return b;
}
/** Unit 0's code-length field (after one f64 constant): kind, depCount, id, then the u16 length. */
const UNIT0_LENGTH = H.HEADER_SIZE + 8 + 3;

export const HOSTILE_CASES: HostileCase[] = [
  { name: 'empty', bytes: new Uint8Array(0), fault: F.F_TRUNCATED, at: 0 },
  { name: 'truncated header', bytes: VALID.slice(0, 17), fault: F.F_TRUNCATED, at: 17 },
  { name: 'truncated code', bytes: VALID.slice(0, VALID.length - 1), fault: F.F_TRUNCATED, at: VALID.length - 1 },
  { name: 'trailing byte', bytes: (() => { const b = new Uint8Array(VALID.length + 1); b.set(VALID); return b; })(), fault: F.F_LENGTH, at: VALID.length },
  { name: 'wrong magic', bytes: patched(VALID, [[0, 0x46]]), fault: F.F_BAD_MAGIC, at: H.HDR_MAGIC },
  { name: 'wrong format version', bytes: header16(VALID, H.HDR_VERSION, 2), fault: F.F_BAD_VERSION, at: H.HDR_VERSION },
  { name: 'other signal catalogue', bytes: patched(VALID, [[H.HDR_CATALOGUE, VALID[H.HDR_CATALOGUE] ^ 1]]), fault: F.F_CATALOGUE, at: H.HDR_CATALOGUE },
  { name: 'oversized unit count', bytes: header16(VALID, H.HDR_UNITS, 1000), fault: F.F_OVERSIZED, at: H.HDR_UNITS },
  { name: 'oversized state', bytes: header16(VALID, H.HDR_STATE, 60000), fault: F.F_OVERSIZED, at: H.HDR_STATE },
  { name: 'oversized derived values', bytes: header16(VALID, H.HDR_DERIVED, 300), fault: F.F_OVERSIZED, at: H.HDR_DERIVED },
  inCode('bad jump target (backwards)', rule(goodRule(3)), F.F_BAD_JUMP, 8),
  inCode('bad jump target (past the unit)', rule(goodRule(40)), F.F_BAD_JUMP, 8),
  inCode('bad jump target (inside an instruction)', rule(goodRule(11)), F.F_BAD_JUMP, 13),
  inCode('state slot out of range', rule(goodRule(), { nState: 1 }), F.F_BAD_SLOT, 5),
  inCode('constant out of range', rule([['LOAD', DOOR], ['CONST', 7], ['FIRE', 0], ['JZ', 13], ['EMIT', 1, 0], ['END']]), F.F_BAD_CONST, 3),
  inCode('short-form constant out of range', rule([['LOAD', DOOR], ['CONSTS', 7], ['END']]), F.F_BAD_CONST, 2),
  inCode('value id out of range', rule([['LOAD', 200], ['CONST', 0], ['FIRE', 0], ['JZ', 13], ['EMIT', 1, 0], ['END']]), F.F_BAD_VALUE, 1),
  inCode('short-form LOAD of a value that does not exist', rule([['LOADS', 40], ['END']]), F.F_BAD_VALUE, 0),
  inCode('geometry out of range', rule([['LOAD', 0], ['LOAD', 1], ['INSIDE', 0], ['CONST', 0], ['FIRE', 0], ['JZ', 15], ['EMIT', 1, 0], ['END']]), F.F_BAD_GEOMETRY, 5),
  inCode('stack overflow', rule([...Array.from({ length: 17 }, (): Ins => ['CONST', 0]), ['END']]), F.F_STACK_OVERFLOW, 32),
  inCode('stack underflow', rule([['CONST', 0], ['ADD'], ['END']]), F.F_STACK_UNDERFLOW, 2),
  inCode('value left on the stack at END', rule([['CONST', 0], ['END']]), F.F_STACK_DIRTY, 2),
  inCode('unknown opcode', patched(VALID, [[CODE + 2, 0xee]]), F.F_BAD_OPCODE, 2),
  inCode('instruction cut by the unit end', (() => {
    const b = rule([['CONST', 0], ['END']]);
    new DataView(b.buffer).setUint16(UNIT0_LENGTH, 1, true); // 1 of CONST's 2 bytes
    return b;
  })(), F.F_BAD_OPERAND, 0),
  inCode('missing END', rule([['CONST', 0], ['OUT', 0]]), F.F_NO_END, 3),
  inCode('rule op in a derived unit', assemble({ units: [{ kind: 'derived', id: 24, code: [['CONST', 0], ['RATE'], ['END']] }], consts: [0], nDerived: 1 }), F.F_BAD_SCOPE, 2),
  inCode('STORE into another unit\'s value', assemble({ units: [{ kind: 'derived', id: 24, code: [['CONST', 0], ['STORE', 25], ['END']] }], consts: [0], nDerived: 2 }), F.F_BAD_VALUE, 3),
  inCode('too many attachments', rule([['LOAD', DOOR], ['CONST', 0], ['FIRE', 0], ['JZ', 13], ['EMIT', 1, 9], ['END']]), F.F_BAD_COUNT, 12),
  inCode('severity out of range', rule([['LOAD', DOOR], ['CONST', 0], ['FIRE', 0], ['JZ', 13], ['EMIT', 7, 0], ['END']]), F.F_BAD_COUNT, 11),
  inCode('JZ with values left on the stack', rule([['CONST', 0], ['LOAD', DOOR], ['CONST', 0], ['FIRE', 0], ['JZ', 16], ['EMIT', 1, 0], ['ADD'], ['END']]), F.F_STACK_DIRTY, 9),
  inCode('code bytes that belong to no unit', strayCodeByte(), F.F_BAD_UNIT, 14),
  { name: 'dependency on a missing value', bytes: assemble({ units: [{ deps: [99], code: goodRule() }], consts: [0], nState: 2 }), fault: F.F_BAD_DEP, at: CODE - 1 },
  { name: 'unit code range past the code section', bytes: header16(VALID, UNIT0_LENGTH, 200), fault: F.F_BAD_UNIT, at: UNIT0_LENGTH },
];
