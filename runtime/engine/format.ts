/**
 * Bundle layout (all little-endian): the one home of every offset, record field and section rule. The verifier,
 * the runtime, the compiler's emitter and the host's bundle reader all import them from here; docs/BYTECODE.md
 * describes the same layout as a table.
 *
 *   header   44 bytes (HDR_* offsets below)
 *   consts   the first n32 as f32, the rest as f64: raw IEEE bytes, never decimal text (Espruino parses literals inexactly)
 *   geoms    nGeoms × 36 bytes      GeomField: kind u8, pad u8, count u16, first point u32, lat0 f64, lon0 f64, kx f32, ky f32, scale f32
 *   points   nPoints × 4 bytes      PointField: x, y as i16 × scale: metres east/north of the geometry's reference point
 *   units    nUnits × 5 bytes       UnitField: kind u8, depCount u8, id u8, codeLength u16 (units tile the code and dependency sections in order)
 *   deps     depBytes × u8          value ids each unit reads (drives "evaluate only what changed")
 *   code     codeBytes              instructions (see compiler/isa.ts)
 */
export var MAGIC = 0x31425245; // "ERB1"
export var FORMAT_VERSION = 2;

export var HDR_MAGIC = 0;
export var HDR_VERSION = 4;
export var HDR_CONSTS32 = 6; // how many of the constants (the first ones) are stored as f32
export var HDR_CATALOGUE = 8;
export var HDR_SIGNALS = 12;
export var HDR_DERIVED = 14;
export var HDR_UNITS = 16;
export var HDR_STATE = 18;
export var HDR_CONSTS = 20;
export var HDR_GEOMS = 22;
export var HDR_POINTS = 24;
export var HDR_DEPBYTES = 28;
export var HDR_CODEBYTES = 32;
export var HDR_TOTAL = 36;
export var HDR_PROFILE = 40; // profileHash() of the device profile the bundle was compiled for
export var HEADER_SIZE = 44;

/**
 * The header's profile field: FNV-1a (32-bit) of the profile's name. A bundle carries the profile it was compiled for,
 * so a signed bundle binds it: the signer and the device refuse a bundle whose profile is not the one signed for
 * (a bundle for `full` loaded by a `container-tracker` would read its outputs with other meanings). Without Math.imul
 * (Espruino lacks it): h × 16777619 mod 2^32 = (h << 24) + h × 403, exact below 2^53.
 */
export function profileHash(name: string): number {
  var h = 0x811c9dc5;
  for (var i = 0; i < name.length; i++) {
    h = (h ^ name.charCodeAt(i)) >>> 0;
    h = ((h << 24) + h * 403) >>> 0;
  }
  return h;
}

// Record fields and constant sizes are enums, not vars: esbuild inlines their values into the built runtime, so
// they cost Espruino no variables.

/** Bytes of an f32 and an f64 constant. */
export enum ConstBytes { F32 = 4, F64 = 8 }

/** Geometry record: GEOM_SIZE bytes, fields at these offsets. */
export var GEOM_SIZE = 36;
export enum GeomField {
  KIND = 0,   // u8, GEOM_* below
  COUNT = 2,  // u16 points
  FIRST = 4,  // u32 index of the first point
  LAT0 = 8,   // f64 reference latitude (degrees)
  LON0 = 16,  // f64 reference longitude (degrees)
  KX = 24,    // f32 metres per degree of longitude at lat0
  KY = 28,    // f32 metres per degree of latitude
  SCALE = 32, // f32 metres per point unit
}

/** Point: two i16, multiples of the geometry's scale. */
export var POINT_SIZE = 4;
export enum PointField { X = 0, Y = 2 }

/** Unit record: UNIT_SIZE bytes. */
export var UNIT_SIZE = 5;
export enum UnitField {
  KIND = 0,   // u8, UNIT_* below
  DEPS = 1,   // u8 dependency count
  ID = 2,     // u8 rule id, or the derived value the unit stores
  LENGTH = 3, // u16 code bytes
}

export var GEOM_POLYGON = 1;
export var GEOM_CIRCLE = 2;
export var GEOM_POLYLINE = 3;
export var GEOM_POINT = 4;

export var UNIT_DERIVED = 0;
export var UNIT_RULE = 1;

/** Where each section starts. */
export interface Sections {
  constOff: number;
  geomOff: number;
  pointOff: number;
  unitOff: number;
  depOff: number;
  codeOff: number;
}

export function newSections(): Sections {
  return { constOff: 0, geomOff: 0, pointOff: 0, unitOff: 0, depOff: 0, codeOff: 0 };
}

/**
 * Fills `s` with the section offsets the header's counts imply and returns the byte length the sections add up to
 * (the header must be at least HEADER_SIZE bytes; the counts are not checked here). The verifier, the bundle
 * writer and the host's offset explainer all use it.
 */
export function sectionOffsets(dv: DataView, s: Sections): number {
  var n32 = dv.getUint16(HDR_CONSTS32, true);
  s.constOff = HEADER_SIZE;
  s.geomOff = s.constOff + n32 * ConstBytes.F32 + (dv.getUint16(HDR_CONSTS, true) - n32) * ConstBytes.F64;
  s.pointOff = s.geomOff + dv.getUint16(HDR_GEOMS, true) * GEOM_SIZE;
  s.unitOff = s.pointOff + dv.getUint32(HDR_POINTS, true) * POINT_SIZE;
  s.depOff = s.unitOff + dv.getUint16(HDR_UNITS, true) * UNIT_SIZE;
  s.codeOff = s.depOff + dv.getUint32(HDR_DEPBYTES, true);
  return s.codeOff + dv.getUint32(HDR_CODEBYTES, true);
}

/** Byte offset of constant i in a pool at `constOff` whose first n32 constants are f32. */
export function constantOffset(constOff: number, n32: number, i: number): number {
  return i < n32 ? constOff + i * ConstBytes.F32 : constOff + n32 * ConstBytes.F32 + (i - n32) * ConstBytes.F64;
}

/** Constant i of the pool (the runtime's K[] and the host's bundle reader both read it here). */
export function readConstant(dv: DataView, constOff: number, n32: number, i: number): number {
  return i < n32 ? dv.getFloat32(constantOffset(constOff, n32, i), true) : dv.getFloat64(constantOffset(constOff, n32, i), true);
}
