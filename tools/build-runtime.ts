/**
 * Builds the one runtime artifact, dist/edgerule-runtime.js, from runtime/entry.ts with esbuild (target ES5:
 * esbuild refuses let/const/classes it cannot lower), then lints the output for APIs that some target engine
 * lacks (shared/ENGINES.md). Any finding fails the build with file offset and reason.
 */
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lintEngineSubset } from './engine-subset.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
export const RUNTIME_ARTIFACT = root + 'dist/edgerule-runtime.js';

export async function buildRuntime(): Promise<string> {
  const result = await build({
    entryPoints: [root + 'runtime/entry.ts'],
    bundle: true,
    format: 'iife',
    target: 'es5',
    write: false,
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: 'none',
    banner: { js: 'var EdgeRule;' },
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  const findings = lintEngineSubset(code);
  if (findings.length) {
    throw new Error('runtime build uses features outside the engine subset:\n' + findings.map((f) => `  dist/edgerule-runtime.js@${f.offset}: ${f.reason}: …${f.context}…`).join('\n'));
  }
  mkdirSync(root + 'dist', { recursive: true });
  writeFileSync(RUNTIME_ARTIFACT, code);
  return code;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const code = await buildRuntime();
    console.log(`built dist/edgerule-runtime.js (${code.length} bytes)`);
    if (readFileSync(RUNTIME_ARTIFACT, 'utf8') !== code) throw new Error('write check failed');
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
