/**
 * A tiny assembler for hand-made (and deliberately broken) bundles: the hostile-bundle tests need code the
 * compiler would never emit. It writes the layout of runtime/engine/format.ts directly, with opcodes from the ISA table.
 */
import { OP, type OpName } from '../../compiler/isa.ts';
import { encodeInstruction } from '../../compiler/encode.ts';
import * as F from '../../runtime/engine/format.ts';
import { catalogueHash } from '../../compiler/catalogue-hash.ts';
import { SIGNAL_COUNT } from '../../compiler/dsl/catalogue.ts';

/** An instruction as written: its name (a short form writes its operand into the opcode) and operands. */
export type Ins = [OpName, ...number[]];
export interface UnitSpec { kind?: 'rule' | 'derived'; id?: number; deps?: number[]; code: Ins[] }
/** A geometry record with only the fields the verifier checks (kind, first point, point count); the rest stay 0. */
export interface GeomSpec { kind: number; first: number; count: number }
export interface BundleSpec { units: UnitSpec[]; consts?: number[]; nState?: number; nDerived?: number; geoms?: GeomSpec[]; points?: number }

/** Exactly the instructions given: a long form stays long even when a short form would fit. */
export function assembleCode(code: Ins[]): number[] {
  const out: number[] = [];
  for (const [name, ...operands] of code) encodeInstruction(out, out.length, OP[name], operands);
  return out;
}

export function assemble(spec: BundleSpec): Uint8Array {
  const consts = spec.consts ?? [];
  const codes = spec.units.map((u) => assembleCode(u.code));
  const deps = spec.units.map((u) => u.deps ?? []);
  const depBytes = deps.reduce((s, d) => s + d.length, 0);
  const codeBytes = codes.reduce((s, c) => s + c.length, 0);
  const geoms = spec.geoms ?? [];
  const points = spec.points ?? 0;
  const total = F.HEADER_SIZE + consts.length * F.CONST64_SIZE + geoms.length * F.GEOM_SIZE + points * F.POINT_SIZE +
    spec.units.length * F.UNIT_SIZE + depBytes + codeBytes; // constants as f64 (n32 = 0)
  const bytes = new Uint8Array(total);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(F.HDR_MAGIC, F.MAGIC, true);
  dv.setUint16(F.HDR_VERSION, F.FORMAT_VERSION, true);
  dv.setUint32(F.HDR_CATALOGUE, catalogueHash(), true);
  dv.setUint16(F.HDR_SIGNALS, SIGNAL_COUNT, true);
  dv.setUint16(F.HDR_DERIVED, spec.nDerived ?? 0, true);
  dv.setUint16(F.HDR_UNITS, spec.units.length, true);
  dv.setUint16(F.HDR_STATE, spec.nState ?? 0, true);
  dv.setUint16(F.HDR_CONSTS, consts.length, true);
  dv.setUint16(F.HDR_GEOMS, geoms.length, true);
  dv.setUint32(F.HDR_POINTS, points, true);
  dv.setUint32(F.HDR_DEPBYTES, depBytes, true);
  dv.setUint32(F.HDR_CODEBYTES, codeBytes, true);
  dv.setUint32(F.HDR_TOTAL, total, true);
  consts.forEach((k, i) => dv.setFloat64(F.constantOffset(F.HEADER_SIZE, 0, i), k, true));
  let at = F.HEADER_SIZE + consts.length * F.CONST64_SIZE;
  for (const g of geoms) {
    bytes[at + F.GREC_KIND] = g.kind;
    dv.setUint16(at + F.GREC_COUNT, g.count, true);
    dv.setUint32(at + F.GREC_FIRST, g.first, true);
    at += F.GEOM_SIZE;
  }
  at += points * F.POINT_SIZE; // points stay (0, 0)
  spec.units.forEach((u, i) => {
    bytes[at + F.UREC_KIND] = u.kind === 'derived' ? F.UNIT_DERIVED : F.UNIT_RULE;
    bytes[at + F.UREC_DEPS] = deps[i].length;
    bytes[at + F.UREC_ID] = u.id ?? i;
    dv.setUint16(at + F.UREC_LENGTH, codes[i].length, true);
    at += F.UNIT_SIZE;
  });
  for (const d of deps) for (const v of d) bytes[at++] = v;
  for (const c of codes) for (const b of c) bytes[at++] = b;
  return bytes;
}

/** Offset of the code section of an assembled or compiled bundle. */
export function codeOffset(bytes: Uint8Array): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return F.sectionOffsets(dv, F.newSections()).codeOff;
}
