// The Espruino virtual device: the Linux build of Espruino (env ESPRUINO) running the build-runtime --target
// espruino files from its Storage, its Serial1 on a real pseudo-terminal. A signed bundle is flashed over that
// line, an impact makes a signed event that the host receives and verifies, and a device killed before it got the
// acknowledgement sends the same record again after its restart (kept once by the host).
import { until } from '../harness/until.ts';
import { afterAll, describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EspruinoDevice, espruinoBinary } from '../hil/espruino/device.ts';
import { BUILD_KEY, DEVICE_KEY, signedLibrary } from '../harness/link.ts';
import { flash } from '../hil/link/flash.ts';
import { openSerial } from '../hil/link/transport.ts';
import { LinkSession } from '../hil/link/session.ts';
import { helloReady, activeId } from '../hil/link/hello.ts';
import { bundleId } from '../hil/link/bundle-id.ts';
import { EventCollector } from '../hil/link/events-in.ts';
import { watchEvents } from '../hil/monitor.ts';
import { verifyEvents } from '../signing/verify-events.ts';
import { signalMeta } from '../compiler/dsl/catalogue.ts';
import { MSG_STATS, SR_QUEUE } from '../runtime/link/constants.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const esp = espruinoBinary();
// The agent checks a bundle's signature in pure JS at activation (and at a boot whose check mark does not match):
// on a -g Linux build answers can take tens of seconds while it does (docs/HOSTS.md). Generous per-request
// time-outs, never a wall-clock assertion.
const SLOW = { timeoutMs: 20000, tries: 6, reconnects: 6, activateMs: 900_000 };
const MINUTES = 60_000;
let d: EspruinoDevice | undefined;
afterAll(async () => { await d?.stop(); });

describe.skipIf(!esp.bin)(`the Espruino virtual device behind a pty${esp.bin ? '' : ` — SKIPPED, not passed: ${esp.why}`}`, () => {
  test('a signed bundle flashed over the pty runs; HELLO names the engine', async () => {
    d = await EspruinoDevice.start({
      dir: mkdtempSync(join(tmpdir(), 'edgerule-espruino-')), clock: 'real',
      identity: { device: 7, trust: hex(BUILD_KEY.publicKey), seed: hex(DEVICE_KEY.seed!) },
    });
    const lib = await signedLibrary({ version: 1 });
    const r = await flash('lib', lib, { port: d.port, ...SLOW });
    expect(r.verdict).toMatch(/^OK/);
    const t = await openSerial(d.port, 115200, 10000);
    try {
      const h = await helloReady(new LinkSession(t, { timeoutMs: SLOW.timeoutMs, tries: SLOW.tries }), false, SLOW.activateMs);
      expect(h.engine).toMatch(/^espruino 2v/);
      expect(activeId(h)).toBe(hex(bundleId(lib)));
    } finally {
      await t.close();
    }
  }, 30 * MINUTES);

  test('an impact becomes a signed event that survives a kill of the device in its Storage queue, and arrives once', async () => {
    const dev = d!;
    await dev.inject([{ t: Date.now(), sig: signalMeta('accel.mag').id, value: 50 }], 10 * MINUTES);
    const t = await openSerial(dev.port, 115200, 10000);
    try {
      const s = new LinkSession(t, { timeoutMs: SLOW.timeoutMs, tries: SLOW.tries });
      const st = await s.request(MSG_STATS, new Map());
      expect(st.get(SR_QUEUE)).toBe(1); // queued, not yet sent: no host asked for events
    } finally {
      await t.close();
    }
    const boots = dev.boots;
    dev.kill();
    await dev.waitBoot(boots + 1, 10 * MINUTES);
    const again = await openSerial(dev.port, 115200, 10000);
    try {
      // the restarted agent checks its slot (CRC-32, id, the check mark) before it answers as ready
      await helloReady(new LinkSession(again, { timeoutMs: SLOW.timeoutMs, tries: SLOW.tries }), false, SLOW.activateMs);
    } finally {
      await again.close();
    }
    const host = new EventCollector(DEVICE_KEY.publicKey);
    const w = await watchEvents(dev.port, 115200, host, { keepaliveMs: 60_000 });
    await until('the impact\'s record', () => host.acked >= 1, 10 * MINUTES);
    await w.stop();
    expect([...host.bySeq.keys()]).toEqual([1]);
    const report = verifyEvents(host.stream(), { publicKey: DEVICE_KEY.publicKey, device: 7, signing: 'per-event' });
    expect(report.ok).toBe(true);
  }, 30 * MINUTES);
});
