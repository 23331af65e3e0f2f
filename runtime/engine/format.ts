/**
 * Bundle layout (all little-endian): the one home of every offset, record field and section rule. The verifier,
 * the runtime, the compiler's emitter and the host's bundle reader all import them from here; docs/BYTECODE.md
 * describes the same layout as a table.
 *
 *   header   40 bytes (HDR_* offsets below)
 *   consts   the first n32 as f32, the rest as f64: raw IEEE bytes, never decimal text (Espruino parses literals inexactly)
 *   geoms    nGeoms × 36 bytes      GREC_* fields: kind u8, pad u8, count u16, first point u32, lat0 f64, lon0 f64, kx f32, ky f32, scale f32
 *   points   nPoints × 4 bytes      PREC_* fields: x, y as i16 × scale: metres east/north of the geometry's reference point
 *   units    nUnits × 5 bytes       UREC_* fields: kind u8, depCount u8, id u8, codeLength u16 (units tile the code and dependency sections in order)
 *   deps     depBytes × u8          value ids each unit reads (drives "evaluate only what changed")
 *   code     codeBytes              instructions (see compiler/isa.ts)
 */
export var MAGIC = 0x31425245; // "ERB1"
export var FORMAT_VERSION = 1;

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
export var HEADER_SIZE = 40;

/** Bytes of an f32 and an f64 constant. */
export var CONST32_SIZE = 4;
export var CONST64_SIZE = 8;

/** Geometry record: 36 bytes, fields at these offsets. */
export var GEOM_SIZE = 36;
export var GREC_KIND = 0;   // u8, GEOM_* below
export var GREC_COUNT = 2;  // u16 points
export var GREC_FIRST = 4;  // u32 index of the first point
export var GREC_LAT0 = 8;   // f64 reference latitude (degrees)
export var GREC_LON0 = 16;  // f64 reference longitude (degrees)
export var GREC_KX = 24;    // f32 metres per degree of longitude at lat0
export var GREC_KY = 28;    // f32 metres per degree of latitude
export var GREC_SCALE = 32; // f32 metres per point unit

/** Point: two i16, multiples of the geometry's scale. */
export var POINT_SIZE = 4;
export var PREC_X = 0;
export var PREC_Y = 2;

/** Unit record: 5 bytes. */
export var UNIT_SIZE = 5;
export var UREC_KIND = 0;   // u8, UNIT_* below
export var UREC_DEPS = 1;   // u8 dependency count
export var UREC_ID = 2;     // u8 rule id, or the derived value the unit stores
export var UREC_LENGTH = 3; // u16 code bytes

export var GEOM_POLYGON = 1;
export var GEOM_CIRCLE = 2;
export var GEOM_POLYLINE = 3;
export var GEOM_POINT = 4;

export var UNIT_DERIVED = 0;
export var UNIT_RULE = 1;

/** Where each section starts, and the byte length they add up to. */
export interface Sections {
  constOff: number;
  geomOff: number;
  pointOff: number;
  unitOff: number;
  depOff: number;
  codeOff: number;
  end: number;
}

export function newSections(): Sections {
  return { constOff: 0, geomOff: 0, pointOff: 0, unitOff: 0, depOff: 0, codeOff: 0, end: 0 };
}

/**
 * Fills `s` with the section offsets the header's counts imply (the header must be at least HEADER_SIZE bytes;
 * the counts are not checked here). The verifier and the host's offset explainer both use it.
 */
export function sectionOffsets(dv: DataView, s: Sections): Sections {
  var n32 = dv.getUint16(HDR_CONSTS32, true);
  s.constOff = HEADER_SIZE;
  s.geomOff = s.constOff + n32 * CONST32_SIZE + (dv.getUint16(HDR_CONSTS, true) - n32) * CONST64_SIZE;
  s.pointOff = s.geomOff + dv.getUint16(HDR_GEOMS, true) * GEOM_SIZE;
  s.unitOff = s.pointOff + dv.getUint32(HDR_POINTS, true) * POINT_SIZE;
  s.depOff = s.unitOff + dv.getUint16(HDR_UNITS, true) * UNIT_SIZE;
  s.codeOff = s.depOff + dv.getUint32(HDR_DEPBYTES, true);
  s.end = s.codeOff + dv.getUint32(HDR_CODEBYTES, true);
  return s;
}

/** Byte offset of constant i in a pool at `constOff` whose first n32 constants are f32. */
export function constantOffset(constOff: number, n32: number, i: number): number {
  return i < n32 ? constOff + i * CONST32_SIZE : constOff + n32 * CONST32_SIZE + (i - n32) * CONST64_SIZE;
}

/** Constant i of the pool (the runtime's K[] and the host's bundle reader both read it here). */
export function readConstant(dv: DataView, constOff: number, n32: number, i: number): number {
  return i < n32 ? dv.getFloat32(constantOffset(constOff, n32, i), true) : dv.getFloat64(constantOffset(constOff, n32, i), true);
}
