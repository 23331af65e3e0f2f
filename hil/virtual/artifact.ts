/**
 * The files a device runs, in the order it loads them: the engine and the signing add-on (simulator/artifact.ts),
 * then dist/edgerule-link.js (the device link) and dist/edgerule-host.js (the device host, docs/HOSTS.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { signingArtifactSource } from '../../simulator/artifact.ts';

export const LINK_ARTIFACT_PATH = fileURLToPath(new URL('../../dist/edgerule-link.js', import.meta.url));
export const HOST_ARTIFACT_PATH = fileURLToPath(new URL('../../dist/edgerule-host.js', import.meta.url));

function read(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  return readFileSync(path, 'utf8');
}

/** Runtime, signing add-on and link. */
export function linkArtifactSource(): string {
  return signingArtifactSource() + '\n' + read(LINK_ARTIFACT_PATH);
}

/** All four: runtime, signing add-on, link and host. */
export function deviceArtifactSource(): string {
  return linkArtifactSource() + '\n' + read(HOST_ARTIFACT_PATH);
}
