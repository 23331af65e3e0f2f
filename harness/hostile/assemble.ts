/**
 * A tiny assembler for hand-made (and deliberately broken) bundles: the hostile-bundle tests need code the
 * compiler would never emit. It writes the layout of runtime/engine/format.ts directly, with opcodes from the ISA table.
 */
import { OP, OPERAND_BYTES } from '../../compiler/isa.ts';
import * as F from '../../runtime/engine/format.ts';
import { catalogueHash } from '../../compiler/catalogue-hash.ts';
import { SIGNAL_COUNT } from '../../compiler/dsl/catalogue.ts';

export type Ins = [string, ...number[]];
export interface UnitSpec { kind?: 'rule' | 'derived'; id?: number; deps?: number[]; code: Ins[] }
export interface BundleSpec { units: UnitSpec[]; consts?: number[]; nState?: number; nDerived?: number }

export function assembleCode(code: Ins[]): number[] {
  const out: number[] = [];
  for (const [name, ...operands] of code) {
    const spec = OP[name];
    if (!spec) throw new Error(`unknown op ${name}`);
    if (spec.short) { out.push(spec.code + (operands[0] ?? 0)); continue; } // one byte, operand embedded
    out.push(spec.code);
    spec.operands.forEach((fmt, i) => {
      const v = operands[i] ?? 0;
      if (OPERAND_BYTES[fmt] === 1) out.push(v & 0xff); else out.push(v & 0xff, (v >> 8) & 0xff);
    });
  }
  return out;
}

export function assemble(spec: BundleSpec): Uint8Array {
  const consts = spec.consts ?? [];
  const codes = spec.units.map((u) => assembleCode(u.code));
  const deps = spec.units.map((u) => u.deps ?? []);
  const depBytes = deps.reduce((s, d) => s + d.length, 0);
  const codeBytes = codes.reduce((s, c) => s + c.length, 0);
  const total = F.HEADER_SIZE + consts.length * 8 + spec.units.length * F.UNIT_SIZE + depBytes + codeBytes; // constants as f64 (n32 = 0)
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
  dv.setUint32(F.HDR_DEPBYTES, depBytes, true);
  dv.setUint32(F.HDR_CODEBYTES, codeBytes, true);
  dv.setUint32(F.HDR_TOTAL, total, true);
  let at = F.HEADER_SIZE;
  for (const k of consts) { dv.setFloat64(at, k, true); at += 8; }
  spec.units.forEach((u, i) => {
    bytes[at] = u.kind === 'derived' ? F.UNIT_DERIVED : F.UNIT_RULE;
    bytes[at + 1] = deps[i].length;
    bytes[at + 2] = u.id ?? i;
    dv.setUint16(at + 3, codes[i].length, true);
    at += F.UNIT_SIZE;
  });
  for (const d of deps) for (const v of d) bytes[at++] = v;
  for (const c of codes) for (const b of c) bytes[at++] = b;
  return bytes;
}

/** Offset of the code section of an assembled or compiled bundle. */
export function codeOffset(bytes: Uint8Array): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return dv.getUint32(F.HDR_TOTAL, true) - dv.getUint32(F.HDR_CODEBYTES, true);
}
