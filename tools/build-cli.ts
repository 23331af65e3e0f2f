/**
 * Builds the prebuilt CLI, dist/cli/: cli/main.ts and everything it imports bundled by esbuild into plain ESM
 * (split into one chunk per command, packages left to node_modules), and dist/cli/manifest.json, the modification
 * time of every source file that went in. bin/edgerule.mjs runs it for the commands that load no user TypeScript
 * (cli/prebuilt.mjs says which, and checks the manifest first): they then start without the TypeScript loader hook,
 * whose start and per-module messaging are most of a second-hand CLI's start-up. Everything else — and these
 * commands too, when any source is newer than the build — runs from the TypeScript sources as before.
 */
import { build } from 'esbuild';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sourceImportMetaUrl } from '../cli/source-urls.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
export const PREBUILT_CLI = root + 'dist/cli/';

export async function buildCli(): Promise<{ files: number; inputs: number }> {
  rmSync(PREBUILT_CLI, { recursive: true, force: true });
  mkdirSync(PREBUILT_CLI, { recursive: true });
  const result = await build({
    entryPoints: [root + 'cli/main.ts'], bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20',
    outdir: PREBUILT_CLI, packages: 'external', metafile: true, sourcemap: 'linked', logLevel: 'silent', plugins: [sourceImportMetaUrl],
  });
  const inputs: Record<string, number> = {};
  for (const input of Object.keys(result.metafile!.inputs)) {
    const rel = input.startsWith(root) ? input.slice(root.length) : input;
    inputs[rel] = statSync(root + rel).mtimeMs;
  }
  writeFileSync(PREBUILT_CLI + 'manifest.json', JSON.stringify({ entry: 'main.js', inputs }, null, 1) + '\n');
  return { files: Object.keys(result.metafile!.outputs).length, inputs: Object.keys(inputs).length };
}
