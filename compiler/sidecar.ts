/**
 * The source-map sidecar `<bundle>.map.json` that `edgerule compile` writes beside a bundle (rule names, severities,
 * attached values and their units, source lines): where it is, and reading it back for a bundle. Its shape is
 * SidecarMap (compiler/compile.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { CliError } from '../cli/errors.ts';
import { readJsonInput } from '../cli/input.ts';
import type { SidecarMap } from './compile.ts';

export function mapPathFor(bundle: string): string {
  return bundle + '.map.json';
}

/**
 * The sidecar of `bundle`: the file named by `explicit`, else `<bundle>.map.json` when it exists, else undefined.
 * Refused (CliError) when it is not JSON, or when it records another bundle's sha256 (a stale map would put wrong
 * names on rules).
 */
export function readSidecar(bundle: string, bytes: Uint8Array, explicit?: string): SidecarMap | undefined {
  const path = explicit ?? (existsSync(mapPathFor(bundle)) ? mapPathFor(bundle) : undefined);
  if (path === undefined) return undefined;
  const map = readJsonInput(path, 'sidecar map') as SidecarMap;
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (map.bundleSha256 && map.bundleSha256 !== sha) {
    throw new CliError(`${path}: sidecar map belongs to another bundle (sha256 ${map.bundleSha256.slice(0, 12)}…, ${bundle} is ${sha.slice(0, 12)}…): compile again, or pass --map`);
  }
  return map;
}
