/**
 * Bundle layout (all little-endian). The runtime owns the format; the compiler's emitter imports these offsets.
 * docs/BYTECODE.md describes the same layout as a table.
 *
 *   header   40 bytes (HDR_* offsets below)
 *   consts   the first n32 as f32, the rest as f64: raw IEEE bytes, never decimal text (Espruino parses literals inexactly)
 *   geoms    nGeoms × 36 bytes      kind u8, pad u8, count u16, first point u32, lat0 f64, lon0 f64, kx f32, ky f32, scale f32
 *   points   nPoints × 4 bytes      x, y as i16 × scale: metres east/north of the geometry's reference point
 *   units    nUnits × 5 bytes       kind u8, depCount u8, id u8, codeLength u16 (units tile the code and dependency sections in order)
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

export var GEOM_SIZE = 36;
export var POINT_SIZE = 4;
export var UNIT_SIZE = 5;

export var GEOM_POLYGON = 1;
export var GEOM_CIRCLE = 2;
export var GEOM_POLYLINE = 3;
export var GEOM_POINT = 4;

export var UNIT_DERIVED = 0;
export var UNIT_RULE = 1;
