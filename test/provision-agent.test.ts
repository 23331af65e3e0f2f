// Provisioning over the link (docs/PROVISIONING.md): the agent from the artifact, in-process, against the real host
// code — PROVISION (the device makes its own key and proves it), the refusals, event-key rotation verified across
// by `edgerule verify`'s code through the registry, trust-anchor rotation, and a power cut at every write boundary
// and inside every write of provisioning and of a rotation.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import * as C from '../runtime/link/constants.ts';
import { InProcessDevice, MemoryStore, linkConfig, signedLibrary, BUILD_KEY, OTHER_BUILD_KEY } from '../harness/link.ts';
import { writesOf, cutPoints } from '../harness/power-cuts.ts';
import { LinkSession, status } from '../hil/link/session.ts';
import { hello, helloReady } from '../hil/link/hello.ts';
import { flash } from '../hil/link/flash.ts';
import { EventCollector } from '../hil/link/events-in.ts';
import type { Value } from '../hil/link/codec.ts';
import { provision, rotateEventKey, rotateTrust, ProvisionRefused } from '../hil/link/provision.ts';
import { readRegistry, findDevice, keySchedule, RegistryConflict } from '../signing/registry.ts';
import { verifyEvents } from '../signing/verify-events.ts';
import { keyId } from '../signing/keys.ts';
import { signalMeta } from '../compiler/dsl/catalogue.ts';
import { SF_WRONG_KEY } from '../runtime/signing/signed-faults.ts';

const devices: InProcessDevice[] = [];
afterEach(() => { for (const d of devices.splice(0)) d.stop(); });

/** A device as it leaves the factory: no trust anchor, no event key. */
function blank(store = new MemoryStore(), random = 'board'): InProcessDevice {
  const d = new InProcessDevice(store, linkConfig({ key: null, seed: null, device: 0 }), random);
  devices.push(d);
  return d;
}

const registryFile = () => join(mkdtempSync(join(tmpdir(), 'edgerule-registry-')), 'devices.json');
const link = (d: InProcessDevice, registry: string) => ({ port: 'in-process', registry, open: async () => d.transport(), timeoutMs: 100, tries: 30 });
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const map = (...e: Array<[number, Value]>) => new Map<number, Value>(e);
const session = (d: InProcessDevice) => new LinkSession(d.transport(), { timeoutMs: 200, tries: 10 });
const ACCEL_MAG = signalMeta('accel.mag').id;
const HOUR = 3_600_000;

/** A shock the running bundle reports (shock-or-tamper), at time t. */
function impact(d: InProcessDevice, t: number): void {
  const rt = d.agent!.runtime()!;
  rt.advanceTo(t);
  rt.set(ACCEL_MAG, 50, t);
  rt.step(t);
  rt.set(ACCEL_MAG, 1, t + 1000);
  rt.step(t + 1000);
  d.agent!.account(2, 0, 0, t + 1000);
}

/** The seq the device's event writer gives its next record. */
async function nextSeq(d: InProcessDevice): Promise<number> {
  return (await session(d).request(C.MSG_STATS, new Map())).get(C.SR_NEXT_SEQ) as number;
}

/** Every event record the device made, collected over a HELLO that asks for them. */
async function collect(d: InProcessDevice): Promise<EventCollector> {
  const n = (await nextSeq(d)) - 1;
  const c = new EventCollector();
  const s = session(d);
  s.deviceRequest = (f) => (f.type === C.MSG_EVENT ? c.onEvent(f.body) : undefined);
  await hello(s, true);
  for (let i = 0; i < 1000 && c.acked < n; i++) await new Promise((r) => setTimeout(r, 10));
  expect(c.acked).toBe(n);
  return c;
}

async function flashLibrary(d: InProcessDevice, version: number, key = BUILD_KEY) {
  return flash('library.signed', await signedLibrary({ version, key }), { port: 'in-process', open: async () => d.transport(), timeoutMs: 20, tries: 25, reconnects: 50 });
}

describe('provisioning', () => {
  test('the device makes its own key and proves it; the registry gets it; provisioning again changes nothing', async () => {
    const d = blank();
    const registry = registryFile();
    const before = await helloReady(session(d), false);
    expect(before.keyId).toBeUndefined();
    expect(before.eventKey).toBeUndefined();
    const r = await provision({ ...link(d, registry), trust: BUILD_KEY, device: 7 });
    expect(r.already).toBe(false);
    const h = await helloReady(session(d), false);
    expect([h.device, h.keyId, h.anchorVersion, h.keyEpoch, hex(h.eventKey!)]).toEqual([7, keyId(BUILD_KEY.publicKey), 0, 0, r.eventKey]);
    const entry = findDevice(readRegistry(registry), 7)!;
    expect(entry.keys).toEqual([{ epoch: 0, public: r.eventKey, from: 1 }]);
    expect(entry.anchor).toEqual({ key: hex(BUILD_KEY.publicKey), version: 0 });
    // the secret lives in its own record, apart from the slots, and is not the public key's seed of any other key
    expect(d.store.recs.has('pk0')).toBe(true);
    const again = await provision({ ...link(d, registry), trust: BUILD_KEY, device: 7 });
    expect([again.already, again.eventKey]).toEqual([true, r.eventKey]);
    expect(readRegistry(registry).devices).toHaveLength(1);
  });

  test('refusals: another anchor or id (PROVISIONED, naming the anchor), a small-order key (BAD_KEY), malformed, a registry conflict', async () => {
    const d = blank();
    const registry = registryFile();
    let s = session(d);
    const nonce = new Uint8Array(16).fill(1);
    const identity = new Uint8Array(32);
    identity[0] = 1; // the identity point: small order, any signature "verifies" with it
    expect(status(await s.request(C.MSG_PROVISION, map([C.PQ_ANCHOR, identity], [C.PQ_DEVICE, 7], [C.PQ_NONCE, nonce])))).toBe(C.ST_BAD_KEY);
    expect(status(await s.request(C.MSG_PROVISION, map([C.PQ_ANCHOR, BUILD_KEY.publicKey], [C.PQ_DEVICE, 7], [C.PQ_NONCE, new Uint8Array(4)])))).toBe(C.ST_MALFORMED);
    expect((await hello(s, false)).keyId).toBeUndefined(); // nothing was installed
    await provision({ ...link(d, registry), trust: BUILD_KEY, device: 7 });
    s = session(d); // a port opened again: the one before hears nothing more
    const refused = await s.request(C.MSG_PROVISION, map([C.PQ_ANCHOR, OTHER_BUILD_KEY.publicKey], [C.PQ_DEVICE, 7], [C.PQ_NONCE, nonce]));
    expect(status(refused)).toBe(C.ST_PROVISIONED);
    expect(hex(refused.get(C.PR_ANCHOR_ID) as Uint8Array)).toBe(keyId(BUILD_KEY.publicKey));
    expect(status(await s.request(C.MSG_PROVISION, map([C.PQ_ANCHOR, BUILD_KEY.publicKey], [C.PQ_DEVICE, 8], [C.PQ_NONCE, nonce])))).toBe(C.ST_PROVISIONED);
    await expect(provision({ ...link(d, registry), trust: OTHER_BUILD_KEY, device: 7 })).rejects.toThrow(/already provisioned: device 7, trust anchor key id [0-9a-f]{16} version 0; asked for device 7 with key id/);
    // a second device given the same id: refused before it is touched
    const other = blank(new MemoryStore(), 'another board');
    await expect(provision({ ...link(other, registry), trust: BUILD_KEY, device: 7 })).rejects.toThrow(RegistryConflict);
    expect((await helloReady(session(other), false)).keyId).toBeUndefined();
    // a device provisioned at the factory (keys in its config) is provisioned too
    const factory = new InProcessDevice(new MemoryStore(), linkConfig());
    devices.push(factory);
    await expect(provision({ ...link(factory, registryFile()), trust: BUILD_KEY, device: 7 })).rejects.toThrow(/already provisioned \(at the factory/);
  });

  test('a bundle signed by the anchor runs; events verify through the registry, across an event-key rotation mid-stream', async () => {
    const d = blank();
    const registry = registryFile();
    await provision({ ...link(d, registry), trust: BUILD_KEY, device: 7 });
    expect((await flashLibrary(d, 1)).ok).toBe(true);
    for (let i = 0; i < 3; i++) impact(d, 1.7e12 + i * HOUR);
    const at = await nextSeq(d);
    expect(at).toBeGreaterThan(3);
    const rot = await rotateEventKey({ ...link(d, registry), anchorKey: BUILD_KEY });
    expect([rot.epoch, rot.from, rot.already]).toEqual([1, at + 1, false]);
    for (let i = 3; i < 6; i++) impact(d, 1.7e12 + i * HOUR);
    const c = await collect(d);
    const stream = c.stream();
    const total = c.bySeq.size;
    expect(total).toBeGreaterThan(at + 2);
    const entry = findDevice(readRegistry(registry), 7)!;
    expect(entry.keys.map((k) => [k.epoch, k.from])).toEqual([[0, 1], [1, at + 1]]);
    // with the registry's keys, and with the first key alone (the stream announces the second)
    const keys = keySchedule(entry);
    for (const o of [{ publicKey: keys[0].publicKey, keys }, { publicKey: keys[0].publicKey }]) {
      const report = verifyEvents(stream, { ...o, device: 7 });
      expect(report.text).toContain(`seq ${at}: event key rotated`);
      expect(report.ok, report.text).toBe(true);
      expect([report.records, report.events, report.lastSeq]).toEqual([total, total - 1, total]);
    }
    // the retired key signs nothing after the rotation: with the old key only and no rotation record, seq 5… fail
    const withoutRotation = Buffer.concat([...c.bySeq.values()].filter((r) => r.item.record!.type !== 2).sort((a, b) => a.seq - b.seq).map((r) => r.bytes));
    const bad = verifyEvents(new Uint8Array(withoutRotation), { publicKey: keys[0].publicKey, device: 7 });
    expect(bad.ok).toBe(false);
    expect(bad.text).toContain(`seq ${at + 1}–${total}: forged: signature does not verify`);
    const h = await hello(session(d), false);
    expect(h.keyEpoch).toBe(1);
    expect(hex(h.eventKey!)).toBe(rot.eventKey);
    const again = await rotateEventKey({ ...link(d, registry), anchorKey: BUILD_KEY });
    expect([again.epoch, again.already]).toEqual([2, false]); // a new command (for epoch 1) rotates again
    // a command the anchor did not sign is refused
    expect(status(await session(d).request(C.MSG_ROTATE_EVENT_KEY, map([C.XQ_DEVICE, 7], [C.XQ_EPOCH, 0], [C.XQ_SIGNATURE, new Uint8Array(64)], [C.XQ_NONCE, new Uint8Array(16)])))).toBe(C.ST_SIGNATURE);
  });

  test('trust-anchor rotation: the wrong signer and a stale version are refused; then the old key\'s bundles are', async () => {
    const d = blank();
    const registry = registryFile();
    await provision({ ...link(d, registry), trust: BUILD_KEY, device: 7 });
    expect((await flashLibrary(d, 1)).ok).toBe(true);
    await expect(rotateTrust({ ...link(d, registry), anchorKey: OTHER_BUILD_KEY, trust: OTHER_BUILD_KEY, version: 1 })).rejects.toThrow(/SIGNATURE/);
    await expect(rotateTrust({ ...link(d, registry), anchorKey: BUILD_KEY, trust: OTHER_BUILD_KEY, version: 0 })).rejects.toThrow(/STALE/);
    const r = await rotateTrust({ ...link(d, registry), anchorKey: BUILD_KEY, trust: OTHER_BUILD_KEY, version: 1 });
    expect([r.version, r.already]).toEqual([1, false]);
    expect((await rotateTrust({ ...link(d, registry), anchorKey: BUILD_KEY, trust: OTHER_BUILD_KEY, version: 1 })).already).toBe(true);
    expect(findDevice(readRegistry(registry), 7)!.anchor).toEqual({ key: hex(OTHER_BUILD_KEY.publicKey), version: 1 });
    const old = await flashLibrary(d, 2, BUILD_KEY);
    expect(old.ok).toBe(false);
    expect(old.verdict).toMatch(new RegExp(`fault ${SF_WRONG_KEY} WRONG_KEY`));
    // the bundle installed under the old anchor still boots after a restart; a new one needs the new anchor
    d.boot();
    const h = await helloReady(session(d), false);
    expect([h.active !== undefined, h.fault, h.keyId, h.anchorVersion]).toEqual([true, undefined, keyId(OTHER_BUILD_KEY.publicKey), 1]);
    expect((await flashLibrary(d, 2, OTHER_BUILD_KEY)).ok).toBe(true);
    // the old anchor cannot sign a further rotation
    await expect(rotateTrust({ ...link(d, registry), anchorKey: BUILD_KEY, trust: BUILD_KEY, version: 2 })).rejects.toThrow(/SIGNATURE/);
  });
});

describe('a power cut at every write of provisioning and of a rotation', () => {
  test('provisioning: every cut point ends provisioned, with the key the registry holds', async () => {
    const clean = new MemoryStore();
    const d0 = blank(clean);
    const base = clean.written;
    const writes = await writesOf(clean, () => provision({ ...link(d0, registryFile()), trust: BUILD_KEY, device: 7 }));
    expect(writes.length).toBeGreaterThanOrEqual(2); // the secret record, the identity (and the event writer's state)
    const points = cutPoints(writes, base);
    let cuts = 0;
    for (const p of points) {
      const store = new MemoryStore();
      const d = blank(store);
      store.cutAfter = store.written + p;
      const registry = registryFile();
      const r = await provision({ ...link(d, registry), trust: BUILD_KEY, device: 7 });
      store.cutAfter = Infinity;
      cuts += d.cuts;
      const h = await helloReady(session(d), false);
      expect([h.device, h.keyId, hex(h.eventKey!)], `cut at +${p}`).toEqual([7, keyId(BUILD_KEY.publicKey), r.eventKey]);
      expect(findDevice(readRegistry(registry), 7)!.keys[0].public).toBe(r.eventKey);
      d.stop();
    }
    expect(cuts).toBeGreaterThan(points.length / 2); // the cuts did happen mid-provisioning
  }, 300_000);

  // The identity, secret and pointer records are written in place (a cut tears them); the event queue's slots and
  // state are replaced whole, as the virtual device's file store does: a queue slot torn at its first byte loses its
  // record without a trace (a limit of the event writer on such stores, docs/PROVISIONING.md), rotation or not.
  const tornIdentity = (k: string) => !/^e[sq]/.test(k);

  test('event-key rotation: every cut point ends rotated once, and the events verify across it without a gap', async () => {
    const prepare = async (store: MemoryStore, registry: string) => {
      store.torn = tornIdentity;
      const d = blank(store);
      await provision({ ...link(d, registry), trust: BUILD_KEY, device: 7 });
      expect((await flashLibrary(d, 1)).ok).toBe(true);
      impact(d, 1.7e12);
      impact(d, 1.7e12 + HOUR);
      return d;
    };
    const clean = new MemoryStore();
    const d0 = await prepare(clean, registryFile());
    const base = clean.written;
    const writes = await writesOf(clean, () => rotateEventKey({ ...link(d0, registryFile().replace('devices', 'x')), anchorKey: BUILD_KEY }).catch(() => undefined));
    const points = cutPoints(writes, base);
    expect(points.length).toBeGreaterThanOrEqual(8);
    let cuts = 0;
    for (const p of points) {
      const store = new MemoryStore();
      const registry = registryFile();
      const d = await prepare(store, registry);
      store.cutAfter = store.written + p;
      const r = await rotateEventKey({ ...link(d, registry), anchorKey: BUILD_KEY });
      store.cutAfter = Infinity; // a cut point past the rotation's last write never came
      cuts += d.cuts;
      expect(r.epoch, `cut at +${p}`).toBe(1);
      await helloReady(session(d), false); // after a cut the device restarts: wait for its boot check
      impact(d, 1.7e12 + 2 * HOUR);
      const c = await collect(d);
      const entry = findDevice(readRegistry(registry), 7)!;
      const keys = keySchedule(entry);
      const report = verifyEvents(c.stream(), { publicKey: keys[0].publicKey, keys, device: 7 });
      expect(report.ok, `cut at +${p}\n${report.text}`).toBe(true);
      // exactly one rotation record, at the seq the registry says, and records signed by the new key after it
      expect([report.rotations.length, report.rotations[0].seq + 1], `cut at +${p}`).toEqual([1, entry.keys[1].from]);
      expect(report.lastSeq).toBeGreaterThanOrEqual(entry.keys[1].from);
      d.stop();
    }
    expect(cuts).toBeGreaterThan(points.length / 2);
  }, 600_000);
});
