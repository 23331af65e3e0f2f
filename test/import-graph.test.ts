/**
 * The dependency rules, checked on the import graph of the whole source tree (harness/import-graph.ts):
 * no import circles; runtime/ (device code) imports nothing outside runtime/; compiler/ never imports
 * simulator/; test/, bench/ and tools/ share harness/ instead of importing each other, and harness/ imports
 * none of them; the executable reaches none of them. Every relative import names a file that exists.
 */
import { describe, expect, test } from 'vitest';
import { importCircles, importEdges, sourceFiles, topFolder, type ImportEdge } from '../harness/import-graph.ts';

const edges = importEdges();
const show = (e: ImportEdge) => `${e.from} imports '${e.specifier}'`;

/**
 * Circles another change is removing, each with who removes it. The test fails when a listed circle is gone, so
 * its entry is deleted with the change that broke it; any circle not listed fails at once.
 */
const CIRCLES_BEING_REMOVED: Array<{ files: string[]; by: string }> = [];

describe('import graph', () => {
  test('reads the whole tree', () => {
    const files = sourceFiles();
    for (const folder of ['runtime', 'compiler', 'simulator', 'signing', 'cli', 'harness', 'test', 'bench', 'tools']) {
      expect(files.some((f) => topFolder(f) === folder), `${folder}/ has sources`).toBe(true);
    }
    expect(edges.some((e) => e.from === 'cli/main.ts' && e.to === 'compiler/cli.ts'), 'dynamic imports are edges').toBe(true);
    expect(edges.some((e) => e.from === 'simulator/artifact.ts' && e.to === 'runtime/engine/runtime.ts'), 'type imports are edges').toBe(true);
  });

  test('every relative import names a file that exists', () => {
    expect(edges.filter((e) => e.unresolved).map(show)).toEqual([]);
  });

  test('no import circles', () => {
    const known = CIRCLES_BEING_REMOVED.map((c) => c.files.join(' ↔ '));
    const circles = importCircles(edges).map((c) => c.join(' ↔ '));
    expect(circles.filter((c) => !known.includes(c)), 'import circles').toEqual([]);
    expect(known.filter((c) => !circles.includes(c)), 'listed in CIRCLES_BEING_REMOVED but gone: delete the entry').toEqual([]);
  });

  test('runtime/ imports nothing outside runtime/ (no host code, no packages, no node: modules)', () => {
    const out = edges.filter((e) => topFolder(e.from) === 'runtime' && (!e.to || topFolder(e.to) !== 'runtime'));
    expect(out.map(show)).toEqual([]);
  });

  test('compiler/ does not import simulator/', () => {
    expect(edges.filter((e) => topFolder(e.from) === 'compiler' && e.to && topFolder(e.to) === 'simulator').map(show)).toEqual([]);
  });

  test('bin/edgerule.mjs starts without tools/, test/, bench/ or harness/ (nothing it can reach imports them)', () => {
    const next = new Map<string, string[]>();
    for (const e of edges) if (e.to) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    const reached = new Set(['bin/edgerule.mjs']);
    for (const todo = ['bin/edgerule.mjs']; todo.length;) for (const to of next.get(todo.pop()!) ?? []) if (!reached.has(to)) { reached.add(to); todo.push(to); }
    expect(reached.has('compiler/compile.ts') && reached.has('simulator/run.ts'), 'the commands are reachable').toBe(true);
    expect([...reached].filter((f) => ['tools', 'test', 'bench', 'harness'].includes(topFolder(f)))).toEqual([]);
  });

  test('test/, bench/ and tools/ do not import each other; harness/ imports none of them', () => {
    const apart = ['test', 'bench', 'tools'];
    const crossing = edges.filter((e) => {
      if (!e.to) return false;
      const a = topFolder(e.from), b = topFolder(e.to);
      return (apart.includes(a) && apart.includes(b) && a !== b) || (a === 'harness' && apart.includes(b));
    });
    expect(crossing.map(show)).toEqual([]);
  });
});
