/**
 * Host-side reading of a verified bundle: constants, geometries (back in degrees) and units. The one place
 * outside the runtime that knows the section layout of runtime/engine/format.ts — the disassembler, the simulator's
 * report and `edgerule verify --bundle` all read bundles through it.
 */
import * as F from '../runtime/engine/format.ts';
import type { Program } from '../runtime/engine/verify.ts';
import { decodeUnit, type Instruction } from './disasm.ts';

export function constants(p: Program): number[] {
  return Array.from({ length: p.nConsts }, (_, i) => (i < p.n32
    ? p.dv.getFloat32(p.constOff + i * 4, true)
    : p.dv.getFloat64(p.constOff + p.n32 * 4 + (i - p.n32) * 8, true)));
}

export interface BundleGeometry {
  index: number;
  kind: 'polygon' | 'circle' | 'polyline' | 'point';
  lat0: number;
  lon0: number;
  /** Vertices as [lat, lon] degrees (polygon, polyline) — as the device sees them after i16 quantisation. */
  points: Array<[number, number]>;
  radiusM?: number;
}

const KIND = ['point', 'polygon', 'circle', 'polyline', 'point'] as const;

export function geometries(p: Program): BundleGeometry[] {
  const dv = p.dv;
  const out: BundleGeometry[] = [];
  for (let g = 0; g < p.nGeoms; g++) {
    const at = p.geomOff + g * F.GEOM_SIZE;
    const kind = KIND[p.bytes[at]] ?? 'point';
    const count = dv.getUint16(at + 2, true);
    const first = dv.getUint32(at + 4, true);
    const lat0 = dv.getFloat64(at + 8, true), lon0 = dv.getFloat64(at + 16, true);
    const kx = dv.getFloat32(at + 24, true), ky = dv.getFloat32(at + 28, true), scale = dv.getFloat32(at + 32, true);
    const x = (i: number) => Math.fround(dv.getInt16(p.pointOff + i * F.POINT_SIZE, true) * scale);
    const y = (i: number) => Math.fround(dv.getInt16(p.pointOff + i * F.POINT_SIZE + 2, true) * scale);
    const geom: BundleGeometry = { index: g, kind, lat0, lon0, points: [] };
    if (kind === 'circle') geom.radiusM = x(first);
    if (kind === 'polygon' || kind === 'polyline') for (let i = first; i < first + count; i++) geom.points.push([lat0 + y(i) / ky, lon0 + x(i) / kx]);
    out.push(geom);
  }
  return out;
}

export interface BundleUnit { index: number; kind: 'rule' | 'derived'; id: number; deps: number[]; code: Instruction[] }

export function units(p: Program): BundleUnit[] {
  return Array.from({ length: p.nUnits }, (_, u) => ({
    index: u,
    kind: p.unitKind[u] === F.UNIT_RULE ? 'rule' as const : 'derived' as const,
    id: p.unitId[u],
    deps: Array.from(p.bytes.subarray(p.depOff + p.unitDepStart[u], p.depOff + p.unitDepStart[u] + p.unitDepCount[u])),
    code: decodeUnit(p.bytes, p.codeOff, p.unitStart[u], p.unitEnd[u]),
  }));
}
