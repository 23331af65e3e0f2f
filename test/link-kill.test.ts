// The virtual device (Node engine, behind a real pty) loses power at 50 random points of an upload and at 50 of
// an activation — its storage stops at exactly that byte, the device program restarts from its folder — and is
// killed (SIGKILL of its process) at random moments of a flash. The records are written in place (not atomically),
// the harsher case. Allowed outcomes: the new bundle verified and running, or a clear failure with the old one
// running. Counted: 0 partial activations, 0 corrupted slots.
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startDevice, signedLibrary, inspectFolder } from '../harness/link.ts';
import * as C from '../runtime/link/constants.ts';
import { rng } from '../hil/relay/mangle.ts';
import { flash } from '../hil/link/flash.ts';
import { openSerial } from '../hil/link/transport.ts';
import { LinkSession } from '../hil/link/session.ts';
import { helloReady, activeId } from '../hil/link/hello.ts';
import { bundleId } from '../hil/link/bundle-id.ts';
import type { VirtualDevice } from '../hil/virtual/device.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
let d: VirtualDevice;
let v1: Uint8Array;
let v2: Uint8Array;
const saved = mkdtempSync(join(tmpdir(), 'edgerule-kill-snapshot-'));
const quick = { timeoutMs: 100, tries: 30, reconnects: 30 };

beforeAll(async () => {
  d = await startDevice('node', {}, { tornRecords: true });
  v1 = await signedLibrary({ version: 1 });
  v2 = await signedLibrary({ version: 2 });
  expect((await flash('v1', v1, { port: d.port })).ok).toBe(true);
  for (const f of ['slot0.bin', 'slot1.bin', 'rec']) if (existsSync(join(d.o.dir, f))) cpSync(join(d.o.dir, f), join(saved, f), { recursive: true });
});
afterAll(async () => { await d.stop(); });

/** The device back to "v1 running, v2 nowhere" (its folder restored, then a power cycle). */
async function restore(): Promise<void> {
  for (const f of ['slot0.bin', 'slot1.bin']) {
    rmSync(join(d.o.dir, f), { force: true });
    if (existsSync(join(saved, f))) copyFileSync(join(saved, f), join(d.o.dir, f));
  }
  rmSync(join(d.o.dir, 'rec'), { recursive: true, force: true });
  cpSync(join(saved, 'rec'), join(d.o.dir, 'rec'), { recursive: true });
  const boots = d.boots;
  d.reboot();
  await d.waitBoot(boots + 1);
  await settled();
}

/**
 * Waits until the restarted device has stopped writing (its boot-time slot check finishes over several polls and
 * records its result): a cut point counts bytes from when it is set, so writes still running then would move it.
 */
async function settled(): Promise<void> {
  let last = -1;
  for (let same = 0; same < 3;) {
    const now = await d.written();
    same = now === last ? same + 1 : 0;
    last = now;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function running(): Promise<string | undefined> {
  const t = await openSerial(d.port, 115200, 10000);
  try {
    return activeId(await helloReady(new LinkSession(t, { tries: 20 }), false));
  } finally {
    await t.close();
  }
}

interface Outcomes { runs: number; newActive: number; oldActive: number; failures: number; partialActivations: number; corruptedSlots: number; powerCuts: number }

async function judge(o: Outcomes, ok: boolean): Promise<void> {
  const now = await running();
  const stored = inspectFolder(d.o.dir);
  o.runs++;
  o.corruptedSlots += stored.corrupted;
  if (now !== stored.active || (now !== hex(bundleId(v1)) && now !== hex(bundleId(v2)))) o.partialActivations++;
  else if (now === hex(bundleId(v2))) o.newActive++;
  else o.oldActive++;
  if (!ok) o.failures++;
  expect(now).toBe(hex(bundleId(ok ? v2 : v1)));
}

test('power cut at 50 random points of an upload and 50 of an activation, over the pty', async () => {
  // How many bytes a clean flash writes, and where the activation's pointer write starts.
  await restore();
  const w0 = await d.written();
  expect((await flash('v2', v2, { port: d.port })).ok).toBe(true);
  const total = (await d.written()) - w0;
  const activationBytes = C.POINTER_BYTES; // the slot pointer record, written in place: the last write of a flash
  const uploadBytes = total - activationBytes;
  const random = rng(20251201);
  const points = [
    ...Array.from({ length: 50 }, () => Math.floor(random() * uploadBytes)),
    ...Array.from({ length: 50 }, () => uploadBytes + Math.floor(random() * activationBytes)),
  ];
  const o: Outcomes = { runs: 0, newActive: 0, oldActive: 0, failures: 0, partialActivations: 0, corruptedSlots: 0, powerCuts: 0 };
  const cuts0 = d.cuts.length;
  for (let i = 0; i < points.length; i++) {
    await restore();
    d.cutAfter(points[i]);
    // every third run gives up at the first lost link, so clear failures occur too
    const r = await flash('v2', v2, { port: d.port, ...quick, reconnects: i % 3 === 2 ? 0 : quick.reconnects });
    await judge(o, r.ok);
  }
  o.powerCuts = d.cuts.length - cuts0;
  console.log(`power cuts over the pty: ${uploadBytes} bytes written by an upload, ${activationBytes} by an activation; ` + JSON.stringify(o));
  expect(o.powerCuts).toBe(points.length);
  expect([o.partialActivations, o.corruptedSlots]).toEqual([0, 0]);
  expect(o.newActive + o.oldActive).toBe(points.length);
}, 600_000);

test('the device process killed (SIGKILL) at random moments of a flash, and started again', async () => {
  const random = rng(7);
  const o: Outcomes = { runs: 0, newActive: 0, oldActive: 0, failures: 0, partialActivations: 0, corruptedSlots: 0, powerCuts: 0 };
  let kills = 0;
  for (let i = 0; i < 6; i++) {
    await restore();
    const starts = d.processes;
    const pending = flash('v2', v2, { port: d.port, ...quick });
    // kill once the upload is under way: after a few bytes of the device's own writes
    const w = await d.written();
    const killAt = Math.floor(random() * 3000);
    for (let tries = 0; tries < 2000 && (await d.written()) - w < killAt && d.processes === starts; tries++) await new Promise((r) => setTimeout(r, 1));
    d.kill();
    kills++;
    const r = await pending;
    await judge(o, r.ok);
    expect(d.processes).toBeGreaterThan(starts);
  }
  console.log(`device killed ${kills} times mid-flash: ${JSON.stringify(o)}`);
  expect([o.partialActivations, o.corruptedSlots]).toEqual([0, 0]);
}, 600_000);
