/**
 * Geofences, places and routes from GeoJSON files that live beside the rules.
 * Paths are relative to the rule file that names them. Polygons use their outer ring; a Point with a
 * `radius_m` property is a circle; a LineString is a route. Errors name the file and the rule broken.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { GeometryDef } from '../ir.ts';
import { node } from '../ir.ts';
import { callerLoc } from './location.ts';
import { Bool, Squared, type Num } from './expr.ts';
import { NumSignal } from './signals.ts';

export class Place {
  constructor(readonly def: GeometryDef) {}
}

interface Feature { type: string; properties?: Record<string, unknown> | null; geometry?: { type: string; coordinates: unknown } | null }

function lonLat(value: unknown, where: string): [number, number] {
  if (!Array.isArray(value) || value.length < 2 || typeof value[0] !== 'number' || typeof value[1] !== 'number') {
    throw new Error(`${where}: a position must be [longitude, latitude] numbers`);
  }
  const [lon, lat] = value as [number, number];
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90) throw new Error(`${where}: position [${lon}, ${lat}] is outside [-180…180, -90…90]`);
  return [lon, lat];
}

function featuresOf(json: unknown, file: string): Feature[] {
  const root = json as { type?: string; features?: Feature[] };
  if (root?.type === 'FeatureCollection' && Array.isArray(root.features)) return root.features;
  if (root?.type === 'Feature') return [root as Feature];
  if (typeof root?.type === 'string') return [{ type: 'Feature', properties: {}, geometry: root as Feature['geometry'] }];
  throw new Error(`${file}: not GeoJSON (expected a FeatureCollection, Feature or geometry object)`);
}

function toPlaces(feature: Feature, file: string, index: number): Place[] {
  const name = String(feature.properties?.name ?? `feature ${index}`);
  const where = `${file}: feature '${name}'`;
  const g = feature.geometry;
  if (!g) throw new Error(`${where}: has no geometry`);
  const c = g.coordinates as unknown[];
  const polygon = (rings: unknown[], suffix = ''): Place => {
    const ring = (rings[0] as unknown[] ?? []).map((p) => lonLat(p, where));
    if (ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1]) ring.pop();
    if (ring.length < 3) throw new Error(`${where}: a polygon needs at least 3 distinct corners`);
    return new Place({ kind: 'polygon', coords: ring, source: file, name: name + suffix });
  };
  switch (g.type) {
    case 'Polygon': return [polygon(c)];
    case 'MultiPolygon': return c.map((rings, i) => polygon(rings as unknown[], `#${i}`));
    case 'LineString': {
      const line = c.map((p) => lonLat(p, where));
      if (line.length < 2) throw new Error(`${where}: a route needs at least 2 points`);
      return [new Place({ kind: 'polyline', coords: line, source: file, name })];
    }
    case 'Point': {
      const radius = feature.properties?.radius_m;
      if (radius !== undefined && (typeof radius !== 'number' || !(radius > 0))) throw new Error(`${where}: radius_m must be a positive number of metres`);
      return [new Place({ kind: radius ? 'circle' : 'point', coords: [lonLat(c, where)], radiusM: radius as number | undefined, source: file, name })];
    }
    default: throw new Error(`${where}: geometry type '${g.type}' is not supported (Polygon, MultiPolygon, LineString, Point)`);
  }
}

/** Every place in a GeoJSON file (path relative to the rule file), or only those whose `name` property is one of `names`. @example places('geo/stop-zones.geojson') */
export function places(path: string, ...names: string[]): Place[] {
  const from = callerLoc()?.file;
  const file = from ? resolve(dirname(from), path) : resolve(path);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot read GeoJSON: ${(e as Error).message}`);
  }
  const all = featuresOf(json, file).flatMap((f, i) => toPlaces(f, file, i));
  if (!names.length) return all;
  const picked = all.filter((p) => names.includes(p.def.name));
  const missing = names.filter((n) => !picked.some((p) => p.def.name === n));
  if (missing.length) throw new Error(`${file}: no feature named ${missing.map((m) => `'${m}'`).join(', ')} (has ${all.map((p) => `'${p.def.name}'`).join(', ')})`);
  return picked;
}

/** The single place in a file (or the one named). @example place('geo/depot.geojson', 'origin-depot') */
export function place(path: string, name?: string): Place {
  const found = name ? places(path, name) : places(path);
  if (found.length !== 1) throw new Error(`${path}: expected exactly one feature${name ? ` named '${name}'` : ''}, found ${found.length}`);
  return found[0];
}

const lat = () => new NumSignal<'deg'>('gnss.lat');
const lon = () => new NumSignal<'deg'>('gnss.lon');

/** True while the last fix lies inside the polygon or circle. @example inside(depot) */
export function inside(zone: Place, latitude: Num<'deg'> = lat(), longitude: Num<'deg'> = lon()): Bool {
  if (zone.def.kind !== 'polygon' && zone.def.kind !== 'circle') throw new Error(`${zone.def.source}: '${zone.def.name}' is a ${zone.def.kind}; inside() needs a polygon or a circle`);
  return new Bool(node('INSIDE', [latitude.node, longitude.node], { geometry: zone.def }, callerLoc()));
}

/** True while the last fix lies inside at least one of the zones. @example insideAny(stops) */
export function insideAny(zones: Place[], latitude: Num<'deg'> = lat(), longitude: Num<'deg'> = lon()): Bool {
  if (!zones.length) throw new Error('insideAny() needs at least one zone');
  const [first, ...rest] = zones.map((z) => inside(z, latitude, longitude));
  return first.or(...rest);
}

/** Distance from the last fix to a point, circle centre, route or polygon edge (0 inside a polygon); it compares only. @example distanceTo(depot).above(km(2)) */
export function distanceTo(target: Place, latitude: Num<'deg'> = lat(), longitude: Num<'deg'> = lon()): Squared<'m'> {
  return new Squared<'m'>(node('DIST2', [latitude.node, longitude.node], { geometry: target.def }, callerLoc()));
}

/** True while the last fix is farther than `corridor` from the planned route. @example offRoute(route, meters(500)) */
export function offRoute(route: Place, corridor: Num<'m'>): Bool {
  if (route.def.kind !== 'polyline') throw new Error(`${route.def.source}: '${route.def.name}' is a ${route.def.kind}; offRoute() needs a LineString route`);
  return distanceTo(route).above(corridor);
}

/** Speed implied by the two latest fixes (distance ÷ time): a jump far above any real speed means spoofing; it compares only. @example impliedSpeed().above(kmh(400)) */
export function impliedSpeed(): Squared<'m/s'> {
  return new Squared<'m/s'>(node('IMPLIED_SPEED2', [], {}, callerLoc()));
}
