// The device agent (dist/edgerule-link.js, run here in-process from the artifact) against the real host code:
// protocol behaviour request by request, trial activation and revert, boot fallback, and a power cut at every
// write boundary and every byte of the small writes of an upload and of an activation.
import { afterEach, describe, expect, test } from 'vitest';
import * as C from '../runtime/link/constants.ts';
import { crc32 } from '../runtime/link/crc32.ts';
import { InProcessDevice, MemoryStore, linkConfig, signedLibrary, inspectStore } from '../harness/link.ts';
import { LinkSession, status } from '../hil/link/session.ts';
import { hello, helloReady, activeId } from '../hil/link/hello.ts';
import { flash, type FlashOptions } from '../hil/link/flash.ts';
import { bundleId } from '../hil/link/bundle-id.ts';
import { encodeFrame, type Value } from '../hil/link/codec.ts';

const devices: InProcessDevice[] = [];
afterEach(() => { for (const d of devices.splice(0)) d.stop(); });

function device(store = new MemoryStore(), cfg = linkConfig()): InProcessDevice {
  const d = new InProcessDevice(store, cfg);
  devices.push(d);
  return d;
}

const fast: Partial<FlashOptions> = { timeoutMs: 20, tries: 25, reconnects: 50 };
const flashTo = (d: InProcessDevice, file: string, bytes: Uint8Array, o: Partial<FlashOptions> = {}, lose?: (f: Uint8Array, n: number) => boolean) =>
  flash(file, bytes, { port: 'in-process', open: async () => d.transport(lose), ...fast, ...o });
/** Loses the first CHUNK frame the host sends (so the next one is written ahead of the hole). */
function loseFirstChunk(): (f: Uint8Array) => boolean {
  let lost = false;
  return (f) => {
    const isChunk = f[2] === C.MSG_CHUNK; // COBS: 00, code byte, type
    if (isChunk && !lost) return (lost = true);
    return false;
  };
}
const session = (d: InProcessDevice) => new LinkSession(d.transport(), { timeoutMs: 200, tries: 10 });
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const map = (...e: Array<[number, Value]>) => new Map<number, Value>(e);

describe('requests and replies', () => {
  test('HELLO echoes the nonce and describes an empty device', async () => {
    const s = session(device());
    const h = await hello(s, false);
    expect([h.protocol, h.device, h.profile, h.active, h.trial, h.boots, h.minVersion]).toEqual([C.LINK_VERSION, 7, 'full', undefined, false, 1, 0]);
    expect(h.slots.map((x) => x.state)).toEqual([C.SLOT_EMPTY, C.SLOT_EMPTY]);
    expect(h.keyId).toBe(hex(linkConfig().key!.subarray(0, 8)));
  });

  test('a chunk is written once: resent chunks and chunks beyond the next offset are answered with the offset expected', async () => {
    const d = device();
    const s = session(d);
    const bundle = await signedLibrary({ version: 1 });
    const id = bundleId(bundle);
    expect(status(await s.request(C.MSG_CHUNK, map([C.CQ_OFFSET, 0], [C.CQ_DATA, bundle.subarray(0, 10)])))).toBe(C.ST_NO_SESSION);
    const b = await s.request(C.MSG_BEGIN, map([C.BQ_ID, id], [C.BQ_SIZE, bundle.length], [C.BQ_CRC, crc32(0, bundle, 0, bundle.length)]));
    expect([status(b), b.get(C.BR_NEXT)]).toEqual([C.ST_OK, 0]);
    const send = (off: number, len: number) => s.request(C.MSG_CHUNK, map([C.CQ_OFFSET, off], [C.CQ_DATA, bundle.subarray(off, off + len)]));
    const chunk = async (off: number, len: number) => (await send(off, len)).get(C.CR_NEXT);
    expect(await chunk(0, 300)).toBe(300);
    expect(await chunk(0, 300)).toBe(300); // resent: not written again
    const beyond = await send(600, 100); // beyond a hole: written, and held ahead
    expect([beyond.get(C.CR_NEXT), beyond.get(C.CR_AHEAD), beyond.get(C.CR_AHEAD_END)]).toEqual([300, 600, 700]);
    expect(await chunk(650, 100)).toBe(300); // overlapping the range held ahead: not written
    expect(await chunk(200, 200)).toBe(400); // overlapping the start: only the new part
    expect(await chunk(400, 200)).toBe(700); // the hole filled: the range held ahead counts
    const st = await s.request(C.MSG_STATS, new Map());
    expect([st.get(C.SR_DUP_CHUNKS), st.get(C.SR_GAP_CHUNKS)]).toEqual([1, 2]);
    expect(status(await s.request(C.MSG_CHUNK, map([C.CQ_OFFSET, bundle.length - 1], [C.CQ_DATA, bundle.subarray(0, 10)])))).toBe(C.ST_MALFORMED);
    expect(status(await s.request(C.MSG_VERIFY, map([C.VQ_ID, id])))).toBe(C.ST_INCOMPLETE);
    const begin = () => s.request(C.MSG_BEGIN, map([C.BQ_ID, id], [C.BQ_SIZE, bundle.length], [C.BQ_CRC, crc32(0, bundle, 0, bundle.length)]));
    expect((await begin()).get(C.BR_NEXT)).toBe(700); // the same session: where it stands
    d.boot();
    expect((await begin()).get(C.BR_NEXT)).toBe(512); // after a restart: the last completed progress mark (granule 256)
  });

  test('a request resent with the same seq gets the same reply bytes, and is not executed twice', async () => {
    const d = device();
    const t = d.transport();
    const got: Uint8Array[] = [];
    t.onData((b) => got.push(b));
    await new Promise((r) => setTimeout(r, 30));
    expect(got.length).toBe(1); // the line the agent sends when it starts (LOG)
    got.length = 0;
    const frame = encodeFrame(C.MSG_CLOCK, 4242, map([C.KQ_UNIX_MS, 1_700_000_000_000]));
    t.write(frame);
    await new Promise((r) => setTimeout(r, 30));
    t.write(frame);
    await new Promise((r) => setTimeout(r, 30));
    expect(got.length).toBe(2);
    expect(hex(got[1])).toBe(hex(got[0]));
    // executed once: the device held no clock offset before the first CLOCK, so neither reply carries one
    const s = session(d);
    const r = await s.request(C.MSG_CLOCK, map([C.KQ_UNIX_MS, 1_700_000_000_500]));
    expect(typeof r.get(C.KR_OFFSET_MS)).toBe('number');
  });

  test('malformed bodies, unknown types, reserved messages and oversized bundles each get their status', async () => {
    const s = session(device());
    expect(status(await s.request(C.MSG_HELLO, map([C.HQ_NONCE, new Uint8Array(4)], [C.HQ_MAX_FRAME, 4096])))).toBe(C.ST_MALFORMED);
    expect(status(await s.request(0x3e, new Map()))).toBe(C.ST_UNKNOWN);
    for (const reserved of [C.MSG_INJECT, C.MSG_END_RUN]) expect(status(await s.request(reserved, new Map()))).toBe(C.ST_UNSUPPORTED);
    // provisioning requests without their keys are malformed (test/provision-agent.test.ts covers them)
    for (const t of [C.MSG_PROVISION, C.MSG_ROTATE_EVENT_KEY, C.MSG_ROTATE_TRUST]) expect(status(await s.request(t, new Map()))).toBe(C.ST_MALFORMED);
    expect(status(await s.request(C.MSG_BEGIN, map([C.BQ_ID, new Uint8Array(16)], [C.BQ_SIZE, C.DEFAULT_SLOT_MAX + 1], [C.BQ_CRC, 0])))).toBe(C.ST_TOO_BIG);
    expect(status(await s.request(C.MSG_ACTIVATE, map([C.AQ_ID, new Uint8Array(16)])))).toBe(C.ST_NOT_FOUND);
  });

  test('an unprovisioned device takes an upload but refuses to activate it', async () => {
    const d = device(new MemoryStore(), linkConfig({ key: null }));
    const r = await flashTo(d, 'v1', await signedLibrary({ version: 1 }));
    expect(r.ok).toBe(false);
    expect(r.verdict).toContain('UNPROVISIONED');
  });
});

describe('activation', () => {
  test('a trial activation reverts at the next restart unless confirmed; no upload while a trial waits', async () => {
    const d = device();
    const v1 = await signedLibrary({ version: 1 });
    const v2 = await signedLibrary({ version: 2 });
    const v3 = await signedLibrary({ version: 3 });
    expect((await flashTo(d, 'v1', v1)).ok).toBe(true);
    const t = await flashTo(d, 'v2', v2, { trial: true, noConfirm: true });
    expect([t.ok, t.confirmed]).toEqual([true, false]);
    let h = await helloReady(session(d), false);
    expect([activeId(h), h.trial, h.minVersion]).toEqual([hex(bundleId(v2)), true, 3]);
    const blocked = await flashTo(d, 'v3', v3);
    expect(blocked.verdict).toMatch(/on trial: flash that bundle again to confirm it/);
    d.boot();
    h = await helloReady(session(d), false);
    expect([activeId(h), h.trial, h.minVersion]).toEqual([hex(bundleId(v1)), false, 2]);
    const again = await flashTo(d, 'v2', v2, { trial: true });
    expect([again.ok, again.confirmed, again.uploadedBytes]).toEqual([true, true, 0]); // still in the other slot
    d.boot();
    h = await helloReady(session(d), false);
    expect([activeId(h), h.trial]).toEqual([hex(bundleId(v2)), false]);
  });

  test('a boot check that fails falls back to the other slot and says why', async () => {
    const store = new MemoryStore();
    const d = device(store);
    const v1 = await signedLibrary({ version: 1 });
    const v2 = await signedLibrary({ version: 2 });
    expect((await flashTo(d, 'v1', v1)).ok).toBe(true);
    expect((await flashTo(d, 'v2', v2)).ok).toBe(true);
    const active = (await helloReady(session(d), false)).active!;
    store.slots[active]![C.SLOT_HEADER + 100] ^= 0x10; // storage rot in the running bundle
    d.boot();
    const h = await helloReady(session(d), false);
    expect(activeId(h)).toBe(hex(bundleId(v1)));
    expect(h.fault).toEqual({ code: C.FAULT_SLOT_STATUS + C.ST_CRC, at: 0, field: 0 });
  });

  test('a torn newer pointer record leaves the older one in force', async () => {
    const store = new MemoryStore();
    const d = device(store);
    const v1 = await signedLibrary({ version: 1 });
    const v2 = await signedLibrary({ version: 2 });
    expect((await flashTo(d, 'v1', v1)).ok).toBe(true);
    expect((await flashTo(d, 'v2', v2)).ok).toBe(true);
    const gen = (k: string) => new DataView(store.recs.get(k)!.buffer).getUint32(C.PTR_GEN, true);
    const newest = C.POINTER_KEYS.slice().sort((a, b) => gen(b) - gen(a))[0];
    store.recs.set(newest, store.recs.get(newest)!.slice(0, 9)); // v2's commit, torn mid-write
    d.boot();
    const h = await helloReady(session(d), false);
    expect(activeId(h)).toBe(hex(bundleId(v1)));
    expect(h.slots.map((x) => x.id).sort()).toEqual([hex(bundleId(v1)), hex(bundleId(v2))].sort());
  });
});

function snapshot(s: MemoryStore): MemoryStore {
  const c = new MemoryStore();
  c.slots = s.slots.map((f) => (f ? f.slice() : null));
  for (const [k, v] of s.recs) c.recs.set(k, v.slice());
  return c;
}

describe('power cuts', () => {
  test.each([
    ['in order', false],
    ['with the first chunk lost, so the next one is written ahead of the hole', true],
  ])('at every write boundary, and every byte of the small writes, of an upload (%s) and of an activation: the old bundle stays active or the new one is, never anything else', async (how, lossy) => {
    const v1 = await signedLibrary({ version: 1 });
    const v2 = await signedLibrary({ version: 2 });
    const [id1, id2] = [hex(bundleId(v1)), hex(bundleId(v2))];
    const base = new MemoryStore();
    const first = device(base);
    expect((await flashTo(first, 'v1', v1)).ok).toBe(true);
    first.stop();
    const start = snapshot(base);
    const lose = () => (lossy ? loseFirstChunk() : undefined);

    // The writes of a clean flash from here, to choose the cut points from.
    const probe = snapshot(start);
    const writes: Array<{ at: number; len: number; pointer: boolean }> = [];
    const put = probe.put.bind(probe);
    const write = probe.write.bind(probe);
    const create = probe.create.bind(probe);
    const d0 = device(probe);
    await helloReady(session(d0), false);
    const w0 = probe.written;
    probe.put = (k, b) => { writes.push({ at: probe.written - w0, len: Math.max(1, b.length), pointer: C.POINTER_KEYS.includes(k) }); return put(k, b); };
    probe.write = (s, at, b, st, len) => { writes.push({ at: probe.written - w0, len, pointer: false }); return write(s, at, b, st, len); };
    probe.create = (s, size, head) => { writes.push({ at: probe.written - w0, len: head.length, pointer: false }); return create(s, size, head); };
    expect((await flashTo(d0, 'v2', v2, {}, lose())).ok).toBe(true);
    d0.stop();
    const activation = writes.filter((w) => w.pointer).at(-1)!;
    const upload = writes.filter((w) => w.at < activation.at);
    const points = new Set<number>();
    for (const w of upload) {
      if (w.len <= 64) for (let i = 0; i < w.len; i++) points.add(w.at + i);
      else for (const i of [0, 1, w.len >> 1, w.len - 1]) points.add(w.at + i);
    }
    const uploadPoints = [...points];
    const activationPoints = Array.from({ length: activation.len }, (_, i) => activation.at + i);

    const outcomes = { newActive: 0, oldActive: 0, partialActivations: 0, corruptedSlots: 0, failures: 0, cuts: 0 };
    const all = [...uploadPoints, ...activationPoints];
    for (let i = 0; i < all.length; i++) {
      const store = snapshot(start);
      const d = device(store);
      await helloReady(session(d), false);
      store.cutAfter = store.written + all[i];
      // every other run gives up at the first lost link, so both allowed outcomes occur
      const r = await flashTo(d, 'v2', v2, { reconnects: i % 2 ? 0 : 50 }, lose());
      outcomes.cuts += d.cuts;
      const h = await helloReady(session(d), false);
      const running = activeId(h);
      const stored = inspectStore(store.slots, store.recs);
      d.stop();
      outcomes.corruptedSlots += stored.corrupted;
      if (running !== stored.active || (running !== id1 && running !== id2)) outcomes.partialActivations++;
      else if (running === id2) outcomes.newActive++;
      else outcomes.oldActive++;
      if (!r.ok) {
        outcomes.failures++;
        expect(running).toBe(id1); // a failure is a clear one: the old bundle runs
      } else {
        expect(running).toBe(id2);
      }
    }
    console.log(`power cuts in-process, upload ${how}: ${uploadPoints.length} points in the upload (${upload.length} writes), ${activationPoints.length} in the activation: ` + JSON.stringify(outcomes));
    expect(outcomes.cuts).toBe(all.length);
    expect(outcomes.partialActivations).toBe(0);
    expect(outcomes.corruptedSlots).toBe(0);
    expect(outcomes.newActive + outcomes.oldActive).toBe(all.length);
    expect(outcomes.failures).toBeGreaterThan(0);
  });
});
