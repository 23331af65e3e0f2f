/**
 * Which event key a device signs with: its own, made when it was provisioned over the link (and rotated since), or
 * the one it was given at the factory (LinkConfig.seed). One answer for the persistent writer and an injected run's.
 *
 * Runtime subset: ES5 + typed arrays.
 */
import type { LinkState } from './state.ts';

/** The event key seed in force: the device's own (provisioned over the link) or the factory's; null: none. */
export function eventSeed(a: LinkState): Uint8Array | null {
  return a.id.valid ? (a.hasSeed ? a.seed : null) : a.cfg.seed;
}

/** The device id its records carry: the provisioned one, or the factory's. */
export function eventDevice(a: LinkState): number {
  return a.id.valid ? a.id.device : a.cfg.device;
}
