/**
 * The Node build: the four artifacts as they are (no mangling: the desktop keeps readable stack traces) and the
 * host's configuration, host.json. The Node board adapter that loads them is the virtual device's engine
 * (hil/virtual/node-engine.ts, `edgerule device --engine node`): the same host interface as on the boards.
 */
import { readArtifact } from './artifacts.ts';
import type { HostConfig } from '../runtime/host/config.ts';

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

export async function nodeFiles(cfg: HostConfig & Record<string, unknown>): Promise<Array<{ name: string; kind: string; bytes: Uint8Array }>> {
  return [
    { name: 'edgerule-runtime.js', kind: 'code', bytes: enc(readArtifact('runtime')) },
    { name: 'edgerule-signing.js', kind: 'code', bytes: enc(readArtifact('signing')) },
    { name: 'edgerule-link.js', kind: 'code', bytes: enc(readArtifact('link')) },
    { name: 'edgerule-host.js', kind: 'code', bytes: enc(readArtifact('host')) },
    { name: 'host.json', kind: 'config', bytes: enc(JSON.stringify(cfg, null, 2) + '\n') },
  ];
}
