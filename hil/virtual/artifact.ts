/**
 * The device link's artifact, dist/edgerule-link.js, after the engine and the signing add-on
 * (simulator/artifact.ts): the three files a linked device runs, in the order it loads them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { signingArtifactSource } from '../../simulator/artifact.ts';

export const LINK_ARTIFACT_PATH = fileURLToPath(new URL('../../dist/edgerule-link.js', import.meta.url));

export function linkArtifactSource(): string {
  if (!existsSync(LINK_ARTIFACT_PATH)) throw new Error(`${LINK_ARTIFACT_PATH} is missing: run \`npm run build\` first`);
  return signingArtifactSource() + '\n' + readFileSync(LINK_ARTIFACT_PATH, 'utf8');
}
