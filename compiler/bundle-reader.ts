/**
 * Host-side reading of a verified bundle: constants, geometries (back in degrees), units and their instructions.
 * The disassembler, the simulator's report and `edgerule verify --bundle` all read bundles through it; the layout
 * itself comes from runtime/engine/format.ts and instructions are decoded by the runtime's own decodeInstruction.
 */
import * as F from '../runtime/engine/format.ts';
import type { Program } from '../runtime/engine/verify.ts';
import { decodeInstruction, newInstruction } from '../runtime/engine/instruction.ts';
import { opByCode, shortFormOf, type OpSpec } from './isa.ts';
import { geometryKindName, type GeometryKind } from './ir.ts';

export function constants(p: Program): number[] {
  return Array.from({ length: p.nConsts }, (_, i) => F.readConstant(p.dv, p.constOff, p.n32, i));
}

export interface BundleGeometry {
  index: number;
  kind: GeometryKind;
  /** Points in the record (a circle's or point's one point is its radius or the origin). */
  pointCount: number;
  lat0: number;
  lon0: number;
  /** Vertices as [lat, lon] degrees (polygon, polyline) — as the device sees them after i16 quantisation. */
  points: Array<[number, number]>;
  radiusM?: number;
}

export function geometries(p: Program): BundleGeometry[] {
  const dv = p.dv;
  const out: BundleGeometry[] = [];
  for (let g = 0; g < p.nGeoms; g++) {
    const at = p.geomOff + g * F.GEOM_SIZE;
    const kind = geometryKindName(p.bytes[at + F.GeomField.KIND]);
    if (!kind) throw new Error(`byte ${at}: geometry kind ${p.bytes[at + F.GeomField.KIND]} (read only verified bundles)`);
    const count = dv.getUint16(at + F.GeomField.COUNT, true);
    const first = dv.getUint32(at + F.GeomField.FIRST, true);
    const lat0 = dv.getFloat64(at + F.GeomField.LAT0, true), lon0 = dv.getFloat64(at + F.GeomField.LON0, true);
    const kx = dv.getFloat32(at + F.GeomField.KX, true), ky = dv.getFloat32(at + F.GeomField.KY, true), scale = dv.getFloat32(at + F.GeomField.SCALE, true);
    const x = (i: number) => Math.fround(dv.getInt16(p.pointOff + i * F.POINT_SIZE + F.PointField.X, true) * scale);
    const y = (i: number) => Math.fround(dv.getInt16(p.pointOff + i * F.POINT_SIZE + F.PointField.Y, true) * scale);
    const geom: BundleGeometry = { index: g, kind, pointCount: count, lat0, lon0, points: [] };
    if (kind === 'circle') geom.radiusM = x(first);
    if (kind === 'polygon' || kind === 'polyline') for (let i = first; i < first + count; i++) geom.points.push([lat0 + y(i) / ky, lon0 + x(i) / kx]);
    out.push(geom);
  }
  return out;
}

/** A decoded instruction in its long form; `short` names the one-byte form it was written in, if any. */
export interface DecodedInstruction { at: number; op: OpSpec; operands: number[]; length: number; short?: string }

/** Decodes one unit's instructions (the bundle must have passed verify); short forms come back as their long form. */
export function decodeUnit(bytes: Uint8Array, codeOff: number, start: number, end: number): DecodedInstruction[] {
  const ins = newInstruction();
  const out: DecodedInstruction[] = [];
  for (let pc = start; pc < end; pc += ins.size) {
    decodeInstruction(bytes, codeOff + pc, codeOff + end, ins);
    const op = opByCode(ins.op);
    if (!op || !ins.complete) throw new Error(`code offset ${pc}: not a verified instruction`);
    const operands = op.operands.map((_, i) => (i === 0 ? ins.a : ins.b));
    out.push({ at: pc, op, operands, length: ins.size, ...(ins.short ? { short: shortFormOf(bytes[codeOff + pc])!.name } : {}) });
  }
  return out;
}

export interface BundleUnit { index: number; kind: 'rule' | 'derived'; id: number; deps: number[]; code: DecodedInstruction[] }

export function units(p: Program): BundleUnit[] {
  return Array.from({ length: p.nUnits }, (_, u) => ({
    index: u,
    kind: p.unitKind[u] === F.UNIT_RULE ? 'rule' as const : 'derived' as const,
    id: p.unitId[u],
    deps: Array.from(p.bytes.subarray(p.depOff + p.unitDepStart[u], p.depOff + p.unitDepStart[u] + p.unitDepCount[u])),
    code: decodeUnit(p.bytes, p.codeOff, p.unitStart[u], p.unitEnd[u]),
  }));
}
