// The boot check and the check mark (runtime/link/check-mark.ts): a boot skips the ed25519 verification only for
// bytes that passed it before under the same anchor, as the slot pointer's mark — keyed by the device's secret —
// says. A mark made without that secret lets nothing through; a pointer written by an earlier runtime (layout 1,
// no mark) still boots, and the boot that verified the signature marks the bundle.
import { afterEach, describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import * as C from '../runtime/link/constants.ts';
import { crc32 } from '../runtime/link/crc32.ts';
import { SF_SIGNATURE } from '../runtime/signing/signed-faults.ts';
import { InProcessDevice, MemoryStore, linkConfig, signedLibrary, BUILD_KEY, DEVICE_KEY, seedOf } from '../harness/link.ts';
import { LinkSession } from '../hil/link/session.ts';
import { helloReady, activeId } from '../hil/link/hello.ts';
import { flash } from '../hil/link/flash.ts';
import { bundleId } from '../hil/link/bundle-id.ts';

const devices: InProcessDevice[] = [];
afterEach(() => { for (const d of devices.splice(0)) d.stop(); });
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const session = (d: InProcessDevice) => new LinkSession(d.transport(), { timeoutMs: 200, tries: 10 });

function device(store: MemoryStore): InProcessDevice {
  const d = new InProcessDevice(store, linkConfig());
  devices.push(d);
  return d;
}

/** The mark as docs/PROTOCOL.md defines it: SHA-512('edgerule slot check mark 1' ‖ secret ‖ anchor ‖ id)[0…16). */
function mark(secret: Uint8Array, anchor: Uint8Array, id: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha512').update('edgerule slot check mark 1').update(secret).update(anchor).update(id).digest()).subarray(0, C.MARK_BYTES);
}

function u32(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0, true);
}

/** The newest pointer record of layout 2 (undefined: none). */
function pointer(store: MemoryStore): Uint8Array | undefined {
  const recs = C.POINTER_KEYS.map((k) => store.recs.get(k)).filter((b): b is Uint8Array => !!b && b.length === C.POINTER_BYTES);
  const gen = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(C.PTR_GEN, true);
  return recs.sort((a, b) => gen(b) - gen(a))[0];
}

/** Writes a pointer record of generation gen+1 over the older record: layout 2 with `m`, or layout 1 without a mark. */
function writePointer(store: MemoryStore, active: number, m: Uint8Array | null): void {
  const old = pointer(store);
  const gen = old ? new DataView(old.buffer, old.byteOffset).getUint32(C.PTR_GEN, true) + 1 : 5;
  const b = new Uint8Array(m ? C.POINTER_BYTES : C.POINTER_V1_BYTES);
  const check = m ? C.PTR_CHECK : C.PTR_V1_CHECK;
  b[0] = m ? C.POINTER_VERSION : 1;
  b[C.PTR_ACTIVE] = active;
  u32(b, C.PTR_GEN, gen);
  u32(b, C.PTR_FLOOR, 1);
  u32(b, C.PTR_BOOTS, 1);
  if (m) b.set(m, C.PTR_MARK);
  u32(b, check, crc32(0, b, 0, check));
  store.recs.set(C.POINTER_KEYS[gen & 1], b);
}

/**
 * Replaces the bundle in `slot` by `bundle` with a consistent slot header (id, CRC-32, header CRC): what a
 * store writer could do, or flash that rotted together with its header's checks.
 */
function rewriteSlot(store: MemoryStore, slot: number, bundle: Uint8Array): void {
  const f = store.slots[slot]!;
  f.set(bundle, C.SLOT_HEADER);
  f.set(bundleId(bundle), C.SH_ID);
  u32(f, C.SH_CRC, crc32(0, bundle, 0, bundle.length));
  u32(f, C.SH_CHECK, crc32(0, f, 0, C.SH_CHECK));
}

async function flashed(): Promise<{ store: MemoryStore; slot: number; lib: Uint8Array }> {
  const store = new MemoryStore();
  const d = device(store);
  const lib = await signedLibrary({ version: 1 });
  const r = await flash('v1', lib, { port: 'in-process', open: async () => d.transport(), timeoutMs: 20, tries: 25, reconnects: 50 });
  expect(r.ok).toBe(true);
  const slot = (await helloReady(session(d), false)).active!;
  d.stop();
  return { store, slot, lib };
}

describe('the check mark in the slot pointer', () => {
  test('an activation writes the mark of (device secret, anchor, bundle id) with its pointer', async () => {
    const { store, slot, lib } = await flashed();
    const p = pointer(store)!;
    expect(p[C.PTR_ACTIVE]).toBe(slot);
    expect(hex(p.subarray(C.PTR_MARK, C.PTR_MARK + C.MARK_BYTES))).toBe(hex(mark(DEVICE_KEY.seed!, BUILD_KEY.publicKey, bundleId(lib))));
  });

  test('a boot skips the signature only under a mark made with the device secret: a forged mark lets a bad signature through nowhere', async () => {
    const { store, slot, lib } = await flashed();
    const bad = lib.slice();
    bad[bad.length - 1] ^= 0x01; // the signature is the COSE_Sign1's last 64 bytes
    rewriteSlot(store, slot, bad);
    // a mark computed without the device's secret (a store writer's): the signature is verified and refused
    writePointer(store, slot, mark(seedOf('not the device secret'), BUILD_KEY.publicKey, bundleId(bad)));
    let d = device(store);
    let h = await helloReady(session(d), false);
    expect(h.active).toBeUndefined();
    expect(h.fault?.code).toBe(SF_SIGNATURE);
    d.stop();
    // the mark under the device's secret says these very bytes passed before: the boot trusts it (whoever holds the
    // secret can also sign events as the device: docs/PROTOCOL.md, "Boot")
    writePointer(store, slot, mark(DEVICE_KEY.seed!, BUILD_KEY.publicKey, bundleId(bad)));
    d = device(store);
    h = await helloReady(session(d), false);
    expect([activeId(h), h.fault]).toEqual([hex(bundleId(bad)), undefined]);
    d.stop();
    // the same mark under another anchor does not match: verified, refused
    writePointer(store, slot, mark(DEVICE_KEY.seed!, seedOf('another anchor'), bundleId(bad)));
    d = device(store);
    h = await helloReady(session(d), false);
    expect(h.fault?.code).toBe(SF_SIGNATURE);
  });

  test('a pointer of layout 1 (an earlier runtime, no mark) boots its bundle after verifying it, and the boot marks it', async () => {
    const { store, slot, lib } = await flashed();
    for (const k of C.POINTER_KEYS) store.recs.delete(k);
    writePointer(store, slot, null);
    const d = device(store);
    const h = await helloReady(session(d), false);
    expect([activeId(h), h.fault]).toEqual([hex(bundleId(lib)), undefined]);
    const p = pointer(store)!;
    expect([p[0], p[C.PTR_ACTIVE]]).toEqual([C.POINTER_VERSION, slot]);
    expect(hex(p.subarray(C.PTR_MARK, C.PTR_MARK + C.MARK_BYTES))).toBe(hex(mark(DEVICE_KEY.seed!, BUILD_KEY.publicKey, bundleId(lib))));
  });
});
