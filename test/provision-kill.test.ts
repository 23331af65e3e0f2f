// A virtual device behind a real pty loses its power at 20 random bytes of the storage writes of provisioning
// (seeded): after each restart the device is either not provisioned at all (no anchor, no key) or provisioned
// whole (anchor, id, key), never in between; and `provision` run again completes, the registry holding the key
// the device announces.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { BUILD_KEY } from '../harness/link.ts';
import { writeIdentity } from '../hil/virtual/config.ts';
import { VirtualDevice } from '../hil/virtual/device.ts';
import { openSerial } from '../hil/link/transport.ts';
import { LinkSession } from '../hil/link/session.ts';
import { helloReady, type HelloInfo } from '../hil/link/hello.ts';
import { provision } from '../hil/link/provision.ts';
import type { Value } from '../hil/link/codec.ts';
import * as C from '../runtime/link/constants.ts';
import { keyId } from '../signing/keys.ts';
import { readRegistry, findDevice } from '../signing/registry.ts';

const running: VirtualDevice[] = [];
afterAll(async () => { for (const d of running) await d.stop(); });

async function blankDevice(): Promise<VirtualDevice> {
  const dir = mkdtempSync(join(tmpdir(), 'edgerule-provision-kill-'));
  writeIdentity(dir, { device: 0, profile: 'full' });
  const d = await VirtualDevice.start({ dir, engine: 'node', tornRecords: true });
  running.push(d);
  return d;
}

async function helloOf(port: string): Promise<HelloInfo> {
  const t = await openSerial(port, 115200, 10000);
  try {
    return await helloReady(new LinkSession(t, { tries: 20, timeoutMs: 500 }), false);
  } finally {
    await t.close();
  }
}

/** One PROVISION request, sent once: the power cut interrupts it (no reply is awaited beyond a short while). */
async function provisionOnce(port: string): Promise<void> {
  const t = await openSerial(port, 115200, 10000);
  try {
    const s = new LinkSession(t, { tries: 1, timeoutMs: 1500 });
    await s.request(C.MSG_PROVISION, new Map<number, Value>([[C.PQ_ANCHOR, BUILD_KEY.publicKey], [C.PQ_DEVICE, 7], [C.PQ_NONCE, new Uint8Array(16).fill(9)]])).catch(() => undefined);
  } finally {
    await t.close();
  }
}

/** A small seeded generator (xorshift32): the same 20 points every run. */
function points(seed: number, n: number, below: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % below;
  });
}

test('20 power cuts at random bytes of provisioning: each restart is unprovisioned or provisioned whole, and provisioning again completes', async () => {
  // the bytes provisioning writes, from a clean run
  const clean = await blankDevice();
  const before = await clean.written();
  await provisionOnce(clean.port);
  const total = (await clean.written()) - before;
  running.splice(running.indexOf(clean), 1);
  await clean.stop();
  expect(total).toBeGreaterThan(C.SECRET_BYTES + C.IDENTITY_BYTES - 1);
  const seen = { unprovisioned: 0, provisioned: 0 };
  for (const at of points(20261201, 20, total)) {
    const d = await blankDevice();
    const boots = d.boots;
    d.cutAfter(at);
    // the request is sent again only while the device has not lost its power (a frame can be lost when the port
    // closes on a loaded machine): once it is handled, the cut comes before the provisioning is complete
    for (let i = 0; i < 10 && d.boots === boots; i++) {
      await provisionOnce(d.port);
      await d.waitBoot(boots + 1, 2000).catch(() => undefined);
    }
    await d.waitBoot(boots + 1); // the power came back
    d.cutAfter(Infinity);
    const h = await helloOf(d.port);
    const whole = h.keyId === keyId(BUILD_KEY.publicKey) && h.device === 7 && h.eventKey?.length === 32 && h.keyEpoch === 0;
    const none = h.keyId === undefined && h.eventKey === undefined && h.anchorVersion === undefined;
    expect(whole || none, `cut at byte ${at} of ${total}: ${JSON.stringify({ keyId: h.keyId, device: h.device, key: !!h.eventKey, epoch: h.keyEpoch })}`).toBe(true);
    seen[whole ? 'provisioned' : 'unprovisioned']++;
    const registry = join(d.o.dir, 'devices.json');
    const r = await provision({ port: d.port, registry, trust: BUILD_KEY, device: 7, timeoutMs: 2000, tries: 10 });
    expect(r.already).toBe(whole);
    const after = await helloOf(d.port);
    expect(Buffer.from(after.eventKey!).toString('hex')).toBe(r.eventKey);
    expect(findDevice(readRegistry(registry), 7)!.keys[0].public).toBe(r.eventKey);
    running.splice(running.indexOf(d), 1);
    await d.stop();
  }
  expect(seen.unprovisioned).toBeGreaterThan(0); // the cuts came before the identity write…
  console.log(`provisioning cut at 20 random bytes of ${total}: ${seen.unprovisioned} restarts unprovisioned, ${seen.provisioned} provisioned whole; provisioning again completed every time`);
}, 600_000);
