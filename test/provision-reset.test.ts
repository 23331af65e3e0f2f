// The authenticated factory reset (docs/PROVISIONING.md): the agent from the artifact, in-process, against the real
// host code — refused while event records are unsent, without the anchor's signature, for another device, or as a
// replay; done, it leaves the device unprovisioned (identity, secrets and queue erased, slots kept), the registry
// retires the device, and provisioning works afresh with a new key. And a power cut at every write of a reset.
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
import { provision, ProvisionRefused } from '../hil/link/provision.ts';
import { factoryReset } from '../hil/link/factory-reset.ts';
import { resetStatement, STATEMENT_MAX } from '../runtime/link/statements.ts';
import { readRegistry, findDevice } from '../signing/registry.ts';
import { signBytes } from '../signing/ed.ts';
import { keyId, type KeyFile } from '../signing/keys.ts';
import { signalMeta } from '../compiler/dsl/catalogue.ts';

const devices: InProcessDevice[] = [];
afterEach(() => { for (const d of devices.splice(0)) d.stop(); });

function blank(store = new MemoryStore()): InProcessDevice {
  const d = new InProcessDevice(store, linkConfig({ key: null, seed: null, device: 0 }));
  devices.push(d);
  return d;
}

const registryFile = () => join(mkdtempSync(join(tmpdir(), 'edgerule-registry-')), 'devices.json');
const link = (d: InProcessDevice, registry: string) => ({ port: 'in-process', registry, open: async () => d.transport(), timeoutMs: 100, tries: 30 });
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const session = (d: InProcessDevice) => new LinkSession(d.transport(), { timeoutMs: 200, tries: 10 });
const ACCEL_MAG = signalMeta('accel.mag').id;
/** The records a reset leaves none of: identity (but the reset record), secrets, the event writer's state and queue. */
const erased = (d: InProcessDevice) => [...d.store.recs.keys()].filter((k) => /^(pk|es|eq)/.test(k)).sort();

function impact(d: InProcessDevice, t: number): void {
  const rt = d.agent!.runtime()!;
  rt.advanceTo(t);
  rt.set(ACCEL_MAG, 50, t);
  rt.step(t);
  d.agent!.account(1, 0, 0, t);
}

/** Every event record the device holds, fetched and acknowledged over a HELLO that asks for them. */
async function drain(d: InProcessDevice): Promise<number> {
  const n = (await session(d).request(C.MSG_STATS, new Map())).get(C.SR_QUEUE) as number;
  const c = new EventCollector();
  const s = session(d);
  s.deviceRequest = (f) => (f.type === C.MSG_EVENT ? c.onEvent(f.body) : undefined);
  await hello(s, true);
  for (let i = 0; i < 1000 && (await s.request(C.MSG_STATS, new Map())).get(C.SR_QUEUE) !== 0; i++) await new Promise((r) => setTimeout(r, 10));
  return n;
}

/** A FACTORY_RESET request as a host (or an attacker who recorded one) would send it. */
function resetRequest(device: number, eventKey: Uint8Array, nonce: Uint8Array, key: KeyFile, flags = 0): Map<number, Value> {
  const b = new Uint8Array(STATEMENT_MAX);
  const sig = signBytes(b.subarray(0, resetStatement(b, device, eventKey, 0, flags, nonce, 0, nonce.length)), key.seed!);
  return new Map<number, Value>([[C.ZQ_DEVICE, device], [C.ZQ_EVENT_KEY, eventKey], [C.ZQ_FLAGS, flags], [C.ZQ_NONCE, nonce], [C.ZQ_SIGNATURE, sig]]);
}

async function provisionedWithEvents(d: InProcessDevice, registry: string) {
  const p = await provision({ ...link(d, registry), trust: BUILD_KEY, device: 7 });
  const f = await flash('library.signed', await signedLibrary({ version: 1 }), { port: 'in-process', open: async () => d.transport(), timeoutMs: 20, tries: 25, reconnects: 50 });
  expect(f.ok).toBe(true);
  impact(d, 1.7e12);
  impact(d, 1.7e12 + 3_600_000);
  return p;
}

describe('factory reset', () => {
  test('refused while records are unsent, then done: unprovisioned, slots kept, registry retired, provisioned afresh', async () => {
    const d = blank();
    const registry = registryFile();
    const p = await provisionedWithEvents(d, registry);
    const slotsBefore = (await helloReady(session(d), false)).slots;
    await expect(factoryReset({ ...link(d, registry), anchorKey: BUILD_KEY, device: 7, discardEvents: false })).rejects.toThrow(/UNSENT: \d+ event records? \(the newest seq \d+\) no host has acknowledged would be erased.*--discard-events/);
    expect((await helloReady(session(d), false)).keyId).toBe(keyId(BUILD_KEY.publicKey)); // nothing was erased
    expect(await drain(d)).toBeGreaterThan(0);
    const r = await factoryReset({ ...link(d, registry), anchorKey: BUILD_KEY, device: 7, discardEvents: false });
    expect([r.already, r.discarded, r.retired]).toEqual([false, 0, true]);
    expect(r.verdict).toMatch(/^OK: device 7 reset: .*moved to retired/);
    const h = await helloReady(session(d), false);
    expect([h.keyId, h.eventKey, h.anchorVersion, h.resetFrom]).toEqual([undefined, undefined, undefined, 7]);
    expect(h.slots.map((s) => [s.id, s.size])).toEqual(slotsBefore.map((s) => [s.id, s.size])); // the bundle is still in its slot
    expect(erased(d)).toEqual([]);
    const reg = readRegistry(registry);
    expect(findDevice(reg, 7)).toBeUndefined();
    expect(reg.retired!.map((x) => [x.device, x.keys[0].public, typeof x.reset])).toEqual([[7, p.eventKey, 'string']]);
    // run again: the device says it was reset from device 7
    expect((await factoryReset({ ...link(d, registry), anchorKey: BUILD_KEY, device: 7, discardEvents: false })).already).toBe(true);
    // provisioned afresh, under another anchor: a new key, made on the device again
    const again = await provision({ ...link(d, registry), trust: OTHER_BUILD_KEY, device: 7 });
    expect(again.eventKey).not.toBe(p.eventKey);
    expect(findDevice(readRegistry(registry), 7)!.keys).toEqual([{ epoch: 0, public: again.eventKey, from: 1 }]);
    // the bundle signed by the old anchor does not boot under the new one: it stays in its slot, refused
    d.boot();
    const h2 = await helloReady(session(d), false);
    expect([h2.keyId, h2.active, h2.resetFrom]).toEqual([keyId(OTHER_BUILD_KEY.publicKey), undefined, undefined]);
  });

  test('with --discard-events the unsent records go with the identity', async () => {
    const d = blank();
    const registry = registryFile();
    await provisionedWithEvents(d, registry);
    const r = await factoryReset({ ...link(d, registry), anchorKey: BUILD_KEY, device: 7, discardEvents: true });
    expect(r.discarded).toBeGreaterThan(0);
    expect(r.verdict).toMatch(/unsent records? discarded/);
    expect(erased(d)).toEqual([]);
  });

  test('refusals: another anchor, another device, a replay after provisioning again, a device that is not provisioned', async () => {
    const d = blank();
    const registry = registryFile();
    await provision({ ...link(d, registry), trust: BUILD_KEY, device: 7 });
    const old = (await helloReady(session(d), false)).eventKey!;
    const nonce = new Uint8Array(16).fill(5);
    const s = session(d);
    expect(status(await s.request(C.MSG_FACTORY_RESET, resetRequest(7, old, nonce, OTHER_BUILD_KEY)))).toBe(C.ST_SIGNATURE);
    expect(status(await s.request(C.MSG_FACTORY_RESET, resetRequest(8, old, nonce, BUILD_KEY)))).toBe(C.ST_SIGNATURE);
    expect(status(await s.request(C.MSG_FACTORY_RESET, resetRequest(7, new Uint8Array(32).fill(9), nonce, BUILD_KEY)))).toBe(C.ST_STALE);
    const bad = resetRequest(7, old, nonce, BUILD_KEY);
    bad.set(C.ZQ_FLAGS, 2);
    expect(status(await s.request(C.MSG_FACTORY_RESET, bad))).toBe(C.ST_MALFORMED);
    await expect(factoryReset({ ...link(d, registry), anchorKey: OTHER_BUILD_KEY, device: 7, discardEvents: false })).rejects.toThrow(/trusts anchor key id [0-9a-f]{16}, not/);
    await expect(factoryReset({ ...link(d, registry), anchorKey: BUILD_KEY, device: 8, discardEvents: false })).rejects.toThrow(/is device 7, not 8/);
    expect((await helloReady(session(d), false)).anchorVersion).toBe(0); // still provisioned
    // a good command, recorded: it resets once; the same bytes again are answered 'already'
    const recorded = resetRequest(7, old, nonce, BUILD_KEY);
    const s2 = session(d);
    expect(status(await s2.request(C.MSG_FACTORY_RESET, recorded))).toBe(C.ST_OK);
    const again = await session(d).request(C.MSG_FACTORY_RESET, recorded);
    expect([status(again), again.get(C.ZR_ALREADY)]).toEqual([C.ST_OK, 1]);
    expect(status(await session(d).request(C.MSG_FACTORY_RESET, resetRequest(7, old, new Uint8Array(16).fill(6), BUILD_KEY)))).toBe(C.ST_UNPROVISIONED);
    await expect(factoryReset({ ...link(d, registry), anchorKey: BUILD_KEY, device: 8, discardEvents: false })).rejects.toThrow(/not provisioned \(a factory reset erased device 7\): there is no device 8/);
    // the registry still holds device 7 (the reset went round it): provisioning says how to retire the entry
    await expect(provision({ ...link(d, registry), trust: BUILD_KEY, device: 7 })).rejects.toThrow(/says a factory reset erased it as device 7: .*--factory-reset --device 7/);
    expect((await factoryReset({ ...link(d, registry), anchorKey: BUILD_KEY, device: 7, discardEvents: false })).verdict).toMatch(/was already reset.*moved to retired/);
    // provisioned again with the same anchor and id: the recorded command names a key the device no longer has
    await provision({ ...link(d, registry), trust: BUILD_KEY, device: 7 });
    const replay = await session(d).request(C.MSG_FACTORY_RESET, recorded);
    expect(status(replay)).toBe(C.ST_STALE);
    expect((await helloReady(session(d), false)).anchorVersion).toBe(0);
    // a device given its keys at the factory has nothing the link can reset
    const factory = new InProcessDevice(new MemoryStore(), linkConfig());
    devices.push(factory);
    await expect(factoryReset({ ...link(factory, registryFile()), anchorKey: BUILD_KEY, device: 7, discardEvents: false })).rejects.toThrow(ProvisionRefused);
  });
});

describe('a power cut at every write of a factory reset', () => {
  test('every cut point ends reset (or, cut before the reset record, the reset run again completes it); then provisioning works', async () => {
    const prepare = async (store: MemoryStore, registry: string) => {
      const d = blank(store);
      await provisionedWithEvents(d, registry);
      return d;
    };
    const clean = new MemoryStore();
    const d0 = await prepare(clean, registryFile());
    const base = clean.written;
    const writes = await writesOf(clean, () => factoryReset({ ...link(d0, registryFile()), anchorKey: BUILD_KEY, device: 7, discardEvents: true }));
    expect(writes.length).toBeGreaterThanOrEqual(4); // the reset record, then the erasures
    const points = cutPoints(writes, base);
    let cuts = 0;
    const outcomes = new Set<string>();
    for (const p of points) {
      const store = new MemoryStore();
      const registry = registryFile();
      const d = await prepare(store, registry);
      const key = hex((await helloReady(session(d), false)).eventKey!);
      store.cutAfter = store.written + p;
      let r;
      try {
        r = await factoryReset({ ...link(d, registry), anchorKey: BUILD_KEY, device: 7, discardEvents: true });
      } catch (e) {
        // cut before the reset record: the device restarted provisioned as it was, with the same key; ask again
        store.cutAfter = Infinity;
        const h = await helloReady(session(d), false);
        expect([h.device, hex(h.eventKey!)], `cut at +${p}: ${(e as Error).message}`).toEqual([7, key]);
        r = await factoryReset({ ...link(d, registry), anchorKey: BUILD_KEY, device: 7, discardEvents: true });
      }
      store.cutAfter = Infinity;
      cuts += d.cuts;
      expect(r.ok, `cut at +${p}`).toBe(true);
      if (d.cuts) outcomes.add(r.already ? 'cut after the reset record: the request again finds it done' : 'cut before it: the request again resets');
      const h = await helloReady(session(d), false);
      expect([h.keyId, h.resetFrom], `cut at +${p}`).toEqual([undefined, 7]);
      expect(erased(d), `cut at +${p}`).toEqual([]);
      const again = await provision({ ...link(d, registry), trust: BUILD_KEY, device: 7 });
      expect(again.eventKey, `cut at +${p}`).not.toBe(key);
      d.stop();
    }
    expect(cuts).toBeGreaterThan(points.length / 2);
    expect(outcomes.size).toBe(2);
  }, 600_000);
});
