/**
 * Host side of provisioning over the link (docs/PROVISIONING.md): PROVISION (install the trust anchor; the device
 * makes its own event key and proves it holds it), ROTATE_EVENT_KEY and ROTATE_TRUST (commands the trust anchor
 * signs), each checked and written to the device registry (signing/registry.ts). Only public keys and signatures
 * cross the link; the device's secret never does.
 */
import { randomBytes } from 'node:crypto';
import * as C from '../../runtime/link/constants.ts';
import { provisionStatement, rotateKeyStatement, rotateProofStatement, trustStatement, STATEMENT_MAX } from '../../runtime/link/statements.ts';
import type { Value, Body } from './codec.ts';
import { openSerial, type Transport } from './transport.ts';
import { LinkSession, status } from './session.ts';
import { helloReady, type HelloInfo } from './hello.ts';
import { statusText } from './names.ts';
import { signBytes, verifyBytes, hex } from '../../signing/ed.ts';
import { isWeakPublicKey, keyId, type KeyFile } from '../../signing/keys.ts';
import { readRegistry, updateRegistry, findDevice, currentKey, RegistryConflict, type RegistryDevice } from '../../signing/registry.ts';

export interface LinkOptions {
  port: string;
  baud?: number;
  registry: string;
  log?: (line: string) => void;
  /** Reply timeout and sends of the provisioning request (default: generous, the device may sign for seconds). */
  timeoutMs?: number;
  tries?: number;
  /** Test hook: the transport to use instead of opening `port`. */
  open?: () => Promise<Transport>;
}

/** A refusal or a failed check: the device or the registry said no (exit 1), as opposed to a link failure. */
export class ProvisionRefused extends Error {}

export interface ProvisionResult {
  ok: true;
  device: number;
  eventKey: string;
  keyId: string;
  anchor: { keyId: string; version: number };
  epoch: number;
  already: boolean;
  registry: string;
  verdict: string;
}

/** Provisioning requests sign or verify on the device: seconds on small engines. */
const slow = (o: LinkOptions) => ({ timeoutMs: o.timeoutMs ?? 20000, tries: o.tries ?? 3 });

/** How long a device may stay BUSY (a restarted device checks its active slot first) before the host gives up. */
const BUSY_MS = 120000;

/**
 * A provisioning request, asked again every 20 ms while the device answers BUSY (a slot check runs: after a restart
 * the device checks its active slot before anything else). The request is idempotent, so asking again is safe.
 */
export async function ask(s: LinkSession, type: number, body: Body, o: LinkOptions): Promise<Body> {
  const deadline = Date.now() + BUSY_MS;
  for (;;) {
    const r = await s.request(type, body, slow(o));
    if (status(r) !== C.ST_BUSY || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 20));
  }
}

export async function withDevice<T>(o: LinkOptions, fn: (s: LinkSession, h: HelloInfo) => Promise<T>): Promise<T> {
  const t = await (o.open ? o.open() : openSerial(o.port, o.baud ?? 115200, 10000));
  try {
    const s = new LinkSession(t, { log: o.log, timeoutMs: o.timeoutMs, tries: o.tries });
    return await fn(s, await helloReady(s, false));
  } finally {
    await t.close();
  }
}

export const map = (...e: Array<[number, Value]>): Body => new Map(e);
const bytesAt = (b: Body, k: number, n: number, what: string): Uint8Array => {
  const v = b.get(k);
  if (!(v instanceof Uint8Array) || v.length !== n) throw new ProvisionRefused(`the device's reply lacks ${what} (key ${k}, ${n} bytes)`);
  return v;
};
const numAt = (b: Body, k: number, what: string): number => {
  const v = b.get(k);
  if (typeof v !== 'number') throw new ProvisionRefused(`the device's reply lacks ${what} (key ${k})`);
  return v;
};

export function statement(fill: (b: Uint8Array) => number): Uint8Array {
  const b = new Uint8Array(STATEMENT_MAX);
  return b.subarray(0, fill(b));
}

/** A public key from a device must prove something, and its proof of possession must verify with it. */
function checkNewKey(pub: Uint8Array, proof: Uint8Array, stmt: Uint8Array, what: string): void {
  if (isWeakPublicKey(pub)) throw new ProvisionRefused(`the device answered a ${what} of small order (or not a curve point): it proves nothing; refusing it`);
  if (!verifyBytes(proof, stmt, pub)) throw new ProvisionRefused(`the device's proof of possession does not verify with the ${what} it announced (key id ${keyId(pub)}): refusing it`);
}

/** The registry must not hold this device id under another key (checked before anything is sent). */
function conflict(d: RegistryDevice | undefined, device: number, eventKey: Uint8Array | undefined, registry: string): string | undefined {
  if (!d) return undefined;
  const cur = currentKey(d).public;
  if (eventKey && hex(eventKey) === cur) return undefined;
  return `registry conflict: ${registry} already holds device ${device} with event key id ${cur.slice(0, 16)}${eventKey ? `, but the device announces ${keyId(eventKey)}` : ', and this device is not provisioned: another device would get the same id'} (choose another --device, or remove device ${device} from the registry if it is gone)`;
}

export async function provision(o: LinkOptions & { trust: KeyFile; device: number }): Promise<ProvisionResult> {
  const anchor = o.trust.publicKey;
  return withDevice(o, async (s, h) => {
    const known = findDevice(readRegistry(o.registry), o.device);
    if (h.keyId && (h.keyId !== keyId(anchor) || h.device !== o.device || h.anchorVersion === undefined)) {
      throw new ProvisionRefused(`the device is already provisioned${h.anchorVersion === undefined ? ' (at the factory: its keys came with it)' : ''}: device ${h.device}, trust anchor key id ${h.keyId}${h.anchorVersion !== undefined ? ` version ${h.anchorVersion}` : ''}; asked for device ${o.device} with key id ${keyId(anchor)}. A provisioned device takes a new anchor only signed by its current one (edgerule provision --rotate-trust)`);
    }
    const why = conflict(known, o.device, h.keyId ? h.eventKey : undefined, o.registry);
    if (why && h.resetFrom === o.device) throw new RegistryConflict(`${why}. The device says a factory reset erased it as device ${o.device}: if so, edgerule provision --factory-reset --device ${o.device} --signed-by <its old anchor's key> retires the old entry`);
    if (why) throw new RegistryConflict(why);
    const nonce = new Uint8Array(randomBytes(16));
    const r = await ask(s, C.MSG_PROVISION, map([C.PQ_ANCHOR, anchor], [C.PQ_DEVICE, o.device], [C.PQ_NONCE, nonce]), o);
    const st = status(r);
    if (st === C.ST_PROVISIONED) {
      const id = r.get(C.PR_ANCHOR_ID);
      throw new ProvisionRefused(`the device is already provisioned with trust anchor key id ${id instanceof Uint8Array ? hex(id) : '?'}: ${statusText(st)}`);
    }
    if (st !== C.ST_OK) throw new ProvisionRefused(`PROVISION refused: ${statusText(st)}`);
    const device = numAt(r, C.PR_DEVICE, 'the device id');
    if (device !== o.device) throw new ProvisionRefused(`the device took id ${device}, not ${o.device}`);
    const pub = bytesAt(r, C.PR_EVENT_KEY, 32, 'the event public key');
    const version = numAt(r, C.PR_ANCHOR_VERSION, 'the anchor version');
    const epoch = numAt(r, C.PR_EPOCH, 'the key epoch');
    checkNewKey(pub, bytesAt(r, C.PR_PROOF, 64, 'the proof of possession'), statement((b) => provisionStatement(b, nonce, 0, nonce.length, device, version, anchor, pub)), 'event public key');
    const already = r.get(C.PR_ALREADY) === 1;
    updateRegistry(o.registry, (reg) => {
      const d = findDevice(reg, device);
      const why2 = conflict(d, device, pub, o.registry);
      if (why2) throw new RegistryConflict(why2);
      if (!d) reg.devices.push({ device, profile: h.profile, engine: h.engine, anchor: { key: hex(anchor), version }, keys: [{ epoch, public: hex(pub), from: 1 }], provisioned: new Date().toISOString() });
    });
    return {
      ok: true, device, eventKey: hex(pub), keyId: keyId(pub), anchor: { keyId: keyId(anchor), version }, epoch, already, registry: o.registry,
      verdict: `OK: device ${device} ${already ? 'was already provisioned so' : 'provisioned'}: trust anchor key id ${keyId(anchor)} (version ${version}); event key id ${keyId(pub)} made on the device, its proof of possession verified; registry ${o.registry}`,
    };
  });
}

export interface RotateKeyResult { ok: true; device: number; epoch: number; eventKey: string; keyId: string; from: number; already: boolean; verdict: string }

/** ROTATE_EVENT_KEY, signed with the trust anchor's secret key; the registry learns the new key and its first seq. */
export async function rotateEventKey(o: LinkOptions & { anchorKey: KeyFile }): Promise<RotateKeyResult> {
  return withDevice(o, async (s, h) => {
    if (h.keyEpoch === undefined) throw new ProvisionRefused(`device ${h.device} was not provisioned over the link: it has no event key of its own to rotate`);
    if (h.keyId !== keyId(o.anchorKey.publicKey)) throw new ProvisionRefused(`the device trusts anchor key id ${h.keyId}, not ${keyId(o.anchorKey.publicKey)}: the command would not verify`);
    const nonce = new Uint8Array(randomBytes(16));
    const sig = signBytes(statement((b) => rotateKeyStatement(b, h.device, h.keyEpoch!)), o.anchorKey.seed!);
    const r = await ask(s, C.MSG_ROTATE_EVENT_KEY, map([C.XQ_DEVICE, h.device], [C.XQ_EPOCH, h.keyEpoch], [C.XQ_SIGNATURE, sig], [C.XQ_NONCE, nonce]), o);
    const st = status(r);
    if (st !== C.ST_OK) throw new ProvisionRefused(`ROTATE_EVENT_KEY refused: ${statusText(st)}`);
    const epoch = numAt(r, C.XR_EPOCH, 'the new epoch');
    const pub = bytesAt(r, C.XR_EVENT_KEY, 32, 'the new event public key');
    const seq = numAt(r, C.XR_SEQ, 'the rotation record\'s seq');
    checkNewKey(pub, bytesAt(r, C.XR_PROOF, 64, 'the proof of possession'), statement((b) => rotateProofStatement(b, nonce, 0, nonce.length, h.device, epoch, pub, seq)), 'new event public key');
    updateRegistry(o.registry, (reg) => {
      const d = findDevice(reg, h.device);
      if (!d) throw new RegistryConflict(`device ${h.device} is not in the registry ${o.registry}: its new key (id ${keyId(pub)}, from seq ${seq + 1}) is not recorded; provision writes the registry`);
      if (d.keys.some((k) => k.epoch === epoch && k.public !== hex(pub))) throw new RegistryConflict(`registry conflict: ${o.registry} holds another key for device ${h.device} epoch ${epoch}`);
      if (!d.keys.some((k) => k.epoch === epoch)) d.keys.push({ epoch, public: hex(pub), from: seq + 1 });
    });
    const already = r.get(C.XR_ALREADY) === 1;
    return {
      ok: true, device: h.device, epoch, eventKey: hex(pub), keyId: keyId(pub), from: seq + 1, already,
      verdict: `OK: device ${h.device} ${already ? 'had already rotated' : 'rotated'} its event key: epoch ${epoch}, key id ${keyId(pub)}, signing from seq ${seq + 1} (seq ${seq}, the last record under the old key, announces it); registry ${o.registry}`,
    };
  });
}

export interface RotateTrustResult { ok: true; device: number; version: number; keyId: string; already: boolean; verdict: string }

/** ROTATE_TRUST: the new build key, signed with the current anchor's secret key, with a higher version. */
export async function rotateTrust(o: LinkOptions & { anchorKey: KeyFile; trust: KeyFile; version: number }): Promise<RotateTrustResult> {
  const next = o.trust.publicKey;
  return withDevice(o, async (s, h) => {
    if (h.anchorVersion === undefined) throw new ProvisionRefused(`device ${h.device} was not provisioned over the link: its trust anchor cannot be rotated`);
    const sig = signBytes(statement((b) => trustStatement(b, o.version, next, 0)), o.anchorKey.seed!);
    const r = await ask(s, C.MSG_ROTATE_TRUST, map([C.TQ_ANCHOR, next], [C.TQ_VERSION, o.version], [C.TQ_SIGNATURE, sig]), o);
    const st = status(r);
    if (st === C.ST_SIGNATURE) throw new ProvisionRefused(`ROTATE_TRUST refused: ${statusText(st)} (the device trusts key id ${h.keyId}; --signed-by gave ${keyId(o.anchorKey.publicKey)})`);
    if (st === C.ST_STALE) throw new ProvisionRefused(`ROTATE_TRUST refused: ${statusText(st)} (the device's anchor is version ${h.anchorVersion}; give a higher --anchor-version)`);
    if (st !== C.ST_OK) throw new ProvisionRefused(`ROTATE_TRUST refused: ${statusText(st)}`);
    const version = numAt(r, C.TR_VERSION, 'the anchor version');
    updateRegistry(o.registry, (reg) => {
      const d = findDevice(reg, h.device);
      if (d) d.anchor = { key: hex(next), version };
    });
    const already = r.get(C.TR_ALREADY) === 1;
    return {
      ok: true, device: h.device, version, keyId: keyId(next), already,
      verdict: `OK: device ${h.device} ${already ? 'already trusted' : 'now trusts'} build key id ${keyId(next)} as anchor version ${version}; bundles signed by key id ${h.keyId} can no longer be activated`,
    };
  });
}
