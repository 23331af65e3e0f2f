/**
 * Reads the geofences and routes back out of a bundle for drawing (runtime/engine/format.ts layout): each geometry
 * is float32 metres east/north of a reference point with its metres-per-degree, so lat = lat0 + y/ky and
 * lon = lon0 + x/kx. The bundle carries no names; they come from the compiler when the simulator compiled the
 * rules itself, or from a sidecar that lists them.
 *
 * Which rules use a geometry, and a route's corridor width, are read from the code the disassembler's way
 * (compiler/bundle-reader.ts decodeUnit): `DIST2 g; CONST k; <compare>` is "distance to g compared with √K[k] m".
 * This only labels the drawing; nothing here evaluates a rule.
 */
import { constants, geometries, units as bundleUnits, type DecodedInstruction } from '../compiler/bundle-reader.ts';
import type { GeometryKind } from '../compiler/ir.ts';
import { verify } from '../runtime/engine/verify.ts';
import type { LoadedBundle } from './inputs.ts';

export interface DrawnGeometry {
  index: number;
  kind: GeometryKind;
  name: string;
  /** [lat, lon] vertices (polygon ring without the closing point; polyline; the centre for circle/point). */
  points: Array<[number, number]>;
  radiusM?: number;
  /** Distance thresholds a rule compares with (route corridors, proximity), metres. */
  thresholdsM: number[];
  /** Names of the rules whose code reads this geometry. */
  rules: string[];
}

const COMPARE = new Set(['LT', 'LE', 'GT', 'GE']);

/** An instruction whose first operand is a geometry index (INSIDE, DIST2: the table's `g` format). */
function readsGeometry(ins: DecodedInstruction): boolean {
  return ins.op.operands[0] === 'g';
}

export function bundleGeometry(b: LoadedBundle): DrawnGeometry[] {
  const p = verify(b.bytes);
  if (p.fault) return [];
  const out: DrawnGeometry[] = geometries(p).map((g) => {
    const geom: DrawnGeometry = { index: g.index, kind: g.kind, name: b.geometryNames?.[g.index] ?? `G${g.index}`, points: [], thresholdsM: [], rules: [] };
    if (g.kind === 'circle' || g.kind === 'point') geom.points.push([g.lat0, g.lon0]);
    else geom.points.push(...g.points);
    if (g.kind === 'circle') geom.radiusM = g.radiusM;
    return geom;
  });
  if (!out.length) return out;

  // Rules reading each geometry, and distance thresholds compared with DIST2 results (directly or via a derived value).
  const consts = constants(p);
  const derivedDist = new Map<number, number>(); // derived value id → geometry
  const units = bundleUnits(p);
  for (const u of units) {
    if (u.kind !== 'derived') continue;
    const c = u.code;
    for (let i = 0; i + 1 < c.length; i++) if (c[i].op.name === 'DIST2' && c[i + 1].op.name === 'STORE') derivedDist.set(c[i + 1].operands[0], c[i].operands[0]);
  }
  const ruleName = (id: number) => b.ruleById.get(id)?.name ?? `rule#${id}`;
  const usedBy = new Map<number, Set<number>>(); // geometry → rule ids
  const derivedGeoms = new Map<number, Set<number>>(); // derived value id → geometries it reads (transitively, one level)
  // Geometries each derived value depends on, transitively (repeat until nothing changes).
  for (let changed = true, pass = 0; changed && pass <= units.length; pass++) {
    changed = false;
    for (const u of units) {
      if (u.kind !== 'derived') continue;
      const gs = new Set<number>();
      for (const ins of u.code) {
        if (readsGeometry(ins)) gs.add(ins.operands[0]);
        if (ins.op.name === 'LOAD') for (const dg of derivedGeoms.get(ins.operands[0]) ?? []) gs.add(dg);
      }
      for (const ins of u.code) {
        if (ins.op.name !== 'STORE') continue;
        if ((derivedGeoms.get(ins.operands[0])?.size ?? -1) !== gs.size) changed = true;
        derivedGeoms.set(ins.operands[0], gs);
      }
    }
  }
  for (const u of units) {
    if (u.kind !== 'rule') continue;
    const c = u.code;
    const gs = new Set<number>();
    for (let i = 0; i < c.length; i++) {
      const ins = c[i];
      let g = -1;
      if (readsGeometry(ins)) { gs.add(ins.operands[0]); if (ins.op.name === 'DIST2') g = ins.operands[0]; }
      if (ins.op.name === 'LOAD') {
        for (const dg of derivedGeoms.get(ins.operands[0]) ?? []) gs.add(dg);
        if (derivedDist.has(ins.operands[0])) g = derivedDist.get(ins.operands[0])!;
      }
      if (g >= 0 && c[i + 1]?.op.name === 'CONST' && COMPARE.has(c[i + 2]?.op.name ?? '')) {
        const m = Math.sqrt(Math.abs(consts[c[i + 1].operands[0]]));
        if (!out[g].thresholdsM.includes(m)) out[g].thresholdsM.push(m);
      }
    }
    for (const g of gs) {
      if (!usedBy.has(g)) usedBy.set(g, new Set());
      usedBy.get(g)!.add(u.id);
    }
  }
  for (const [g, ids] of usedBy) out[g].rules = [...ids].sort((a, b) => a - b).map(ruleName);
  return out;
}
