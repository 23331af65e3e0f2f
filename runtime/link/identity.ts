/**
 * What provisioning leaves on the device (docs/PROVISIONING.md), in small records apart from the bundle slots:
 * the identity (device id, trust anchor and its version, the previous anchor, the event key's epoch) in two
 * alternating records like the slot pointer, and the device secret of each key epoch (event key seed, seal secret)
 * in its own record. A secret record is always written before the identity that names its epoch, and the identity
 * write is the last of every step, so a power cut at any byte leaves either the old identity or the new one.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import {
  IDENTITY_BYTES, IDENTITY_VERSION, ID_FLAGS, ID_NONCE_LEN, ID_RESET, ID_GEN, ID_DEVICE, ID_ANCHOR_VERSION, ID_EPOCH, ID_ANCHOR, ID_PREV_ANCHOR, ID_CHECK,
  IDENTITY_KEYS, SECRET_BYTES, SECRET_VERSION, SK_EPOCH, SK_ANNOUNCE, SK_SEED, SK_SEAL, SK_CHECK, SECRET_KEYS,
} from './constants.ts';
import { crc32, rdU32, wrU32 } from './crc32.ts';
import { WRITER_STATE_KEY, QUEUE_KEY, DEFAULT_QUEUE } from '../signing/store-keys.ts';
import type { LinkStore } from './store.ts';

/** The identity in force (valid: false until provisioned over the link). */
export interface Identity {
  valid: boolean;
  gen: number;
  device: number;
  version: number;
  epoch: number;
  anchor: Uint8Array;
  /** The anchor before the last rotation (hasPrev false: none): bundles installed under it still boot. */
  prev: Uint8Array;
  hasPrev: boolean;
  /** Unprovisioned by a factory reset (valid false): `device` is the id it erased, `nonce` the reset command's. */
  reset: boolean;
  nonce: Uint8Array;
  nonceLen: number;
  buf: Uint8Array;
}

export function newIdentity(): Identity {
  return {
    valid: false, gen: 0, device: 0, version: 0, epoch: 0, anchor: new Uint8Array(32), prev: new Uint8Array(32), hasPrev: false,
    reset: false, nonce: new Uint8Array(32), nonceLen: 0, buf: new Uint8Array(IDENTITY_BYTES),
  };
}

function copy(dst: Uint8Array, dAt: number, src: Uint8Array, sAt: number, n: number): void {
  var i;
  for (i = 0; i < n; i++) dst[dAt + i] = src[sAt + i];
}

function isZero(b: Uint8Array, at: number, n: number): boolean {
  var i;
  for (i = 0; i < n; i++) if (b[at + i]) return false;
  return true;
}

/** Takes identity record b as the one in force (a reset record: unprovisioned, remembering what it erased). */
function identityUse(id: Identity, b: Uint8Array): void {
  id.reset = b[ID_FLAGS] === ID_RESET;
  id.valid = !id.reset;
  id.gen = rdU32(b, ID_GEN);
  id.device = rdU32(b, ID_DEVICE);
  id.version = rdU32(b, ID_ANCHOR_VERSION);
  id.epoch = rdU32(b, ID_EPOCH);
  copy(id.anchor, 0, b, ID_ANCHOR, 32);
  copy(id.prev, 0, b, ID_PREV_ANCHOR, 32);
  id.hasPrev = !isZero(b, ID_PREV_ANCHOR, 32);
  id.nonceLen = id.reset && b[ID_NONCE_LEN] <= 32 ? b[ID_NONCE_LEN] : 0;
  copy(id.nonce, 0, b, ID_ANCHOR, 32);
}

/** Reads both identity records; the valid one with the higher generation is in force. */
export function identityLoad(store: LinkStore, id: Identity): void {
  var found = false;
  var i, b;
  id.valid = false;
  id.reset = false;
  id.gen = 0;
  for (i = 0; i < 2; i++) {
    b = store.get(IDENTITY_KEYS[i]);
    if (!b || b.length !== IDENTITY_BYTES || b[0] !== IDENTITY_VERSION || crc32(0, b, 0, ID_CHECK) !== rdU32(b, ID_CHECK)) continue;
    if (found && rdU32(b, ID_GEN) <= id.gen) continue;
    found = true;
    identityUse(id, b);
  }
}

/** Writes identity record id.buf (flags, device and 32 bytes at ID_ANCHOR filled in) as generation + 1, and uses it. */
function identityPut(store: LinkStore, id: Identity, version: number, epoch: number, prev: Uint8Array | null): boolean {
  var b = id.buf;
  var gen = id.gen + 1;
  b[0] = IDENTITY_VERSION;
  wrU32(b, ID_GEN, gen);
  wrU32(b, ID_ANCHOR_VERSION, version);
  wrU32(b, ID_EPOCH, epoch);
  if (prev) copy(b, ID_PREV_ANCHOR, prev, 0, 32);
  wrU32(b, ID_CHECK, crc32(0, b, 0, ID_CHECK));
  if (!store.put(IDENTITY_KEYS[gen & 1], b)) return false;
  identityUse(id, b);
  return true;
}

function identityClear(id: Identity, device: number): Uint8Array {
  var b = id.buf;
  var i;
  for (i = 0; i < IDENTITY_BYTES; i++) b[i] = 0;
  wrU32(b, ID_DEVICE, device);
  return b;
}

/**
 * Commits a new identity: generation + 1 into the record that does not hold the current one (the commit point of
 * provisioning and of both rotations). `prev` null: no previous anchor.
 */
export function identityCommit(store: LinkStore, id: Identity, device: number, version: number, epoch: number, anchor: Uint8Array, aAt: number, prev: Uint8Array | null): boolean {
  copy(identityClear(id, device), ID_ANCHOR, anchor, aAt, 32);
  return identityPut(store, id, version, epoch, prev);
}

/**
 * The commit point of a factory reset: a reset record (generation + 1, as identityCommit) naming the device id it
 * erases and the command's nonce src[at…at+n). From this write on the device is unprovisioned; identityErase then
 * removes what the old identity left (and does again at every start until nothing is left).
 */
export function identityReset(store: LinkStore, id: Identity, src: Uint8Array, at: number, n: number): boolean {
  var b = identityClear(id, id.device);
  b[ID_FLAGS] = ID_RESET;
  b[ID_NONCE_LEN] = n;
  copy(b, ID_ANCHOR, src, at, n);
  return identityPut(store, id, 0, 0, null);
}

var EMPTY = new Uint8Array(0);

/** Deletes a record unless it is absent already (no write then). */
export function recordErase(store: LinkStore, key: string): boolean {
  return !store.get(key) || store.put(key, EMPTY);
}

/**
 * After a reset record is in force: erases the event writer's sealed state and queue (`queue` slots), the secret
 * records and the identity record before the reset record — only records still there, so it writes nothing once
 * done. False when the store refused an erase (the next start tries again).
 */
export function identityErase(store: LinkStore, id: Identity, queue: number): boolean {
  var ok = recordErase(store, WRITER_STATE_KEY);
  var i;
  for (i = 0; i < (queue > 0 ? queue : DEFAULT_QUEUE); i++) ok = recordErase(store, QUEUE_KEY + i) && ok;
  ok = recordErase(store, SECRET_KEYS[0]) && ok;
  ok = recordErase(store, SECRET_KEYS[1]) && ok;
  return recordErase(store, IDENTITY_KEYS[(id.gen + 1) & 1]) && ok;
}

/** The secret record of key epoch `epoch`, or null when it is absent, torn or of another epoch. */
export function secretLoad(store: LinkStore, epoch: number): Uint8Array | null {
  var b = store.get(SECRET_KEYS[epoch & 1]);
  if (!b || b.length !== SECRET_BYTES || b[0] !== SECRET_VERSION || crc32(0, b, 0, SK_CHECK) !== rdU32(b, SK_CHECK)) return null;
  return rdU32(b, SK_EPOCH) === epoch ? b : null;
}

/** The seq of the record announcing the key of a secret record (0: none yet / the first key). */
export function secretAnnounce(b: Uint8Array): number {
  return rdU32(b, SK_ANNOUNCE) + rdU32(b, SK_ANNOUNCE + 4) * 4294967296;
}

/**
 * Writes the secret record of `epoch` into buf and storage: the seed from material[0…32), the seal secret from
 * `seal` (a rotation keeps the device's) or else material[32…64); `announce` the seq of the rotation record that
 * will announce the key (0: none, the first key).
 */
export function secretWrite(store: LinkStore, buf: Uint8Array, epoch: number, announce: number, material: Uint8Array, seal: Uint8Array | null): boolean {
  var i;
  for (i = 0; i < SECRET_BYTES; i++) buf[i] = 0;
  buf[0] = SECRET_VERSION;
  wrU32(buf, SK_EPOCH, epoch);
  wrU32(buf, SK_ANNOUNCE, announce % 4294967296);
  wrU32(buf, SK_ANNOUNCE + 4, Math.floor(announce / 4294967296));
  copy(buf, SK_SEED, material, 0, 32);
  copy(buf, SK_SEAL, seal ? seal : material, seal ? 0 : 32, 32);
  wrU32(buf, SK_CHECK, crc32(0, buf, 0, SK_CHECK));
  return store.put(SECRET_KEYS[epoch & 1], buf);
}

/** The event key seed and the seal secret inside a secret record (views, not copies). */
export function secretSeed(b: Uint8Array): Uint8Array {
  return b.subarray(SK_SEED, SK_SEED + 32);
}

export function secretSeal(b: Uint8Array): Uint8Array {
  return b.subarray(SK_SEAL, SK_SEAL + 32);
}
