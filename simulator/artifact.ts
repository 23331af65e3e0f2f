/**
 * Loads the runtime artifacts — dist/edgerule-runtime.js (the rule engine) and dist/edgerule-signing.js (the
 * signing add-on), the very files that go onto devices — into Node, in the order a device loads them.
 * Nothing host-side reimplements rule semantics: the simulator, the CLI and the tests all go through this.
 */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Host, Runtime } from '../runtime/engine/runtime.ts';
import type { Program } from '../runtime/engine/verify.ts';
import type * as Signed from '../runtime/signing/signed-bundle.ts';
import type * as Events from '../runtime/signing/events.ts';
import type * as Ed25519 from '../runtime/signing/crypto/ed25519.ts';
import type * as Table from '../runtime/signing/crypto/edtable.ts';
import type * as NativeSha from '../runtime/signing/crypto/espruino-sha512.ts';

export const RUNTIME_ARTIFACT_PATH = fileURLToPath(new URL('../dist/edgerule-runtime.js', import.meta.url));
export const SIGNING_ARTIFACT_PATH = fileURLToPath(new URL('../dist/edgerule-signing.js', import.meta.url));

export interface RuntimeApi {
  load(bytes: Uint8Array, host: Host): Runtime;
  verify(bytes: Uint8Array): Program;
  translated(bytes: Uint8Array): string;
  formatVersion: number;
  catalogueHash: number;
  loadSigned: typeof Signed.loadSigned;
  checkBegin: typeof Signed.checkBegin;
  checkStep: typeof Signed.checkStep;
  loadChecked: typeof Signed.loadChecked;
  eventWriter: typeof Events.eventWriter;
  wrapHost: typeof Events.wrapHost;
  setSha512: typeof Events.setHash;
  nativeSha512: typeof NativeSha.nativeSha512;
  setBaseTable: typeof Ed25519.setBaseTable;
  loadBaseTable: typeof Table.loadBaseTable;
}

let cached: { source: string; api: RuntimeApi } | undefined;

function artifact(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  return readFileSync(path, 'utf8');
}

/** The rule engine alone: what a device that does not sign runs. */
export function runtimeArtifactSource(): string {
  return artifact(RUNTIME_ARTIFACT_PATH);
}

/** The engine followed by the signing add-on: what a signing device runs (one script, in load order). */
export function signingArtifactSource(): string {
  return artifact(RUNTIME_ARTIFACT_PATH) + '\n' + artifact(SIGNING_ARTIFACT_PATH);
}

export function loadRuntimeArtifact(): RuntimeApi {
  const source = signingArtifactSource();
  if (cached?.source === source) return cached.api;
  const api = new Function(source + '\nreturn EdgeRule;')() as RuntimeApi;
  cached = { source, api };
  return api;
}
