// Provisioning over the Espruino virtual device's pty (the Linux build of Espruino, env ESPRUINO; docs/HOSTS.md),
// through the commands a person runs: `edgerule provision` on an unprovisioned board (its key made from E.hwRand),
// a bundle signed by the anchor flashed, the recorded example drive replayed through the board's sensor sink, its
// signed records verified through the registry without --key, an event-key rotation mid-stream verified across,
// then an authenticated factory reset and a provisioning afresh.
import { until } from '../harness/until.ts';
import { afterAll, describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EspruinoDevice, espruinoBinary } from '../hil/espruino/device.ts';
import { BUILD_KEY, signedLibrary } from '../harness/link.ts';
import { runCli, type CliResult } from '../harness/cli.ts';
import { flash } from '../hil/link/flash.ts';
import { EventCollector } from '../hil/link/events-in.ts';
import { watchEvents } from '../hil/monitor.ts';
import { formatKey } from '../signing/keys.ts';
import { readRegistry, findDevice, keySchedule } from '../signing/registry.ts';
import { signalMeta } from '../compiler/dsl/catalogue.ts';
import { exampleDrive } from '../harness/drive.ts';
import { MSG_STATS, SR_NEXT_SEQ } from '../runtime/link/constants.ts';

const esp = espruinoBinary();
// A signature or its check in pure JS takes seconds on the Linux build (a bundle's boot check tens of seconds):
// generous per-request time-outs, never a wall-clock assertion.
const SLOW = { timeoutMs: 20000, tries: 6, reconnects: 6, activateMs: 900_000 };
const MINUTES = 60_000;
const ACCEL_MAG = signalMeta('accel.mag').id;
let d: EspruinoDevice | undefined;
afterAll(async () => { await d?.stop(); });

describe.skipIf(!esp.bin)(`provisioning the Espruino virtual device behind a pty${esp.bin ? '' : ` — SKIPPED, not passed: ${esp.why}`}`, () => {
  test('provision, flash, an event verified through the registry, a key rotation verified across, a factory reset, provisioned afresh', async () => {
    const work = mkdtempSync(join(tmpdir(), 'edgerule-provision-espruino-'));
    d = await EspruinoDevice.start({ dir: join(work, 'device'), clock: 'real', identity: { device: 0 } }); // no anchor, no key
    const dev = d;
    writeFileSync(join(work, 'build.pub'), formatKey(BUILD_KEY, 'public'));
    writeFileSync(join(work, 'build.key'), formatKey(BUILD_KEY, 'secret'), { mode: 0o600 });
    const registry = join(work, 'devices.json');
    const reg = ['--registry', 'devices.json'];
    const cli = async (...args: string[]): Promise<CliResult> => {
      const r = await runCli(args, work);
      expect(r.code, `edgerule ${args.join(' ')}\n${r.out}${r.err}`).toBe(0);
      return r;
    };
    const registryKeys = (id: number) => { const e = findDevice(readRegistry(registry), id); return e && keySchedule(e); };
    const host = new EventCollector();
    /** Every record the device made, fetched over the link and acknowledged. */
    const fetch = async () => {
      const w = await watchEvents(dev.port, 115200, host, { keepaliveMs: 60_000, registryKeys, keyFrom: `the registry ${registry} holds` });
      let made = 0;
      await until('every record acknowledged', async () => {
        made = ((await w.request(MSG_STATS, new Map())).get(SR_NEXT_SEQ) as number) - 1;
        return host.acked >= made;
      }, 10 * MINUTES);
      await w.stop();
      return made;
    };
    const drive = await exampleDrive();
    /** The recorded drive into the board's sensor sink, whole time groups at a time (rig operation "i"). */
    const replay = async () => {
      for (let i = 0; i < drive.length; ) {
        let j = Math.min(drive.length, i + 200);
        while (j < drive.length && drive.t[j] === drive.t[j - 1]) j++;
        const part = [];
        for (let k = i; k < j; k++) part.push({ t: drive.t[k], sig: drive.sig[k], value: drive.value[k] });
        await dev.inject(part, 10 * MINUTES);
        i = j;
      }
    };

    const p = await cli('provision', '--port', dev.port, '--trust', 'build.pub', '--device', '7', ...reg);
    expect(p.out).toMatch(/^OK: device 7 provisioned: .*made on the device, its proof of possession verified/);
    const first = findDevice(readRegistry(registry), 7)!.keys[0].public;
    const f = await flash('lib', await signedLibrary({ version: 1 }), { port: dev.port, ...SLOW });
    expect(f.verdict).toMatch(/^OK/);
    await replay();
    const before = await fetch();
    expect(before).toBeGreaterThanOrEqual(3);
    const rot = await cli('provision', '--port', dev.port, '--rotate-event-key', '--signed-by', 'build.key', ...reg);
    expect(rot.out).toMatch(new RegExp(`rotated its event key: epoch 1, key id [0-9a-f]{16}, signing from seq ${before + 2} \\(seq ${before + 1}, the last record under the old key, announces it\\)`));
    await dev.inject([{ t: drive.t[drive.length - 1] + 60_000, sig: ACCEL_MAG, value: 50 }], 10 * MINUTES); // an impact after the drive
    expect(await fetch()).toBeGreaterThanOrEqual(before + 2);
    writeFileSync(join(work, 'events.cbor'), host.stream());
    const v = await cli('verify', 'events.cbor', ...reg);
    expect(v.out).toContain(`seq ${before + 1}: event key rotated`);
    expect(v.out).toMatch(/OK: every record authentic, chained and in sequence/);

    const z = await cli('provision', '--port', dev.port, '--factory-reset', '--device', '7', '--signed-by', 'build.key', ...reg);
    expect(z.out).toMatch(/^OK: device 7 reset: .*moved to retired/);
    const again = await cli('provision', '--port', dev.port, '--trust', 'build.pub', '--device', '7', '--json', ...reg);
    expect(JSON.parse(again.out).eventKey).not.toBe(first);
    expect(readRegistry(registry).retired!.map((x) => x.keys.length)).toEqual([2]);
  }, 60 * MINUTES);
});
