/**
 * The built artifacts (dist/, made by `npm run build`) as the target builds package them: read, and minified
 * for devices (esbuild with identifier mangling, ES5 target: the dist files are only whitespace-minified so
 * stack traces stay readable on the desktop).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

export type ArtifactName = 'runtime' | 'signing' | 'link' | 'host' | 'espruino';

const FILES: Record<ArtifactName, string> = {
  runtime: 'edgerule-runtime.js', signing: 'edgerule-signing.js', link: 'edgerule-link.js', host: 'edgerule-host.js', espruino: 'edgerule-espruino.js',
};

export function artifactPath(name: ArtifactName): string {
  return fileURLToPath(new URL(`../dist/${FILES[name]}`, import.meta.url));
}

export function readArtifact(name: ArtifactName): string {
  const p = artifactPath(name);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run build\` first`);
  return readFileSync(p, 'utf8');
}

/** Minified for a device: mangled local names; globals (EdgeRule) and property names stay. */
export async function minified(name: ArtifactName): Promise<string> {
  const r = await transform(readArtifact(name), { minify: true, target: 'es5', legalComments: 'none', charset: 'ascii' });
  return r.code;
}
