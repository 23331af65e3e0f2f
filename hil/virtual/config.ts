/**
 * A virtual device's identity, kept in its folder as device.json: the device id, its profile, the trust anchor
 * (build public key) and the event key seed. Written once when the folder is made (until provisioning over the
 * link exists, this is how a virtual device gets its keys); the slots, the pointer and the event queue live
 * beside it (file-store.ts).
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_INJECT_BUFFER } from '../../runtime/link/constants.ts';

export interface DeviceIdentity {
  device: number;
  profile: string;
  /** Build public key, 64 hex digits (absent: not provisioned, bundles cannot be activated). */
  trust?: string;
  /** Event key seed, 64 hex digits (absent: no signed events). */
  seed?: string;
  /** Slot size limit and receive frame limit (defaults: the agent's). */
  slotMax?: number;
  maxFrame?: number;
  /** Event queue slots (default the event writer's). */
  queue?: number;
  /** Sample buffer for injected runs (`edgerule hil`); default TEST_INJECT_BUFFER, 0 turns injection off. */
  injectBuffer?: number;
}

/** A virtual device is a test device: it accepts injected runs unless its device.json says injectBuffer 0. */
export function injectBufferOf(id: DeviceIdentity): number {
  return id.injectBuffer ?? TEST_INJECT_BUFFER;
}

export const CONFIG_FILE = 'device.json';

function check(c: DeviceIdentity, file: string): DeviceIdentity {
  if (!Number.isInteger(c.device) || c.device < 0 || c.device > 0xffffffff) throw new Error(`${file}: device must be an integer 0…4294967295`);
  if (typeof c.profile !== 'string' || !/^[\x21-\x7e]{1,32}$/.test(c.profile)) throw new Error(`${file}: profile must be 1…32 printable ASCII characters`);
  for (const k of ['trust', 'seed'] as const) {
    if (c[k] !== undefined && !/^[0-9a-f]{64}$/.test(c[k]!)) throw new Error(`${file}: ${k} must be 64 lower-case hex digits`);
  }
  return c;
}

export function readIdentity(dir: string): DeviceIdentity | undefined {
  const file = join(dir, CONFIG_FILE);
  if (!existsSync(file)) return undefined;
  return check(JSON.parse(readFileSync(file, 'utf8')) as DeviceIdentity, file);
}

export function writeIdentity(dir: string, c: DeviceIdentity): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, CONFIG_FILE);
  writeFileSync(file, JSON.stringify(check(c, file), null, 2) + '\n', { mode: 0o600 });
}

export const hexBytes = (h: string | undefined): Uint8Array | null => (h ? new Uint8Array(Buffer.from(h, 'hex')) : null);
