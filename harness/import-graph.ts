/**
 * The project's import graph: every .ts and .mjs file outside node_modules, dist and out, with the project files
 * each imports (static imports, re-exports, `import type`, and dynamic `import('…')` with a literal specifier),
 * read with TypeScript's own pre-processor. test/import-graph.test.ts checks the dependency rules on it.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { PROJECT_ROOT } from './shared-data.ts';

const SKIP = new Set(['node_modules', 'dist', 'out', '.git']);

export interface ImportEdge {
  /** Importing file, relative to the project root ('/' separators). */
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** The imported project file (relative), or undefined for a package or node: builtin. */
  to?: string;
  /** A relative specifier that names no file. */
  unresolved?: boolean;
}

export function sourceFiles(root = PROJECT_ROOT): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (SKIP.has(name)) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|mjs)$/.test(name)) out.push(relative(root, p));
    }
  };
  walk(root);
  return out;
}

export function importEdges(root = PROJECT_ROOT): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const from of sourceFiles(root)) {
    const info = ts.preProcessFile(readFileSync(join(root, from), 'utf8'), true, true);
    for (const { fileName: specifier } of info.importedFiles) {
      if (!specifier.startsWith('.')) {
        edges.push({ from, specifier });
        continue;
      }
      const target = resolve(root, dirname(from), specifier);
      const to = relative(root, target);
      edges.push(existsSync(target) ? { from, specifier, to } : { from, specifier, to, unresolved: true });
    }
  }
  return edges;
}

/** Top folder of a project path ('compiler/dsl/rule.ts' → 'compiler'; a root file → ''). */
export function topFolder(path: string): string {
  const i = path.indexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Import circles: each a list of files that reach each other (strongly connected components of two or more). */
export function importCircles(edges: ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) if (e.to && !e.unresolved) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  // Tarjan's algorithm, iterative (no recursion limits on deep chains).
  const index = new Map<string, number>(), low = new Map<string, number>(), onStack = new Set<string>();
  const stack: string[] = [], circles: string[][] = [];
  let counter = 0;
  for (const start of next.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; i: number }> = [{ node: start, i: 0 }];
    index.set(start, counter); low.set(start, counter++); stack.push(start); onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1];
      const succ = next.get(top.node) ?? [];
      if (top.i < succ.length) {
        const w = succ[top.i++];
        if (!index.has(w)) {
          index.set(w, counter); low.set(w, counter++); stack.push(w); onStack.add(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) low.set(work[work.length - 1].node, Math.min(low.get(work[work.length - 1].node)!, low.get(top.node)!));
      if (low.get(top.node) === index.get(top.node)) {
        const scc: string[] = [];
        let w: string;
        do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== top.node);
        if (scc.length > 1 || succ.includes(top.node)) circles.push(scc.sort());
      }
    }
  }
  return circles.sort((a, b) => a[0].localeCompare(b[0]));
}
