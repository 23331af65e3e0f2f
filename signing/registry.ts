/**
 * The device registry (docs/PROVISIONING.md): one JSON file the host keeps of the devices it provisioned — each
 * device's id, trust anchor, its event public keys with the first seq each one signs, the last bundle seen on it
 * and the last event seq verified. `edgerule provision` writes it; `verify`, `monitor`, `hil` and `devices` read it,
 * so nobody passes --key per device. Public keys only: no secret is ever written here.
 *
 *   { "format": "edgerule device registry", "version": 1,
 *     "devices": [ { "device": 7, "profile": "full", "engine": "node v22",
 *                    "anchor": { "key": "<64 hex>", "version": 0 },
 *                    "keys": [ { "epoch": 0, "public": "<64 hex>", "from": 1 }, { "epoch": 1, "public": "…", "from": 42 } ],
 *                    "bundle": { "id": "<32 hex>", "version": 3 }, "verified": 118, "provisioned": "2026-12-01T04:30:00.000Z" } ],
 *     "retired": [ { "device": 5, …, "reset": "2026-12-01T06:10:00.000Z" } ] }
 *
 * A device erased by an authenticated factory reset leaves `devices` for `retired` (absent: none): its id is free
 * to be provisioned again, and the public keys that signed its records before the reset stay on file.
 *
 * Writes go to a temporary file renamed over the old one, so a reader never sees half a registry.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isWeakPublicKey } from './keys.ts';

export const REGISTRY_FORMAT = 'edgerule device registry';
export const REGISTRY_VERSION = 1;
/** The registry a command uses without --registry: $EDGERULE_REGISTRY, else this file in the working folder. */
export const DEFAULT_REGISTRY_FILE = 'edgerule-devices.json';

export interface RegistryKey { epoch: number; public: string; from: number }
export interface RegistryDevice {
  device: number;
  profile?: string;
  engine?: string;
  anchor: { key: string; version: number };
  keys: RegistryKey[];
  bundle?: { id: string; version: number };
  verified?: number;
  provisioned?: string;
  /** In `retired`: when a factory reset erased the device's identity. */
  reset?: string;
}
export interface Registry { format: string; version: number; devices: RegistryDevice[]; retired?: RegistryDevice[] }

export class RegistryError extends Error {}
/** Same device id, another key: the registry and the device (or two devices) disagree. */
export class RegistryConflict extends RegistryError {}

export function registryPath(given?: string): string {
  return given ?? process.env.EDGERULE_REGISTRY ?? DEFAULT_REGISTRY_FILE;
}

const HEX32 = /^[0-9a-f]{64}$/;
const isUint = (v: unknown, max = Number.MAX_SAFE_INTEGER) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

function checkKey(v: unknown, where: string, file: string): void {
  if (typeof v !== 'string' || !HEX32.test(v)) throw new RegistryError(`${file}: ${where}: expected 64 lower-case hex digits (a public key)`);
  if (isWeakPublicKey(new Uint8Array(Buffer.from(v, 'hex')))) throw new RegistryError(`${file}: ${where}: a key of small order (or not a curve point) proves nothing`);
}

/** Checks a parsed registry; every error names the file and the JSON path. */
function checkRegistry(r: Registry, file: string): Registry {
  if (!r || typeof r !== 'object' || r.format !== REGISTRY_FORMAT) throw new RegistryError(`${file}: $.format: expected '${REGISTRY_FORMAT}' (is this a device registry?)`);
  if (r.version !== REGISTRY_VERSION) throw new RegistryError(`${file}: $.version: this edgerule reads registry version ${REGISTRY_VERSION}, the file says ${r.version}`);
  if (!Array.isArray(r.devices)) throw new RegistryError(`${file}: $.devices: expected an array`);
  if (r.retired !== undefined && !Array.isArray(r.retired)) throw new RegistryError(`${file}: $.retired: expected an array`);
  const seen = new Set<number>();
  r.devices.forEach((d, i) => {
    const at = `$.devices[${i}]`;
    checkDevice(d, at, file);
    if (seen.has(d.device)) throw new RegistryError(`${file}: ${at}.device: device ${d.device} appears twice`);
    seen.add(d.device);
  });
  r.retired?.forEach((d, i) => checkDevice(d, `$.retired[${i}]`, file));
  return r;
}

function checkDevice(d: RegistryDevice, at: string, file: string): void {
  if (!isUint(d?.device, 0xffffffff)) throw new RegistryError(`${file}: ${at}.device: expected a device id 0…4294967295`);
  checkKey(d.anchor?.key, `${at}.anchor.key`, file);
  if (!isUint(d.anchor.version, 0xffffffff)) throw new RegistryError(`${file}: ${at}.anchor.version: expected an integer 0…4294967295`);
  if (!Array.isArray(d.keys) || !d.keys.length) throw new RegistryError(`${file}: ${at}.keys: expected a non-empty array`);
  d.keys.forEach((k, j) => {
    checkKey(k?.public, `${at}.keys[${j}].public`, file);
    if (!isUint(k.epoch, 0xffffffff) || !isUint(k.from) || k.from < 1) throw new RegistryError(`${file}: ${at}.keys[${j}]: expected epoch 0…4294967295 and from ≥ 1`);
    if (j > 0 && !(k.epoch > d.keys[j - 1].epoch && k.from > d.keys[j - 1].from)) throw new RegistryError(`${file}: ${at}.keys[${j}]: keys must be in increasing epoch and from order`);
  });
}

/** Reads a registry; a file that does not exist is an empty registry. */
export function readRegistry(path: string): Registry {
  if (!existsSync(path)) return { format: REGISTRY_FORMAT, version: REGISTRY_VERSION, devices: [] };
  let r: Registry;
  try {
    r = JSON.parse(readFileSync(path, 'utf8')) as Registry;
  } catch (e) {
    throw new RegistryError(`${path}: not a device registry: ${(e as Error).message}`);
  }
  return checkRegistry(r, path);
}

export function writeRegistry(path: string, r: Registry): void {
  checkRegistry(r, path);
  r.devices.sort((a, b) => a.device - b.device);
  writeFileSync(path + '.tmp', JSON.stringify(r, null, 2) + '\n');
  renameSync(path + '.tmp', path);
}

/** Reads, changes and writes the registry in one step. */
export function updateRegistry<T>(path: string, change: (r: Registry) => T): T {
  const r = readRegistry(path);
  const out = change(r);
  writeRegistry(path, r);
  return out;
}

export function findDevice(r: Registry, device: number): RegistryDevice | undefined {
  return r.devices.find((d) => d.device === device);
}

/**
 * A factory reset erased `device`: its entry moves from `devices` to `retired`, stamped `reset`, so the id can be
 * provisioned afresh and the keys of its records before the reset stay on file. Returns the entry (undefined: the
 * registry did not hold the device).
 */
export function retireDevice(r: Registry, device: number, when: string): RegistryDevice | undefined {
  const d = findDevice(r, device);
  if (!d) return undefined;
  r.devices = r.devices.filter((x) => x !== d);
  (r.retired ??= []).push({ ...d, reset: when });
  return d;
}

export function currentKey(d: RegistryDevice): RegistryKey {
  return d.keys[d.keys.length - 1];
}

const bytesOf = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

/** The device's event keys as verify takes them: each with the first seq it signs. */
export function keySchedule(d: RegistryDevice): Array<{ from: number; publicKey: Uint8Array; epoch: number }> {
  return d.keys.map((k) => ({ from: k.from, publicKey: bytesOf(k.public), epoch: k.epoch }));
}

/**
 * Every life of `device` the registry knows: the provisioned one first, then those a factory reset retired, the
 * latest first (records signed before a reset verify with a retired life's keys). None: an error that says where
 * to look.
 */
export function deviceLives(path: string, device: number): RegistryDevice[] {
  const r = readRegistry(path);
  const retired = (r.retired ?? []).filter((d) => d.device === device).reverse();
  const live = findDevice(r, device);
  if (live) return [live, ...retired];
  return retired.length ? retired : [deviceEntry(path, device, r)];
}

/** The registry entry for `device`, or an error that says where to look. */
export function deviceEntry(path: string, device: number, r = readRegistry(path)): RegistryDevice {
  const d = findDevice(r, device);
  if (!d) throw new RegistryError(`device ${device} is not in the registry ${path}${r.devices.length ? ` (it knows ${r.devices.map((x) => x.device).join(', ')})` : existsSync(path) ? ' (it is empty)' : ' (no such file: edgerule provision writes it; --registry names another)'}`);
  return d;
}
