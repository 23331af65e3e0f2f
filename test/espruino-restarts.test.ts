// The issue's proof for the Espruino host (docs/HOSTS.md): the Linux build of Espruino (env ESPRUINO) runs the
// signed library from its Storage and restarts at random points while events are being made, queued, sent and
// acknowledged — a power cut after a random number of Storage bytes (the rig's flash stops mid-word), or, when
// no cut came within a random while, a SIGKILL. A host watches the link from each start to the next restart. At the end every record the device made is at the host exactly once: seqs 1…next−1 with none
// missing, the chain and every signature verify, and the device's queue is empty.
// RESTARTS (default 50) and RESTART_SEED (default 20261201) set the run; every wait is bounded, none is timed.
import { afterAll, describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '../harness/until.ts';
import { EspruinoDevice, espruinoBinary } from '../hil/espruino/device.ts';
import { BUILD_KEY, DEVICE_KEY, signedLibrary } from '../harness/link.ts';
import { flash } from '../hil/link/flash.ts';
import { EventCollector } from '../hil/link/events-in.ts';
import { watchEvents, type Watch } from '../hil/monitor.ts';
import { verifyEvents } from '../signing/verify-events.ts';
import { signalMeta } from '../compiler/dsl/catalogue.ts';
import { rng } from '../hil/relay/mangle.ts';
import { MSG_STATS, SR_NEXT_SEQ, SR_QUEUE } from '../runtime/link/constants.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const esp = espruinoBinary();
const RESTARTS = Number(process.env.RESTARTS ?? 50);
const SEED = Number(process.env.RESTART_SEED ?? 20261201);
const SLOW = { timeoutMs: 20000, tries: 6, reconnects: 6, activateMs: 900_000 };
const MINUTES = 60_000;
/** Storage bytes within which a cut lands: a round's event record, its queue entry and the frees after acks. */
const CUT_SPAN = 1500;
let d: EspruinoDevice | undefined;
let w: Watch | undefined;
afterAll(async () => {
  await w?.stop();
  await d?.stop();
});

describe.skipIf(!esp.bin)(`Espruino host restarts mid-queue${esp.bin ? '' : ` — SKIPPED, not passed: ${esp.why}`}`, () => {
  test(`${RESTARTS} restarts at random points: no event lost, none doubled`, async () => {
    d = await EspruinoDevice.start({
      dir: mkdtempSync(join(tmpdir(), 'edgerule-restarts-')), clock: 'real',
      identity: { device: 7, trust: hex(BUILD_KEY.publicKey), seed: hex(DEVICE_KEY.seed!) },
      log: process.env.RESTART_LOG ? (l) => console.log(l) : undefined,
    });
    const dev = d;
    expect((await flash('lib', await signedLibrary({ version: 1 }), { port: dev.port, ...SLOW, log: process.env.RESTART_LOG ? (l: string) => console.log(l) : undefined })).verdict).toMatch(/^OK/);
    const host = new EventCollector(DEVICE_KEY.publicKey);
    const random = rng(SEED);
    const mag = signalMeta('accel.mag').id;
    let cuts = 0;
    let kills = 0;
    let other = 0;
    for (let i = 0; i < RESTARTS; i++) {
      // in about half the rounds a host says HELLO after the start and takes events (a restarted agent sends them
      // only to a host that asked again); in the others the queue grows, so restarts find it longer
      w = random() < 0.5 ? await watchEvents(dev.port, 115200, host, { keepaliveMs: 60_000 }) : undefined;
      const boots = dev.boots;
      const cuts0 = dev.cuts.length;
      const t = Date.now();
      const b = Buffer.alloc(2 * 17);
      // an impact and the calm reading after it (a rising edge per round)
      [[t, 50], [t + 200, 1]].forEach(([at, v], k) => {
        b.writeDoubleLE(at, k * 17);
        b.writeUInt8(mag, k * 17 + 8);
        b.writeDoubleLE(v, k * 17 + 9);
      });
      const waitMs = 200 + Math.floor(random() * 3000);
      const cut = () => dev.cuts.length > cuts0 || dev.boots > boots;
      // the cut may come while the injection runs: the rig then quits without answering
      let answered = false;
      void dev.go([['c', Math.floor(random() * CUT_SPAN)], ['i', b.toString('base64')]], 10 * MINUTES).then(() => { answered = true; }, () => {});
      await until(`round ${i}: the injection's answer or a power cut`, () => answered || cut(), 10 * MINUTES);
      const since = Date.now();
      await until(`round ${i}: a power cut or ${waitMs} ms`, () => cut() || Date.now() - since >= waitMs, 10 * MINUTES);
      if (dev.cuts.length > cuts0) cuts++;
      else if (dev.boots > boots) other++;
      else {
        dev.kill();
        kills++;
      }
      await dev.waitBoot(boots + 1, 10 * MINUTES);
      await w?.stop();
    }
    w = await watchEvents(dev.port, 115200, host, { keepaliveMs: 60_000 });
    let next = 0;
    await until('every record the device made acknowledged by the host', async () => {
      const st = await w!.request(MSG_STATS, new Map()).catch((e) => { if (process.env.RESTART_LOG) console.log(`STATS: ${e}`); });
      if (process.env.RESTART_LOG) console.log(`STATS ${st ? JSON.stringify([...st]) : '-'}; host acked ${host.acked}`);
      if (!st) return false;
      next = Number(st.get(SR_NEXT_SEQ));
      return st.get(SR_QUEUE) === 0 && host.acked === next - 1;
    }, 30 * MINUTES, 500);
    console.log(`${RESTARTS} restarts (${cuts} power cuts, ${kills} kills, seed ${SEED}): ${next - 1} records made, ${host.duplicates} resent copies dropped`);
    expect([cuts + kills, other]).toEqual([RESTARTS, 0]);
    expect(next - 1).toBeGreaterThan(0);
    expect([...host.bySeq.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: next - 1 }, (_, k) => k + 1));
    const report = verifyEvents(host.stream(), { publicKey: DEVICE_KEY.publicKey, device: 7, signing: 'per-event' });
    expect(report.ok).toBe(true);
  }, 120 * MINUTES);
});
