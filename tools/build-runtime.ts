/**
 * Builds the runtime artifacts with esbuild (target ES5: esbuild refuses let/const/classes it cannot lower),
 * then lints each for APIs some target engine lacks (harness/engine-subset.ts); any finding fails the build.
 *   dist/edgerule-runtime.js  the rule engine (runtime/engine/entry.ts): defines the global `EdgeRule`
 *   dist/edgerule-signing.js  the signing add-on (runtime/signing/entry.ts): signed bundles, signed events,
 *                             ed25519; loaded after the engine, whose load/verify it uses instead of bundling a copy
 *   dist/edgerule-link.js     the device-link agent (runtime/link/entry.ts, docs/PROTOCOL.md); loaded after both,
 *                             whose checks, event writer and SHA-512 it uses through the global
 * Devices, the simulator and the tests all run these same files. Run as a script, it also builds the prebuilt
 * CLI (tools/build-cli.ts).
 */
import { build, type Plugin } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lintEngineSubset } from '../harness/engine-subset.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
export const RUNTIME_ARTIFACT = root + 'dist/edgerule-runtime.js';
export const SIGNING_ARTIFACT = root + 'dist/edgerule-signing.js';
export const LINK_ARTIFACT = root + 'dist/edgerule-link.js';

/** In the add-on, imports of the engine modules resolve to runtime/signing/engine-from-global.ts. */
const engineFromGlobal: Plugin = {
  name: 'engine-from-global',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/engine\/(runtime|verify)\.ts$/ }, (args) =>
      args.importer.startsWith(root + 'runtime/signing/') ? { path: root + 'runtime/signing/engine-from-global.ts' } : undefined);
  },
};

async function bundle(entry: string, banner: string, plugins: Plugin[]): Promise<string> {
  const result = await build({
    entryPoints: [root + entry], bundle: true, format: 'iife', target: 'es5', write: false,
    minifySyntax: true, minifyWhitespace: true, legalComments: 'none', banner: { js: banner }, logLevel: 'silent', plugins,
  });
  const code = result.outputFiles[0].text;
  const findings = lintEngineSubset(code);
  if (findings.length) {
    throw new Error(`${entry}: the build uses features outside the engine subset:\n` + findings.map((f) => `  @${f.offset}: ${f.reason}: …${f.context}…`).join('\n'));
  }
  return code;
}

export async function buildRuntime(): Promise<{ runtime: string; signing: string; link: string }> {
  const runtime = await bundle('runtime/engine/entry.ts', 'var EdgeRule;', []);
  const signing = await bundle('runtime/signing/entry.ts', '', [engineFromGlobal]);
  if (signing.includes('function translate(')) throw new Error('dist/edgerule-signing.js must not contain a second copy of the rule engine');
  const link = await bundle('runtime/link/entry.ts', '', []);
  if (/function (translate|verifyStep|sha512Rounds|eventWriter)\(/.test(link)) throw new Error('dist/edgerule-link.js must use the engine and signing add-on already loaded, not carry a copy');
  mkdirSync(root + 'dist', { recursive: true });
  writeFileSync(RUNTIME_ARTIFACT, runtime);
  writeFileSync(SIGNING_ARTIFACT, signing);
  writeFileSync(LINK_ARTIFACT, link);
  return { runtime, signing, link };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const { runtime, signing, link } = await buildRuntime();
    console.log(`built dist/edgerule-runtime.js (${runtime.length} bytes), dist/edgerule-signing.js (${signing.length} bytes) and dist/edgerule-link.js (${link.length} bytes)`);
    const { buildCli } = await import('./build-cli.ts');
    const cli = await buildCli();
    console.log(`built dist/cli/ (the prebuilt CLI: ${cli.files} files from ${cli.inputs} sources)`);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
