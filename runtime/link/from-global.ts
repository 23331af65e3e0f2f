/**
 * In dist/edgerule-link.js the agent uses the rule engine and the signing add-on that dist/edgerule-runtime.js
 * and dist/edgerule-signing.js already defined on the global `EdgeRule`, so a device holds one copy of each.
 * (The small CBOR helpers and the CRC are bundled into the link itself.)
 */
import type { Host } from '../engine/runtime.ts';
import type { Trust, SignedCheck, SignedRuntime } from '../signing/signed-bundle.ts';
import type { WriterConfig, EventHost, EventWriter } from '../signing/events.ts';

interface Globals {
  checkBegin(bytes: Uint8Array, trust: Trust): SignedCheck;
  checkStep(c: SignedCheck, units: number): boolean;
  loadChecked(c: SignedCheck, host: Host): SignedRuntime;
  eventWriter(cfg: WriterConfig, host: EventHost): EventWriter;
  sha512(msg: Uint8Array): Uint8Array;
  keyFromSeed(seed: Uint8Array): { publicKey: Uint8Array };
  sign(msg: Uint8Array, seed: Uint8Array): Uint8Array;
  verify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean;
  isWeakPublicKey(pub: Uint8Array): boolean;
  formatVersion: number;
  catalogueHash: number;
}

declare var EdgeRule: Globals | undefined;

/** The engine and signing add-on, or null when they were not loaded first. */
export function engine(): Globals | null {
  if (typeof EdgeRule === 'undefined' || !EdgeRule || typeof EdgeRule.checkBegin !== 'function' || typeof EdgeRule.sha512 !== 'function' || typeof EdgeRule.sign !== 'function') return null;
  return EdgeRule;
}
