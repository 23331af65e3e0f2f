/**
 * Size limits are checked once, at compile time, naming the geometry, its size and the limit (compiler/size-limits.ts):
 * a 125,000-point polygon overflowed the call stack, 70,000 points were refused as OVERSIZED with no name, and
 * 65,534 points compiled into a bundle too big for a signed bundle (sign then failed with "internal").
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compileRules } from '../compiler/compile.ts';
import { CompileError } from '../compiler/diagnostics.ts';
import { FULL_PROFILE } from '../compiler/profiles.ts';
import { inside, place, rule } from '../compiler/dsl/index.ts';
import { signBundle } from '../signing/bundle.ts';
import { generateKey } from '../signing/keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgerule-sizes-'));

/** A GeoJSON polygon of n corners on a 1 km circle around Auckland. */
function polygon(name: string, n: number): string {
  const ring = Array.from({ length: n }, (_, i) => [174.76 + 0.01 * Math.cos((2 * Math.PI * i) / n), -36.85 + 0.01 * Math.sin((2 * Math.PI * i) / n)]);
  const file = join(dir, `${name}.geojson`);
  writeFileSync(file, JSON.stringify({ type: 'Feature', properties: { name }, geometry: { type: 'Polygon', coordinates: [ring] } }));
  return file;
}

function compileZones(...files: string[]): unknown {
  const rules = files.map((f, i) => rule({ name: `in-zone-${i}`, description: 'inside the zone', severity: 'info', when: inside(place(f)) }));
  try {
    return compileRules(rules, FULL_PROFILE);
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    return e.diagnostics.map((d) => `${d.code}: ${d.message}`);
  }
}

describe('geometry size limits at compile time', () => {
  test('125,000 points: a named error, not a call-stack overflow', () => {
    const f = polygon('huge-yard', 125_000);
    expect(compileZones(f)).toEqual([`ER203: geometry 'huge-yard' (${f}, 125,000 points) is too big: a bundle holds at most 65,535 points in all its geometries; simplify it`]);
  });

  test('70,000 points: the error names the geometry, its size and the limit', () => {
    const f = polygon('big-yard', 70_000);
    expect(compileZones(f)).toEqual([`ER203: geometry 'big-yard' (${f}, 70,000 points) is too big: a bundle holds at most 65,535 points in all its geometries; simplify it`]);
  });

  test('two geometries over the limit together: both sizes, largest first', () => {
    const a = polygon('yard-a', 40_000);
    const b = polygon('yard-b', 30_000);
    expect(compileZones(b, a)).toEqual([`ER203: the geometries have 70,000 points together, more than the 65,535 a bundle holds; the largest: 'yard-a' (${a}, 40,000 points), 'yard-b' (${b}, 30,000 points)`]);
  });

  test('65,534 points fit the point limit but not a signed bundle: refused at compile time, not by sign', () => {
    const f = polygon('almost', 65_534);
    expect(compileZones(f)).toEqual([expect.stringMatching(new RegExp(`^ER204: the bundle would be [0-9,]+ bytes, more than the 262,144 a signed bundle carries; geometry points take 4 bytes each \\(262,136 bytes here\\), the largest: 'almost' \\(${f.replace(/[.]/g, '\\.')}, 65,534 points\\)$`))]);
  });

  test('the largest geometry that fits compiles and signs', () => {
    const f = polygon('fits', 60_000);
    const c = compileZones(f) as { bytes: Uint8Array };
    expect(c.bytes.length).toBeLessThanOrEqual(262_144);
    expect(signBundle(c.bytes, generateKey('build'), { version: 1, profile: 'full', signing: 'per-event' }).length).toBeGreaterThan(c.bytes.length);
  });
});
