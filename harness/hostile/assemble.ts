/**
 * A tiny assembler for hand-made (and deliberately broken) bundles: the hostile-bundle tests need code the
 * compiler would never emit. It writes through the emitter's own encoder (compiler/encode.ts) and layout writer
 * (compiler/bundle-writer.ts), so only the breakage a case adds differs from what the compiler would write.
 */
import { OP, type OpName } from '../../compiler/isa.ts';
import { encodeInstruction } from '../../compiler/encode.ts';
import * as F from '../../runtime/engine/format.ts';
import { newBundle, writeConstant, writeGeometry, writeUnit, writeUnitBodies } from '../../compiler/bundle-writer.ts';

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
  const geoms = spec.geoms ?? [];
  const codes = spec.units.map((u) => assembleCode(u.code));
  const deps = spec.units.map((u) => u.deps ?? []);
  const b = newBundle({
    profile: 'full',
    consts32: 0, consts: consts.length, derived: spec.nDerived ?? 0, units: spec.units.length, state: spec.nState ?? 0,
    geoms: geoms.length, points: spec.points ?? 0, // points stay (0, 0)
    depBytes: deps.reduce((s, d) => s + d.length, 0), codeBytes: codes.reduce((s, c) => s + c.length, 0),
  });
  consts.forEach((k, i) => writeConstant(b, 0, i, k)); // all f64
  geoms.forEach((g, i) => writeGeometry(b, i, { ...g, lat0: 0, lon0: 0, kx: 0, ky: 0, scale: 0 }));
  spec.units.forEach((u, i) => writeUnit(b, i, { kind: u.kind ?? 'rule', deps: deps[i].length, id: u.id ?? i, codeLength: codes[i].length }));
  writeUnitBodies(b, deps, codes);
  return b.bytes;
}

/** Offset of the code section of an assembled or compiled bundle. */
export function codeOffset(bytes: Uint8Array): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const s = F.newSections();
  F.sectionOffsets(dv, s);
  return s.codeOff;
}
