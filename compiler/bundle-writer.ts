/**
 * Writing the bundle layout of runtime/engine/format.ts: the header with its counts, the constant pool, and the
 * geometry, point and unit records. The emitter and the hostile-bundle assembler both write bundles through it
 * (reading is compiler/bundle-reader.ts; instructions are compiler/encode.ts). Section offsets come from the
 * runtime's own sectionOffsets(), so writer and verifier cannot disagree about where a section starts.
 */
import * as F from '../runtime/engine/format.ts';
import { catalogueHash } from './catalogue-hash.ts';
import { SIGNAL_COUNT } from './dsl/catalogue.ts';

export interface BundleCounts {
  /** The device profile the bundle is compiled for (its name; the header keeps its profileHash). */
  profile: string;
  /** Constants stored as f32 (the first ones of the pool). */
  consts32: number;
  consts: number;
  derived: number;
  units: number;
  state: number;
  geoms: number;
  points: number;
  depBytes: number;
  codeBytes: number;
}

export interface NewBundle { bytes: Uint8Array; dv: DataView; sections: F.Sections; length: number }

/** A zeroed bundle of the size the counts imply, its header written (this catalogue, format version, profile, total length). */
export function newBundle(c: BundleCounts): NewBundle {
  const header = new DataView(new ArrayBuffer(F.HEADER_SIZE));
  header.setUint32(F.HDR_MAGIC, F.MAGIC, true);
  header.setUint16(F.HDR_VERSION, F.FORMAT_VERSION, true);
  header.setUint16(F.HDR_CONSTS32, c.consts32, true);
  header.setUint32(F.HDR_CATALOGUE, catalogueHash(), true);
  header.setUint16(F.HDR_SIGNALS, SIGNAL_COUNT, true);
  header.setUint16(F.HDR_DERIVED, c.derived, true);
  header.setUint16(F.HDR_UNITS, c.units, true);
  header.setUint16(F.HDR_STATE, c.state, true);
  header.setUint16(F.HDR_CONSTS, c.consts, true);
  header.setUint16(F.HDR_GEOMS, c.geoms, true);
  header.setUint32(F.HDR_POINTS, c.points, true);
  header.setUint32(F.HDR_DEPBYTES, c.depBytes, true);
  header.setUint32(F.HDR_CODEBYTES, c.codeBytes, true);
  header.setUint32(F.HDR_PROFILE, F.profileHash(c.profile), true);
  const sections = F.newSections();
  const length = F.sectionOffsets(header, sections);
  header.setUint32(F.HDR_TOTAL, length, true);
  const bytes = new Uint8Array(length);
  bytes.set(new Uint8Array(header.buffer));
  return { bytes, dv: new DataView(bytes.buffer), sections, length };
}

/** Writes constant i of a pool whose first `consts32` constants are f32. */
export function writeConstant(b: NewBundle, consts32: number, i: number, value: number): void {
  const at = F.constantOffset(b.sections.constOff, consts32, i);
  if (i < consts32) b.dv.setFloat32(at, value, true); else b.dv.setFloat64(at, value, true);
}

export interface GeometryRecord { kind: number; count: number; first: number; lat0: number; lon0: number; kx: number; ky: number; scale: number }

export function writeGeometry(b: NewBundle, index: number, g: GeometryRecord): void {
  const at = b.sections.geomOff + index * F.GEOM_SIZE;
  b.bytes[at + F.GeomField.KIND] = g.kind;
  b.dv.setUint16(at + F.GeomField.COUNT, g.count, true);
  b.dv.setUint32(at + F.GeomField.FIRST, g.first, true);
  b.dv.setFloat64(at + F.GeomField.LAT0, g.lat0, true);
  b.dv.setFloat64(at + F.GeomField.LON0, g.lon0, true);
  b.dv.setFloat32(at + F.GeomField.KX, g.kx, true);
  b.dv.setFloat32(at + F.GeomField.KY, g.ky, true);
  b.dv.setFloat32(at + F.GeomField.SCALE, g.scale, true);
}

export function writePoint(b: NewBundle, index: number, x: number, y: number): void {
  const at = b.sections.pointOff + index * F.POINT_SIZE;
  b.dv.setInt16(at + F.PointField.X, x, true);
  b.dv.setInt16(at + F.PointField.Y, y, true);
}

export interface UnitRecord { kind: 'rule' | 'derived'; deps: number; id: number; codeLength: number }

export function writeUnit(b: NewBundle, index: number, u: UnitRecord): void {
  const at = b.sections.unitOff + index * F.UNIT_SIZE;
  b.bytes[at + F.UnitField.KIND] = u.kind === 'rule' ? F.UNIT_RULE : F.UNIT_DERIVED;
  b.bytes[at + F.UnitField.DEPS] = u.deps;
  b.bytes[at + F.UnitField.ID] = u.id;
  b.dv.setUint16(at + F.UnitField.LENGTH, u.codeLength, true);
}

/** Writes the dependency lists and the code of the units, in unit order, each section from its start. */
export function writeUnitBodies(b: NewBundle, deps: readonly (readonly number[])[], code: readonly (readonly number[])[]): void {
  const depBytes = deps.flat();
  const codeBytes = code.flat();
  if (depBytes.length !== b.sections.codeOff - b.sections.depOff || codeBytes.length !== b.length - b.sections.codeOff) {
    throw new Error(`internal: ${depBytes.length} dependency and ${codeBytes.length} code bytes do not fill their sections`);
  }
  b.bytes.set(depBytes, b.sections.depOff);
  b.bytes.set(codeBytes, b.sections.codeOff);
}
