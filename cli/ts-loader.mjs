// Module loader hook: transform .ts sources with esbuild, keeping inline source maps so stack traces
// (and the compiler's diagnostics, which read them) point at the original TypeScript lines.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = await readFile(path, 'utf8');
  const out = await transform(source, {
    loader: 'ts', format: 'esm', target: 'node20', sourcemap: 'inline', sourcefile: path,
  });
  return { format: 'module', source: out.code, shortCircuit: true };
}
