/**
 * In dist/edgerule-signing.js, imports of the rule engine (runtime.ts, verify.ts) resolve here instead: the
 * add-on uses the engine that dist/edgerule-runtime.js already defined, so a device holds one copy of it.
 * tools/build-runtime.ts does the redirection; the core artifact never includes this file.
 */
import type { Host, Runtime } from '../engine/runtime.ts';
import type { Program } from '../engine/verify.ts';

declare var EdgeRule: { load(bytes: Uint8Array, host: Host): Runtime; verify(bytes: Uint8Array): Program };

export function load(bytes: Uint8Array, host: Host): Runtime {
  return EdgeRule.load(bytes, host);
}

export function verify(bytes: Uint8Array): Program {
  return EdgeRule.verify(bytes);
}
