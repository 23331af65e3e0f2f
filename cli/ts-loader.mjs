// Module loader hook: transform .ts sources with esbuild, keeping inline source maps so stack traces
// (and the compiler's diagnostics, which read them) point at the original TypeScript lines.
//
// Transforms are cached on disk by content (cli/cache-dir.mjs says where), so a command that loads sixty
// modules does not start esbuild at all when none of them changed: that is most of `edgerule --help`'s start-up.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cachePath, readCached, writeCached } from './cache-dir.mjs';

const OPTIONS = { loader: 'ts', format: 'esm', target: 'node20', sourcemap: 'inline' };

/** esbuild's version, read without starting esbuild: a new esbuild may transform differently. */
function esbuildVersion() {
  try {
    const require = createRequire(import.meta.url);
    return JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

const SALT = `${esbuildVersion()}|${JSON.stringify(OPTIONS)}|1`;
let esbuild;

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = await readFile(path, 'utf8');
  const key = createHash('sha256').update(SALT).update('\0').update(path).update('\0').update(source).digest('hex');
  const file = cachePath('ts', key + '.js');
  let code = readCached(file);
  if (code === undefined) {
    esbuild ??= await import('esbuild');
    code = (await esbuild.transform(source, { ...OPTIONS, sourcefile: path })).code;
    writeCached(file, code);
  }
  return { format: 'module', source: code, shortCircuit: true };
}
