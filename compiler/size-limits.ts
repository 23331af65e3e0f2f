/**
 * The size limits a bundle must fit, checked once, at compile time, naming what is too big: the geometries' points
 * (the header counts them in a u32 the runtime caps at LIMITS.maxPoints; 4 bytes each), the number of geometries,
 * and the whole bundle, which a signed bundle carries in at most MAX_SIGNED_PAYLOAD bytes (docs/BYTECODE.md,
 * "Size limits"). Without this, 125,000 points overflowed the call stack, 70,000 were refused as OVERSIZED with no
 * name, and 65,534 compiled into a bundle `sign` could not sign.
 */
import type { GeometryDef } from './ir.ts';
import type { Diagnostic } from './diagnostics.ts';
import { LIMITS } from './isa.ts';
import { POINT_SIZE } from '../runtime/engine/format.ts';
import { MAX_SIGNED_PAYLOAD } from '../runtime/signing/signed-bundle.ts';

const n = (x: number) => x.toLocaleString('en-US');

/** Points a geometry takes in the bundle: a polygon's corners, a route's points, one for a circle or a point. */
export function pointCount(g: GeometryDef): number {
  return g.kind === 'polygon' || g.kind === 'polyline' ? g.coords.length : 1;
}

function named(g: GeometryDef): string {
  return `'${g.name}' (${g.source}, ${n(pointCount(g))} points)`;
}

/** The largest geometries, for messages that must say what takes the room. */
function largest(geoms: GeometryDef[]): string {
  const top = [...geoms].sort((a, b) => pointCount(b) - pointCount(a)).slice(0, 3);
  return top.map(named).join(', ') + (geoms.length > 3 ? ', …' : '');
}

/** Diagnostics for the geometries a bundle holds; `bundleBytes` when its size is known. */
export function sizeDiagnostics(geoms: GeometryDef[], bundleBytes?: number): Diagnostic[] {
  const out: Diagnostic[] = [];
  const points = geoms.reduce((s, g) => s + pointCount(g), 0);
  if (geoms.length > LIMITS.maxGeometries) {
    out.push({ code: 'ER205', severity: 'error', message: `the rules use ${n(geoms.length)} geometries; a bundle holds at most ${n(LIMITS.maxGeometries)}` });
  }
  if (points > LIMITS.maxPoints) {
    const one = geoms.length === 1 || pointCount([...geoms].sort((a, b) => pointCount(b) - pointCount(a))[0]) > LIMITS.maxPoints;
    out.push({
      code: 'ER203', severity: 'error',
      message: one
        ? `geometry ${named([...geoms].sort((a, b) => pointCount(b) - pointCount(a))[0])} is too big: a bundle holds at most ${n(LIMITS.maxPoints)} points in all its geometries; simplify it`
        : `the geometries have ${n(points)} points together, more than the ${n(LIMITS.maxPoints)} a bundle holds; the largest: ${largest(geoms)}`,
    });
  }
  if (!out.length && bundleBytes !== undefined && bundleBytes > MAX_SIGNED_PAYLOAD) {
    out.push({
      code: 'ER204', severity: 'error',
      message: `the bundle would be ${n(bundleBytes)} bytes, more than the ${n(MAX_SIGNED_PAYLOAD)} a signed bundle carries; ` +
        `geometry points take ${POINT_SIZE} bytes each (${n(points * POINT_SIZE)} bytes here), the largest: ${largest(geoms)}`,
    });
  }
  return out;
}
